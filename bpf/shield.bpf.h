/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shield in XDP: its maps, and the table interface its checks
 * (include/sift/shield_check.h, shared with siftd) are written against.
 */
#ifndef SIFT_SHIELD_BPF_H
#define SIFT_SHIELD_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <sift/common.h>
#include <sift/shield.h>
#include <sift/shield_check.h>

#include "l2l4.bpf.h"
#include "maps.bpf.h"
#include "stats.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sift_shield);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_SHIELD SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SIFT_ACL_MAX);
	__type(key, struct sift_acl_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_ACL_DENY SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SIFT_ACL_MAX);
	__type(key, struct sift_acl_key);
	__type(value, __u32); /* enum sift_acl_flags */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_ACL_ALLOW SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SIFT_BANS_MAX);
	__type(key, struct sift_addr);
	__type(value, struct sift_ban);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_BANS SEC(".maps");

/*
 * Not pinned: soft state, sized from the configuration when siftd loads
 * the program (bpf_map__set_max_entries).  Shared by all CPUs: a source
 * whose packets spread over several queues still gets one limit.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SIFT_BUCKETS_DEFAULT);
	__type(key, struct sift_bucket_key);
	__type(value, struct sift_bucket);
} SIFT_MAP_BUCKETS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SIFT_CLASS__MAX);
	__type(key, __u32);
	__type(value, struct sift_cap);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_CAPS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SIFT_SCANNERS_MAX);
	__type(key, struct sift_scanner_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_SCANNERS SEC(".maps");

/* The tables in XDP: the maps above, changed in place; the counters are this CPU's. */
struct sift_shield_tables {
	struct sift_stats *st;
};

static __always_inline void *sift_tbl_get(struct sift_shield_tables *t, enum sift_shield_table tbl,
					  const void *key)
{
	(void)t;
	/* tbl is a constant at every call: this folds to one lookup */
	switch (tbl) {
	case SIFT_TBL_SHIELD:
		return bpf_map_lookup_elem(&SIFT_MAP_SHIELD, key);
	case SIFT_TBL_ACL_DENY:
		return bpf_map_lookup_elem(&SIFT_MAP_ACL_DENY, key);
	case SIFT_TBL_ACL_ALLOW:
		return bpf_map_lookup_elem(&SIFT_MAP_ACL_ALLOW, key);
	case SIFT_TBL_BANS:
		return bpf_map_lookup_elem(&SIFT_MAP_BANS, key);
	case SIFT_TBL_BUCKETS:
		return bpf_map_lookup_elem(&SIFT_MAP_BUCKETS, key);
	case SIFT_TBL_CAPS:
		return bpf_map_lookup_elem(&SIFT_MAP_CAPS, key);
	case SIFT_TBL_SCANNERS:
		return bpf_map_lookup_elem(&SIFT_MAP_SCANNERS, key);
	default:
		return NULL;
	}
}

/* The checks add only buckets and bans. */
static __always_inline int sift_tbl_add(struct sift_shield_tables *t, enum sift_shield_table tbl,
					const void *key, const void *val)
{
	(void)t;
	if (tbl == SIFT_TBL_BANS)
		return bpf_map_update_elem(&SIFT_MAP_BANS, key, val, BPF_NOEXIST);
	if (tbl == SIFT_TBL_BUCKETS)
		return bpf_map_update_elem(&SIFT_MAP_BUCKETS, key, val, BPF_NOEXIST);
	return -1;
}

static __always_inline void sift_tbl_put(struct sift_shield_tables *t, enum sift_shield_table tbl,
					 const void *key, void *val)
{
	(void)t, (void)tbl, (void)key, (void)val; /* changed where it lies */
}

/* The checks delete only expired bans. */
static __always_inline void sift_tbl_del(struct sift_shield_tables *t, enum sift_shield_table tbl,
					 const void *key)
{
	(void)t;
	if (tbl == SIFT_TBL_BANS)
		bpf_map_delete_elem(&SIFT_MAP_BANS, key);
}

static __always_inline void sift_tbl_count(struct sift_shield_tables *t, __u32 idx)
{
	sift_count(t->st, idx, 0);
}

/* Without the counters (never, in practice), no count is at a batch's boundary. */
static __always_inline __u64 sift_tbl_counted(struct sift_shield_tables *t, __u32 idx)
{
	return t->st && idx < SIFT_STAT__MAX ? t->st->c[idx].packets : 1;
}

/*
 * A fragment to one of sift's addresses: what it carries cannot be seen here
 * (only the first fragment holds the UDP header, none the whole message), so
 * it meets the source checks, whatever its port.  The kernel reassembles what
 * passes, and siftd runs the whole shield on the message (user/siftd/punt.c).
 * Fragments to other addresses are not the shield's.
 */
static __always_inline __u32 sift_shield_fragment(struct sift_shield_tables *t,
						  const struct sift_pkt *pkt)
{
	const struct sift_shield *sh;
	struct sift_addr src;
	int trusted;

	if (!bpf_map_lookup_elem(&SIFT_MAP_SELF, &pkt->daddr))
		return 0;
	sh = sift_shield_settings(t);
	if (!sh)
		return 0;
	return sift_shield_source(t, sh, &pkt->saddr, bpf_ktime_get_coarse_ns(), &src, &trusted);
}

#endif /* SIFT_SHIELD_BPF_H */
