// SPDX-License-Identifier: GPL-2.0
/* Local replies (user/lib/reply.c): which code, and the bytes, exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fwd_native.h"
#include "loop.h"
#include "path.h"
#include "reply.h"
#include "sip_native.h"
#include "suites.h"

static struct sift_scratch s;
static char out[SIFT_REPLY_MAX];
static const __u64 key[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };

/* Parse @msg from @src:@sport and build its reply; its length, -1, or 0 for none. */
static ssize_t reply_to(const char *msg, size_t n, const char *src, unsigned int sport,
			unsigned int *code, unsigned int *port)
{
	struct sift_addr a;
	struct sift_reply r;

	memset(&s, 0, sizeof(s));
	sift_sip_parse_bytes(&s, msg, n);
	r = sift_reply_for(&s);
	*code = r.code;
	ck_assert_int_eq(sift_addr_parse(src, &a), 0);
	return r.code ? sift_reply_build(&s, n, &a, sport, key, r, out, sizeof(out), port) : 0;
}

static const char invite_mf0[] = "INVITE sip:+14155550123@198.18.1.1 SIP/2.0\r\n"
				 "Via: SIP/2.0/UDP 198.18.1.2:5070;branch=z9hG4bK-1;rport\r\n"
				 "Via: SIP/2.0/UDP 198.18.9.9;branch=z9hG4bK-0\r\n"
				 "Max-Forwards: 0\r\n"
				 "From: <sip:a@198.18.1.2>;tag=f1\r\n"
				 "To: <sip:+14155550123@198.18.1.1>\r\n"
				 "Call-ID: c1@198.18.1.2\r\n"
				 "CSeq: 7 INVITE\r\n"
				 "Contact: <sip:a@198.18.1.2:5070>\r\n"
				 "Content-Length: 0\r\n\r\n";

/*
 * Max-Forwards 0: 483, the Vias (the top one with rport filled and
 * received, RFC 3581 4), From, To with sift's tag, Call-ID, CSeq; nothing
 * else of the request (Contact, Max-Forwards).  To the source port (rport).
 */
START_TEST(test_reply_483_bytes)
{
	unsigned int code, port;
	ssize_t n = reply_to(invite_mf0, strlen(invite_mf0), "198.18.1.2", 40000, &code, &port);
	char tag[64], want[1024];

	ck_assert_uint_eq(code, 483);
	ck_assert_int_gt(n, 0);
	out[n] = 0;
	/* the tag is a MAC: take it from the reply, then demand every other byte */
	ck_assert_ptr_nonnull(strstr(out, ";tag="));
	ck_assert_int_eq(sscanf(strstr(strstr(out, "To: "), ";tag=") + 5, "%20[-0-9a-z]", tag),
			 1);
	ck_assert_uint_eq(strlen(tag), SIFT_LOCAL_TAG_LEN);
	ck_assert_int_eq(strncmp(tag, "sft-", 4), 0);
	snprintf(want, sizeof(want),
		 "SIP/2.0 483 Too Many Hops\r\n"
		 "Via: SIP/2.0/UDP 198.18.1.2:5070;branch=z9hG4bK-1;rport=40000;received=198.18.1.2\r\n"
		 "Via: SIP/2.0/UDP 198.18.9.9;branch=z9hG4bK-0\r\n"
		 "From: <sip:a@198.18.1.2>;tag=f1\r\n"
		 "To: <sip:+14155550123@198.18.1.1>;tag=%s\r\n"
		 "Call-ID: c1@198.18.1.2\r\n"
		 "CSeq: 7 INVITE\r\n"
		 "Server: sift\r\n"
		 "Content-Length: 0\r\n\r\n",
		 tag);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(port, 40000);
}
END_TEST

