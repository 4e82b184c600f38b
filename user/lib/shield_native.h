/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native build of the shield: its map-free pieces
 * (include/sift/shield_util.h), and its checks (include/sift/shield_check.h)
 * against the fast path's own maps, which siftd runs on what the fast path
 * never saw whole.
 */
#ifndef SIFT_LIB_SHIELD_NATIVE_H
#define SIFT_LIB_SHIELD_NATIVE_H

#include <stddef.h>
#include <sift/shield.h>
#include <sift/sip.h>

#include "maps.h"

/* The method class of the datagram in s->buf (@len bytes). */
unsigned int sift_msg_class_of(struct sift_scratch *s, size_t len);
/* The parsed message's first User-Agent token, lower case, as scanners are matched.  0 or -1. */
int sift_ua_token_of(struct sift_scratch *s, char out[SIFT_SCANNER_LEN]);
/* The key a source is limited and banned under. */
void sift_src_key_of(const struct sift_addr *src, unsigned int v6_prefix, struct sift_addr *out);
/* One GCRA step: 0 conforming (accounted), 1 over. */
int sift_gcra_step(__u64 *tat, __u64 now, const struct sift_rate *r);

/*
 * The shield's tables, natively: the fds of the fast path's maps (not
 * owned; -1: a table that is not there, where nothing is found and nothing
 * stored), room for the copies the checks work on, and the counts of what
 * the checks dropped here.
 */
struct sift_shield_tables {
	int fd[SIFT_TBL__MAX];
	union {
		struct sift_shield shield;
		__u32 flags;
		struct sift_ban ban;
		struct sift_bucket bucket;
		struct sift_cap cap;
	} val[SIFT_TBL__MAX];
	__u64 counts[SIFT_STAT__MAX]; /* enum sift_stat: drops by reason, bans imposed */
};

/*
 * Tables on the pinned maps of @m and the bucket table @buckets_fd (which is
 * not pinned: the loader's), counts at zero.
 */
void sift_shield_tables_init(struct sift_shield_tables *t, const struct sift_maps *m,
			     int buckets_fd);

/*
 * The fast path's shield, every check in its order, on the @len bytes in
 * s->buf from @src at @now (CLOCK_MONOTONIC ns, the fast path's clock):
 * source, rate (a source over its limit long enough is banned, as in XDP),
 * then the message, which is parsed here into s->msg.  0 if it passes (the
 * message parsed), else the counter (enum sift_stat) of the reason it is
 * dropped, counted in t->counts.
 */
__u32 sift_shield_native(struct sift_shield_tables *t, struct sift_scratch *s, size_t len,
			 const struct sift_addr *src, __u64 now);

/*
 * The shield's first look only, on a source: deny list, bans, allow-only
 * (siftd's connections, before a TLS handshake).  0 or the counter of the
 * reason; *@trusted: the allow list trusts it.
 */
__u32 sift_shield_native_source(struct sift_shield_tables *t, const struct sift_addr *src, __u64 now,
				int *trusted);

#endif
