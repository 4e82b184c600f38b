// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev (shares, weights, what moves when a backend goes) and the map-free
 * forwarding helpers the fast path shares with siftd.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sift/siphash.h>

#include "addr.h"
#include "fwd_native.h"
#include "maglev.h"
#include "sip_native.h"
#include "suites.h"

#define M SIFT_MAGLEV_SIZE
#define NONE 0xffffffffu

static uint32_t table_a[M], table_b[M];

static void members(struct maglev_member *mb, unsigned int n, const uint32_t *weights)
{
	for (unsigned int i = 0; i < n; i++) {
		uint32_t a = htonl(0xc6120202 + i); /* 198.18.2.2 + i */

		mb[i].key = maglev_key(&a, 4, 5060);
		mb[i].weight = weights ? weights[i] : 100;
		mb[i].id = i;
	}
}

static unsigned int share(const uint32_t *t, uint32_t id)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < M; i++)
		n += t[i] == id;
	return n;
}

START_TEST(test_maglev_equal_shares)
{
	struct maglev_member mb[10];

	members(mb, 10, NULL);
	ck_assert_int_eq(maglev_build(mb, 10, table_a, M, NONE), 0);
	for (uint32_t id = 0; id < 10; id++) {
		unsigned int n = share(table_a, id);

		/* M/N = 6553.7; Maglev's imbalance is a fraction of a percent */
		ck_assert_msg(n > 6490 && n < 6620, "backend %u owns %u entries", id, n);
	}
	ck_assert_uint_eq(share(table_a, NONE), 0);
}
END_TEST

START_TEST(test_maglev_weights)
{
	struct maglev_member mb[3];
	uint32_t w[3] = { 100, 200, 100 };

	members(mb, 3, w);
	ck_assert_int_eq(maglev_build(mb, 3, table_a, M, NONE), 0);
	/* 1:2:1 of 65537 */
	ck_assert_uint_le(abs((int)share(table_a, 0) - 16384), 300);
	ck_assert_uint_le(abs((int)share(table_a, 1) - 32768), 300);
	ck_assert_uint_le(abs((int)share(table_a, 2) - 16384), 300);
}
END_TEST

/* Removing one of N backends moves about 1/N of the dialogs, nearly all of them its own. */
START_TEST(test_maglev_disruption)
{
	const unsigned int n = 8, calls = 200000;
	struct maglev_member mb[8];
	unsigned int moved = 0, moved_other = 0;
	char callid[64];

	members(mb, n, NULL);
	ck_assert_int_eq(maglev_build(mb, n, table_a, M, NONE), 0);
	mb[3].weight = 0; /* backend 3 goes */
	ck_assert_int_eq(maglev_build(mb, n, table_b, M, NONE), 0);
	ck_assert_uint_eq(share(table_b, 3), 0);

	for (unsigned int i = 0; i < calls; i++) {
		int len = snprintf(callid, sizeof(callid), "%u-%u@198.18.1.2", i, i * 7919);
		uint32_t slot = sift_callid_hash_of(callid, len) % M;

		if (table_a[slot] != table_b[slot]) {
			moved++;
			moved_other += table_a[slot] != 3;
		}
	}
	/* 1/8 = 12.5% must move; Maglev keeps the others' extra moves small */
	ck_assert_msg(moved > calls * 0.115 && moved < calls * 0.14, "%.2f%% moved",
		      100.0 * moved / calls);
	ck_assert_msg(moved_other < calls * 0.015, "%.2f%% moved off surviving backends",
		      100.0 * moved_other / calls);
}
END_TEST

