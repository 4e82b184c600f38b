// SPDX-License-Identifier: GPL-2.0
/* The native build of include/sift/fwd_util.h. */
#include <stdlib.h>
#include <string.h>

#include <sift/fwd_util.h>
#include "fwd.h"

/* The helpers work on a scratch buffer; copy small texts into one. */
static struct sift_scratch *scratch_with(const void *text, size_t len)
{
	static __thread struct sift_scratch *s;

	if (!s)
		s = calloc(1, sizeof(*s));
	if (!s || len > SIFT_MSG_MAX)
		return NULL;
	memcpy(s->buf, text, len);
	return s;
}

uint64_t sift_callid_hash_of(const void *callid, size_t len)
{
	struct sift_scratch *s = scratch_with(callid, len);

	if (!s)
		return 0;
	s->msg.call_id.off = 0;
	s->msg.call_id.len = len;
	return sift_callid_hash(s);
}

int sift_ip_literal(const char *text, size_t len, struct sift_addr *out)
{
	struct sift_scratch *s = scratch_with(text, len);

	return s ? sift_ip_parse(s, 0, len, out) : -1;
}

int sift_mf_decrement_scratch(struct sift_scratch *s)
{
	return sift_mf_decrement(s);
}

void sift_branch_text(struct sift_scratch *s, uint64_t secret, char out[SIFT_BRANCH_LEN + 1])
{
	uint64_t h = sift_branch_hash(s, secret);

	memcpy(out, SIFT_BRANCH_PREFIX, SIFT_BRANCH_PREFIX_LEN);
	sift_branch_put(s, 0, h, sift_branch_mac(h, secret));
	memcpy(out + SIFT_BRANCH_PREFIX_LEN, s->ins, 24);
	out[SIFT_BRANCH_LEN] = '\0';
}

int sift_branch_valid(const char *branch, size_t len, uint64_t secret)
{
	struct sift_scratch *s = scratch_with(branch, len);

	return s && sift_branch_ours(s, 0, len, secret);
}

int sift_response_next_hop(struct sift_scratch *s)
{
	return sift_response_hop(s);
}
