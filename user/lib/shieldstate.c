// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "shield_native.h"
#include "shieldstate.h"

void sift_acl_key_of(const struct sift_prefix *p, struct sift_acl_key *key)
{
	memset(key, 0, sizeof(*key));
	key->family = p->addr.family;
	key->prefixlen = 8 + p->len;
	if (p->addr.family == SIFT_AF_INET)
		memcpy(key->addr, &p->addr.v4, 4);
	else
		memcpy(key->addr, p->addr.v6, 16);
}

void sift_ban_key_of(const struct sift_addr *a, unsigned int v6_prefix, struct sift_addr *key)
{
	/* the fast path's own computation, so siftctl's bans hit its keys */
	sift_src_key_of(a, v6_prefix, key);
}

/* Make @fd hold exactly @n entries of @keys/@vals (whole-key compare), removing others. */
static int sync_map(int fd, const void *keys, const void *vals, unsigned int n, size_t ksz,
		    const char *what, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, (const char *)keys + i * ksz,
					(const char *)vals + i * sizeof(__u32), BPF_ANY))
			return sift_map_err(err, errlen, what, errno);
	return sift_map_prune(fd, ksz, keys, n, err, errlen, what);
}

static int install_acls(const struct sift_maps *m, const struct sift_shield_conf *sc,
			const struct sift_routing *r, char *err, size_t errlen)
{
	unsigned int max = SIFT_CONF_ACL + SIFT_CONF_GROUPS * SIFT_GROUP_BACKENDS, n = 0;
	struct sift_acl_key *keys = calloc(max, sizeof(*keys));
	__u32 *vals = calloc(max, sizeof(*vals));
	int ret = -ENOMEM;

	if (!keys || !vals)
		goto out;
	for (unsigned int i = 0; i < sc->n_deny; i++) {
		sift_acl_key_of(&sc->deny[i].prefix, &keys[n]);
		vals[n++] = 0;
	}
	ret = sync_map(m->acl_deny, keys, vals, n, sizeof(*keys), "sift_acl_deny", err, errlen);
	if (ret)
		goto out;
	n = 0;
	for (unsigned int i = 0; i < sc->n_allow; i++) {
		sift_acl_key_of(&sc->allow[i].prefix, &keys[n]);
		vals[n++] = sc->allow[i].trusted ? SIFT_ACL_TRUSTED : 0;
	}
	/* the backends answer and send in-dialog requests: trusted, unless an entry says otherwise */
	for (unsigned int g = 0; sc->trust_backends && g < r->n_groups; g++) {
		for (unsigned int b = 0; b < r->groups[g].n_backends; b++) {
			struct sift_prefix p = { .addr = r->groups[g].backends[b].addr };
			bool dup = false;

			p.len = p.addr.family == SIFT_AF_INET ? 32 : 128;
			sift_acl_key_of(&p, &keys[n]);
			for (unsigned int k = 0; k < n && !dup; k++)
				dup = !memcmp(&keys[k], &keys[n], sizeof(keys[0]));
			if (!dup)
				vals[n++] = SIFT_ACL_TRUSTED;
		}
	}
	ret = sync_map(m->acl_allow, keys, vals, n, sizeof(*keys), "sift_acl_allow", err, errlen);
out:
	free(keys);
	free(vals);
	return ret;
}

static int install_scanners(const struct sift_maps *m, const struct sift_shield_conf *sc,
			    char *err, size_t errlen)
{
	struct sift_scanner_key keys[SIFT_CONF_SCANNERS];
	__u32 vals[SIFT_CONF_SCANNERS] = { 0 };

	for (unsigned int i = 0; i < sc->n_scanners; i++) {
		memset(&keys[i], 0, sizeof(keys[i]));
		for (unsigned int k = 0; sc->scanners[i][k] && k < SIFT_SCANNER_LEN - 1; k++)
			keys[i].token[k] = tolower((unsigned char)sc->scanners[i][k]);
	}
	return sync_map(m->scanners, keys, vals, sc->n_scanners, sizeof(keys[0]), "sift_scanners",
			err, errlen);
}

int sift_shield_install(const struct sift_maps *m, const struct sift_shield_conf *sc,
			const struct sift_routing *r, char *err, size_t errlen)
{
	struct sift_shield sh = {
		.v6_prefix = sc->v6_prefix,
		.ban_after = (__u64)(sc->ban_after * 1e9),
		.ban_time = (__u64)(sc->ban_time * 1e9),
	};
	__u32 key = 0;
	int ret;

	ret = install_acls(m, sc, r, err, errlen);
	if (!ret)
		ret = install_scanners(m, sc, err, errlen);
	if (ret)
		return ret;
	for (__u32 c = 0; c < SIFT_CLASS__MAX; c++) {
		struct sift_cap cap = { .rate = sift_limit_rate(&sc->cap[c]) };
		struct sift_cap cur;

		sh.limit[c] = sift_limit_rate(&sc->limit[c]);
		/* keep the running state when the rate did not change */
		if (!bpf_map_lookup_elem(m->caps, &c, &cur) &&
		    !memcmp(&cur.rate, &cap.rate, sizeof(cap.rate)))
			continue;
		if (bpf_map_update_elem(m->caps, &c, &cap, BPF_ANY))
			return sift_map_err(err, errlen, "sift_caps", errno);
	}
	/* the settings last: everything they refer to is in place */
	sh.flags = (sc->enabled ? SIFT_SHIELD_ON : 0) | (sc->allow_only ? SIFT_SHIELD_ALLOW_ONLY : 0) |
		   (sc->require_ua ? SIFT_SHIELD_REQUIRE_UA : 0);
	if (bpf_map_update_elem(m->shield, &key, &sh, BPF_ANY))
		return sift_map_err(err, errlen, "sift_shield", errno);
	return 0;
}
