/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live trace's hook (include/sift/trace.h).  Two calls in sift_xdp:
 * sift_trace_take() before the frame is rewritten for forwarding, and
 * sift_trace_emit() at the exit, where the verdict is known.  Idle, each is
 * a lookup of an array of one and a load.  Built with SIFT_NO_TRACE, both are
 * empty: make bench compares the two builds.
 */
#ifndef SIFT_TRACE_BPF_H
#define SIFT_TRACE_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <sift/common.h>
#include <sift/fwd.h>
#include <sift/sip.h>
#include <sift/sip_parse.h>
#include <sift/trace.h>

#include "l2l4.bpf.h"
#include "stats.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sift_trace_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_TRACE_CFG SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SIFT_TRACE_RING);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_TRACE SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sift_trace_buf);
} sift_trace_buf SEC(".maps");

#ifndef SIFT_NO_TRACE

/* The filter while a trace runs, else NULL: all an idle trace costs. */
static __always_inline struct sift_trace_cfg *sift_trace_on(void)
{
	__u32 key = 0;
	struct sift_trace_cfg *tc = bpf_map_lookup_elem(&SIFT_MAP_TRACE_CFG, &key);

	return tc && tc->on ? tc : NULL;
}

/* Does the message match the parts of the filter known before the verdict? */
static __noinline int sift_trace_match(const struct sift_trace_cfg *tc, const struct sift_pkt *pkt,
				       const struct sift_scratch *s)
{
	const struct sift_sip_msg *m;
	__u32 off, n;

	if (!tc || !pkt)
		return 0;
	if (tc->match & SIFT_TM_SRC) {
		if (pkt->saddr.family != tc->src.family)
			return 0;
		for (int i = 0; i < 4; i++)
			if ((pkt->saddr.v6w[i] & tc->mask[i]) != tc->src.v6w[i])
				return 0;
	}
	if (!(tc->match & (SIFT_TM_CALLID | SIFT_TM_METHOD)))
		return 1;
	if (!s)
		return 0; /* dropped before it was parsed: only source, verdict and reason tell */
	m = &s->msg;
	if (tc->match & SIFT_TM_METHOD) {
		if (m->kind == SIFT_KIND_REQUEST ? m->method != tc->method
						 : m->kind != SIFT_KIND_RESPONSE ||
							   m->cseq_method != tc->method)
			return 0;
	}
	if (tc->match & SIFT_TM_CALLID) {
		n = tc->callid_len;
		if (!m->call_id.len || m->call_id.len != n || n > SIFT_TRACE_CALLID_MAX)
			return 0;
		off = m->call_id.off;
		for (int i = 0; i < SIFT_TRACE_CALLID_MAX; i++) {
			if ((__u32)i >= n)
				break;
			/* verifier: the offset masked into the doubled buffer */
			if (s->buf[(off + i) & SIFT_SCRATCH_MASK] != tc->callid[i])
				return 0;
		}
	}
	return 1;
}

/* Copy the frame as it came into the per-CPU buffer.  0, or -1. */
static __noinline int sift_trace_copy(struct xdp_md *ctx, struct sift_trace_buf *tb)
{
	__u32 len;

	if (!ctx || !tb)
		return -1;
	len = ctx->data_end - ctx->data;
	tb->ev.wire_len = len;
	if (len > SIFT_TRACE_SNAP)
		len = SIFT_TRACE_SNAP;
	/* verifier: the helper's size provably within the buffer */
	SIFT_OPAQUE(len);
	if (len > SIFT_TRACE_SNAP || len == 0)
		return -1;
	if (bpf_xdp_load_bytes(ctx, 0, tb->frame, len))
		return -1;
	tb->ev.cap_len = len;
	return 0;
}

/* Before the frame is rewritten: keep it if the trace may want it. */
static __always_inline void sift_trace_take(struct xdp_md *ctx, const struct sift_pkt *pkt,
					    const struct sift_scratch *s)
{
	struct sift_trace_cfg *tc = sift_trace_on();
	struct sift_trace_buf *tb;
	__u32 key = 0;

	if (!tc || !sift_trace_match(tc, pkt, s))
		return;
	/* a trace of drops or punts wants no forwarded frame (an aborted one is rare enough) */
	if ((tc->match & SIFT_TM_VERDICT) && tc->verdict != SIFT_TV_FORWARD &&
	    tc->verdict != SIFT_TV_ABORT)
		return;
	tb = bpf_map_lookup_elem(&sift_trace_buf, &key);
	if (tb && !sift_trace_copy(ctx, tb))
		tb->taken = 1; /* sift_trace_send() clears it, whatever it decides */
}

