/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shield: what turns a SIP datagram away before it is forwarded.
 *   source   deny list, bans, allow-only (before anything is parsed)
 *   rate     GCRA buckets per source and method class, then per class for
 *            all sources (before the parse: a flood does not cost a parse);
 *            a source over its limit without a pause of a second for
 *            ban_after is banned for ban_time
 *   message  the parser's drop verdicts, scanner User-Agents, a missing
 *            User-Agent (after the parse)
 * Each returns the counter of the reason to drop, or 0.  Drops are silent.
 */
#ifndef SIFT_SHIELD_BPF_H
#define SIFT_SHIELD_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <sift/common.h>
#include <sift/shield.h>
#include <sift/shield_util.h>

#include "l2l4.bpf.h"
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

static __always_inline struct sift_shield *sift_shield_get(void)
{
	__u32 key = 0;
	struct sift_shield *sh = bpf_map_lookup_elem(&SIFT_MAP_SHIELD, &key);

	return sh && (sh->flags & SIFT_SHIELD_ON) ? sh : NULL;
}

/*
 * Who sent it: denied, banned, or not allowed; else *@trusted says whether
 * the allow list trusts it.  @src is set to the key it is limited under.
 */
static __always_inline __u32 sift_shield_source(const struct sift_pkt *pkt,
						const struct sift_shield *sh, __u64 now,
						const struct sift_stats *st, struct sift_addr *src,
						int *trusted)
{
	struct sift_acl_key k = { .family = pkt->saddr.family };
	struct sift_ban *ban;
	__u32 *flags;

	if (k.family == SIFT_AF_INET) {
		k.prefixlen = 8 + 32;
		__builtin_memcpy(k.addr, &pkt->saddr.v4, 4);
	} else {
		k.prefixlen = 8 + 128;
		__builtin_memcpy(k.addr, pkt->saddr.v6, 16);
	}
	if (bpf_map_lookup_elem(&SIFT_MAP_ACL_DENY, &k))
		return SIFT_STAT_SHIELD_ACL_DENY;
	sift_src_key(&pkt->saddr, sh->v6_prefix, src);
	ban = bpf_map_lookup_elem(&SIFT_MAP_BANS, src);
	if (ban) {
		if (now < ban->expires) {
			/*
			 * One count shared by every CPU: written at flood rate from
			 * two CPUs it halved what they could drop.  Exact for the
			 * first SIFT_BAN_EXACT drops, then each CPU adds a batch
			 * every SIFT_BAN_BATCH of its banned drops.
			 */
			if (ban->drops < SIFT_BAN_EXACT)
				__sync_fetch_and_add(&ban->drops, 1);
			else if (st && !(st->c[SIFT_STAT_SHIELD_BANNED].packets & (SIFT_BAN_BATCH - 1)))
				__sync_fetch_and_add(&ban->drops, SIFT_BAN_BATCH);
			return SIFT_STAT_SHIELD_BANNED;
		}
		bpf_map_delete_elem(&SIFT_MAP_BANS, src); /* served its time */
	}
	flags = bpf_map_lookup_elem(&SIFT_MAP_ACL_ALLOW, &k);
	if (!flags && (sh->flags & SIFT_SHIELD_ALLOW_ONLY))
		return SIFT_STAT_SHIELD_NOT_ALLOWED;
	*trusted = flags && (*flags & SIFT_ACL_TRUSTED);
	return 0;
}

/* The source's limit for @class, then the class's cap for all sources. */
static __always_inline __u32 sift_shield_rate(const struct sift_addr *src, __u32 class,
					      const struct sift_shield *sh, __u64 now,
					      struct sift_stats *st)
{
	const struct sift_rate *r;
	struct sift_bucket *b;
	struct sift_cap *cap;

	if (class >= SIFT_CLASS__MAX)
		return 0;
	r = &sh->limit[class];
	if (r->interval) {
		struct sift_bucket_key bk = { .src = *src, .class = class };

		b = bpf_map_lookup_elem(&SIFT_MAP_BUCKETS, &bk);
		if (!b) {
			struct sift_bucket fresh = { .tat = now };

			bpf_map_update_elem(&SIFT_MAP_BUCKETS, &bk, &fresh, BPF_NOEXIST);
			b = bpf_map_lookup_elem(&SIFT_MAP_BUCKETS, &bk);
		}
		if (b && sift_gcra(&b->tat, now, r)) {
			/*
			 * A stretch over the limit; one without a second's pause earns a
			 * ban.  Other CPUs write these too, with clocks read a little
			 * earlier or later: compare without subtracting past zero.
			 */
			__u64 since = b->over_since, last = b->last_over;

			if (!since || now > last + SIFT_OVER_GAP_NS)
				b->over_since = since = now;
			if (now > last)
				b->last_over = now;
			if (sh->ban_time && now >= since + sh->ban_after) {
				struct sift_ban ban = {
					.expires = now + sh->ban_time,
					.since = now,
					.origin = SIFT_BAN_AUTO,
					.class = class,
				};

				if (!bpf_map_update_elem(&SIFT_MAP_BANS, src, &ban, BPF_NOEXIST))
					sift_count(st, SIFT_STAT_SHIELD_BAN_IMPOSED, 0);
				b->over_since = 0;
			}
			return SIFT_STAT_RATE_BASE + class;
		}
	}
	cap = bpf_map_lookup_elem(&SIFT_MAP_CAPS, &class);
	if (cap && cap->rate.interval && sift_gcra(&cap->tat, now, &cap->rate))
		return SIFT_STAT_CAP_BASE + class;
	return 0;
}

/* After the parse: the parser's drop verdicts, scanners, a missing User-Agent. */
static __always_inline __u32 sift_shield_message(struct sift_scratch *s,
						 const struct sift_shield *sh)
{
	struct sift_scanner_key key;

	if (s->msg.action == SIFT_ACTION_DROP)
		return SIFT_STAT_SHIELD_MALFORMED;
	if (s->msg.kind != SIFT_KIND_REQUEST)
		return 0;
	if (!s->msg.user_agent.len)
		return sh->flags & SIFT_SHIELD_REQUIRE_UA ? SIFT_STAT_SHIELD_NO_UA : 0;
	if (!sift_ua_token(s, &key) && bpf_map_lookup_elem(&SIFT_MAP_SCANNERS, &key))
		return SIFT_STAT_SHIELD_SCANNER;
	return 0;
}

#endif /* SIFT_SHIELD_BPF_H */
