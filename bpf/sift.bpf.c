// SPDX-License-Identifier: GPL-2.0
/*
 * sift_xdp: the SIP fast path.  This file only dispatches; each stage lives in
 * its own header (l2l4, stats, ...).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include <sift/common.h>

#include "maps.bpf.h"
#include "stats.bpf.h"
#include "l2l4.bpf.h"
#include "sip.bpf.h"
#include "fwd.bpf.h"

/* Run first among the programs libxdp's dispatcher chains; pass on on XDP_PASS. */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(sift_xdp);

SEC("xdp")
int sift_xdp(struct xdp_md *ctx)
{
	struct sift_stats *st = sift_stats_get();
	__u64 bytes = ctx->data_end - ctx->data;
	struct sift_pkt pkt = {};
	struct sift_scratch *s;
	struct sift_config *cfg;
	enum sift_stat class;
	int action = XDP_PASS;

	class = sift_parse_l2l4(ctx, &pkt);
	if (class != SIFT_STAT_CLASS_SIP)
		goto out;

	s = sift_sip_stage(ctx, &pkt, st, bytes);
	if (!s || s->msg.action != SIFT_ACTION_FORWARD)
		goto out; /* punts go up as they are; drops are enforced by the shield */
	/* Only what is addressed to sift is proxied; the rest is routed by the kernel. */
	if (!bpf_map_lookup_elem(&SIFT_MAP_SELF, &pkt.daddr)) {
		sift_count(st, SIFT_STAT_FWD_TRANSIT, bytes);
		goto out;
	}
	cfg = sift_cfg();
	if (!cfg || !(cfg->flags & SIFT_CFG_FORWARD)) {
		sift_count(st, SIFT_STAT_FWD_OFF, bytes);
		goto out;
	}
	action = sift_forward(ctx, &pkt, s, st, cfg->secret, cfg->nh_cache_ms, bytes);
out:
	return sift_record(st, class, action, bytes);
}

char LICENSE[] SEC("license") = "GPL";
