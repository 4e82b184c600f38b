/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The shield, shared by the XDP program and siftd: access lists, bans, rate
 * limits and scanner signatures.  Everything here runs before a message is
 * forwarded; siftd and siftctl write the maps, the fast path reads them (and
 * writes only buckets, bans it imposes, and their counters).
 */
#ifndef SIFT_SHIELD_H
#define SIFT_SHIELD_H

#include <linux/types.h>
#include <sift/common.h>

#define SIFT_MAP_SHIELD sift_shield
#define SIFT_MAP_ACL_DENY sift_acl_deny
#define SIFT_MAP_ACL_ALLOW sift_acl_allow
#define SIFT_MAP_BANS sift_bans
#define SIFT_MAP_BUCKETS sift_buckets
#define SIFT_MAP_CAPS sift_caps
#define SIFT_MAP_SCANNERS sift_scanners

#define SIFT_ACL_MAX 16384
#define SIFT_BANS_MAX 65536
#define SIFT_BUCKETS_DEFAULT 65536
#define SIFT_SCANNERS_MAX 256
#define SIFT_BAN_EXACT 1024
#define SIFT_BAN_BATCH 256 /* a power of two */
#define SIFT_SCANNER_LEN 32 /* a User-Agent product token, lower case, NUL padded */

/*
 * A rate as GCRA (the generic cell rate algorithm, RFC 2697's cousin): a
 * message is due every @interval ns and may come @tolerance ns early, which
 * is a burst of tolerance / interval + 1.  interval 0: no limit.
 */
struct sift_rate {
	__u64 interval;
	__u64 tolerance;
};
SIFT_ASSERT_SIZE(struct sift_rate, 16);

enum sift_shield_flags {
	SIFT_SHIELD_ON = 1 << 0,         /* else: nothing below applies */
	SIFT_SHIELD_ALLOW_ONLY = 1 << 1, /* SIP from sources not in the allow list is dropped */
	SIFT_SHIELD_REQUIRE_UA = 1 << 2, /* requests without User-Agent are dropped */
};

/* sift_shield[0]: the shield's settings. */
struct sift_shield {
	__u32 flags;      /* enum sift_shield_flags */
	__u32 v6_prefix;  /* IPv6 sources are limited and banned per prefix of this length */
	__u64 ban_after;  /* ns over a limit, without a pause of a second, that earn a ban */
	__u64 ban_time;   /* ns a ban lasts */
	struct sift_rate limit[SIFT_CLASS__MAX]; /* per source */
};
SIFT_ASSERT_SIZE(struct sift_shield, 24 + 16 * SIFT_CLASS__MAX);

/*
 * The access lists: LPM tries of source prefixes.  The key's data is the
 * family byte then 16 address bytes (IPv4 in the first 4); prefixlen is 8
 * plus the prefix length.  The allow list's value says whether the source
 * is trusted: it skips the rate limits (a carrier's gateway, your PBX).
 */
struct sift_acl_key {
	__u32 prefixlen;
	__u8 family;
	__u8 addr[16];
	__u8 pad[3];
};
SIFT_ASSERT_SIZE(struct sift_acl_key, 24);

enum sift_acl_flags {
	SIFT_ACL_TRUSTED = 1 << 0,
};

/* sift_bans: source (IPv6: its prefix) -> the ban.  Expired entries are ignored. */
enum sift_ban_origin {
	SIFT_BAN_AUTO,   /* earned by staying over a limit */
	SIFT_BAN_MANUAL, /* siftctl ban add */
};

struct sift_ban {
	__u64 expires; /* CLOCK_MONOTONIC ns (bpf_ktime_get_ns) */
	__u64 since;
	__u64 drops; /* messages dropped under this ban: exact up to SIFT_BAN_EXACT,
		      * then in steps of SIFT_BAN_BATCH per CPU */
	__u32 origin; /* enum sift_ban_origin */
	__u32 class;  /* for an automatic ban: the class whose limit it broke */
};
SIFT_ASSERT_SIZE(struct sift_ban, 32);

/* sift_buckets: LRU, (source, class) -> its GCRA state. */
struct sift_bucket_key {
	struct sift_addr src;
	__u32 class;
};
SIFT_ASSERT_SIZE(struct sift_bucket_key, 24);

struct sift_bucket {
	__u64 tat;        /* theoretical arrival time; compare-and-exchange only */
	__u64 over_since; /* start of the current stretch over the limit; 0: none */
	__u64 last_over;  /* the last message over the limit */
};
SIFT_ASSERT_SIZE(struct sift_bucket, 24);

/* sift_caps: per class, for all sources together (the backends' capacity). */
struct sift_cap {
	struct sift_rate rate;
	__u64 tat;
};
SIFT_ASSERT_SIZE(struct sift_cap, 24);

/* sift_scanners: User-Agent product tokens that mark a scanner (__u32 value, unused). */
struct sift_scanner_key {
	char token[SIFT_SCANNER_LEN];
};

/*
 * The shield's tables as its checks (include/sift/shield_check.h) name them:
 * the maps above in XDP, the same maps through their fds in siftd.
 */
enum sift_shield_table {
	SIFT_TBL_SHIELD,    /* __u32 0 -> struct sift_shield */
	SIFT_TBL_ACL_DENY,  /* struct sift_acl_key -> __u32 (unused) */
	SIFT_TBL_ACL_ALLOW, /* struct sift_acl_key -> __u32 enum sift_acl_flags */
	SIFT_TBL_BANS,      /* struct sift_addr -> struct sift_ban */
	SIFT_TBL_BUCKETS,   /* struct sift_bucket_key -> struct sift_bucket */
	SIFT_TBL_CAPS,      /* __u32 class -> struct sift_cap */
	SIFT_TBL_SCANNERS,  /* struct sift_scanner_key -> __u32 (unused) */
	SIFT_TBL__MAX
};

/* A stretch over a limit ends after this long without a message over it. */
#define SIFT_OVER_GAP_NS 1000000000ULL

#endif /* SIFT_SHIELD_H */
