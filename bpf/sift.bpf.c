// SPDX-License-Identifier: GPL-2.0
/*
 * sift_xdp: the SIP fast path.  This file only dispatches; each stage lives in
 * its own header: l2l4 (classify), shield (who, how often, what), sip
 * (copy, parse), fwd (the stateless proxy), stats, trace (siftctl trace).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include <sift/common.h>

#include "maps.bpf.h"
#include "stats.bpf.h"
#include "l2l4.bpf.h"
#include "sip.bpf.h"
#include "shield.bpf.h"
#include "fwd.bpf.h"
#include "transit.bpf.h"
#include "unreach.bpf.h"
#include "trace.bpf.h"

/* Run first among the programs libxdp's dispatcher chains; pass on on XDP_PASS. */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(sift_xdp);

SEC("xdp")
int sift_xdp(struct xdp_md *ctx)
{
	struct sift_stats *st = sift_stats_get();
	struct sift_shield_tables tb = { .st = st };
	__u64 bytes = ctx->data_end - ctx->data;
	struct sift_pkt pkt = {};
	struct sift_scratch *s, *parsed = NULL;
	struct sift_config *cfg;
	const struct sift_shield *sh = NULL;
	struct sift_addr src;
	enum sift_stat class;
	int action = XDP_PASS, trusted = 0;
	__u32 why = 0, mclass;

	class = sift_parse_l2l4(ctx, &pkt);
	if (!pkt.ip_version)
		goto out; /* not IP (ARP, say), or IP too broken to judge: the kernel's */
	/*
	 * The shield's first look: who sent it (SIP over TCP too).  Bans need
	 * only the coarse clock (a ban may outlast its time by a tick); the
	 * nanosecond one costs ~26 ns on a VM, a third of what a banned
	 * message costs, so only the rate limits below read it.  Before the
	 * transit check: a banned flood costs no more than it did.
	 */
	if (class == SIFT_STAT_CLASS_SIP || class == SIFT_STAT_CLASS_SIP_TCP) {
		sh = sift_shield_settings(&tb);
		if (sh) {
			why = sift_shield_source(&tb, sh, &pkt.saddr, bpf_ktime_get_coarse_ns(),
						 &src, &trusted);
			if (why)
				goto drop;
		}
	} else if (class == SIFT_STAT_CLASS_FRAGMENT || class == SIFT_STAT_CLASS_IP6_EXTHDR) {
		/*
		 * What XDP cannot read whole (fragments; IPv6 behind extension
		 * headers the cursor does not follow to UDP) but the kernel will
		 * deliver to siftd: who sent it.  siftd checks the message.
		 */
		why = sift_shield_fragment(&tb, &pkt);
		if (why)
			goto drop;
	}
	/*
	 * Not a router: what is not addressed to this host is dropped, unless
	 * the operator routes transit.
	 */
	if (sift_transit(ctx, &pkt, st)) {
		action = XDP_DROP;
		goto out;
	}
	if (pkt.icmp && pkt.ours)
		sift_unreach_check(ctx, &pkt, st); /* a backend gone? siftd hears of it now */
	if (class != SIFT_STAT_CLASS_SIP)
		goto out;

	s = sift_sip_load(ctx, &pkt);
	if (!s)
		goto out;
	mclass = sift_msg_class(s, pkt.payload_len);
	sift_count(st, SIFT_STAT_METHOD_BASE + mclass, bytes);
	if (sh && !trusted) {
		why = sift_shield_rate(&tb, sh, &src, mclass, bpf_ktime_get_ns());
		if (why)
			goto drop;
	}
	sift_sip_parse_count(s, &pkt, st, bytes);
	parsed = s;
	if (sh) {
		why = sift_shield_message(&tb, sh, s);
		if (why) {
			/* verdict.forward adds up to its outcomes: this is one of them */
			if (s->msg.action == SIFT_ACTION_FORWARD)
				sift_count(st, SIFT_STAT_FWD_SHIELD, bytes);
			goto drop;
		}
	}
	if (s->msg.action != SIFT_ACTION_FORWARD)
		goto out; /* punts go up as they are; without the shield, drops too */
	/* Only what is addressed to sift is proxied; the kernel has the rest. */
	if (!pkt.ours) {
		why = SIFT_STAT_FWD_TRANSIT;
		sift_count(st, why, bytes);
		goto out;
	}
	cfg = sift_cfg();
	if (!cfg || !(cfg->flags & SIFT_CFG_FORWARD)) {
		why = SIFT_STAT_FWD_OFF;
		sift_count(st, why, bytes);
		goto out;
	}
	s->plan.refused = 0;
	sift_trace_take(ctx, &pkt, s); /* the frame as it came, before it is rewritten */
	action = sift_forward(ctx, &pkt, s, st, cfg, trusted, bytes);
	why = s->plan.refused;
	if (action >= XDP_TX) {
		if (s->msg.kind == SIFT_KIND_RESPONSE && s->msg.status == 503)
			sift_unreach_503(&pkt, st); /* a backend that says it takes no more */
		if (cfg->flags & SIFT_CFG_WATCH)
			sift_watch_count(&pkt, s); /* unanswered INVITEs: a backend gone silent */
	}
out:
	if (class == SIFT_STAT_CLASS_SIP)
		sift_trace_emit(ctx, &pkt, parsed, action, why);
	return sift_record(st, class, action, bytes);
drop:
	sift_count(st, why, bytes);
	if (class == SIFT_STAT_CLASS_SIP)
		sift_trace_emit(ctx, &pkt, parsed, XDP_DROP, why);
	return sift_record(st, class, XDP_DROP, bytes);
}

char LICENSE[] SEC("license") = "GPL";