/* A Call-ID always lands on the same backend: the table, not chance, decides. */
START_TEST(test_maglev_stable)
{
	struct maglev_member mb[5];

	members(mb, 5, NULL);
	ck_assert_int_eq(maglev_build(mb, 5, table_a, M, NONE), 0);
	/* reordering the members changes nothing */
	struct maglev_member rev[5];
	for (int i = 0; i < 5; i++)
		rev[i] = mb[4 - i];
	ck_assert_int_eq(maglev_build(rev, 5, table_b, M, NONE), 0);
	ck_assert_mem_eq(table_a, table_b, sizeof(table_a));
	ck_assert_uint_eq(sift_callid_hash_of("abc@x", 5), sift_callid_hash_of("abc@x", 5));
	ck_assert_uint_ne(sift_callid_hash_of("abc@x", 5), sift_callid_hash_of("abd@x", 5));
}
END_TEST

START_TEST(test_maglev_empty)
{
	struct maglev_member mb[2];

	members(mb, 2, NULL);
	mb[0].weight = mb[1].weight = 0;
	ck_assert_int_eq(maglev_build(mb, 2, table_a, M, NONE), 0);
	ck_assert_uint_eq(share(table_a, NONE), M);
}
END_TEST

/* ---- helpers -------------------------------------------------------------------- */

static int ip(const char *text, struct sift_addr *a)
{
	return sift_ip_literal(text, strlen(text), a);
}

static const char *v6(const struct sift_addr *a)
{
	static char buf[64];

	return inet_ntop(AF_INET6, a->v6, buf, sizeof(buf));
}

START_TEST(test_fwd_ip_literals)
{
	struct sift_addr a;

	ck_assert_int_eq(ip("198.18.2.3", &a), 0);
	ck_assert_uint_eq(a.family, SIFT_AF_INET);
	ck_assert_uint_eq(ntohl(a.v4), 0xc6120203);
	ck_assert_int_eq(ip("0.0.0.0", &a), 0);
	ck_assert_int_ne(ip("198.18.2", &a), 0);
	ck_assert_int_ne(ip("198.18.2.256", &a), 0);
	ck_assert_int_ne(ip("198.18.2.3.4", &a), 0);
	ck_assert_int_ne(ip("example.com", &a), 0);

	ck_assert_int_eq(ip("[2001:db8::10]", &a), 0);
	ck_assert_uint_eq(a.family, SIFT_AF_INET6);
	ck_assert_str_eq(v6(&a), "2001:db8::10");
	ck_assert_int_eq(ip("2001:db8::9:255", &a), 0); /* received= without brackets */
	ck_assert_str_eq(v6(&a), "2001:db8::9:255");
	ck_assert_int_eq(ip("[::ffff:192.0.2.10]", &a), 0);
	ck_assert_str_eq(v6(&a), "::ffff:192.0.2.10");
	ck_assert_int_eq(ip("[2001:db8::192.0.2.1]", &a), 0);
	ck_assert_str_eq(v6(&a), "2001:db8::c000:201");
	ck_assert_int_eq(ip("[1:2:3:4:5:6:7:8]", &a), 0);
	ck_assert_str_eq(v6(&a), "1:2:3:4:5:6:7:8");
	ck_assert_int_eq(ip("[::]", &a), 0);
	ck_assert_str_eq(v6(&a), "::");
	ck_assert_int_eq(ip("[1::]", &a), 0);
	ck_assert_str_eq(v6(&a), "1::");
	/* RFC 5118 4.10: three colons before a dotted quad read as two */
	ck_assert_int_eq(ip("[2001:db8:::192.0.2.1]", &a), 0);
	ck_assert_str_eq(v6(&a), "2001:db8::c000:201");
	ck_assert_int_eq(ip("2001:db8:::192.0.2.1", &a), 0);
	ck_assert_str_eq(v6(&a), "2001:db8::c000:201");
	ck_assert_int_eq(ip("[:::192.0.2.1]", &a), 0);
	ck_assert_str_eq(v6(&a), "::192.0.2.1");
	/* and nowhere else: not before hex digits, not at the end, not twice */
	ck_assert_int_ne(ip("[2001:db8:::1]", &a), 0);
	ck_assert_int_ne(ip("[2001:db8:::]", &a), 0);
	ck_assert_int_ne(ip("[2001:db8::::192.0.2.1]", &a), 0);
	ck_assert_int_ne(ip("[2001:db8:::192.0.2]", &a), 0);
	ck_assert_int_ne(ip("[1:2:3:4:5:6:::192.0.2.1]", &a), 0);
	ck_assert_int_ne(ip("[1:2:3:4:5:6:7]", &a), 0);
	ck_assert_int_ne(ip("[1::2::3]", &a), 0);
	ck_assert_int_ne(ip("[12345::]", &a), 0);
	ck_assert_int_ne(ip("[1:]", &a), 0);
	ck_assert_int_ne(ip("[2001:db8::10", &a), 0);
}
END_TEST

