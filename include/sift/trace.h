/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live trace (`siftctl trace`): the fast path copies the frames a filter
 * matches, with its verdict, into a ring buffer that siftctl reads.
 *
 * sift_trace_cfg (an array of one) holds the filter.  While `on` is zero the
 * fast path pays one map lookup and one load per SIP message, nothing else
 * (make bench shows it against a build without the hook, SIFT_NO_TRACE).
 * siftctl owns a trace by a lease: `until` (bpf_ktime_get_coarse_ns) is
 * renewed every second, so a siftctl killed with -9 stops costing anything
 * three seconds later.  One trace at a time: `owner` is its pid.
 *
 * The filter runs in XDP; a rate cap (events per ~second, counted in
 * trace.rate_capped) keeps a flood from swamping the reader, and events a
 * full ring loses are counted in trace.ring_full.
 */
#ifndef SIFT_TRACE_H
#define SIFT_TRACE_H

#include <linux/types.h>
#include <sift/common.h>

#define SIFT_MAP_TRACE sift_trace
#define SIFT_MAP_TRACE_CFG sift_trace_cfg
#define SIFT_TRACE_RING (1u << 20)
#define SIFT_TRACE_SNAP 2048 /* bytes of each frame kept (a power of two) */
#define SIFT_TRACE_CALLID_MAX 64
#define SIFT_TRACE_RATE_DEFAULT 2000
#define SIFT_TRACE_LEASE_NS (3ull * 1000000000ull)

/* What became of a message, as the trace says it. */
#define SIFT_TRACE_VERDICT_LIST(X)                                                                 \
	X(FORWARD, forward) /* sent on by XDP */                                                   \
	X(DROP, drop)       /* dropped */                                                          \
	X(PUNT, punt)       /* passed to siftd, for the reason given */                            \
	X(PASS, pass)       /* passed to the kernel: not sift's to proxy */                        \
	X(ABORT, abort)     /* XDP_ABORTED: a frame half-rewritten */

#define SIFT_TRACE_VERDICT_ENUM_(id, name) SIFT_TV_##id,
enum sift_trace_verdict {
	SIFT_TV_NONE,
	SIFT_TRACE_VERDICT_LIST(SIFT_TRACE_VERDICT_ENUM_) SIFT_TV__MAX
};
#undef SIFT_TRACE_VERDICT_ENUM_

/* Which parts of the filter are set. */
enum sift_trace_match {
	SIFT_TM_SRC = 1 << 0,     /* the source address in src/mask */
	SIFT_TM_CALLID = 1 << 1,  /* the Call-ID, exactly */
	SIFT_TM_METHOD = 1 << 2,  /* requests of the method, and responses whose CSeq names it */
	SIFT_TM_VERDICT = 1 << 3, /* enum sift_trace_verdict */
	SIFT_TM_REASON = 1 << 4,  /* the counter (enum sift_stat) that counted the drop or punt */
};

struct sift_trace_cfg {
	__u32 on;    /* nonzero: tracing (siftctl writes it last) */
	__u32 match; /* enum sift_trace_match */
	__u64 until; /* the lease: bpf_ktime_get_coarse_ns() */
	__u32 owner; /* siftctl's pid */
	__u32 rate;  /* events per window at most */
	__u64 win;   /* XDP: the current window (coarse ns >> 30, about a second) */
	__u32 win_n; /* XDP: events sent or refused in it */
	__u16 callid_len;
	__u8 method;  /* enum sift_method */
	__u8 verdict; /* enum sift_trace_verdict */
	__u32 reason; /* enum sift_stat */
	__be32 mask[4];
	struct sift_addr src; /* masked */
	__u8 callid[SIFT_TRACE_CALLID_MAX];
};

/* One event in the ring: this header, then cap_len bytes of the frame as it came. */
struct sift_trace_event {
	__u64 ts;      /* bpf_ktime_get_ns() */
	__u32 ifindex; /* where it came in */
	__u16 cap_len;
	__u16 wire_len;
	__u8 verdict; /* enum sift_trace_verdict */
	__u8 action;  /* the XDP action */
	__u16 reason; /* enum sift_stat; 0: none */
	__u32 backend; /* SIFT_NO_BACKEND: the next hop came from the message */
	__u32 group;
	__u32 egress;
	__u16 nh_port;
	__u16 pad;
	struct sift_addr nh; /* where it was sent (forward) */
};
SIFT_ASSERT_SIZE(struct sift_trace_event, 56);

/* XDP's per-CPU working copy: the event being built and the frame before it is rewritten. */
struct sift_trace_buf {
	struct sift_trace_event ev;
	__u8 frame[SIFT_TRACE_SNAP];
	__u32 taken; /* frame holds this message's bytes */
};

#endif /* SIFT_TRACE_H */
