/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SIFT_STATS_BPF_H
#define SIFT_STATS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <sift/common.h>
#include "maps.bpf.h"

static __always_inline struct sift_stats *sift_stats_get(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&SIFT_MAP_STATS, &key);
}

static __always_inline void sift_count(struct sift_stats *st, __u32 idx, __u64 bytes)
{
	if (!st || idx >= SIFT_STAT__MAX)
		return;
	/* Per-CPU: plain increments, no atomics needed. */
	st->c[idx].packets++;
	st->c[idx].bytes += bytes;
}

/* The program's single exit: account the class and the action, then return it. */
static __always_inline int sift_record(struct sift_stats *st, __u32 class, int action,
				       __u64 bytes)
{
	sift_count(st, class, bytes);
	if (action < XDP_ABORTED || action > XDP_REDIRECT)
		action = XDP_ABORTED;
	sift_count(st, SIFT_STAT_ACT_BASE + action, bytes);
	return action;
}

#endif /* SIFT_STATS_BPF_H */
