/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SIP stage: copy the UDP payload into the per-CPU scratch buffer, run
 * the shared parser (include/sift/sip_parse.h) and count its verdict.
 */
#ifndef SIFT_SIP_BPF_H
#define SIFT_SIP_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <sift/common.h>
#include <sift/sip.h>
#include <sift/sip_parse.h>

#include "l2l4.bpf.h"
#include "stats.bpf.h"

/* Per-packet working memory, never pinned.  Tests read the parse result here. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sift_scratch);
} sift_scratch SEC(".maps");

static __always_inline void sift_count_verdict(struct sift_stats *st, const struct sift_sip_msg *m,
					       __u64 bytes)
{
	__u32 r = m->reason;

	if (m->action == SIFT_ACTION_FORWARD) {
		sift_count(st, SIFT_STAT_SIP_FORWARD, bytes);
		return;
	}
	if (r == 0 || r >= SIFT_REASON__MAX)
		return;
	if (m->action == SIFT_ACTION_PUNT) {
		sift_count(st, SIFT_STAT_SIP_PUNT, bytes);
		sift_count(st, SIFT_STAT_PUNT_BASE + r - 1, bytes);
	} else {
		sift_count(st, SIFT_STAT_SIP_DROP, bytes);
		sift_count(st, SIFT_STAT_DROP_BASE + r - 1, bytes);
	}
}

/* Copy the SIP payload of @pkt into the scratch buffer; NULL if it could not be read. */
static __always_inline struct sift_scratch *sift_sip_load(struct xdp_md *ctx,
							  const struct sift_pkt *pkt)
{
	__u32 key = 0, len = pkt->payload_len;
	struct sift_scratch *s;

	s = bpf_map_lookup_elem(&sift_scratch, &key);
	if (!s)
		return NULL;
	if (len && len <= SIFT_MSG_MAX) {
		/* verifier: the helper's size must be provably within the buffer */
		asm volatile("" : "+r"(len));
		len &= SIFT_SCRATCH_MASK;
		if (!len || bpf_xdp_load_bytes(ctx, pkt->payload_off, s->buf, len))
			return NULL;
	}
	return s;
}

/* Parse what sift_sip_load() copied and count the verdict. */
static __always_inline void sift_sip_parse_count(struct sift_scratch *s, const struct sift_pkt *pkt,
						 struct sift_stats *st, __u64 bytes)
{
	sift_sip_parse(s, pkt->payload_len);
	sift_count_verdict(st, &s->msg, bytes);
}

#endif /* SIFT_SIP_BPF_H */
