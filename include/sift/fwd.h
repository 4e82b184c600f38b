/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Forwarding state shared by the XDP program and siftd: routes, groups,
 * backends, Maglev tables, how sift appears on each interface.  siftd writes
 * all of it; the fast path only reads.
 */
#ifndef SIFT_FWD_H
#define SIFT_FWD_H

#include <linux/types.h>
#include <sift/common.h>

#define SIFT_MAP_CONFIG sift_config
#define SIFT_MAP_ROUTES sift_routes
#define SIFT_MAP_DOMAINS sift_domains
#define SIFT_MAP_SELF sift_self
#define SIFT_MAP_BACKENDS sift_backends
#define SIFT_MAP_MAGLEV sift_maglev
#define SIFT_MAP_EGRESS sift_egress
#define SIFT_MAP_RR sift_rr
#define SIFT_MAP_TX sift_tx
#define SIFT_MAP_HOPS sift_hops

/*
 * Maglev lookup tables: one per group, M entries, M prime.  With M = 65537
 * the table stays balanced for hundreds of backends, and removing one of N
 * backends moves close to 1/N of the Call-IDs.
 */
#define SIFT_MAGLEV_SIZE 65537
#define SIFT_MAX_GROUPS 64
#define SIFT_MAX_BACKENDS 1024
#define SIFT_MAX_ROUTES 65536
#define SIFT_MAX_DOMAINS 1024
#define SIFT_ROUTE_DIGITS 32 /* a route prefix: digits and '+' */
#define SIFT_NAME_MAX 64     /* domain names, lower case, NUL padded */

/* sift_config[0]: settings the fast path reads every packet. */
struct sift_config {
	/*
	 * The SipHash key of every MAC sift writes (its Via's branch, its
	 * Record-Route's vouch): random, kept in the pinned map across
	 * restarts so that what sift wrote before stays valid.
	 */
	__u64 key[2];
	__u32 flags;       /* enum sift_config_flags */
	__u32 nh_cache_ms; /* how long a FIB answer is reused (sift_nh); 0: ask every time */
};
SIFT_ASSERT_SIZE(struct sift_config, 24);

enum sift_config_flags {
	SIFT_CFG_FORWARD = 1 << 0, /* forward eligible messages (else count and pass) */
	SIFT_CFG_TRANSIT_ROUTE = 1 << 1, /* pass transit for the kernel to route (else drop it) */
	SIFT_CFG_WATCH = 1 << 2, /* count INVITEs to and responses from backends (sift_watch) */
};

/*
 * sift_routes: LPM trie.  The key is a domain id (0: any domain) followed by
 * the Request-URI's user part, digits and '+' only; a route for prefix P in
 * domain D has prefixlen 32 + 8 * strlen(P).  Longest prefix wins; the
 * request's own domain is tried before "any domain".
 */
struct sift_route_key {
	__u32 prefixlen;
	__be32 domain;
	__u8 digits[SIFT_ROUTE_DIGITS];
};
SIFT_ASSERT_SIZE(struct sift_route_key, 40);

enum sift_route_flags {
	SIFT_ROUTE_RECORD_ROUTE = 1 << 0,
};

struct sift_route {
	__u32 group;
	__u32 flags; /* enum sift_route_flags */
	__u32 id;    /* the route's number, for counting and showing */
};
SIFT_ASSERT_SIZE(struct sift_route, 12);

/* sift_domains: domain names sift knows, lower case. */
struct sift_domain_key {
	char name[SIFT_NAME_MAX];
};

enum sift_domain_flags {
	SIFT_DOMAIN_OURS = 1 << 0, /* a Request-URI or Route with this host is addressed to sift */
};

struct sift_domain {
	__u32 id; /* as in sift_route_key.domain */
	__u32 flags;
};

/* sift_self: sift's own addresses; the value is enum sift_domain_flags. */

enum sift_backend_state {
	SIFT_BACKEND_UP,
	SIFT_BACKEND_DRAIN, /* gets no new dialogs; dialogs that route to it by Contact keep it */
	SIFT_BACKEND_DOWN,
};

/* sift_backends: array indexed by backend id. */
struct sift_backend {
	struct sift_addr addr;
	__u16 port;
	__u8 state;     /* enum sift_backend_state */
	__u8 transport; /* enum sift_transport: TCP or TLS (siftd's), else UDP */
	__u32 weight;
	__u32 group;
};
SIFT_ASSERT_SIZE(struct sift_backend, 32);

/*
 * A Maglev table entry: the backend id, from the group's up backends
 * (draining ones get no new dialogs); SIFT_NO_BACKEND when the group has
 * none.  Every request of a dialog routed by Call-ID uses the same table,
 * so they reach the same backend as long as the group does not change;
 * requests routed by their Route set or Contact go where those say.
 */
#define SIFT_NO_BACKEND 0xffffffffu

/*
 * sift_egress: how sift appears on an interface it is attached to, per
 * address family: the source address, the Via header up to its branch
 * value, and the Record-Route URI.
 */
#define SIFT_VIA_HEAD_MAX 128
#define SIFT_HOSTTXT_MAX 48
struct sift_face {
	struct sift_addr addr; /* family 0: no address of this family here */
	__u16 port;
	__u8 via_head_len;
	__u8 host_len;
	char via_head[SIFT_VIA_HEAD_MAX]; /* "Via: SIP/2.0/UDP host:port;branch=z9hG4bK-sft" */
	char host[SIFT_HOSTTXT_MAX];      /* host as written in Via and Record-Route */
};