static struct sift_scratch s;

static void parse(const char *text)
{
	size_t o = 0;

	memset(&s, 0, sizeof(s));
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			s.buf[o++] = '\r';
		s.buf[o++] = *p;
	}
	sift_sip_parse_scratch(&s, o);
}

#define REQ(via, mf)                                                                               \
	"INVITE sip:+14155550123@198.18.1.1 SIP/2.0\n"                                             \
	"Via: " via "\n"                                                                           \
	"To: <sip:bob@example.com>\nFrom: <sip:alice@example.com>;tag=a1\n"                        \
	"Call-ID: c1@198.18.1.2\nCSeq: 1 INVITE\nMax-Forwards: " mf "\n\n"

/* SipHash-2-4's reference vectors (key 00..0f, message 00 01 02 ...), for whole words. */
START_TEST(test_fwd_siphash_vectors)
{
	const __u64 k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
	const __u64 m[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };

	ck_assert_uint_eq(sift_siphash(k0, k1, m, 0), 0x726fdb47dd0e0e31ULL);
	ck_assert_uint_eq(sift_siphash(k0, k1, m, 1), 0x93f5f5799a932462ULL);
	ck_assert_uint_eq(sift_siphash(k0, k1, m, 2), 0x3f2acc7f57c29bdbULL);
}
END_TEST

static const __u64 key[2] = { 0x1234567890abcdefULL, 0x0fedcba987654321ULL };

static struct sift_addr addr(const char *text)
{
	struct sift_addr a;

	ck_assert_int_eq(sift_addr_parse(text, &a), 0);
	return a;
}

/* The response a backend at @nh sends back for the request parsed in @s, with @branch on top. */
static void response_for(const char *branch, const char *via1, const char *callid)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 198.18.2.1:5060;branch=%s\nVia: %s\n"
		 "To: <sip:bob@example.com>;tag=b\nFrom: <sip:alice@example.com>;tag=a1\n"
		 "Call-ID: %s\nCSeq: 1 INVITE\nContent-Length: 0\n\n",
		 branch, via1, callid);
	parse(text);
}

/*
 * The branch is the same for a retransmission and a CANCEL (stateless,
 * RFC 3261 16.11), and its MAC binds it to the next hop, the call and the
 * hop responses go back to: a response verifies only from the backend the
 * request went to, for that Call-ID, towards the caller.
 */