/* A retransmission gets the same bytes; another call another tag. */
START_TEST(test_reply_retransmission)
{
	unsigned int code, port;
	char first[SIFT_REPLY_MAX], other[sizeof(invite_mf0)];
	ssize_t n = reply_to(invite_mf0, strlen(invite_mf0), "198.18.1.2", 40000, &code, &port), m;

	ck_assert_int_gt(n, 0);
	memcpy(first, out, n);
	m = reply_to(invite_mf0, strlen(invite_mf0), "198.18.1.2", 40000, &code, &port);
	ck_assert_int_eq(m, n);
	ck_assert_int_eq(memcmp(first, out, n), 0);
	memcpy(other, invite_mf0, sizeof(invite_mf0));
	memcpy(strstr(other, "c1@"), "c2@", 3);
	m = reply_to(other, strlen(other), "198.18.1.2", 40000, &code, &port);
	ck_assert_int_eq(m, n);
	ck_assert_int_ne(memcmp(first, out, n), 0);
}
END_TEST

/*
 * Without rport, to the top Via's port on the source address; sent-by
 * elsewhere gets received= the source.  An existing To tag is kept.
 */
START_TEST(test_reply_port_and_tag)
{
	static const char msg[] = "BYE sip:b@198.18.1.1 SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 198.18.7.7:5080;branch=z9hG4bK-2\r\n"
				  "Max-Forwards: 0\r\n"
				  "From: <sip:a@198.18.1.2>;tag=f1\r\n"
				  "To: <sip:b@198.18.1.1>;tag=t9\r\n"
				  "Call-ID: c3@198.18.1.2\r\n"
				  "CSeq: 8 BYE\r\n"
				  "Content-Length: 0\r\n\r\n";
	unsigned int code, port;
	ssize_t n = reply_to(msg, strlen(msg), "198.18.1.2", 40000, &code, &port);

	ck_assert_uint_eq(code, 483);
	ck_assert_int_gt(n, 0);
	out[n] = 0;
	ck_assert_uint_eq(port, 5080);
	ck_assert_ptr_nonnull(
		strstr(out, "Via: SIP/2.0/UDP 198.18.7.7:5080;branch=z9hG4bK-2;received=198.18.1.2\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "To: <sip:b@198.18.1.1>;tag=t9\r\n"));
	ck_assert_ptr_null(strstr(out, "tag=t9;tag"));
}
END_TEST

/* What must not be answered: an ACK, a response, a request without a usable Via. */
START_TEST(test_reply_none)
{
	static const char *const msgs[] = {
		"ACK sip:b@198.18.1.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.2;branch=z9hG4bK-3\r\n"
		"Max-Forwards: 0\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\n"
		"Call-ID: c4\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.18.1.2;branch=z9hG4bK-3\r\n"
		"From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\n"
		"Call-ID: c4\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		"OPTIONS sip:b@198.18.1.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.2:99999;branch=z\r\n"
		"Max-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\n"
		"Call-ID: c4\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
	};

	for (unsigned int i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		unsigned int code, port;

		ck_assert_int_eq(reply_to(msgs[i], strlen(msgs[i]), "198.18.1.2", 5060, &code, &port),
				 0);
		ck_assert_uint_eq(code, 0);
	}
}
END_TEST

/* RFC 4475's messages with an expected answer get it (the README's table). */
START_TEST(test_reply_rfc4475)
{
	static const struct {
		const char *file;
		unsigned int code;
		const char *must; /* a line the reply must hold, or NULL */
	} cases[] = {
		{ "unkscm.dat", 416, NULL },
		{ "novelsc.dat", 416, NULL },
		{ "bext01.dat", 420,
		  "Unsupported: noProxiesSupportThis, norDoAnyProxiesSupportThis\r\n" },
		{ "badvers.dat", 505, NULL },
		{ "zeromf.dat", 483, NULL },
		/* RFC 4475 asks 400, but its top Via is unusable: nothing may be sent */
		{ "badinv01.dat", 0, NULL },
		{ "insuf.dat", 400, NULL }, /* no Call-ID, From, To to echo: not built */
		{ "scalar02.dat", 400, "SIP/2.0 400 Bad CSeq\r\n" },
		{ "clerr.dat", 400, "SIP/2.0 400 Bad Content-Length\r\n" },
		{ "mismatch01.dat", 400, "SIP/2.0 400 CSeq Method Mismatch\r\n" },
		{ "ltgtruri.dat", 400, "SIP/2.0 400 Bad Request-URI\r\n" },
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static char msg[8192];
		char path[256];
		unsigned int code, port;
		size_t len;
		ssize_t n;
		FILE *f;

		snprintf(path, sizeof(path), "tests/corpus/rfc4475/%s", cases[i].file);
		f = fopen(path, "rb");
		ck_assert_msg(f != NULL, "%s", path);
		len = fread(msg, 1, sizeof(msg), f);
		fclose(f);
		n = reply_to(msg, len, "198.18.1.2", 5060, &code, &port);
		ck_assert_msg(code == cases[i].code, "%s: %u, want %u", cases[i].file, code,
			      cases[i].code);
		if (!cases[i].code || !strcmp(cases[i].file, "insuf.dat")) {
			ck_assert_msg(n <= 0, "%s: a reply of %zd bytes", cases[i].file, n);
			continue;
		}
		ck_assert_msg(n > 0 && (size_t)n <= 3 * len, "%s: %zd bytes", cases[i].file, n);
		out[n] = 0;
		ck_assert_msg(!cases[i].must || strstr(out, cases[i].must), "%s:\n%s", cases[i].file,
			      out);
		/* the identifiers echoed, once each */
		ck_assert_ptr_nonnull(strstr(out, "\r\nCall-ID:") ?: strstr(out, "\r\ni:"));
		ck_assert_ptr_nonnull(strstr(out, ";received=198.18.1.2"));
	}
}
END_TEST

/* A STUN Binding request with transaction ID 01..0c and @extra attribute bytes (zeros). */
static size_t stun_request(unsigned char *b, unsigned int type, size_t extra)
{
	static const unsigned char head[8] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42 };

	memcpy(b, head, 8);
	b[0] = type >> 8;
	b[1] = type & 0xff;
	b[3] = extra;
	for (int i = 0; i < 12; i++)
		b[8 + i] = i + 1;
	memset(b + 20, 0, extra);
	return 20 + extra;
}

/*
 * The parser knows a Binding request (punted for siftd) from what only looks
 * like one; the answer's bytes are RFC 5389's, worked out by hand: X-Port is
 * the port XOR 0x2112, X-Address the address XOR the cookie (and, for IPv6,
 * the transaction ID).
 */
START_TEST(test_reply_stun)
{
	static const unsigned char want4[32] = {
		0x01, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xbd, 0x52, /* 40000 ^ 0x2112 */
		0xe7, 0x00, 0xa5, 0x40,				   /* 198.18.1.2 ^ 2112a442 */
	};
	static const unsigned char want6[44] = {
		0x01, 0x01, 0x00, 0x18, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0x32, 0xd6, /* 5060 ^ 0x2112 */
		/* 2001:0db8:0001:0000:0000:0000:0000:0002 ^ 2112a442 0102030405060708090a0b0c */
		0x01, 0x13, 0xa9, 0xfa, 0x01, 0x03, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
		0x0b, 0x0e,
	};
	unsigned char req[64], out[64];
	struct sift_addr a;
	size_t n;

	n = stun_request(req, 0x0001, 0);
	memset(&s, 0, sizeof(s));
	sift_sip_parse_bytes(&s, req, n);
	ck_assert_uint_eq(s.msg.kind, SIFT_KIND_STUN);
	ck_assert_uint_eq(s.msg.action, SIFT_ACTION_PUNT);
	ck_assert_int_eq(sift_addr_parse("198.18.1.2", &a), 0);
	ck_assert_int_eq(sift_stun_answer(&s, n, &a, 40000, out, sizeof(out)), 32);
	ck_assert_int_eq(memcmp(out, want4, 32), 0);
	ck_assert_int_eq(sift_addr_parse("2001:db8:1::2", &a), 0);
	ck_assert_int_eq(sift_stun_answer(&s, n, &a, 5060, out, sizeof(out)), 44);
	ck_assert_int_eq(memcmp(out, want6, 44), 0);
	/* with attributes (a SOFTWARE, say): still a request */
	n = stun_request(req, 0x0001, 12);
	memset(&s, 0, sizeof(s));
	sift_sip_parse_bytes(&s, req, n);
	ck_assert_uint_eq(s.msg.kind, SIFT_KIND_STUN);

	/* not Binding requests: a response, a length that is not the datagram's, no cookie */
	n = stun_request(req, 0x0101, 0);
	memset(&s, 0, sizeof(s));
	sift_sip_parse_bytes(&s, req, n);
	ck_assert_uint_ne(s.msg.kind, SIFT_KIND_STUN);
	ck_assert_uint_eq(s.msg.action, SIFT_ACTION_DROP);
	n = stun_request(req, 0x0001, 8);
	memset(&s, 0, sizeof(s));
	sift_sip_parse_bytes(&s, req, n - 4);
	ck_assert_uint_ne(s.msg.kind, SIFT_KIND_STUN);
	n = stun_request(req, 0x0001, 0);
	req[4] = 0x22;
	memset(&s, 0, sizeof(s));
	sift_sip_parse_bytes(&s, req, n);
	ck_assert_uint_ne(s.msg.kind, SIFT_KIND_STUN);
	ck_assert_int_eq(sift_stun_answer(&s, n, &a, 5060, out, sizeof(out)), -1);
}
END_TEST

/* Build the reply the decision's @reason calls for to @msg from 198.18.1.2:5070; 0: none. */
static ssize_t decision_reply(const char *msg, unsigned int reason, unsigned int retry_after,
			      unsigned int *code)
{
	struct sift_addr a;
	struct sift_reply r;
	unsigned int port;
	size_t n = strlen(msg);
	ssize_t l;

	memset(&s, 0, sizeof(s));
	sift_sip_parse_bytes(&s, msg, n);
	r = sift_reply_for_decision(&s, reason, retry_after);
	*code = r.code;
	if (!r.code)
		return 0;
	ck_assert_int_eq(sift_addr_parse("198.18.1.2", &a), 0);
	l = sift_reply_build(&s, n, &a, 5070, key, r, out, sizeof(out), &port);
	ck_assert_int_gt(l, 0);
	out[l] = 0;
	return l;
}

/* The reply without its To tag's value (a MAC, checked elsewhere). */
static const char *untagged(void)
{
	static char buf[SIFT_REPLY_MAX];
	char *t = strstr(out, ";tag=sft-");

	ck_assert_ptr_nonnull(t);
	snprintf(buf, sizeof(buf), "%.*s;tag=X%s", (int)(t - out), out, t + 5 + SIFT_LOCAL_TAG_LEN);
	return buf;
}

static const char options_sift[] = "OPTIONS sip:198.18.1.1 SIP/2.0\r\n"
				   "Via: SIP/2.0/UDP 198.18.1.2:5070;branch=z9hG4bK-o1\r\n"
				   "Max-Forwards: 70\r\n"
				   "From: <sip:trunk@198.18.1.2>;tag=f1\r\n"
				   "To: <sip:198.18.1.1>\r\n"
				   "Call-ID: ka1\r\n"
				   "CSeq: 9 OPTIONS\r\n"
				   "Content-Length: 0\r\n\r\n";

/* The decision's answers, byte for byte: 200 to a keepalive, 404, 503 with Retry-After, 484, 482. */
START_TEST(test_reply_decision_bytes)
{
	static const char head[] = "Via: SIP/2.0/UDP 198.18.1.2:5070;branch=z9hG4bK-o1\r\n"
				   "From: <sip:trunk@198.18.1.2>;tag=f1\r\n"
				   "To: <sip:198.18.1.1>;tag=X\r\n"
				   "Call-ID: ka1\r\n"
				   "CSeq: 9 OPTIONS\r\n";
	static const struct {
		unsigned int reason, code;
		const char *status, *extra;
	} cases[] = {
		{ SIFT_REASON_FOR_US, 200, "200 OK",
		  "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, UPDATE, INFO, MESSAGE, REFER, "
		  "SUBSCRIBE, NOTIFY, REGISTER\r\nAccept: application/sdp\r\nSupported: path\r\n" },
		{ SIFT_REASON_NO_ROUTE, 404, "404 Not Found", "" },
		{ SIFT_REASON_NO_BACKEND, 503, "503 Service Unavailable", "Retry-After: 30\r\n" },
		{ SIFT_REASON_LOOP, 482, "482 Loop Detected", "" },
		{ SIFT_REASON_MAX_FORWARDS_ZERO, 483, "483 Too Many Hops", "" },
		{ SIFT_REASON_NEXT_HOP_NAME, 503, "503 Service Unavailable", "" },
	};
	char want[2048];
	unsigned int code;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_gt(decision_reply(options_sift, cases[i].reason,
						cases[i].reason == SIFT_REASON_NO_BACKEND ? 30 : 0,
						&code),
				 0);
		ck_assert_uint_eq(code, cases[i].code);
		snprintf(want, sizeof(want), "SIP/2.0 %s\r\n%s%sServer: sift\r\nContent-Length: 0\r\n\r\n",
			 cases[i].status, head, cases[i].extra);
		ck_assert_str_eq(untagged(), want);
	}
	/* Retry-After 0: none */
	decision_reply(options_sift, SIFT_REASON_NO_BACKEND, 0, &code);
	ck_assert_ptr_null(strstr(out, "Retry-After"));
}
END_TEST

