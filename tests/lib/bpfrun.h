/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load sift_xdp for tests and benchmarks (maps private, never pinned) and
 * run frames through it with BPF_PROG_TEST_RUN.
 */
#ifndef SIFT_TEST_BPFRUN_H
#define SIFT_TEST_BPFRUN_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include <sift/common.h>

struct sift;

/* The real object, loaded with maps of its own and SIP on UDP 5060. NULL on failure. */
struct sift *bpfrun_load(void);
/* The same, printing the verifier's statistics, or the tail of its log on failure. */
struct sift *bpfrun_load_report(FILE *out);
void bpfrun_free(struct sift *skel);

/* Does this machine load BPF at all?  Otherwise tests skip, or fail with CI=true. */
int bpfrun_available(char *why, size_t len);

struct bpfrun_result {
	__u32 retval;
	__u8 out[4096];
	__u32 out_len;
	__u32 duration_ns; /* average per repetition */
};

/* Run @frame through sift_xdp @repeat times (0 means 1).  0 or -errno. */
int bpfrun_run(struct sift *skel, const void *frame, size_t len, __u32 repeat,
	       struct bpfrun_result *r);

/* The same, as if the frame arrived on interface @ifindex (0: none). */
int bpfrun_run_on(struct sift *skel, int ifindex, const void *frame, size_t len,
		  struct bpfrun_result *r);

int bpfrun_stats(struct sift *skel, struct sift_stats *sum);

struct sift_maps;
/* The skeleton's map fds as siftd's struct (not owned: do not close). */
void bpfrun_maps(struct sift *skel, struct sift_maps *m);

struct sift_scratch;
/* Pin the caller to CPU 0, where its BPF_PROG_TEST_RUNs then execute. */
int bpfrun_pin_cpu0(void);
/* CPU 0's copy of the parser's scratch map after a run. */
int bpfrun_scratch_cpu0(struct sift *skel, struct sift_scratch *out);
/* Clear plan.decision on every CPU: the next run's decision, if any, is then its own. */
int bpfrun_scratch_forget_decision(struct sift *skel);
int bpfrun_set_port(struct sift *skel, __u16 port, __u8 flags);

/* Exit status for a suite that cannot run: 77 (skip), or 1 when CI=true. */
int bpfrun_skip_status(const char *what, const char *why);

#endif
