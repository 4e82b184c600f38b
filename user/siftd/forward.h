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
};

struct sift_forwarder {
	struct sift_fwd_tables tables;
	const __u64 *path_key; /* set: the message gets sift's Path (a REGISTER), under this key */
	const char *branch;    /* set: sift's Via gets this branch (a client transaction's) */
	char last[SIFT_MSG_MAX + SIFT_INS_MAX]; /* what was sent last, sift_forward_send's */
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

json_t *sift_forward_json(const struct sift_forwarder *f);

#endif
