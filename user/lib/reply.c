// SPDX-License-Identifier: GPL-2.0
/* The slow path's local replies: which, and their bytes (see reply.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sift/reasons.h>
#include <sift/siphash.h>

#include "fwd_native.h"
#include "reply.h"

/* A 400's phrase names what is wrong (RFC 3261 21.4.1 leaves the phrase to us). */
static const char *bad_request_phrase(unsigned int reason)
{
	switch (reason) {
	case SIFT_REASON_BAD_START_LINE: return "Bad Request Line";
	case SIFT_REASON_BAD_RURI: return "Bad Request-URI";
	case SIFT_REASON_BAD_LINE_END: return "Bad Line End";
	case SIFT_REASON_NO_END_OF_HEADERS: return "Incomplete Message";
	case SIFT_REASON_BAD_HEADER: return "Bad Header";
	case SIFT_REASON_MISSING_HEADER: return "Missing Header";
	case SIFT_REASON_DUP_HEADER: return "Duplicate Header";
	case SIFT_REASON_BAD_VIA: return "Bad Via";
	case SIFT_REASON_BAD_CSEQ: return "Bad CSeq";
	case SIFT_REASON_CSEQ_MISMATCH: return "CSeq Method Mismatch";
	case SIFT_REASON_BAD_CALL_ID: return "Bad Call-ID";
	case SIFT_REASON_BAD_FROM: return "Bad From";
	case SIFT_REASON_BAD_TO: return "Bad To";
	case SIFT_REASON_BAD_CONTACT: return "Bad Contact";
	case SIFT_REASON_BAD_ROUTE: return "Bad Route";
	case SIFT_REASON_BAD_MAX_FORWARDS: return "Bad Max-Forwards";
	case SIFT_REASON_BAD_CONTENT_LENGTH: return "Bad Content-Length";
	case SIFT_REASON_BAD_DATE: return "Bad Date";
	default: return "Bad Request";
	}
}

struct sift_reply sift_reply_for(const struct sift_scratch *s)
{
	const struct sift_sip_msg *m = &s->msg;
	struct sift_reply r = { 0, NULL, 0 };

	/* only requests the parser punted as answerable (a usable top Via); never an ACK */
	if (m->kind != SIFT_KIND_REQUEST || m->action != SIFT_ACTION_PUNT ||
	    m->method == SIFT_METHOD_ACK)
		return r;
	switch (m->reason) {
	case SIFT_REASON_BAD_VERSION:
		return (struct sift_reply){ 505, "Version Not Supported", 0 };
	case SIFT_REASON_UNSUPPORTED_SCHEME:
		return (struct sift_reply){ 416, "Unsupported URI Scheme", 0 };
	case SIFT_REASON_PROXY_REQUIRE:
		return (struct sift_reply){ 420, "Bad Extension", 0 };
	case SIFT_REASON_MAX_FORWARDS_ZERO:
		return (struct sift_reply){ 483, "Too Many Hops", 0 };
	case SIFT_REASON_OK:
		return r;
	default:
		break;
	}
	if (m->reason >= SIFT_REASON_BAD_START_LINE && m->reason <= SIFT_REASON_BAD_DATE)
		return (struct sift_reply){ 400, bad_request_phrase(m->reason), 0 };
	return r;
}

struct sift_reply sift_reply_for_decision(const struct sift_scratch *s, unsigned int reason,
					  unsigned int retry_after)
{
	const struct sift_sip_msg *m = &s->msg;
	struct sift_reply r = { 0, NULL, 0 };

	if (m->kind != SIFT_KIND_REQUEST || m->method == SIFT_METHOD_ACK || !m->via[0].branch.len)
		return r;
	switch (reason) {
	case SIFT_REASON_FOR_US:
		if (m->method == SIFT_METHOD_OPTIONS)
			return (struct sift_reply){ 200, "OK", 0 };
		return (struct sift_reply){ 484, "Address Incomplete", 0 };
	case SIFT_REASON_LOOP:
		return (struct sift_reply){ 482, "Loop Detected", 0 };
	case SIFT_REASON_NO_ROUTE:
		return (struct sift_reply){ 404, "Not Found", 0 };
	case SIFT_REASON_NO_BACKEND:
		return (struct sift_reply){ 503, "Service Unavailable", retry_after };
	case SIFT_REASON_MAX_FORWARDS_ZERO:
		return (struct sift_reply){ 483, "Too Many Hops", 0 };
	case SIFT_REASON_NOT_SIFT_IFACE:
	case SIFT_REASON_FIB_MISS:
	case SIFT_REASON_NO_NEIGH:
	case SIFT_REASON_VIA_RECEIVED:
	case SIFT_REASON_NEXT_HOP_NAME:
	case SIFT_REASON_MTU:
		return (struct sift_reply){ 503, "Service Unavailable", 0 };
	default:
		return r;
	}
}

