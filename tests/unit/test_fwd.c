// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev (shares, weights, what moves when a backend goes) and the map-free
 * forwarding helpers the fast path shares with siftd.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd.h"
#include "maglev.h"
#include "sip.h"
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

START_TEST(test_fwd_branch)
{
	char b1[SIFT_BRANCH_LEN + 1], b2[SIFT_BRANCH_LEN + 1];
	const uint64_t secret = 0x1234567890abcdefULL;

	parse(REQ("SIP/2.0/UDP 198.18.1.2;branch=z9hG4bK-abc", "70"));
	sift_branch_text(&s, secret, b1);
	ck_assert_uint_eq(strlen(b1), SIFT_BRANCH_LEN);
	ck_assert(!strncmp(b1, "z9hG4bK-sft", 11));
	ck_assert(sift_branch_valid(b1, strlen(b1), secret));
	ck_assert(!sift_branch_valid(b1, strlen(b1), secret + 1));
	b1[20] ^= 1; /* tampered */
	ck_assert(!sift_branch_valid(b1, strlen(b1), secret));

	/* the same incoming branch gives the same branch (retransmission, CANCEL) */
	sift_branch_text(&s, secret, b1);
	parse(REQ("SIP/2.0/UDP 10.9.9.9:7000;branch=z9hG4bK-abc;rport", "69"));
	sift_branch_text(&s, secret, b2);
	ck_assert_str_eq(b1, b2);
	parse(REQ("SIP/2.0/UDP 198.18.1.2;branch=z9hG4bK-abd", "70"));
	sift_branch_text(&s, secret, b2);
	ck_assert_str_ne(b1, b2);

	/* RFC 2543 (no magic cookie): the other fields count, the CSeq method does not */
	parse(REQ("SIP/2.0/UDP 198.18.1.2;branch=old", "70"));
	sift_branch_text(&s, secret, b1);
	parse(REQ("SIP/2.0/UDP 198.18.1.2;branch=old", "70"));
	sift_branch_text(&s, secret, b2);
	ck_assert_str_eq(b1, b2);
	parse(REQ("SIP/2.0/UDP 198.18.1.3;branch=old", "70"));
	sift_branch_text(&s, secret, b2);
	ck_assert_str_ne(b1, b2);
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
	tcase_add_test(tu, test_fwd_branch);
	tcase_add_test(tu, test_fwd_max_forwards);
	suite_add_tcase(s, tu);
	return s;
}