struct sift_egress {
	struct sift_face v4;
	struct sift_face v6;
	__u32 mtu; /* the interface's; a rewritten packet that would not fit is punted */
	__u32 pad;
};

/*
 * sift_rr: the Record-Route header for a request leaving on one interface
 * having come in on another: sift's URI on the outgoing side first, then on
 * the incoming side (one value when both are the same face), CRLF included.
 * The callee's route set then starts with the face it can reach, the
 * caller's (reversed) with the face it can reach.
 */
struct sift_rr_key {
	__u32 egress;
	__u32 ingress;
	__u16 out_family;
	__u16 in_family;
};
#define SIFT_RR_MAX 256
struct sift_rr {
	__u32 len;
	/*
	 * Where each URI's ";sft=" vouch takes its 8 hex digits (the text holds
	 * zeros there): a MAC over the dialog's Call-ID and the hop the request
	 * came from, which in-dialog requests from untrusted sources may then
	 * reach again (the relay policy in bpf/fwd.bpf.h).  0: no second URI.
	 */
	__u16 mac_at[2];
	char text[SIFT_RR_MAX];
};

/* The Record-Route parameter that carries sift's vouch: ";sft=" 8 hex digits. */
#define SIFT_VOUCH_PARAM ";sft="
#define SIFT_VOUCH_PARAM_LEN 5

/*
 * sift_hops: the hops siftd knows, by address and port (port 0: the
 * address with any port, for sources).  The relay policy lets an untrusted
 * source reach a backend named by address; a backend may send anywhere.
 */
struct sift_hop_key {
	struct sift_addr addr;
	__u16 port;
	__u16 pad;
};
SIFT_ASSERT_SIZE(struct sift_hop_key, 24);

enum sift_hop_flags {
	SIFT_HOP_BACKEND = 1 << 0,
};

/*
 * sift_nh: recent FIB answers, per CPU.  bpf_fib_lookup() costs more than
 * the rest of forwarding a message; the next hops of a SIP router are few
 * (its backends, their callers' proxies), so an answer is reused for
 * nh_cache_ms.  A neighbour that changes its address is followed within
 * that time; only complete answers are kept (a missing neighbour is
 * punted, so the kernel resolves it).
 */
#define SIFT_MAP_NH sift_nh
#define SIFT_NH_CACHE_MS_DEFAULT 1000
struct sift_nh_key {
	struct sift_addr dst;
	__u32 ingress;
};

struct sift_nh {
	__u64 expires; /* bpf_ktime_get_coarse_ns() */
	__u32 egress;
	__u8 smac[6];
	__u8 dmac[6];
};

/* The branch sift writes: "z9hG4bK-sft" + 16 hex digits of hash + 8 of MAC. */
#define SIFT_BRANCH_PREFIX "z9hG4bK-sft"
#define SIFT_BRANCH_PREFIX_LEN 11
#define SIFT_BRANCH_LEN (SIFT_BRANCH_PREFIX_LEN + 24)

/*
 * sift_unreach: a ring buffer of backends the traffic says are gone, seen in
 * XDP: an ICMP port unreachable (ICMPv6 type 1 code 4) from a backend's own
 * address, about a datagram sift sent it from its SIP port; or a 503 Service
 * Unavailable from a backend's address and port.  siftd takes the backend
 * out of the tables at once; its probes bring it back.
 */
#define SIFT_MAP_UNREACH sift_unreach
#define SIFT_UNREACH_RING (64 * 1024)
enum sift_gone {
	SIFT_GONE_ICMP, /* ICMP port unreachable */
	SIFT_GONE_503,  /* it answered 503 Service Unavailable */
};

/*
 * sift_watch: per backend (its address and port), per CPU, the INVITEs the
 * fast path sent it and the responses it forwarded from it, while
 * health.invite_timeout_ms is set (SIFT_CFG_WATCH).  siftd creates an entry
 * for each backend; the fast path only counts in existing ones.  A backend
 * that has had INVITEs and no response at all for the timeout is silent:
 * its host gone without an ICMP, or a path that blackholes.
 */
#define SIFT_MAP_WATCH sift_watch
struct sift_watch {
	__u64 invites;
	__u64 responses;
};
struct sift_unreach_event {
	struct sift_addr addr; /* the backend */
	__u16 port;
	__u16 why; /* enum sift_gone */
};

/* The tables the forwarding decision reads (include/sift/fwd_decide.h), by what they map. */
enum sift_fwd_table {
	SIFT_FTBL_SELF,      /* struct sift_addr -> __u32 enum sift_domain_flags */
	SIFT_FTBL_PORTS,     /* __u32 port -> __u8 enum sift_port_flags */
	SIFT_FTBL_DOMAINS,   /* struct sift_domain_key -> struct sift_domain */
	SIFT_FTBL_ROUTES,    /* struct sift_route_key (longest prefix) -> struct sift_route */
	SIFT_FTBL_BACKENDS,  /* __u32 id -> struct sift_backend */
	SIFT_FTBL_HOPS,      /* struct sift_hop_key -> __u32 enum sift_hop_flags */
	SIFT_FTBL_ACL_ALLOW, /* struct sift_acl_key (longest prefix) -> __u32 flags */
	SIFT_FTBL_EGRESS,    /* __u32 ifindex -> struct sift_egress */
	SIFT_FTBL_RR,        /* struct sift_rr_key -> struct sift_rr */
	SIFT_FTBL__MAX,
};

#endif /* SIFT_FWD_H */
