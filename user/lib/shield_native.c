// SPDX-License-Identifier: GPL-2.0
/* The native build of include/sift/shield_util.h and include/sift/shield_check.h. */
#include <string.h>
#include <bpf/bpf.h>

#include <sift/shield_check.h>
#include "shield_native.h"
#include "sip_native.h"

unsigned int sift_msg_class_of(struct sift_scratch *s, size_t len)
{
	return sift_msg_class(s, len > 0xffffffffu ? 0xffffffffu : (__u32)len);
}

int sift_ua_token_of(struct sift_scratch *s, char out[SIFT_SCANNER_LEN])
{
	struct sift_scanner_key key;

	if (sift_ua_token(s, &key))
		return -1;
	memcpy(out, key.token, SIFT_SCANNER_LEN);
	out[SIFT_SCANNER_LEN - 1] = '\0';
	return 0;
}

void sift_src_key_of(const struct sift_addr *src, unsigned int v6_prefix, struct sift_addr *out)
{
	sift_src_key(src, v6_prefix, out);
}

int sift_gcra_step(__u64 *tat, __u64 now, const struct sift_rate *r)
{
	return sift_gcra(tat, now, r);
}

/* ---- the table interface of shield_check.h, on map fds ---------------------------- */

SIFT_INLINE void *sift_tbl_get(struct sift_shield_tables *t, enum sift_shield_table tbl,
			       const void *key)
{
	if (t->fd[tbl] < 0 || bpf_map_lookup_elem(t->fd[tbl], key, &t->val[tbl]))
		return NULL;
	return &t->val[tbl];
}

SIFT_INLINE int sift_tbl_add(struct sift_shield_tables *t, enum sift_shield_table tbl,
			     const void *key, const void *val)
{
	return t->fd[tbl] < 0 ? -1 : bpf_map_update_elem(t->fd[tbl], key, val, BPF_NOEXIST);
}

/* Only if it is still there: a ban siftctl lifted meanwhile stays lifted. */
SIFT_INLINE void sift_tbl_put(struct sift_shield_tables *t, enum sift_shield_table tbl,
			      const void *key, void *val)
{
	if (t->fd[tbl] >= 0)
		bpf_map_update_elem(t->fd[tbl], key, val, BPF_EXIST);
}

SIFT_INLINE void sift_tbl_del(struct sift_shield_tables *t, enum sift_shield_table tbl,
			      const void *key)
{
	if (t->fd[tbl] >= 0)
		bpf_map_delete_elem(t->fd[tbl], key);
}

SIFT_INLINE void sift_tbl_count(struct sift_shield_tables *t, __u32 idx)
{
	if (idx < SIFT_STAT__MAX)
		t->counts[idx]++;
}

SIFT_INLINE __u64 sift_tbl_counted(struct sift_shield_tables *t, __u32 idx)
{
	return idx < SIFT_STAT__MAX ? t->counts[idx] : 0;
}

void sift_shield_tables_init(struct sift_shield_tables *t, const struct sift_maps *m,
			     int buckets_fd)
{
	memset(t, 0, sizeof(*t));
	t->fd[SIFT_TBL_SHIELD] = m->shield;
	t->fd[SIFT_TBL_ACL_DENY] = m->acl_deny;
	t->fd[SIFT_TBL_ACL_ALLOW] = m->acl_allow;
	t->fd[SIFT_TBL_BANS] = m->bans;
	t->fd[SIFT_TBL_BUCKETS] = buckets_fd;
	t->fd[SIFT_TBL_CAPS] = m->caps;
	t->fd[SIFT_TBL_SCANNERS] = m->scanners;
}

/* sift_xdp's order (bpf/sift.bpf.c): source, rate, parse, message. */
__u32 sift_shield_native_source(struct sift_shield_tables *t, const struct sift_addr *src, __u64 now,
				int *trusted)
{
	const struct sift_shield *sh = sift_shield_settings(t);
	struct sift_addr key;
	__u32 why;

	*trusted = 0;
	if (!sh)
		return 0;
	why = sift_shield_source(t, sh, src, now, &key, trusted);
	if (why)
		sift_tbl_count(t, why);
	return why;
}

__u32 sift_shield_native(struct sift_shield_tables *t, struct sift_scratch *s, size_t len,
			 const struct sift_addr *src, __u64 now)
{
	const struct sift_shield *sh = sift_shield_settings(t);
	struct sift_addr key;
	int trusted = 0;
	__u32 why = 0;

	if (sh) {
		why = sift_shield_source(t, sh, src, now, &key, &trusted);
		if (!why && !trusted)
			why = sift_shield_rate(t, sh, &key, sift_msg_class_of(s, len), now);
	}
	if (!why) {
		sift_sip_parse_scratch(s, len);
		if (sh)
			why = sift_shield_message(t, sh, s);
	}
	if (why)
		sift_tbl_count(t, why);
	return why;
}
