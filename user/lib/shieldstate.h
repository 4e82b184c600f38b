/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Installing the shield into the XDP program's maps: settings and limits,
 * caps, the access lists (plus the backends, trusted, when the shield says
 * so) and the scanner signatures.  Bans are not installed: they live in
 * their pinned map (siftctl ban, or imposed by the fast path).
 */
#ifndef SIFT_SHIELDSTATE_H
#define SIFT_SHIELDSTATE_H

#include "maps.h"
#include "routing.h"
#include "shield_conf.h"

/* 0, or -errno with the reason in @err (each map is consistent either way). */
int sift_shield_install(const struct sift_maps *m, const struct sift_shield_conf *sc,
			const struct sift_routing *r, char *err, size_t errlen);

/* The LPM key of a prefix. */
void sift_acl_key_of(const struct sift_prefix *p, struct sift_acl_key *key);
/* The key a source is banned under (IPv6 cut to @v6_prefix bits). */
void sift_ban_key_of(const struct sift_addr *a, unsigned int v6_prefix, struct sift_addr *key);

#endif
