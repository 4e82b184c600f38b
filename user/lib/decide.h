/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native build of include/sift/fwd_decide.h: the fast path's forwarding
 * decision on its own pinned maps (and the Maglev tables siftd keeps beside
 * them), for siftd to finish what the fast path punted; and the message as
 * the fast path would have sent it, as bytes for a socket.
 */
#ifndef SIFT_LIB_DECIDE_H
#define SIFT_LIB_DECIDE_H

#include <stddef.h>
#include <sys/types.h>
#include <sift/fwd.h>
#include <sift/sip.h>

#include "fwdstate.h"
#include "maps.h"

/*
 * The decision's tables: the fds of the fast path's maps (not owned; -1:
 * a table that is not there, where nothing is found), the forwarding state
 * that holds the Maglev copies, and room for the values looked up.
 */
struct sift_fwd_tables {
	int fd[SIFT_FTBL__MAX];
	const struct sift_fwd_state *st;
	union {
		__u32 flags;
		__u8 port_flags;
		struct sift_domain domain;
		struct sift_route route;
		struct sift_backend backend;
		struct sift_egress egress;
		struct sift_rr rr;
	} val[SIFT_FTBL__MAX];
};

void sift_fwd_tables_init(struct sift_fwd_tables *t, const struct sift_maps *m,
			  const struct sift_fwd_state *st);

/* How a message arrived: what the fast path knows of it when it decides. */
struct sift_arrival {
	struct sift_addr peer;  /* its source */
	struct sift_addr local; /* the address it came to */
	unsigned int peer_port;
	__u32 ingress;          /* ifindex (0: not known) */
	int trusted;            /* the shield trusts the source */
	int spiral;             /* sift's Via under the top one was found a spiral (loop.h) */
	int flow_ok;            /* sift's Route names this flow, and its MAC verified (path.h) */
	struct sift_addr flow;
	unsigned int flow_port;
	int streams;            /* SIFT_STREAMS_*: siftd keeps connections; it came on one */
	int flow_stream;        /* the flow is a connection of this transport (0: UDP) */
};

/*
 * The decision for the message parsed in @s (a request or a response):
 * s->plan says where it goes.  0, or the reason it cannot go (enum
 * sift_reason), exactly as the fast path would decide on the same tables.
 */
int sift_fwd_decide(struct sift_fwd_tables *t, struct sift_scratch *s, const struct sift_arrival *a,
		    const __u64 key[2]);

/*
 * May the source of the message decided in @s make siftd resolve names: a
 * backend, or a peer the allow list trusts (include/sift/fwd_decide.h's
 * sift_source_trusted)?  1 or 0.
 */
int sift_fwd_source_may_resolve(struct sift_fwd_tables *t, struct sift_scratch *s);

/*
 * The relay policy (include/sift/fwd_decide.h) for the next hop siftd put
 * in s->plan.dst and dport after a decision of NEXT_HOP_NAME (an address
 * the name resolved to): 0, or RELAY_DENIED.
 */
int sift_fwd_relay_check(struct sift_fwd_tables *t, struct sift_scratch *s);

/*
 * After a decision of 0: the message as the fast path sends it on leaving
 * by interface @egress (Max-Forwards decremented or added, received/rport,
 * Record-Route, sift's Via; sift's Route or Via off), into @out.  s->plan
 * gets src and sport (sift's address there) and mtu.  The length, or
 * -reason (MAX_FORWARDS_ZERO, VIA_RECEIVED, NOT_SIFT_IFACE, MTU when @len
 * is too small).
 */
ssize_t sift_fwd_assemble(struct sift_fwd_tables *t, struct sift_scratch *s, __u32 egress,
			  char *out, size_t len);

#endif