/* Another method for sift: 484; an ACK and the dropping reasons get nothing. */
START_TEST(test_reply_decision_none)
{
	char msg[1024];
	unsigned int code;

	snprintf(msg, sizeof(msg), "%s", options_sift);
	memcpy(msg, "INVITE ", 7);
	memmove(msg + 7, msg + 8, strlen(msg + 8) + 1);
	*strstr(msg, "9 OPTIONS") = 0;
	strcat(msg, "9 INVITE\r\nContent-Length: 0\r\n\r\n");
	ck_assert_int_gt(decision_reply(msg, SIFT_REASON_FOR_US, 0, &code), 0);
	ck_assert_uint_eq(code, 484);
	ck_assert_int_eq(decision_reply(options_sift, SIFT_REASON_RELAY_DENIED, 0, &code), 0);
	ck_assert_int_eq(decision_reply(options_sift, SIFT_REASON_FORGED_RESPONSE, 0, &code), 0);
	ck_assert_int_eq(decision_reply(options_sift, SIFT_REASON_FLOW, 0, &code), 0);
	memcpy(msg, "ACK    ", 7);
	snprintf(msg, sizeof(msg),
		 "ACK sip:1@198.18.1.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.2;branch=z9hG4bK-a\r\n"
		 "Max-Forwards: 70\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:1@198.18.1.1>\r\n"
		 "Call-ID: a\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
	ck_assert_int_eq(decision_reply(msg, SIFT_REASON_NO_ROUTE, 0, &code), 0);
}
END_TEST

/* The Path line, and the flow read back from it; a changed flow or MAC is not sift's. */
START_TEST(test_reply_path_flow)
{
	static const char *const flows[] = { "198.18.0.9", "2001:db8::9" };
	char line[256], msg[1024];

	for (int f = 0; f < 2; f++) {
		struct sift_addr flow, got;
		unsigned int port = 0;
		char *lt, *gt;

		ck_assert_int_eq(sift_addr_parse(flows[f], &flow), 0);
		ck_assert_int_gt(sift_path_line(key, "198.18.1.1", 10, 5060, &flow, 5070, line,
						sizeof(line)),
				 0);
		ck_assert_int_eq(strncmp(line, f ? "Path: <sip:198.18.1.1:5060;lr;flow=[2001:db8::9]:5070;sft="
						 : "Path: <sip:198.18.1.1:5060;lr;flow=198.18.0.9:5070;sft=",
					 f ? 58 : 54),
				 0);
		lt = strchr(line, '<');
		gt = strchr(line, '>');
		/* the registrar's INVITE back, with the Path as its Route */
		snprintf(msg, sizeof(msg),
			 "INVITE sip:ua@198.19.255.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.2.2;branch=z9hG4bK-r\r\n"
			 "Route: %.*s\r\nMax-Forwards: 70\r\nFrom: <sip:r@b>;tag=1\r\n"
			 "To: <sip:ua@b>\r\nCall-ID: r\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
			 (int)(gt - lt + 1), lt);
		memset(&s, 0, sizeof(s));
		sift_sip_parse_bytes(&s, msg, strlen(msg));
		ck_assert_int_eq(sift_path_flow(&s, &s.msg.route, key, &got, &port), 0);
		ck_assert(sift_addr_eq(&got, &flow));
		ck_assert_uint_eq(port, 5070);
		/* another key, another port: not sift's */
		ck_assert_int_ne(sift_path_flow(&s, &s.msg.route, (const __u64[2]){ 1, 2 }, &got, &port), 0);
		*strstr(msg, ":5070;sft") = 0;
		strcat(msg, ":5071;sft=");
		strcat(msg, strstr(line, ";sft=") + 5);
		*strchr(msg + strlen(msg) - 12, '>') = 0;
		strcat(msg, ">\r\nMax-Forwards: 70\r\nFrom: <sip:r@b>;tag=1\r\nTo: <sip:ua@b>\r\n"
			    "Call-ID: r\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
		memset(&s, 0, sizeof(s));
		sift_sip_parse_bytes(&s, msg, strlen(msg));
		ck_assert_int_ne(sift_path_flow(&s, &s.msg.route, key, &got, &port), 0);
	}
}
END_TEST

/*
 * Loop or spiral: the request sift forwarded (its Via and branch, as the
 * native helpers write them), back from the next hop with its Via on top.
 * The same Request-URI is a loop; another is a spiral; a previous hop
 * without RFC 3261's cookie cannot be told: a spiral.
 */
static int looped(const char *ruri_back, const char *prev_branch)
{
	char first[1024], back[1536], branch[SIFT_BRANCH_LEN + 1];
	struct sift_addr nh, ph;

	snprintf(first, sizeof(first),
		 "INVITE sip:1000@198.18.1.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.2:5070;branch=%s\r\n"
		 "Max-Forwards: 70\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:1000@198.18.1.1>\r\n"
		 "Call-ID: lp\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		 prev_branch);
	memset(&s, 0, sizeof(s));
	sift_sip_parse_bytes(&s, first, strlen(first));
	sift_addr_parse("198.18.2.2", &nh);
	sift_addr_parse("198.18.1.2", &ph);
	sift_branch_text(&s, key, &nh, 5060, &ph, 5070, branch);
	snprintf(back, sizeof(back),
		 "INVITE %s SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.2.2:5060;branch=z9hG4bK-next\r\n"
		 "Via: SIP/2.0/UDP 198.18.2.1:5060;branch=%s\r\n"
		 "Via: SIP/2.0/UDP 198.18.1.2:5070;branch=%s;rport=5070;received=198.18.1.2\r\n"
		 "Max-Forwards: 69\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:1000@198.18.1.1>\r\n"
		 "Call-ID: lp\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		 ruri_back, branch, prev_branch);
	memset(&s, 0, sizeof(s));
	sift_sip_parse_bytes(&s, back, strlen(back));
	return sift_loop_check(&s, strlen(back), key);
}

START_TEST(test_reply_loop_or_spiral)
{
	ck_assert_int_eq(looped("sip:1000@198.18.1.1", "z9hG4bK-x1"), 1);
	ck_assert_int_eq(looped("sip:1001@198.18.1.1", "z9hG4bK-x1"), 0);
	ck_assert_int_eq(looped("sip:1000@198.18.1.1", "rfc2543-1"), 0);
}
END_TEST

Suite *reply_suite(void)
{
	Suite *su = suite_create("reply");
	TCase *tc = tcase_create("local");

	tcase_add_test(tc, test_reply_483_bytes);
	tcase_add_test(tc, test_reply_retransmission);
	tcase_add_test(tc, test_reply_port_and_tag);
	tcase_add_test(tc, test_reply_none);
	tcase_add_test(tc, test_reply_rfc4475);
	tcase_add_test(tc, test_reply_stun);
	tcase_add_test(tc, test_reply_decision_bytes);
	tcase_add_test(tc, test_reply_decision_none);
	tcase_add_test(tc, test_reply_path_flow);
	tcase_add_test(tc, test_reply_loop_or_spiral);
	suite_add_tcase(su, tc);
	return su;
}