START_TEST(test_fwd_branch)
{
	char b1[SIFT_BRANCH_LEN + 1], b2[SIFT_BRANCH_LEN + 1];
	struct sift_addr be = addr("198.18.2.2"), caller = addr("198.18.1.2"), other;
	const char *via1 = "SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bK-abc";

	parse(REQ("SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bK-abc", "70"));
	sift_branch_text(&s, key, &be, 5060, &caller, 5062, b1);
	ck_assert_uint_eq(strlen(b1), SIFT_BRANCH_LEN);
	ck_assert(!strncmp(b1, "z9hG4bK-sft", 11));

	/* the same incoming branch gives the same branch (retransmission, CANCEL) */
	parse(REQ("SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bK-abc;rport", "69"));
	sift_branch_text(&s, key, &be, 5060, &caller, 5062, b2);
	ck_assert_str_eq(b1, b2);
	parse(REQ("SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bK-abd", "70"));
	sift_branch_text(&s, key, &be, 5060, &caller, 5062, b2);
	ck_assert_str_ne(b1, b2);

	/* the genuine response verifies and goes to the caller */
	response_for(b1, via1, "c1@198.18.1.2");
	ck_assert_int_eq(sift_response_check(&s, key, &be, 5060), 0);
	ck_assert(sift_addr_eq(&s.plan.dst, &caller));
	ck_assert_uint_eq(s.plan.dport, 5062);
	/* replayed from another host, or another port of the backend */
	other = addr("198.18.1.66");
	ck_assert_int_eq(sift_response_check(&s, key, &other, 5060), SIFT_REASON_FORGED_RESPONSE);
	ck_assert_int_eq(sift_response_check(&s, key, &be, 5061), SIFT_REASON_FORGED_RESPONSE);
	/* under another key */
	ck_assert_int_eq(sift_response_check(&s, (const __u64[2]){ key[0], key[1] ^ 1 }, &be, 5060),
			 SIFT_REASON_FORGED_RESPONSE);
	/* the Via below sift's turned to a bystander, or to another port of the caller */
	response_for(b1, "SIP/2.0/UDP 198.18.1.13:5060;branch=z9hG4bK-abc", "c1@198.18.1.2");
	ck_assert_int_eq(sift_response_check(&s, key, &be, 5060), SIFT_REASON_FORGED_RESPONSE);
	response_for(b1, "SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bK-abc;rport=9",
		     "c1@198.18.1.2");
	ck_assert_int_eq(sift_response_check(&s, key, &be, 5060), SIFT_REASON_FORGED_RESPONSE);
	/* moved onto another call */
	response_for(b1, via1, "c2@198.18.1.2");
	ck_assert_int_eq(sift_response_check(&s, key, &be, 5060), SIFT_REASON_FORGED_RESPONSE);
	/* a MAC digit changed */
	b2[0] = '\0';
	strcpy(b2, b1);
	b2[SIFT_BRANCH_LEN - 1] ^= 1;
	response_for(b2, via1, "c1@198.18.1.2");
	ck_assert_int_ne(sift_response_check(&s, key, &be, 5060), 0);
	/* not sift's form at all */
	response_for("z9hG4bK-other", via1, "c1@198.18.1.2");
	ck_assert_int_eq(sift_response_check(&s, key, &be, 5060), SIFT_REASON_NOT_OUR_VIA);

	/* RFC 2543 (no magic cookie): the other fields count, the CSeq method does not */
	parse(REQ("SIP/2.0/UDP 198.18.1.2;branch=old", "70"));
	sift_branch_text(&s, key, &be, 5060, &caller, 5060, b1);
	parse(REQ("SIP/2.0/UDP 198.18.1.2;branch=old", "70"));
	sift_branch_text(&s, key, &be, 5060, &caller, 5060, b2);
	ck_assert_str_eq(b1, b2);
	parse(REQ("SIP/2.0/UDP 198.18.1.3;branch=old", "70"));
	sift_branch_text(&s, key, &be, 5060, &caller, 5060, b2);
	ck_assert_str_ne(b1, b2);
}
END_TEST