/* The header a line names, of those a reply copies. */
enum hdr { H_OTHER, H_VIA, H_FROM, H_TO, H_CALL_ID, H_CSEQ, H_PROXY_REQUIRE };

static enum hdr hdr_of(const char *line, size_t len, size_t *value)
{
	static const struct {
		const char *name;
		enum hdr h;
	} names[] = {
		{ "via", H_VIA },	  { "v", H_VIA },	    { "from", H_FROM },
		{ "f", H_FROM },	  { "to", H_TO },	    { "t", H_TO },
		{ "call-id", H_CALL_ID }, { "i", H_CALL_ID },	    { "cseq", H_CSEQ },
		{ "proxy-require", H_PROXY_REQUIRE },
	};
	size_t n = 0, c;

	while (n < len && line[n] != ':' && line[n] != ' ' && line[n] != '\t')
		n++;
	c = n;
	while (c < len && (line[c] == ' ' || line[c] == '\t'))
		c++;
	if (c >= len || line[c] != ':')
		return H_OTHER;
	*value = c + 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n && !strncasecmp(line, names[i].name, n))
			return names[i].h;
	return H_OTHER;
}

struct out {
	char *p;
	size_t len, cap;
	int full;
};

static void put(struct out *o, const void *b, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, b, n);
	o->len += n;
}

static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		o->full = 1;
	else
		put(o, tmp, n);
}

/* sift's To tag for the request in @s: the same for its retransmissions. */
static void to_tag(struct sift_scratch *s, const __u64 key[2], char out[SIFT_LOCAL_TAG_LEN + 1])
{
	const struct sift_sip_msg *m = &s->msg;
	__u64 w[4];

	w[0] = sift_callid_hash_of(s->buf + m->call_id.off, m->call_id.len);
	w[1] = sift_callid_hash_of(s->buf + m->from_tag.off, m->from_tag.len);
	w[2] = sift_callid_hash_of(s->buf + m->via[0].branch.off, m->via[0].branch.len);
	w[3] = (__u64)m->cseq << 8 | m->method;
	snprintf(out, SIFT_LOCAL_TAG_LEN + 1, "sft-%016llx",
		 (unsigned long long)sift_siphash(key[0], key[1], w, 4));
}

