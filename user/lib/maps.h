/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access to sift's pinned maps, shared by siftd and siftctl.  Everything here
 * works whether or not siftd is running.
 */
#ifndef SIFT_MAPS_H
#define SIFT_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sift/common.h>

/* One fd per pinned map; -1 when not open. */
struct sift_maps {
	int stats;
	int ports;
	int ifaces;
	int config;
	int routes;
	int domains;
	int self;
	int backends;
	int maglev;
	int egress;
	int rr;
	int tx;
	int hops;
	int shield;
	int acl_deny;
	int acl_allow;
	int bans;
	int caps;
	int scanners;
	int unreach; /* the ring buffer of backends ICMP says are gone */
	int trace_cfg; /* the live trace's filter (include/sift/trace.h) */
	int trace;     /* the live trace's ring buffer */
	int watch;     /* INVITEs to and responses from backends (include/sift/fwd.h: sift_watch) */
};

/* Every fd to -1. */
void sift_maps_init(struct sift_maps *m);
/* Open every pinned map under @pin_path.  0, or -errno with nothing left open. */
int sift_maps_open(const char *pin_path, struct sift_maps *m);
void sift_maps_close(struct sift_maps *m);

/* Per-counter totals over all CPUs. */
int sift_stats_sum(int fd, struct sift_stats *sum);
int sift_stats_reset(int fd);
const char *sift_stat_name(unsigned int idx);
const char *sift_stat_group(unsigned int idx);
/* Index of the counter called @name, or -1. */
int sift_stat_lookup(const char *name);

/*
 * Make exactly @ports (count @n) the SIP ports (UDP and TCP), and @streams
 * the ports SIP is served on over TCP or TLS only; ports not listed are cleared.
 */
int sift_ports_set(int fd, const unsigned int *ports, unsigned int n, const unsigned int *streams,
		   unsigned int n_streams);

/* Open a pinned map @name under @pin_path read-write.  fd or -errno. */
int sift_map_open(const char *pin_path, const char *name);

/* A map operation on @what that failed with errno @e: say which and why into @err.  -e. */
int sift_map_err(char *err, size_t errlen, const char *what, int e);
/*
 * Delete every key of @fd that is not one of the @n keys (@key_size bytes
 * each, compared whole) at @keep.  0, or -errno with the reason in @err.
 */
int sift_map_prune(int fd, size_t key_size, const void *keep, unsigned int n, char *err,
		   size_t errlen, const char *what);

#endif
