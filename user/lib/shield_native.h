/* SPDX-License-Identifier: GPL-2.0 */
/* The native build of the shield's map-free pieces (include/sift/shield_util.h). */
#ifndef SIFT_LIB_SHIELD_NATIVE_H
#define SIFT_LIB_SHIELD_NATIVE_H

#include <stddef.h>
#include <sift/shield.h>
#include <sift/sip.h>

/* The method class of the datagram in s->buf (@len bytes). */
unsigned int sift_msg_class_of(struct sift_scratch *s, size_t len);
/* The parsed message's first User-Agent token, lower case, as scanners are matched.  0 or -1. */
int sift_ua_token_of(struct sift_scratch *s, char out[SIFT_SCANNER_LEN]);
/* The key a source is limited and banned under. */
void sift_src_key_of(const struct sift_addr *src, unsigned int v6_prefix, struct sift_addr *out);
/* One GCRA step: 0 conforming (accounted), 1 over. */
int sift_gcra_step(__u64 *tat, __u64 now, const struct sift_rate *r);

#endif
