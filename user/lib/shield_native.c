// SPDX-License-Identifier: GPL-2.0
/* The native build of include/sift/shield_util.h. */
#include <string.h>

#include <sift/shield_util.h>
#include "shield_native.h"

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
