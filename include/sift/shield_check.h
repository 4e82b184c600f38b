/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The shield's checks: one source, compiled into the XDP program
 * (bpf/shield.bpf.h) and natively into libsift (user/lib/shield_native.c),
 * where siftd runs them on what the fast path never saw whole (datagrams
 * the kernel reassembled from fragments).
 *   source   deny list, bans, allow-only (before anything is parsed)
 *   rate     GCRA buckets per source and method class, then per class for
 *            all sources (before the parse: a flood does not cost a parse);
 *            a source over its limit without a pause of a second for
 *            ban_after is banned for ban_time
 *   message  the parser's drop verdicts, scanner User-Agents, a missing
 *            User-Agent (after the parse)
 * Each returns the counter (enum sift_stat) of the reason to drop, or 0.
 * Drops are silent.
 *
 * The tables (enum sift_shield_table) are reached only through the six
 * functions declared below, which the includer defines:
 *   XDP       the BPF maps; a value is changed where it lies, so
 *             sift_tbl_put() does nothing; the counters are this CPU's.
 *   natively  the pinned maps' fds and the loader's bucket table; a value
 *             is a copy that sift_tbl_put() writes back; the counters are
 *             siftd's own.  There is no compare-and-exchange across the
 *             syscalls: when siftd writes back a bucket or a cap in the very
 *             moment XDP moves it, one of the two steps is lost.
 */
#ifndef SIFT_SHIELD_CHECK_H
#define SIFT_SHIELD_CHECK_H

#include <sift/shield.h>
#include <sift/shield_util.h>

struct sift_shield_tables; /* the includer's */

/* The value under @key in @tbl, or NULL. */
SIFT_INLINE void *sift_tbl_get(struct sift_shield_tables *t, enum sift_shield_table tbl,
			       const void *key);
/* Store @val under @key unless the key is there: 0 if stored. */
SIFT_INLINE int sift_tbl_add(struct sift_shield_tables *t, enum sift_shield_table tbl,
			     const void *key, const void *val);
/* Keep what was changed in @val, which sift_tbl_get() returned for @key. */
SIFT_INLINE void sift_tbl_put(struct sift_shield_tables *t, enum sift_shield_table tbl,
			      const void *key, void *val);
SIFT_INLINE void sift_tbl_del(struct sift_shield_tables *t, enum sift_shield_table tbl,
			      const void *key);
/* Count one under counter @idx (enum sift_stat); what counter @idx holds. */
SIFT_INLINE void sift_tbl_count(struct sift_shield_tables *t, __u32 idx);
SIFT_INLINE __u64 sift_tbl_counted(struct sift_shield_tables *t, __u32 idx);

/* The shield's settings, or NULL when it is off. */
SIFT_INLINE const struct sift_shield *sift_shield_settings(struct sift_shield_tables *t)
{
	__u32 key = 0;
	const struct sift_shield *sh = sift_tbl_get(t, SIFT_TBL_SHIELD, &key);

	return sh && (sh->flags & SIFT_SHIELD_ON) ? sh : NULL;
}

/*
 * Who sent it (@saddr): denied, banned, or not allowed; else *@trusted says
 * whether the allow list trusts it.  @src is set to the key it is limited
 * under.
 */
SIFT_INLINE __u32 sift_shield_source(struct sift_shield_tables *t, const struct sift_shield *sh,
				     const struct sift_addr *saddr, __u64 now,
				     struct sift_addr *src, int *trusted)
{
	struct sift_acl_key k = { .family = saddr->family };
	struct sift_ban *ban;
	const __u32 *flags;

