/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Next hops named by host name: siftd forwards such requests statefully,
 * with the fast path's decision and insertions, to the targets RFC 3263
 * gives (dns.h), in client transactions (txn_client.h) that fail over to
 * the next target when one is silent past sip.failover_ms or answers 503.
 * The relay policy applies to every address a name resolves to.  As a
 * transaction-stateful proxy it answers what a stateless one cannot:
 *   a non-2xx final response is acknowledged to the target here, and the
 *   caller's ACK for it absorbed;
 *   a CANCEL is answered 200 here and sent on to the target being tried
 *   (481 when there is no such INVITE);
 *   no final response in Timer B or F: 408 to the caller; a name with no
 *   target: 503.
 * The 2xx's ACK (a new transaction) goes to the same targets, once.
 */
#ifndef SIFTD_CLIENT_H
#define SIFTD_CLIENT_H

#include <poll.h>
#include <stdint.h>
#include <jansson.h>
#include <sys/socket.h>

#include "decide.h"
#include "dns.h"
#include "txn_client.h"

struct sift_client_stats {
	uint64_t requests;    /* requests to a next hop by name */
	uint64_t foreign;     /* responses with a branch of ours from another than its target: dropped */
	uint64_t no_target;   /* the name gave no address (503) */
	uint64_t relay_denied; /* every address it gave was one the relay policy refuses */
	uint64_t responses;   /* passed on to the caller */
	uint64_t acks_sent, acks_absorbed, cancels, timeouts;
};

/* Where a client transaction's request came from (parallel to the transactions). */
struct sift_client_up {
	struct sift_arrival a;
	struct sockaddr_storage from;
	int fd;
	uint32_t conn; /* or the connection it came on (conn.h's handle) */
	char via[256]; /* sift's Via as last sent (for a CANCEL) */
};

struct sift_client {
	struct sift_ctxns t;
	struct sift_client_up *up;
	struct sift_dns *dns;
	struct sift_client_stats st;
};

struct sift_punt;
struct sift_conf;

int sift_client_open(struct sift_punt *p, const struct sift_conf *c);
void sift_client_close(struct sift_punt *p);
/*
 * The request in p->scratch (@n bytes, from @from on @fd, as @a says),
 * which the decision sent to a host name.  0 when it is taken care of
 * (sent, resolving, absorbed, answered), else the reason to answer with.
 */
int sift_client_request(struct sift_punt *p, int fd, size_t n, const struct sockaddr_storage *from,
			const struct sift_arrival *a);
/*
 * A response to one of siftd's own requests (decision FOR_US) in p->scratch,
 * arrived as @a says: taken only from the target the request went to.
 */
void sift_client_response(struct sift_punt *p, size_t n, const struct sift_arrival *a);

int sift_client_timeout_ms(struct sift_punt *p);
void sift_client_tick(struct sift_punt *p);
json_t *sift_client_json(const struct sift_punt *p);

#endif