ssize_t sift_reply_build(struct sift_scratch *s, size_t n, const struct sift_addr *src,
			 unsigned int sport, const __u64 key[2], struct sift_reply r, char *out,
			 size_t cap, unsigned int *to_port)
{
	const struct sift_sip_msg *m = &s->msg;
	struct out o = { out, 0, cap, 0 };
	const char *buf = (const char *)s->buf;
	unsigned int seen = 0, top_done = 0;
	size_t pr_off = 0, pr_len = 0;
	enum hdr cur = H_OTHER;
	char tag[SIFT_LOCAL_TAG_LEN + 1];

	if (!r.code || m->n_lines < 2 || m->n_lines >= SIFT_MAX_LINES || m->eoh > n)
		return -1;
	/* the top Via's received and rport, as the fast path adds them to what it forwards */
	if (sift_via_received_scratch(s, src, sport) && !(m->via[0].flags & SIFT_VIA_RECEIVED))
		return -1;
	*to_port = s->plan.reply_port;
	putf(&o, "SIP/2.0 %u %s\r\n", r.code, r.phrase);
	for (unsigned int i = 1; i < m->n_lines; i++) {
		size_t at = s->line[i], end = s->line[i + 1], v = 0;
		int cont;

		if (end > n || end <= at)
			return -1;
		cont = buf[at] == ' ' || buf[at] == '\t';
		if (!cont)
			cur = hdr_of(buf + at, end - at, &v);
		if (cur == H_OTHER)
			continue;
		if (cur == H_PROXY_REQUIRE) {
			if (!cont && !pr_len) {
				pr_off = at + v;
				pr_len = end - pr_off;
			}
			continue;
		}
		seen |= 1u << cur;
		if (cur == H_VIA && !top_done && at <= s->plan.via_at && s->plan.via_at <= end &&
		    s->plan.vpar_len) {
			/* the top Via: its parameters where the fast path puts them */
			put(&o, buf + at, s->plan.via_at - at);
			put(&o, s->plan.vpar, s->plan.vpar_len);
			put(&o, buf + s->plan.via_at, end - s->plan.via_at);
			top_done = 1;
			continue;
		}
		if (cur == H_TO && !cont && !m->to_tag.len && r.code > 100) {
			/* the line without its CRLF, then sift's tag */
			size_t e = end;

			while (e > at && (buf[e - 1] == '\r' || buf[e - 1] == '\n'))
				e--;
			to_tag(s, key, tag);
			put(&o, buf + at, e - at);
			putf(&o, ";tag=%s\r\n", tag);
			continue;
		}
		if (cur == H_VIA)
			top_done = 1;
		put(&o, buf + at, end - at);
	}
	if (seen != (1u << H_VIA | 1u << H_FROM | 1u << H_TO | 1u << H_CALL_ID | 1u << H_CSEQ))
		return -1;
	if (r.code == 420 && pr_len) {
		/* the option tags sift does not support: all of them (it supports none) */
		put(&o, "Unsupported:", 12);
		put(&o, buf + pr_off, pr_len);
	}
	if (r.code == 503 && r.retry_after)
		putf(&o, "Retry-After: %u\r\n", r.retry_after);
	if (r.code == 200 && m->method == SIFT_METHOD_OPTIONS)
		putf(&o, "Allow: %s\r\nAccept: %s\r\nSupported: %s\r\n", SIFT_REPLY_ALLOW,
		     SIFT_REPLY_ACCEPT, SIFT_REPLY_SUPPORTED);
	putf(&o, "Server: sift\r\nContent-Length: 0\r\n\r\n");
	return o.full ? -1 : (ssize_t)o.len;
}

ssize_t sift_stun_answer(const struct sift_scratch *s, size_t n, const struct sift_addr *src,
			 unsigned int sport, unsigned char *out, size_t cap)
{
	static const unsigned char cookie[4] = { 0x21, 0x12, 0xa4, 0x42 };
	const unsigned char *req = s->buf;
	size_t alen = src->family == SIFT_AF_INET ? 4 : 16, len = 20 + 4 + 4 + alen;

	if (s->msg.kind != SIFT_KIND_STUN || n < 20 || cap < len)
		return -1;
	memcpy(out, req, 20); /* the cookie and the transaction ID */
	out[0] = 0x01;        /* Binding success response */
	out[1] = 0x01;
	out[2] = (len - 20) >> 8;
	out[3] = (len - 20) & 0xff;
	out[20] = 0x00; /* XOR-MAPPED-ADDRESS */
	out[21] = 0x20;
	out[22] = 0;
	out[23] = 4 + alen;
	out[24] = 0;
	out[25] = src->family == SIFT_AF_INET ? 0x01 : 0x02;
	out[26] = (sport >> 8) ^ cookie[0];
	out[27] = (sport & 0xff) ^ cookie[1];
	for (size_t i = 0; i < alen; i++) {
		const unsigned char *a = src->family == SIFT_AF_INET ? (const unsigned char *)&src->v4 :
								       src->v6;

		/* the address XOR the cookie, then (IPv6) the transaction ID */
		out[28 + i] = a[i] ^ req[4 + i];
	}
	return len;
}
