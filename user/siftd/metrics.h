/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus metrics (libmicrohttpd, in siftd's poll loop: its epoll fd is
 * polled with the rest, and a scrape is answered from what siftd holds:
 * one syscall for the fast path's counters, a bounded slice of the ban
 * table).  Off unless `metrics.listen` names an address; the example
 * configuration puts it on localhost.  Names follow Prometheus: `sift_`,
 * `_total` on counters, seconds and bytes; one family per kind of counter,
 * the reason, class, method, outcome... as a label.
 */
#ifndef SIFTD_METRICS_H
#define SIFTD_METRICS_H

#include <poll.h>
#include <stdint.h>

struct siftd;
struct sift_metrics;

/* Serve /metrics on @listen ("ADDR:PORT", "[V6]:PORT").  NULL with the reason logged. */
struct sift_metrics *sift_metrics_start(struct siftd *d, const char *listen);
void sift_metrics_stop(struct sift_metrics *m);
/* Its fd for poll (0 or 1 of them) and how long poll may wait for it (ms, -1: no limit). */
unsigned int sift_metrics_pollfd(struct sift_metrics *m, struct pollfd *pfd);
int sift_metrics_timeout_ms(struct sift_metrics *m);
/* After poll: accept, read, answer what is ready. */
void sift_metrics_process(struct sift_metrics *m);

#endif