/* The vouch binds the dialog and the hop; nothing else verifies. */
START_TEST(test_fwd_vouch)
{
	struct sift_addr caller = addr("198.18.1.2"), other = addr("198.18.1.13");
	struct sift_addr caller6 = addr("2001:db8:1::2");
	uint32_t v;

	parse(REQ("SIP/2.0/UDP 198.18.1.2;branch=z9hG4bK-1", "70"));
	v = sift_vouch_of(&s, key, &caller);
	ck_assert_uint_eq(sift_vouch_of(&s, key, &caller), v);
	ck_assert_uint_ne(sift_vouch_of(&s, key, &other), v);
	ck_assert_uint_ne(sift_vouch_of(&s, key, &caller6), v);
	ck_assert_uint_ne(sift_vouch_of(&s, (const __u64[2]){ key[0] ^ 1, key[1] }, &caller), v);
	parse("BYE sip:a@198.18.1.2 SIP/2.0\nVia: SIP/2.0/UDP 198.18.2.2;branch=z9hG4bK-2\n"
	      "To: <sip:a@example.com>;tag=a1\nFrom: <sip:b@example.com>;tag=b\n"
	      "Call-ID: c2@198.18.1.2\nCSeq: 2 BYE\nMax-Forwards: 70\n\n");
	ck_assert_uint_ne(sift_vouch_of(&s, key, &caller), v);
}
END_TEST

/*
 * RFC 3261 18.2.1 and RFC 3581 on a request's top Via as it came from
 * @src:@port: the Via as sift sends it on (@want), the port its responses
 * will go to, or the reason it is not done in the fast path.
 */
static void via(const char *in, const char *src, unsigned int port, const char *want,
		unsigned int reply_port, int reason)
{
	char text[1024], out[512];
	struct sift_addr a = addr(src);
	const struct sift_via *v;
	size_t at, vo;
	int r;

	snprintf(text, sizeof(text), REQ("%s", "70"), in);
	parse(text);
	ck_assert_msg(s.msg.reason == SIFT_REASON_OK, "%s: %s", in, sift_reason_name(s.msg.reason));
	v = &s.msg.via[0];
	r = sift_via_received_scratch(&s, &a, port);
	ck_assert_msg(r == reason, "%s from %s: reason %s, want %s", in, src, sift_reason_name(r),
		      sift_reason_name(reason));
	if (reason)
		return;
	vo = v->value.off;
	at = s.plan.via_at ? s.plan.via_at : vo + v->value.len;
	ck_assert_uint_le(s.plan.vpar_len, SIFT_VIA_PARAMS_MAX);
	snprintf(out, sizeof(out), "%.*s%.*s%.*s", (int)(at - vo), s.buf + vo,
		 s.plan.via_at ? (int)s.plan.vpar_len : 0, (const char *)s.plan.vpar,
		 (int)(vo + v->value.len - at), s.buf + at);
	ck_assert_msg(!strcmp(out, want), "%s from %s: got '%s', want '%s'", in, src, out, want);
	ck_assert_msg(!!s.plan.via_at == !!strcmp(in, want), "%s: via_at set for no change", in);
	ck_assert_uint_eq(s.plan.reply_port, reply_port);
}

