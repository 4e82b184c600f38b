/* SPDX-License-Identifier: GPL-2.0 */
/*
 * siftd's control connections, served without ever blocking the loop: each
 * client's request is read as it arrives, answered when the client has shut
 * down its side (the protocol of user/lib/ctl.h), and the answer written as
 * the client reads it.  At most SIFTD_CTL_CLIENTS at once (a new one then
 * takes the place of the oldest); one idle for SIFTD_CTL_IDLE_MS is closed.
 * An idle or slow client costs a slot, never time.
 */
#ifndef SIFTD_CTLCONN_H
#define SIFTD_CTLCONN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define SIFTD_CTL_CLIENTS 32
#define SIFTD_CTL_IDLE_MS 5000

struct siftd_ctl_client {
	int fd; /* -1: free */
	char *buf; /* the request as read, then the answer being written */
	size_t len, cap, off;
	bool answering;
	uint64_t since; /* ms, CLOCK_MONOTONIC: when it last made progress */
};

struct siftd_ctl {
	int listen_fd;
	struct siftd_ctl_client c[SIFTD_CTL_CLIENTS];
	uint64_t evicted, expired, served;
};

/* Answers one request (the caller's handler, siftd_control). */
typedef json_t *(*siftd_ctl_handler)(void *arg, json_t *req);

void siftd_ctl_init(struct siftd_ctl *ctl, int listen_fd);
void siftd_ctl_close_all(struct siftd_ctl *ctl);
/* The listening socket and the clients, for poll (SIFTD_CTL_CLIENTS + 1 at most). */
unsigned int siftd_ctl_pollfds(struct siftd_ctl *ctl, struct pollfd *pfd);
/* Milliseconds until an idle client is due to be closed, -1 when none is connected. */
int siftd_ctl_timeout_ms(const struct siftd_ctl *ctl);
/* After poll: accept, read, answer, write, as @pfd (@n of them) says; close the idle. */
void siftd_ctl_process(struct siftd_ctl *ctl, const struct pollfd *pfd, unsigned int n,
		       siftd_ctl_handler handle, void *arg);

#endif
