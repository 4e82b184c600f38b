/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slow path's forwarding: what the fast path punted and siftd can
 * finish, sent on with the fast path's own decision and insertions
 * (include/sift/fwd_decide.h, natively in user/lib/decide.h), through the
 * kernel: a datagram the kernel reassembled, a next hop whose neighbour is
 * not resolved or whose route XDP could not see, a message that outgrows
 * the MTU (the kernel fragments it; counted), a request without
 * Max-Forwards (70 added, as in XDP), responses sift's Via names.
 * Stateless, as the fast path: a retransmission is forwarded again.
 */
#ifndef SIFTD_FORWARD_H
#define SIFTD_FORWARD_H

#include <stdint.h>
#include <jansson.h>
#include <sift/sip.h>

#include "conn.h"
#include "decide.h"
#include "routing.h"

struct sift_forward_stats {
	uint64_t requests;   /* sent on */
	uint64_t responses;  /* sent on */
	uint64_t fragmented; /* larger than the egress MTU: the kernel fragmented them */
	uint64_t max_forwards_added;
	uint64_t no_egress;   /* the kernel's route leaves by no interface of sift's */
	uint64_t send_failed; /* the socket refused (no route, no buffer...) */
	uint64_t registers;   /* REGISTERs sent to a registrar, with sift's Path */
	uint64_t to_flows;    /* requests sent to the flow sift's Path recorded */
	uint64_t streamed;    /* sent on a connection (TCP or TLS) */
	uint64_t large_tcp;   /* of those: requests over the UDP MTU, sent over TCP instead (RFC 3261 18.1.1) */
	uint64_t no_connection; /* responses whose connection had gone */
	uint64_t rr_doubled;  /* Record-Route doubled: the two sides' transports differ */
};

struct sift_forwarder {
	struct sift_fwd_tables tables;
	const __u64 *path_key; /* set: the message gets sift's Path (a REGISTER), under this key */
	const char *branch;    /* set: sift's Via gets this branch (a client transaction's) */
	struct sift_conns *conns; /* next hops over TCP and TLS (conn.h); NULL: none */
	int in_transport;         /* the message came on a connection of this transport (0: UDP) */
	unsigned int in_port;     /* sift's port it came to */
	struct sift_addr in_peer; /* and the connection's other end: a flow (path.h) */
	unsigned int in_peer_port;
	const __u64 *path_mac_key; /* the MAC key flows are named under */
	char last[SIFT_MSG_MAX + SIFT_INS_MAX + 256]; /* what was sent last, sift_forward_send's */
	size_t last_len;
	struct sift_forward_stats st;
};

/* A socket of @family on SIP port @port to send from, or -1 (punt.c's). */
typedef int (*sift_send_fd_fn)(void *arg, int family, unsigned int port);

/*
 * After sift_fwd_decide() said 0 for the message in @s: find the way out
 * (the kernel's route for plan.dst, and sift's interface with that source
 * address), build the message as the fast path would, and send it from
 * sift's address and port there.  0 when it went, else the reason it could
 * not (MAX_FORWARDS_ZERO, NOT_SIFT_IFACE, FIB_MISS, VIA_RECEIVED...).
 */
int sift_forward_send(struct sift_forwarder *f, struct sift_scratch *s, sift_send_fd_fn fd_for,
		      void *arg);

/*
 * A REGISTER (the decision's REGISTER): to the registrar group @routing
 * names for its Request-URI's domain, the backend by its Call-ID's Maglev
 * slot, with a Path naming sift and the flow it came from (path.h), then
 * as sift_forward_send().  0, or NO_ROUTE (no registrar for the domain),
 * NO_BACKEND (none up), or what sending said.
 */
int sift_forward_register(struct sift_forwarder *f, struct sift_scratch *s,
			  const struct sift_routing *routing, const __u64 key[2],
			  sift_send_fd_fn fd_for, void *arg);

/* The interface sift is attached to that has address @a (its face); 0 if none. */
__u32 sift_forward_face(struct sift_forwarder *f, const struct sift_addr *a);

json_t *sift_forward_json(const struct sift_forwarder *f);

#endif
