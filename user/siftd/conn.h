/* SPDX-License-Identifier: GPL-2.0 */
/*
 * siftd's connections: SIP over TCP and TLS (RFC 3261 18.3, RFC 5630),
 * the transport room of the slow path.  Listeners on the SIP ports (TCP)
 * and tls.ports (TLS), IPv4 and IPv6; connections siftd opens itself to
 * next hops on TCP or TLS; all in one epoll set that siftd's poll loop
 * waits on.  Bytes are framed by Content-Length (user/lib/stream.h); each
 * whole message goes to the callback, which parses and decides as for a
 * datagram (punt.c).  CRLF keep-alives are answered (RFC 5626 3.5.1).
 *
 * The connection shield: the fast path checks a SYN's source (deny list,
 * bans, allow-only) before the kernel sees it; here, at accept, the source
 * is checked again (a ban imposed since), then the limits: connections in
 * all, per source at once, new ones per source a second, connections not
 * yet past their first whole message (the unauthenticated), TLS
 * handshakes a second.  A connection that has not delivered a whole
 * message by tcp.first_message_ms is cut (slowloris), one idle for
 * tcp.idle_timeout is closed.  Every refusal and cut is counted by reason.
 * Every table is bounded.
 */
#ifndef SIFTD_CONN_H
#define SIFTD_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <openssl/ssl.h>

#include "addr.h"
#include "config.h"
#include "shield_native.h"
#include "stream.h"
#include "tls.h"

#define SIFT_CONN_OUT_MAX (256 * 1024) /* bytes waiting to be written, per connection */
#define SIFT_CONN_LISTENERS (4 * SIFT_MAX_PORTS)
#define SIFT_CONN_REFUSED_S 30 /* a next hop that refused a connection is not tried again so soon */
#define SIFT_CONN_REFUSED_N 64

#define SIFT_CONN_REFUSALS(X)                                                                       \
	X(BANNED, banned)                 /* the shield's source check (a ban since the SYN) */     \
	X(MAX_CONNECTIONS, max_connections)                                                         \
	X(PER_SOURCE, per_source)         /* tcp.per_source at once */                              \
	X(NEW_RATE, new_rate)             /* tcp.new_rate a second from one source */               \
	X(UNAUTHENTICATED, unauthenticated) /* tcp.unauthenticated overall */                       \
	X(HANDSHAKE_RATE, handshake_rate) /* tls.handshake_rate */                                   \
	X(SOURCES_FULL, sources_full)     /* no room to count the source */

#define SIFT_CONN_CLOSES(X)                                                                         \
	X(PEER, peer)                     /* the other side closed, or reset */                     \
	X(IDLE, idle)                     /* tcp.idle_timeout */                                     \
	X(FIRST_MESSAGE, first_message)   /* no whole message by tcp.first_message_ms */            \
	X(HANDSHAKE, handshake)           /* the TLS handshake failed (a refused certificate...) */ \
	X(TOO_BIG, too_big)               /* a message over tcp.max_message */                      \
	X(NO_LENGTH, no_length)           /* a message without Content-Length */                    \
	X(BAD_LENGTH, bad_length)                                                                   \
	X(WRITE_BACKLOG, write_backlog)   /* the peer does not read: SIFT_CONN_OUT_MAX waiting */   \
	X(CONNECT, connect)               /* siftd's connection to a next hop failed */            \
	X(ERROR, error)                   /* the socket or TLS said so */                            \
	X(SHUTDOWN, shutdown)             /* siftd stopped, or the listener went */

#define SIFT_CONN_ENUM_(id, name) SIFT_CONN_REFUSE_##id,
enum { SIFT_CONN_REFUSALS(SIFT_CONN_ENUM_) SIFT_CONN_REFUSE__MAX };
#undef SIFT_CONN_ENUM_
#define SIFT_CONN_ENUM_(id, name) SIFT_CONN_CLOSE_##id,
/* 0 is no reason: the functions that say why a connection must go return 0 when it need not */
enum { SIFT_CONN_CLOSE__NONE, SIFT_CONN_CLOSES(SIFT_CONN_ENUM_) SIFT_CONN_CLOSE__MAX };
#undef SIFT_CONN_ENUM_

enum sift_conn_state { SIFT_CONN_CONNECTING = 1, SIFT_CONN_HANDSHAKE, SIFT_CONN_OPEN };

struct sift_conn {
	int fd;       /* -1: the slot is free */
	uint32_t id;  /* a handle: slot and generation (sift_conn_get) */
	uint8_t transport; /* SIFT_TRANSPORT_TCP or _TLS */
	uint8_t state;     /* enum sift_conn_state */
	bool outbound;     /* siftd opened it */
	bool trusted;      /* its certificate names a tls.peers entry */
	bool first_done;   /* a whole message came: authenticated enough */
	uint8_t ktls;      /* sift_tls_ktls() */
	struct sift_addr peer, local;
	unsigned int peer_port, local_port;
	struct sift_addr alias; /* RFC 5923: the sent-by its requests' Via names (TLS) */
	unsigned int alias_port;
	uint64_t born, last; /* ns */
	SSL *ssl;
	struct sift_tls *tls; /* the context it was made with (a reload keeps it alive) */
	struct sift_stream rx;
	uint8_t *out;
	size_t out_len, out_cap;
	uint32_t next_peer, next_alias; /* hash chains (slot + 1; 0 ends) */
	uint32_t src;                   /* its source's slot (+1; 0: none: outbound) */
	char peer_name[64];             /* the tls.peers name its certificate matched */
};

