/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reproducible mutations of SIP messages for differential tests: byte flips,
 * truncations, header duplications, splices of two messages, inserted
 * separators, deleted ranges.
 */
#ifndef SIFT_TEST_MUTATE_H
#define SIFT_TEST_MUTATE_H

#include <stddef.h>
#include <stdint.h>

struct mutator {
	uint64_t state; /* xorshift64*: same seed, same sequence */
};

void mutator_seed(struct mutator *mu, uint64_t seed);
uint64_t mutator_next(struct mutator *mu);

/*
 * Write a mutation of @a (and, for splices, @b) into @out (capacity @cap).
 * Returns the new length; names the mutation in *@what.
 */
size_t mutate(struct mutator *mu, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
	      uint8_t *out, size_t cap, const char **what);

/* Load every file of the corpus manifest under @dir; returns how many (<= @max). */
struct corpus_msg {
	char name[128];
	uint8_t data[4096];
	size_t len;
};
int corpus_load(const char *dir, struct corpus_msg *msgs, int max);

#endif
