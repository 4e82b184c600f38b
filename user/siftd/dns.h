/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Next hops by name (RFC 3263), for siftd's slow path, on c-ares in the
 * event loop (never blocking it):
 *   a port in the URI: the name's A and AAAA records, at that port;
 *   else NAPTR: the first SIP+D2U record's replacement (UDP is what sift
 *   sends on), then its SRV records; without NAPTR, _sip._udp.NAME's SRV;
 *   SRV targets in priority order, weighted at random within one (RFC
 *   2782), each target's A and AAAA records;
 *   no SRV either: NAME's A and AAAA records at 5060.
 * The resulting list of targets (address, port) is what a client
 * transaction fails over along.  Answers are cached for the shortest TTL
 * of the records they used (at least 1 s, at most an hour), in a bounded
 * table; a failed lookup is cached for 5 s (negative caching, so a flood
 * of requests to a broken name does not become a flood of queries).
 */
#ifndef SIFTD_DNS_H
#define SIFTD_DNS_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <sift/common.h>

#define SIFT_DNS_TARGETS 8   /* the targets one name yields, at most */
#define SIFT_DNS_CACHE 1024  /* names cached */
#define SIFT_DNS_JOBS 256    /* lookups under way */
#define SIFT_DNS_NAME_MAX 256

struct sift_dns_target {
	struct sift_addr addr;
	unsigned int port;
};

/* A lookup is done: @n targets (0: the name gave none), for the caller's @arg. */
typedef void (*sift_dns_done_fn)(void *arg, uint64_t tag, const struct sift_dns_target *t,
				 unsigned int n);

struct sift_dns_stats {
	uint64_t lookups, cache_hits, queries, failures, jobs_full;
};

struct sift_dns;

/*
 * A resolver on @servers ("ADDR[:PORT],..." or NULL: the system's), whose
 * completions go to @done with @arg.  NULL on failure.
 */
struct sift_dns *sift_dns_new(const char *servers, sift_dns_done_fn done, void *arg);
void sift_dns_free(struct sift_dns *d);
/* Ask @servers from now on ("" or NULL: keep the current ones).  0 or -1. */
int sift_dns_servers(struct sift_dns *d, const char *servers);

/*
 * Resolve @host (@len bytes; no brackets, not an IP literal) with @port
 * (0: none given in the URI).  When the cache answers, the targets are
 * written to @out and their count returned (0: the name has none);
 * otherwise -1 and @done is called with @tag later (or -2: too many
 * lookups under way).
 */
int sift_dns_resolve(struct sift_dns *d, const char *host, size_t len, unsigned int port,
		     uint64_t tag, struct sift_dns_target out[SIFT_DNS_TARGETS]);

/* The resolver's sockets for poll (at most 16), and how long it may wait (ms, -1: no limit). */
unsigned int sift_dns_pollfds(struct sift_dns *d, struct pollfd *pfd, unsigned int max);
int sift_dns_timeout_ms(struct sift_dns *d);
/* After poll: process what @pfd (@n of them, as sift_dns_pollfds gave) says, and timeouts. */
void sift_dns_process(struct sift_dns *d, const struct pollfd *pfd, unsigned int n);

json_t *sift_dns_json(const struct sift_dns *d);

#endif
