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
	enum sift_stat class;
	int action = XDP_PASS;

	class = sift_parse_l2l4(ctx, &pkt);
	if (class != SIFT_STAT_CLASS_SIP)
		goto out;

	/* The verdict is counted; forwarding and the shield come in later stages. */
	sift_sip_stage(ctx, &pkt, st, bytes);
out:
	return sift_record(st, class, action, bytes);
}

char LICENSE[] SEC("license") = "GPL";
