/* SPDX-License-Identifier: GPL-2.0 */
/*
 * siftd's configuration: a YAML file read through a schema table
 * (config.c), so every error, syntactic or semantic, names file:line:col.
 */
#ifndef SIFT_CONFIG_H
#define SIFT_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sift/common.h>

#include "addr.h"
#include "routing.h"
#include "shield_conf.h"

#define SIFT_MAX_PORTS 16
#define SIFT_MAX_IFACE_ADDRS 8
#define SIFT_HOSTLEN 256

/* Attach mode as configured; SIFT_MODE_* from common.h, 0 = inherit daemon.mode. */
struct sift_iface_conf {
	char name[SIFT_IFNAMSIZ];
	int mode;
	struct sift_addr addrs[SIFT_MAX_IFACE_ADDRS];
	unsigned int n_addrs;
	char advertise[SIFT_HOSTLEN]; /* host put in Via/Record-Route; "" = the address */
	unsigned int port;            /* sift's SIP port here; 0 = the first of sip.ports */
	int line;                     /* where the entry starts, for later errors */
};

/* tcp: and tls: (user/siftd/conn.h, tls.h) */
#define SIFT_TLS_PATH 256
#define SIFT_TLS_SNI 8
#define SIFT_TLS_PEERS 32

struct sift_tls_cert_conf {
	char name[SIFT_HOSTLEN]; /* the SNI name this certificate answers */
	char cert[SIFT_TLS_PATH];
	char key[SIFT_TLS_PATH];
	int line;
};

struct sift_tls_peer_conf {
	char name[SIFT_HOSTLEN]; /* a trunk peer: its certificate's subject CN or a SAN */
	int line;
};

struct sift_tls_conf {
	unsigned int ports[SIFT_MAX_PORTS]; /* TLS listeners (5061); none without a certificate */
	unsigned int n_ports;
	char cert[SIFT_TLS_PATH]; /* the chain, leaf first (PEM) */
	char key[SIFT_TLS_PATH];
	char ca[SIFT_TLS_PATH]; /* client certificates are verified against it (mutual TLS) */
	char ciphers[512];      /* TLS 1.2 cipher list (OpenSSL's syntax) */
	char ciphersuites[256]; /* TLS 1.3 */
	int min_version;        /* 0: TLS 1.2, 1: TLS 1.3 */
	bool ktls;              /* hand the record layer to the kernel where it can */
	unsigned int handshake_rate; /* full handshakes a second, all sources (0: no cap) */
	unsigned int handshake_burst;
	struct sift_tls_cert_conf sni[SIFT_TLS_SNI];
	unsigned int n_sni;
	struct sift_tls_peer_conf peers[SIFT_TLS_PEERS];
	unsigned int n_peers;
};

/* The connection shield and stream limits (tcp:). */
struct sift_tcp_conf {
	bool enabled;                  /* TCP on the SIP ports (sip.ports) */
	unsigned int max_connections;  /* all of siftd's connections, in and out */
	unsigned int per_source;       /* concurrent connections from one address */
	unsigned int new_rate;         /* new connections a second from one address */
	unsigned int new_burst;
	unsigned int unauthenticated;  /* connections not yet past their first message, overall */
	unsigned int first_message_ms; /* the first whole message (and TLS handshake) by then */
	unsigned int idle_timeout;     /* seconds without a byte either way */
	unsigned int max_message;      /* bytes: headers and body */
};

/*
 * transit: what happens to IP packets arriving on sift's interfaces that are
 * addressed neither to sift nor to any other address of this host.
 */
enum sift_transit_mode {
	SIFT_TRANSIT_DROP,  /* dropped in XDP, counted: the host is not a router */
	SIFT_TRANSIT_ROUTE, /* passed for the kernel to route (with ip_forward on) */
};

struct sift_conf {
	char path[PATH_MAX];

	struct sift_iface_conf ifaces[SIFT_MAX_IFACES];
	unsigned int n_ifaces;

	unsigned int sip_ports[SIFT_MAX_PORTS];
	unsigned int n_sip_ports;
	bool forward; /* sip.forward: proxy in XDP (default), or only count */
	unsigned int nh_cache_ms; /* sip.nh_cache_ms: how long the fast path reuses a FIB answer */
	unsigned int reply_rate;  /* sip.reply_rate: siftd's replies a second per source */
	unsigned int reply_burst; /* sip.reply_burst */
	unsigned int transactions; /* sip.transactions: siftd's server transaction table */
	unsigned int retry_after;  /* sip.retry_after: a 503 for a group with no backend up, s (0: none) */
	unsigned int client_transactions; /* sip.client_transactions: requests to names under way */
	unsigned int failover_ms;  /* sip.failover_ms: a silent target is given up for the next */
	char metrics_listen[64];   /* metrics.listen: "ADDR:PORT" for Prometheus; "": off */
	char dns_servers[256];     /* dns.servers: "ADDR[:PORT],..."; "": the system's resolv.conf */

	int transit; /* transit: enum sift_transit_mode */

	struct sift_tcp_conf tcp;
	struct sift_tls_conf tls;

	/* health: OPTIONS probes to backends */
	unsigned int probe_interval; /* seconds; 0: no probes */
	unsigned int probe_failures; /* unanswered probes in a row that make a backend unreachable */
	/* INVITEs sent to a backend with no response from it this long: unreachable (0: off) */
	unsigned int probe_invite_timeout_ms;

	/* domains:, groups:, routes: */
	struct sift_routing routing;

	/* shield: */
	struct sift_shield_conf shield;

	/* daemon: */
	int mode;
	bool keep_attached;
	char pin_path[PATH_MAX];
	char run_dir[PATH_MAX];
	int log_level; /* enum sift_log_level */
};

void sift_conf_defaults(struct sift_conf *conf);

/*
 * Load @path into @conf (which holds the defaults on entry).  Returns 0, or
 * -EINVAL with "file:line:col: reason" in @err, or another -errno if the file
 * cannot be read.  @conf is only written on success.
 */
int sift_conf_load_file(struct sift_conf *conf, const char *path, char *err, size_t errlen);
int sift_conf_load_string(struct sift_conf *conf, const char *name, const char *text,
			  size_t len, char *err, size_t errlen);

/* Names for the mode enum, as written in the file and printed by siftctl. */
const char *sift_mode_name(int mode);
/* The same for enum sift_transit_mode. */
const char *sift_transit_name(int transit);

#endif
