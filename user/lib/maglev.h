/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016) with weights: a
 * lookup table of M (prime) entries where each backend owns a share of the
 * entries proportional to its weight, and removing a backend reassigns
 * (nearly) only the entries it owned.
 */
#ifndef SIFT_MAGLEV_H
#define SIFT_MAGLEV_H

#include <stdint.h>

struct maglev_member {
	uint64_t key;    /* stable identity (address and port): where its preferences start */
	uint32_t weight; /* 0: not in the table */
	uint32_t id;     /* what the table holds for it */
};

/*
 * Fill @table (@m entries, @m prime) from @n members.  Entries stay
 * @empty when no member has weight.  0, or -EINVAL/-ENOMEM.
 */
int maglev_build(const struct maglev_member *members, unsigned int n, uint32_t *table,
		 uint32_t m, uint32_t empty);

/* A member's identity key, from its address bytes and port. */
uint64_t maglev_key(const void *addr, unsigned int len, unsigned int port);

#endif
