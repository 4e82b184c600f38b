/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where punted messages land: a UDP socket on each SIP port, IPv4 and IPv6.
 * The fast path passes to the kernel what it cannot finish; the kernel
 * delivers it here.  So does the kernel with what it reassembled from
 * fragments, which the fast path saw only in pieces, and with IPv6 that
 * came behind extension headers, which it does not read past: those meet the fast
 * path's shield here first (its native build, on its maps), and what the
 * shield drops goes no further.  Then, in this order:
 *   STUN Binding requests are answered;
 *   responses go on with the fast path's decision (forward.h);
 *   a retransmission of a request siftd answered gets the same answer
 *   (txn.h);
 *   requests the parser refuses are answered (reply.h: 505, 400, 416,
 *   420, 483; an OPTIONS with Max-Forwards 0 for sift gets its 200);
 *   the rest meet the fast path's decision: sent on through the kernel
 *   (forward.h), or answered as its reason says (200 to an OPTIONS for
 *   sift, 482, 404, 503 with Retry-After...).
 * Anything else is counted and logged, never lost without a trace.
 */
#ifndef SIFTD_PUNT_H
#define SIFTD_PUNT_H

#include <poll.h>
#include <stdint.h>
#include <jansson.h>
#include <sift/sip.h>

#include "client.h"
#include "config.h"
#include "conn.h"
#include "forward.h"
#include "maps.h"
#include "shield_native.h"
#include "reply.h"
#include "txn.h"

#define SIFT_PUNT_MAX_FDS (2 * SIFT_MAX_PORTS)

struct sift_punt_stats {
	uint64_t forwarded; /* responses sent on from here */
	uint64_t refused;   /* responses sift's Via names but that cannot go (a broadcast hop...) */
	uint64_t forged;    /* of those: a branch of sift's form whose MAC does not verify */
	uint64_t messages;
	uint64_t requests;
	uint64_t responses;
	uint64_t malformed; /* the parser would drop it: syntax, not SIP */
	uint64_t reassembled; /* the kernel reassembled it from fragments */
	uint64_t ext_headers; /* IPv6 behind extension headers, which XDP does not read past */
	uint64_t by_method[SIFT_METHOD__MAX];
	uint64_t bytes;
	uint64_t replied;       /* local replies sent (reply.h) */
	uint64_t reply_limited; /* not sent: the source had its share of replies */
	uint64_t reply_unbuilt; /* not sent: a header a reply needs was missing, or too large */
	uint64_t by_code[SIFT_REPLY_CODES]; /* as sift_reply_codes, the last: any other */
	uint64_t stun;          /* STUN Binding requests answered */
	uint64_t responses_ours; /* responses to siftd's own requests */
	uint64_t flows_forged; /* a Route of sift's naming a flow sift's MAC does not vouch for */
	uint64_t loops, spirals; /* sift's Via second from the top: looped (482), or spiralled on */
	uint64_t by_reason[SIFT_REASON__MAX]; /* requests siftd could not send on, by the decision's reason */
	uint64_t stream_messages; /* whole messages read on connections */
	uint64_t stream_shielded; /* of those: dropped by the shield (its counts say why) */
};

/* Local replies per source (sip.reply_rate, sip.reply_burst; STUN answers too): a bounded table. */
#define SIFT_REPLY_SOURCES 4096

struct sift_reply_bucket {
	struct sift_addr src;
	uint64_t tat; /* GCRA: the theoretical arrival time, ns */
};

struct sift_punt {
	int fds[SIFT_PUNT_MAX_FDS];
	unsigned int ports[SIFT_PUNT_MAX_FDS];
	unsigned int n_fds;
	struct sift_punt_stats st;
	struct sift_scratch *scratch;
	struct sift_shield_tables *shield; /* the fast path's maps; what it dropped here */
	struct sift_shield_tables *stream_shield; /* the same, for connections (conn.h) */
	uint64_t logged; /* messages logged so far (the log is rate-limited) */
	__u64 key[2]; /* the MAC key: a response is sift's if its top branch verifies */
	struct sift_reply_bucket *replies; /* SIFT_REPLY_SOURCES of them */
	unsigned int reply_rate, reply_burst; /* from the configuration */
	unsigned int retry_after;             /* sip.retry_after */
	const struct sift_routing *routing;   /* the configuration's: registrars */
	struct sift_forwarder fwd;            /* what is sent on from here (forward.h) */
	struct sift_client cl;                /* next hops by name, statefully (client.h) */
	struct sift_txns txns; /* server transactions for the replies siftd sends (sip.transactions) */
	struct sift_conns conns; /* SIP over TCP and TLS (conn.h) */
	uint32_t conn_in; /* the connection the message at hand came on (0: a datagram) */
};

/*
 * Bind the SIP ports of @c.  A port another process serves is left to it
 * (logged): punted messages then go there.  Reassembled datagrams meet the
 * shield on the maps of @m and the bucket table @buckets_fd (fds not owned).
 * 0 or -errno.
 */
int sift_punt_open(struct sift_punt *p, const struct sift_conf *c, const struct sift_maps *m,
		   int buckets_fd, const struct sift_fwd_state *fwd);
/* Milliseconds until a transaction timer or the resolver is due (0: now), or -1 when none runs. */
int sift_punt_timeout_ms(struct sift_punt *p);
/* Run the transaction timers that are due: retransmissions, expiries. */
void sift_punt_tick(struct sift_punt *p);
/* Make the sockets match @c's ports again (after a reload). */
int sift_punt_update(struct sift_punt *p, const struct sift_conf *c);
void sift_punt_close(struct sift_punt *p);

/* Read what is waiting on @fd (one of p->fds): shield what XDP could not read whole, count and log it. */
void sift_punt_input(struct sift_punt *p, int fd);

json_t *sift_punt_json(const struct sift_punt *p);

/* ---- for the slow path's other rooms (client.c) ------------------------------------------ */

/* CLOCK_MONOTONIC in ns: the fast path's clock, and the transactions'. */
uint64_t sift_punt_now(void);
/* A socket of @family on SIP port @port (or any of that family) to send from; -1 if none. */
int sift_punt_send_fd(const struct sift_punt *p, int family, unsigned int port);
int sift_punt_send_fd_cb(void *arg, int family, unsigned int port);
/* The server transaction key of the request parsed in @s (RFC 3261 17.2.3). */
uint64_t sift_punt_txn_key(const struct sift_scratch *s);
/*
 * Answer the request parsed in p->scratch (@n bytes, from @from on @fd)
 * with @r (code 0: none), within its source's share, kept in a server
 * transaction.  1 when @r had a code, else 0.
 */
int sift_punt_reply(struct sift_punt *p, int fd, size_t n, const struct sockaddr_storage *from,
		    uint64_t now, struct sift_reply r);

#endif