START_TEST(test_fwd_via_received)
{
	/* sent-by is the source: nothing to add */
	via("SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKa", "198.18.1.2", 5062,
	    "SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKa", 5062, 0);
	via("SIP/2.0/UDP 198.18.1.2;branch=z9hG4bKa", "198.18.1.2", 40000,
	    "SIP/2.0/UDP 198.18.1.2;branch=z9hG4bKa", 5060, 0);
	/* another host, a NAT's inside address, a name: received, responses to the sent-by port */
	via("SIP/2.0/UDP 198.18.1.13:5060;branch=z9hG4bKa", "198.18.1.10", 5060,
	    "SIP/2.0/UDP 198.18.1.13:5060;branch=z9hG4bKa;received=198.18.1.10", 5060, 0);
	via("SIP/2.0/UDP pc33.example.com;branch=z9hG4bKa", "198.18.1.10", 5070,
	    "SIP/2.0/UDP pc33.example.com;branch=z9hG4bKa;received=198.18.1.10", 5060, 0);
	/* rport asks: filled with the source port, and received even when sent-by matches */
	via("SIP/2.0/UDP 10.0.0.5:5062;rport;branch=z9hG4bKa", "198.18.1.10", 41000,
	    "SIP/2.0/UDP 10.0.0.5:5062;rport=41000;received=198.18.1.10;branch=z9hG4bKa", 41000, 0);
	via("SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKa;rport", "198.18.1.2", 5062,
	    "SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKa;rport=5062;received=198.18.1.2", 5062, 0);
	via("SIP/2.0/UDP 10.0.0.5 ; RPort ;branch=z9hG4bKa", "198.18.1.10", 7,
	    "SIP/2.0/UDP 10.0.0.5 ; RPort=7;received=198.18.1.10 ;branch=z9hG4bKa", 7, 0);
	/* a quoted ";rport" is not the parameter */
	via("SIP/2.0/UDP 10.0.0.5;x=\";rport\";rport;branch=z9hG4bKa", "198.18.1.10", 9,
	    "SIP/2.0/UDP 10.0.0.5;x=\";rport\";rport=9;received=198.18.1.10;branch=z9hG4bKa", 9, 0);
	/* an rport with a value (not from a client of RFC 3581) is followed as it is */
	via("SIP/2.0/UDP 198.18.1.2:5062;rport=5099;branch=z9hG4bKa", "198.18.1.2", 1234,
	    "SIP/2.0/UDP 198.18.1.2:5062;rport=5099;branch=z9hG4bKa", 5099, 0);
	/* a received of its own: kept when it is the source, else only siftd rewrites it */
	via("SIP/2.0/UDP 10.0.0.5;received=198.18.1.2;branch=z9hG4bKa", "198.18.1.2", 5060,
	    "SIP/2.0/UDP 10.0.0.5;received=198.18.1.2;branch=z9hG4bKa", 5060, 0);
	via("SIP/2.0/UDP 198.18.1.2;received=198.18.1.13;branch=z9hG4bKa", "198.18.1.2", 5060,
	    NULL, 0, SIFT_REASON_VIA_RECEIVED);
	/* the first of two values in one header */
	via("SIP/2.0/UDP 198.18.1.13;branch=z9hG4bKa, SIP/2.0/UDP 10.1.1.1;branch=z9hG4bKb",
	    "198.18.1.10", 5060, "SIP/2.0/UDP 198.18.1.13;branch=z9hG4bKa;received=198.18.1.10",
	    5060, 0);
	/* IPv6: RFC 5952's text, no brackets (RFC 3261's grammar for received) */
	via("SIP/2.0/UDP [2001:db8:1::2]:5062;branch=z9hG4bKa", "2001:db8:1::10", 5062,
	    "SIP/2.0/UDP [2001:db8:1::2]:5062;branch=z9hG4bKa;received=2001:db8:1::10", 5062, 0);
	via("SIP/2.0/UDP [2001:db8:1::2]:5062;branch=z9hG4bKa", "2001:db8:1::2", 5062,
	    "SIP/2.0/UDP [2001:db8:1::2]:5062;branch=z9hG4bKa", 5062, 0);
	via("SIP/2.0/UDP [2001:db8::1];rport;branch=z9hG4bKa",
	    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 65535,
	    "SIP/2.0/UDP [2001:db8::1];rport=65535;received=2001:db8:ffff:ffff:ffff:ffff:ffff:ffff;"
	    "branch=z9hG4bKa",
	    65535, 0);
}
END_TEST

