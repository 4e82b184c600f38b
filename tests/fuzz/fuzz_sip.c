// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the native build of the SIP parser.  Besides the
 * sanitizers' own checks it asserts what every caller relies on: a known
 * reason and action that agree, and every span inside the message.  What
 * siftd would answer (reply.c) is built too: within its buffer, a status
 * line first, and only for what the parser punted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "path.h"
#include "reply.h"
#include "sip_native.h"

#define require(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "invariant failed: %s\n", #cond);                          \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void span_ok(const struct sift_sip_msg *m, struct sift_span sp)
{
	require((unsigned int)sp.off + sp.len <= m->len);
}

static void uri_ok(const struct sift_sip_msg *m, const struct sift_uri *u)
{
	span_ok(m, u->all);
	span_ok(m, u->user);
	span_ok(m, u->host);
	require(u->scheme <= SIFT_SCHEME_OTHER);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly the struct on the heap, so ASan sees any read outside it. */
	struct sift_scratch *s = malloc(sizeof(*s));
	const struct sift_sip_msg *m = &s->msg;
	int reason;

	memset(s, 0xa5, sizeof(*s));
	reason = sift_sip_parse_bytes(s, data, size);

	require(reason == m->reason);
	require(m->reason < SIFT_REASON__MAX);
	require(m->action <= SIFT_ACTION_DROP);
	require((m->reason == SIFT_REASON_OK) == (m->action == SIFT_ACTION_FORWARD));
	if (size <= SIFT_MSG_MAX) {
		require(m->len == size);
		span_ok(m, m->method_tok);
		span_ok(m, m->cseq_method_tok);
		span_ok(m, m->mf_digits);
		span_ok(m, m->via_hdr);
		span_ok(m, m->route_hdr);
		span_ok(m, m->call_id);
		span_ok(m, m->from_tag);
		span_ok(m, m->to_tag);
		span_ok(m, m->user_agent);
		uri_ok(m, &m->ruri);
		uri_ok(m, &m->route);
		for (int i = 0; i < 2; i++) {
			span_ok(m, m->via[i].value);
			span_ok(m, m->via[i].host);
			span_ok(m, m->via[i].branch);
			span_ok(m, m->via[i].received);
			span_ok(m, m->via[i].maddr);
		}
		require(m->via_next <= m->len && m->route_next <= m->len);
	}
	if (m->reason == SIFT_REASON_OK) {
		/* What forwarding will rely on. */
		require(m->kind == SIFT_KIND_REQUEST || m->kind == SIFT_KIND_RESPONSE);
		require(m->eoh <= m->len && m->eoh + m->body_len <= m->len);
		require(m->n_via >= 1 && m->via[0].host.len > 0);
		require(m->call_id.len > 0);
		/* absent Max-Forwards is forwarded with 70 (RFC 3261 16.6 step 3) */
		require(m->kind != SIFT_KIND_REQUEST || m->max_forwards > 0 ||
			!(m->present & SIFT_HDR_MAX_FORWARDS));
		require(m->via_hdr.len >= 2 && m->via[0].value.off >= m->via_hdr.off);
	}
	{
		static const __u64 key[2] = { 1, 2 };
		struct sift_addr src = { .family = SIFT_AF_INET, .v4 = 0x020112c6 };
		struct sift_reply r = sift_reply_for(s);
		char *out = malloc(SIFT_REPLY_MAX); /* exactly, for ASan */
		unsigned int port = 0;
		ssize_t l;

		require(!r.code || m->action == SIFT_ACTION_PUNT);
		if (r.code && size <= SIFT_MSG_MAX) {
			l = sift_reply_build(s, size, &src, 5060, key, r, out, SIFT_REPLY_MAX, &port);
			require(l <= SIFT_REPLY_MAX);
			require(l < 0 || (l > 12 && !memcmp(out, "SIP/2.0 ", 8) && port));
		}
		if (m->kind == SIFT_KIND_STUN) {
			l = sift_stun_answer(s, size, &src, 5060, (unsigned char *)out, 64);
			require(l == 32);
		}
		/* what siftd answers for a decision, its loop check, the flow of sift's Route */
		if (m->kind == SIFT_KIND_REQUEST && size <= SIFT_MSG_MAX) {
			static const unsigned int reasons[] = { SIFT_REASON_FOR_US, SIFT_REASON_NO_ROUTE,
								SIFT_REASON_NO_BACKEND, SIFT_REASON_LOOP };
			struct sift_addr flow;
			unsigned int fport;

			r = sift_reply_for_decision(s, reasons[size & 3], 30);
			if (r.code) {
				l = sift_reply_build(s, size, &src, 5060, key, r, out, SIFT_REPLY_MAX,
						     &port);
				require(l <= SIFT_REPLY_MAX);
			}
			(void)sift_loop_check(s, size, key);
			if (m->n_route)
				(void)sift_path_flow(s, &m->route, key, &flow, &fport);
		}
		free(out);
	}
	free(s);
	return 0;
}
