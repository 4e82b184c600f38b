/* SPDX-License-Identifier: GPL-2.0 */
/* siftctl trace: the live trace's command line. */
#ifndef SIFTCTL_TRACE_CMD_H
#define SIFTCTL_TRACE_CMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sift/trace.h>

struct trace_args {
	struct sift_trace_cfg cfg; /* the filter XDP runs */
	const char *pcap;          /* --pcap FILE */
	const char *hep;           /* --hep HOST:PORT */
	unsigned int count;        /* stop after this many messages (0: no limit) */
	unsigned int duration;     /* stop after this many seconds (0: no limit) */
};

/* The arguments after `siftctl trace`.  0, or -1 with the error printed. */
int trace_args_parse(int argc, char **argv, struct trace_args *a);

/* One traced message, as the trace shows it. */
struct trace_line {
	long long real_ns;     /* when, CLOCK_REALTIME */
	char src[64], dst[64]; /* ADDR:PORT or [V6]:PORT, of the frame as it came */
	char what[32];         /* the method, the status, keepalive or stun */
	int status;            /* a response's; 0 otherwise */
	char callid[256];
	const char *verdict;   /* forward, drop, punt, pass, abort */
	char reason[96];       /* the counter's group.name; "": none */
	char next_hop[64];     /* where it was forwarded; "": not forwarded */
	bool backend;          /* next_hop is a backend (else a hop the message named) */
	unsigned int ifindex, length;
};

struct sift_frame;
/*
 * The line for @ev and its @frame; @real_off: CLOCK_REALTIME less
 * CLOCK_MONOTONIC, ns.  Fills @fr with the frame's addresses and payload.
 * 0, or -1 when the frame is not UDP over IP.
 */
int trace_line_of(const struct sift_trace_event *ev, const uint8_t *frame, long long real_off,
		  struct trace_line *l, struct sift_frame *fr);
/* The text line (local time), without its newline; snprintf's return. */
int trace_line_text(const struct trace_line *l, char *buf, size_t len);
/* The JSON line (UTC), malloc'd; NULL on failure. */
char *trace_line_json(const struct trace_line *l);

#endif