/* received= carries the source in RFC 5952's form, as inet_ntop writes it. */
START_TEST(test_fwd_received_text)
{
	char text[1024], want[80], a6[INET6_ADDRSTRLEN];
	unsigned int seed = 7;

	for (int i = 0; i < 5000; i++) {
		struct sift_addr a = { .family = SIFT_AF_INET6 };

		for (int g = 0; g < 8; g++) {
			unsigned int r = rand_r(&seed);
			unsigned int v = r & 3 ? 0 : (r >> 2) & (r & 4 ? 0xf : 0xffff);

			a.v6[2 * g] = v >> 8;
			a.v6[2 * g + 1] = v;
		}
		a.v6[0] |= 0x20; /* glibc writes ::a.b.c.d and ::ffff:a.b.c.d as dotted quads */
		inet_ntop(AF_INET6, a.v6, a6, sizeof(a6));
		snprintf(text, sizeof(text), REQ("SIP/2.0/UDP sift.example;branch=z9hG4bK%d", "70"), i);
		parse(text);
		ck_assert_int_eq(sift_via_received_scratch(&s, &a, 5060), 0);
		snprintf(want, sizeof(want), ";received=%s", a6);
		ck_assert_msg(s.plan.vpar_len == strlen(want) && !memcmp(s.plan.vpar, want, strlen(want)),
			      "got '%.*s', want '%s'", (int)s.plan.vpar_len, s.plan.vpar, want);
	}
	for (int i = 0; i < 1000; i++) {
		struct sift_addr a = { .family = SIFT_AF_INET, .v4 = (__u32)rand_r(&seed) };
		char a4[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &a.v4, a4, sizeof(a4));
		parse(REQ("SIP/2.0/UDP sift.example;branch=z9hG4bK1", "70"));
		ck_assert_int_eq(sift_via_received_scratch(&s, &a, 5060), 0);
		snprintf(want, sizeof(want), ";received=%s", a4);
		ck_assert_msg(s.plan.vpar_len == strlen(want) && !memcmp(s.plan.vpar, want, strlen(want)),
			      "got '%.*s', want '%s'", (int)s.plan.vpar_len, s.plan.vpar, want);
	}
}
END_TEST

static void mf(const char *in, const char *want)
{
	char text[512];
	const char *p;

	snprintf(text, sizeof(text), REQ("SIP/2.0/UDP 198.18.1.2;branch=z9hG4bK-1", "%s"), in);
	parse(text);
	ck_assert_int_eq(sift_mf_decrement_scratch(&s), 0);
	p = (const char *)s.buf + s.msg.mf_digits.off;
	ck_assert_msg(!memcmp(p, want, strlen(want)) && p[strlen(want)] == '\r',
		      "Max-Forwards %s became '%.*s', want '%s'", in, (int)strlen(want), p, want);
}

START_TEST(test_fwd_max_forwards)
{
	mf("70", "69");
	mf("10", " 9");
	mf("100", " 99");
	mf("1", "0");
	mf("0068", "0067");
	mf("010", "009");
	mf("255", "254");
	/* the decremented message still parses, with the new value */
	mf("10", " 9");
	sift_sip_parse_scratch(&s, s.msg.len);
	ck_assert_uint_eq(s.msg.max_forwards, 9);
	ck_assert_uint_eq(s.msg.reason, SIFT_REASON_OK);
}
END_TEST

Suite *fwd_suite(void)
{
	Suite *s = suite_create("fwd");
	TCase *tm = tcase_create("maglev");
	TCase *tu = tcase_create("helpers");

	tcase_set_timeout(tm, 30);
	tcase_add_test(tm, test_maglev_equal_shares);
	tcase_add_test(tm, test_maglev_weights);
	tcase_add_test(tm, test_maglev_disruption);
	tcase_add_test(tm, test_maglev_stable);
	tcase_add_test(tm, test_maglev_empty);
	suite_add_tcase(s, tm);
	tcase_add_test(tu, test_fwd_ip_literals);
	tcase_add_test(tu, test_fwd_siphash_vectors);
	tcase_add_test(tu, test_fwd_branch);
	tcase_add_test(tu, test_fwd_vouch);
	tcase_add_test(tu, test_fwd_via_received);
	tcase_add_test(tu, test_fwd_received_text);
	tcase_add_test(tu, test_fwd_max_forwards);
	suite_add_tcase(s, tu);
	return s;
}
