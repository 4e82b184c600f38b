// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sift/common.h>

#include "maglev.h"

uint64_t maglev_key(const void *addr, unsigned int len, unsigned int port)
{
	const unsigned char *p = addr;
	uint64_t h = 0x6d61676c65760000ULL ^ port;

	for (unsigned int i = 0; i < len; i++)
		h = sift_mix64(h ^ p[i]);
	return h;
}

static int by_key(const void *a, const void *b)
{
	const struct maglev_member *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int maglev_build(const struct maglev_member *in, unsigned int n, uint32_t *table,
		 uint32_t m, uint32_t empty)
{
	uint64_t *offset = NULL, *skip = NULL, *next = NULL, *credit = NULL;
	struct maglev_member *members = NULL;
	uint32_t max_weight = 0, filled = 0;
	int err = -ENOMEM;

	for (uint32_t i = 0; i < m; i++)
		table[i] = empty;
	for (unsigned int i = 0; i < n; i++)
		if (in[i].weight > max_weight)
			max_weight = in[i].weight;
	if (!max_weight)
		return 0;
	if (m < 2)
		return -EINVAL;

	/* the order members claim entries in is theirs, not the caller's */
	members = malloc(n * sizeof(*members));
	if (!members)
		return -ENOMEM;
	memcpy(members, in, n * sizeof(*members));
	qsort(members, n, sizeof(*members), by_key);
	offset = calloc(n, sizeof(*offset));
	skip = calloc(n, sizeof(*skip));
	next = calloc(n, sizeof(*next));
	credit = calloc(n, sizeof(*credit));
	if (!offset || !skip || !next || !credit)
		goto out;
	for (unsigned int i = 0; i < n; i++) {
		/* each member walks the table in its own order: offset, then skip */
		offset[i] = sift_mix64(members[i].key) % m;
		skip[i] = sift_mix64(members[i].key ^ 0x5bd1e9955bd1e995ULL) % (m - 1) + 1;
	}
	/*
	 * Round after round every member earns its weight in credit and claims
	 * its next free preferred entry for each max_weight of credit: shares
	 * proportional to weights, the same order as plain Maglev when all are
	 * equal.
	 */
	while (filled < m) {
		for (unsigned int i = 0; i < n && filled < m; i++) {
			if (!members[i].weight)
				continue;
			credit[i] += members[i].weight;
			while (credit[i] >= max_weight && filled < m) {
				uint32_t c;

				credit[i] -= max_weight;
				do {
					c = (offset[i] + next[i] * skip[i]) % m;
					next[i]++;
				} while (table[c] != empty);
				table[c] = members[i].id;
				filled++;
			}
		}
	}
	err = 0;
out:
	free(offset);
	free(skip);
	free(next);
	free(credit);
	free(members);
	return err;
}
