/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loop or spiral (RFC 3261 16.3 step 4).  The fast path punts a request
 * whose second Via is sift's (LOOP): it left sift one hop ago.  sift's
 * branch hashes the transaction's branch (the Via below its own, when that
 * is RFC 3261's z9hG4bK form) and the Request-URI as it came; so the same
 * request back with the same Request-URI has looped, and one the next hop
 * retargeted spirals and is routed again.  A Via below sift's without the
 * magic cookie cannot be told apart: it is taken for a spiral, and a real
 * loop then ends on Max-Forwards (483).
 */
#ifndef SIFT_LIB_LOOP_H
#define SIFT_LIB_LOOP_H

#include <sift/sip.h>

/* 1 when the request parsed in @s (@n bytes) has looped through sift (key: sift's MAC key), else 0. */
int sift_loop_check(struct sift_scratch *s, size_t n, const __u64 key[2]);

#endif
