/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012), the keyed function behind
 * every MAC sift writes into a message: the branch of its Via and the
 * vouch in its Record-Route.  One source for the XDP program and siftd.
 *
 * The input is a whole number of 64-bit words, each read as its eight
 * bytes little-endian: the result is SipHash-2-4 of those 8 * n bytes, so
 * the reference test vectors apply.  sift's inputs are fixed-layout words
 * (hashes, addresses, ports), never text, so no byte tail is needed.
 */
#ifndef SIFT_SIPHASH_H
#define SIFT_SIPHASH_H

#include <linux/types.h>

#define SIFT_ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

#define SIFT_SIPROUND(v0, v1, v2, v3)                                                              \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = SIFT_ROTL64(v1, 13);                                                          \
		v1 ^= v0;                                                                          \
		v0 = SIFT_ROTL64(v0, 32);                                                          \
		v2 += v3;                                                                          \
		v3 = SIFT_ROTL64(v3, 16);                                                          \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = SIFT_ROTL64(v3, 21);                                                          \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = SIFT_ROTL64(v1, 17);                                                          \
		v1 ^= v2;                                                                          \
		v2 = SIFT_ROTL64(v2, 32);                                                          \
	} while (0)

/* SipHash-2-4 of @n words at @m under the key (@k0, @k1). @n is a constant at every call. */
static inline __attribute__((always_inline)) __u64 sift_siphash(__u64 k0, __u64 k1, const __u64 *m,
								const int n)
{
	__u64 v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	__u64 v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	__u64 b = (__u64)(8 * n) << 56;

#ifdef __clang__
#pragma unroll
#endif
	for (int i = 0; i < n; i++) {
		v3 ^= m[i];
		SIFT_SIPROUND(v0, v1, v2, v3);
		SIFT_SIPROUND(v0, v1, v2, v3);
		v0 ^= m[i];
	}
	v3 ^= b;
	SIFT_SIPROUND(v0, v1, v2, v3);
	SIFT_SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIFT_SIPROUND(v0, v1, v2, v3);
	SIFT_SIPROUND(v0, v1, v2, v3);
	SIFT_SIPROUND(v0, v1, v2, v3);
	SIFT_SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

#endif /* SIFT_SIPHASH_H */