struct sift_conn_source {
	struct sift_addr a;
	uint32_t conns; /* open now */
	uint64_t tat;   /* GCRA for new connections */
};

struct sift_conn_listener {
	int fd;
	unsigned int port;
	uint8_t transport;
	int family;
};

struct sift_conn_stats {
	uint64_t accepted, opened; /* in, and out (siftd's) */
	uint64_t refused[SIFT_CONN_REFUSE__MAX];
	uint64_t closed[SIFT_CONN_CLOSE__MAX];
	uint64_t handshakes, ktls;
	uint64_t messages, pings, bytes_in, bytes_out;
	uint64_t aliases; /* RFC 5923 aliases taken */
};

/* A whole message on @c: parse and decide it (punt.c). */
typedef void (*sift_conn_msg_fn)(void *arg, struct sift_conn *c, const uint8_t *msg, size_t len);

struct sift_conns {
	int ep; /* epoll: listeners and connections */
	struct sift_conn_listener lis[SIFT_CONN_LISTENERS];
	unsigned int n_lis;
	struct sift_conn *c; /* tcp.max_connections slots */
	unsigned int cap, n, n_unauth, n_tls;
	uint32_t *free_slots; /* a stack of free slot indexes */
	unsigned int n_free;
	uint32_t *by_peer, *by_alias; /* hash heads (slot + 1), hmask + 1 of each */
	uint32_t hmask;
	struct sift_conn_source *src; /* 2 * cap, rounded up to a power of two */
	uint32_t smask;
	uint64_t hs_tat;    /* GCRA of TLS handshakes, all sources */
	struct {
		struct sift_addr a;
		unsigned int port;
		uint64_t until;
	} refused[SIFT_CONN_REFUSED_N]; /* next hops that refused siftd's connections, a ring */
	unsigned int n_refused;
	uint64_t next_sweep; /* ns: deadlines and idle connections are looked at */
	struct sift_tcp_conf conf;
	struct sift_tls_conf tls_conf;
	struct sift_tls *tls; /* NULL: no TLS */
	struct sift_shield_tables *shield; /* the fast path's maps (punt.c's) */
	sift_conn_msg_fn on_msg;
	void *arg;
	struct sift_conn_stats st;
};

/*
 * Listen as @c says (TCP on sip.ports when tcp.enabled, TLS on tls.ports
 * with a certificate), with room for tcp.max_connections.  0 or -errno,
 * the reason in @err.
 */
int sift_conns_open(struct sift_conns *cs, const struct sift_conf *c,
		    struct sift_shield_tables *shield, sift_conn_msg_fn on_msg, void *arg, char *err,
		    size_t errlen);
/*
 * A reload: limits, listeners and certificates as @c says.  Established
 * connections stay (they keep the TLS context they were made with); the
 * table's size stays what it was at start.  0, or -errno with the reason
 * in @err and nothing changed.
 */
int sift_conns_update(struct sift_conns *cs, const struct sift_conf *c, char *err, size_t errlen);
void sift_conns_close(struct sift_conns *cs);

/* What epoll says is ready (siftd's poll loop saw cs->ep readable). */
void sift_conns_process(struct sift_conns *cs);
/* Milliseconds until the next deadline sweep (-1: no connections). */
int sift_conns_timeout_ms(struct sift_conns *cs);
/* Deadlines: first messages, idle connections. */
void sift_conns_tick(struct sift_conns *cs);

/* The connection with handle @id, if it is still there. */
struct sift_conn *sift_conn_get(struct sift_conns *cs, uint32_t id);
/*
 * The connection to @a:@port of @transport (any stream transport: 0): its
 * peer address, or its RFC 5923 alias.  NULL if none.
 */
struct sift_conn *sift_conn_find(struct sift_conns *cs, const struct sift_addr *a, unsigned int port,
				 int transport);
/* Open a connection of @transport to @a:@port (a next hop); NULL with errno. */
struct sift_conn *sift_conn_connect(struct sift_conns *cs, const struct sift_addr *a,
				    unsigned int port, int transport);
/* Did a connection siftd opened to @a:@port fail within the last SIFT_CONN_REFUSED_S? */
bool sift_conn_refused(struct sift_conns *cs, const struct sift_addr *a, unsigned int port);
/* Send @len bytes on @c (queued while it connects); 0, or -1 when it had to go. */
int sift_conn_send(struct sift_conns *cs, struct sift_conn *c, const void *buf, size_t len);
/* RFC 5923: @c is also reachable as @a:@port (its requests' Via sent-by). */
void sift_conn_alias(struct sift_conns *cs, struct sift_conn *c, const struct sift_addr *a,
		     unsigned int port);
/* The message on @c was whole and sound: it is past its first-message deadline. */
void sift_conn_authenticated(struct sift_conns *cs, struct sift_conn *c);

json_t *sift_conns_json(const struct sift_conns *cs);
/* The names counts go by (as in the JSON, the metrics' reason labels). */
const char *sift_conn_refusal_name(unsigned int why);
const char *sift_conn_close_name(unsigned int why);

#endif
