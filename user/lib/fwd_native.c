// SPDX-License-Identifier: GPL-2.0
/* The native build of include/sift/fwd_util.h. */
#include <stdlib.h>
#include <string.h>

#include <sift/fwd_util.h>
#include "fwd_native.h"

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

void sift_branch_text(struct sift_scratch *s, const __u64 key[2], const struct sift_addr *nh,
		      unsigned int nh_port, const struct sift_addr *ph, unsigned int ph_port,
		      char out[SIFT_BRANCH_LEN + 1])
{
	uint64_t h, callid_h;

	s->plan.key[0] = key[0];
	s->plan.key[1] = key[1];
	h = sift_branch_hash(s, key[0]);
	callid_h = sift_callid_keyed(s);
	memcpy(out, SIFT_BRANCH_PREFIX, SIFT_BRANCH_PREFIX_LEN);
	sift_branch_put(s, 0, h, sift_branch_mac(key, h, callid_h, nh, nh_port, ph, ph_port));
	memcpy(out + SIFT_BRANCH_PREFIX_LEN, s->ins, 24);
	out[SIFT_BRANCH_LEN] = '\0';
}

uint32_t sift_vouch_of(struct sift_scratch *s, const __u64 key[2], const struct sift_addr *hop)
{
	s->plan.key[0] = key[0];
	s->plan.key[1] = key[1];
	return sift_vouch_mac(key, sift_callid_keyed(s), hop);
}

int sift_response_check(struct sift_scratch *s, const __u64 key[2], const struct sift_addr *from,
			unsigned int from_port)
{
	struct sift_fwd_plan *pl = &s->plan;
	int r;

	memset(pl, 0, sizeof(*pl));
	pl->key[0] = key[0];
	pl->key[1] = key[1];
	pl->peer = *from;
	pl->peer_port = from_port;
	if (s->msg.kind != SIFT_KIND_RESPONSE)
		return SIFT_REASON_NOT_OUR_VIA;
	r = sift_response_hop(s);
	if (r)
		return r;
	return sift_response_verify(s);
}

int sift_response_hop_scratch(struct sift_scratch *s)
{
	return sift_response_hop(s);
}

int sift_via_received_scratch(struct sift_scratch *s, const struct sift_addr *from,
			      unsigned int from_port)
{
	s->plan.peer = *from;
	s->plan.peer_port = from_port;
	return sift_via_received(s);
}