	if (k.family == SIFT_AF_INET) {
		k.prefixlen = 8 + 32;
		__builtin_memcpy(k.addr, &saddr->v4, 4);
	} else {
		k.prefixlen = 8 + 128;
		__builtin_memcpy(k.addr, saddr->v6, 16);
	}
	if (sift_tbl_get(t, SIFT_TBL_ACL_DENY, &k))
		return SIFT_STAT_SHIELD_ACL_DENY;
	sift_src_key(saddr, sh->v6_prefix, src);
	ban = sift_tbl_get(t, SIFT_TBL_BANS, src);
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
			else if (!(sift_tbl_counted(t, SIFT_STAT_SHIELD_BANNED) & (SIFT_BAN_BATCH - 1)))
				__sync_fetch_and_add(&ban->drops, SIFT_BAN_BATCH);
			sift_tbl_put(t, SIFT_TBL_BANS, src, ban);
			return SIFT_STAT_SHIELD_BANNED;
		}
		sift_tbl_del(t, SIFT_TBL_BANS, src); /* served its time */
	}
	flags = sift_tbl_get(t, SIFT_TBL_ACL_ALLOW, &k);
	if (!flags && (sh->flags & SIFT_SHIELD_ALLOW_ONLY))
		return SIFT_STAT_SHIELD_NOT_ALLOWED;
	*trusted = flags && (*flags & SIFT_ACL_TRUSTED);
	return 0;
}

/*
 * @src's bucket @b for @class was over its limit at @now: a stretch over
 * the limit; one without a second's pause earns a ban.  Other CPUs write
 * these too, with clocks read a little earlier or later: compare without
 * subtracting past zero.
 */
SIFT_INLINE void sift_shield_over(struct sift_shield_tables *t, const struct sift_shield *sh,
				  struct sift_bucket *b, const struct sift_addr *src, __u32 class,
				  __u64 now)
{
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

		if (!sift_tbl_add(t, SIFT_TBL_BANS, src, &ban))
			sift_tbl_count(t, SIFT_STAT_SHIELD_BAN_IMPOSED);
		b->over_since = 0;
	}
}

/* The source's limit for @class, then the class's cap for all sources. */
SIFT_INLINE __u32 sift_shield_rate(struct sift_shield_tables *t, const struct sift_shield *sh,
				   const struct sift_addr *src, __u32 class, __u64 now)
{
	const struct sift_rate *r;
	struct sift_bucket *b;
	struct sift_cap *cap;
	int over;

	if (class >= SIFT_CLASS__MAX)
		return 0;
	r = &sh->limit[class];
	if (r->interval) {
		struct sift_bucket_key bk = { .src = *src, .class = class };

		b = sift_tbl_get(t, SIFT_TBL_BUCKETS, &bk);
		if (!b) {
			struct sift_bucket fresh = { .tat = now };

			sift_tbl_add(t, SIFT_TBL_BUCKETS, &bk, &fresh);
			b = sift_tbl_get(t, SIFT_TBL_BUCKETS, &bk);
		}
		if (b) {
			over = sift_gcra(&b->tat, now, r);
			if (over)
				sift_shield_over(t, sh, b, src, class, now);
			sift_tbl_put(t, SIFT_TBL_BUCKETS, &bk, b);
			if (over)
				return SIFT_STAT_RATE_BASE + class;
		}
	}
	cap = sift_tbl_get(t, SIFT_TBL_CAPS, &class);
	if (cap && cap->rate.interval) {
		over = sift_gcra(&cap->tat, now, &cap->rate);
		sift_tbl_put(t, SIFT_TBL_CAPS, &class, cap);
		if (over)
			return SIFT_STAT_CAP_BASE + class;
	}
	return 0;
}

/* After the parse: the parser's drop verdicts, scanners, a missing User-Agent. */
SIFT_INLINE __u32 sift_shield_message(struct sift_shield_tables *t, const struct sift_shield *sh,
				      struct sift_scratch *s)
{
	struct sift_scanner_key key;

	if (s->msg.action == SIFT_ACTION_DROP)
		return SIFT_STAT_SHIELD_MALFORMED;
	if (s->msg.kind != SIFT_KIND_REQUEST)
		return 0;
	if (!s->msg.user_agent.len)
		return sh->flags & SIFT_SHIELD_REQUIRE_UA ? SIFT_STAT_SHIELD_NO_UA : 0;
	if (!sift_ua_token(s, &key) && sift_tbl_get(t, SIFT_TBL_SCANNERS, &key))
		return SIFT_STAT_SHIELD_SCANNER;
	return 0;
}

#endif /* SIFT_SHIELD_CHECK_H */
