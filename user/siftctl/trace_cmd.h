/* SPDX-License-Identifier: GPL-2.0 */
/* siftctl trace: the live trace's command line. */
#ifndef SIFTCTL_TRACE_CMD_H
#define SIFTCTL_TRACE_CMD_H

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

#endif
