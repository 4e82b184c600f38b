/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backend health: an OPTIONS probe to every backend each interval, each
 * backend on its own clock, jittered by +-20% so that probes from several
 * sift nodes (and to many backends) do not fall in step.  A backend that
 * leaves `failures` probes in a row unanswered is unreachable and gets no
 * traffic (its group's table is rebuilt without it) until it answers again;
 * any response but 503 counts as an answer.  The fast path's signs take a
 * backend out at once (sift_probe_gone): ICMP port unreachable from it, or a
 * 503 from it; and, with health.invite_timeout_ms, INVITEs it leaves without
 * any response that long (sift_probe_watch).  The probes bring it back.
 *
 * The probes also keep the kernel's neighbour entries for the backends
 * resolved: the fast path forwards without the kernel ever sending to a
 * backend, and bpf_fib_lookup() cannot resolve a neighbour by itself.
 */
#ifndef SIFTD_PROBE_H
#define SIFTD_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>
#include <sift/sip.h>

#include "routing.h"

enum sift_health {
	SIFT_HEALTH_UNKNOWN, /* not answered yet: treated as reachable */
	SIFT_HEALTH_OK,
	SIFT_HEALTH_UNREACHABLE,
};

/* The probe RTT histogram's upper bounds, seconds (metrics.c exports it). */
#define SIFT_PROBE_RTT_BUCKETS 10
#define SIFT_PROBE_RTT_LE { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1 }

struct sift_probe_target {
	char group[SIFT_GROUP_NAME];
	struct sift_addr addr;
	unsigned int port;
	int health;
	unsigned int misses; /* unanswered probes in a row */
	bool pending;
	uint32_t seq;
	struct timespec sent_at;
	double rtt_ms;
	uint64_t rtt_buckets[SIFT_PROBE_RTT_BUCKETS]; /* answers per RTT bucket (not cumulative) */
	double rtt_sum; /* seconds, over every answer */
	uint64_t sent, answered;
	uint64_t out_icmp; /* times an ICMP port unreachable took it out (sift_probe_gone) */
	uint64_t out_503;  /* times a 503 from it took it out */
	const char *out_why; /* what took it out last: "probes", "icmp", "503"; NULL: never */
	int64_t next_ms;   /* CLOCK_MONOTONIC ms of its next probe */
	uint64_t out_silent; /* times INVITEs went unanswered for health.invite_timeout_ms */
	uint64_t seen_invites, seen_responses; /* the fast path's counts (sift_watch) at the last tick */
	int64_t silent_since; /* ms: the first tick that saw an INVITE sent since its last response */
	int last_status;
};

#define SIFT_PROBE_BRANCH "z9hG4bK-sfp"

struct sift_prober {
	struct sift_probe_target t[SIFT_MAX_BACKENDS];
	unsigned int n;
	int fd4, fd6;
	unsigned int interval, failures;
	uint32_t tag; /* this siftd's, in every branch: replies to another's probes are not ours */
	int watch_fd; /* the pinned sift_watch; -1: none */
	unsigned int invite_timeout_ms; /* 0: unanswered INVITEs are not watched */
	int ncpus;
	struct sift_scratch *scratch;
};

int sift_probe_open(struct sift_prober *p, unsigned int interval, unsigned int failures);
void sift_probe_close(struct sift_prober *p);
void sift_probe_config(struct sift_prober *p, unsigned int interval, unsigned int failures);

/*
 * Watch the fast path's counts of INVITEs to and responses from each backend
 * in @watch_fd (sift_watch): a backend with INVITEs and no response for
 * @timeout_ms is unreachable (0: off).  Entries follow sift_probe_sync().
 */
void sift_probe_watch(struct sift_prober *p, int watch_fd, unsigned int timeout_ms);
/* Follow @r's backends: new ones are probed at once, gone ones forgotten. */
void sift_probe_sync(struct sift_prober *p, const struct sift_routing *r);
/* How often siftd calls sift_probe_tick(), ms: the jitter's resolution. */
#define SIFT_PROBE_TICK_MS 100
/*
 * At @now_ms (CLOCK_MONOTONIC): for each backend whose time has come, count
 * a miss if its last probe is unanswered, send the next one, and draw the
 * time of the one after.  True if a health changed.
 */
bool sift_probe_tick(struct sift_prober *p, int64_t now_ms);
/*
 * The fast path saw a sign that @a:@port is gone (enum sift_gone: ICMP port
 * unreachable, or a 503 from it): every backend there is unreachable now,
 * until a probe is answered (only while probes run).  True if a health
 * changed.
 */
bool sift_probe_gone(struct sift_prober *p, const struct sift_addr *a, unsigned int port,
		     unsigned int why);
/* A reply on @fd.  True if a health changed. */
bool sift_probe_input(struct sift_prober *p, int fd);

const struct sift_probe_target *sift_probe_find(const struct sift_prober *p, const char *group,
						 const struct sift_addr *a, unsigned int port);
const char *sift_health_name(int health);

/* @r with unreachable backends marked down: what the fast path gets. */
void sift_probe_apply(const struct sift_prober *p, struct sift_routing *r);

#endif