/* The verdict and the counter that says why, from what the program did. */
static __always_inline __u32 sift_trace_verdict(int action, __u32 why, const struct sift_scratch *s,
						__u32 *reason)
{
	const struct sift_sip_msg *m = s ? &s->msg : NULL;

	*reason = why;
	if (!why && m && m->action != SIFT_ACTION_FORWARD && m->reason &&
	    m->reason < SIFT_REASON__MAX)
		*reason = (m->action == SIFT_ACTION_PUNT ? SIFT_STAT_PUNT_BASE : SIFT_STAT_DROP_BASE) +
			  m->reason - 1;
	switch (action) {
	case XDP_TX:
	case XDP_REDIRECT:
		return SIFT_TV_FORWARD;
	case XDP_DROP:
		return SIFT_TV_DROP;
	case XDP_PASS:
		/* a SIP message for sift that XDP did not finish goes to siftd */
		return m && *reason != SIFT_STAT_FWD_TRANSIT && *reason ? SIFT_TV_PUNT
									 : SIFT_TV_PASS;
	default:
		return SIFT_TV_ABORT;
	}
}

/* @how: the XDP action in the low byte, the counter that says why above it. */
static __noinline void sift_trace_send(struct xdp_md *ctx, struct sift_trace_cfg *tc,
				       const struct sift_pkt *pkt, const struct sift_scratch *s,
				       __u32 how)
{
	struct sift_stats *st = sift_stats_get();
	struct sift_trace_buf *tb;
	__u64 now = bpf_ktime_get_coarse_ns(), win;
	__u32 key = 0, len, taken, action = how & 0xff, reason, verdict;

	if (!ctx || !tc || !pkt)
		return;
	verdict = sift_trace_verdict(action, how >> 8, s, &reason);
	tb = bpf_map_lookup_elem(&sift_trace_buf, &key);
	if (!tb)
		return;
	taken = tb->taken;
	tb->taken = 0; /* the next message starts afresh, whatever happens here */
	if (now > tc->until)
		return; /* the lease ran out: siftctl is gone */
	if ((tc->match & SIFT_TM_VERDICT) && verdict != tc->verdict)
		return;
	if ((tc->match & SIFT_TM_REASON) && reason != tc->reason)
		return;
	if (verdict == SIFT_TV_FORWARD || verdict == SIFT_TV_ABORT) {
		if (!taken)
			return; /* the filter did not want it before it was rewritten */
	} else if (!sift_trace_match(tc, pkt, s) || sift_trace_copy(ctx, tb)) {
		return;
	}
	win = now >> 30;
	if (tc->win != win) {
		tc->win = win; /* racing CPUs may both reset it: a few events more, no harm */
		tc->win_n = 0;
	}
	if (__sync_fetch_and_add(&tc->win_n, 1) >= tc->rate) {
		sift_count(st, SIFT_STAT_TRACE_RATE_CAPPED, 0);
		return;
	}
	tb->ev.ts = bpf_ktime_get_ns();
	tb->ev.ifindex = ctx->ingress_ifindex;
	tb->ev.verdict = verdict;
	tb->ev.action = action;
	tb->ev.reason = reason;
	tb->ev.backend = SIFT_NO_BACKEND;
	tb->ev.group = 0;
	tb->ev.egress = 0;
	tb->ev.nh_port = 0;
	__builtin_memset(&tb->ev.nh, 0, sizeof(tb->ev.nh));
	if (verdict == SIFT_TV_FORWARD && s) {
		tb->ev.backend = s->plan.backend;
		tb->ev.group = s->plan.group;
		tb->ev.egress = s->plan.egress;
		tb->ev.nh = s->plan.dst;
		tb->ev.nh_port = s->plan.dport;
	}
	len = tb->ev.cap_len;
	SIFT_OPAQUE(len);
	if (len > SIFT_TRACE_SNAP)
		return;
	if (bpf_ringbuf_output(&SIFT_MAP_TRACE, tb, sizeof(tb->ev) + len, 0))
		sift_count(st, SIFT_STAT_TRACE_RING_FULL, 0);
	else
		sift_count(st, SIFT_STAT_TRACE_SENT, 0);
}

/*
 * At the exit: @s is the parsed message (NULL when it was not parsed), @why
 * the counter that said why it was dropped or passed (0: none).
 */
static __always_inline void sift_trace_emit(struct xdp_md *ctx, const struct sift_pkt *pkt,
					    const struct sift_scratch *s, int action, __u32 why)
{
	struct sift_trace_cfg *tc = sift_trace_on();

	if (tc)
		sift_trace_send(ctx, tc, pkt, s, (__u32)(action & 0xff) | why << 8);
}

#else /* SIFT_NO_TRACE: the reference build for make bench */

static __always_inline void sift_trace_take(struct xdp_md *ctx, const struct sift_pkt *pkt,
					    const struct sift_scratch *s)
{
}

static __always_inline void sift_trace_emit(struct xdp_md *ctx, const struct sift_pkt *pkt,
					    const struct sift_scratch *s, int action, __u32 why)
{
}

#endif /* SIFT_NO_TRACE */
#endif /* SIFT_TRACE_BPF_H */
