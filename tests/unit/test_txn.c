// SPDX-License-Identifier: GPL-2.0
/* Server transactions (user/lib/txn.c) under a fake clock. */
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "txn.h"

#define MS 1000000ULL

static struct sift_txns t;
static struct sift_addr to = { .family = SIFT_AF_INET, .v4 = 0x020112c6 };
static unsigned int sent;
static uint64_t sent_at[64];
static uint64_t clock_now;

static bool on_send(const struct sift_txn *x, void *arg)
{
	(void)arg;
	ck_assert_uint_eq(x->len, 5);
	ck_assert_int_eq(memcmp(x->resp, "SIP/2", 5), 0);
	if (sent < 64)
		sent_at[sent] = clock_now;
	sent++;
	return true;
}

static void setup(void)
{
	ck_assert_int_eq(sift_txns_init(&t, 4), 0);
	sent = 0;
	clock_now = 0;
}

static void teardown(void)
{
	sift_txns_free(&t);
}

/* Run the clock from its time to @until in 10 ms steps, the timers with it. */
static void run_until(uint64_t until)
{
	while (clock_now < until) {
		clock_now += 10 * MS;
		sift_txn_tick(&t, clock_now, on_send, NULL);
	}
}

/*
 * A non-2xx to an INVITE: retransmitted on Timer G (T1, 2T1, 4T1, then T2)
 * until Timer H (64 T1) with no ACK; the transaction is then gone.
 */
START_TEST(test_txn_timer_g_until_h)
{
	uint64_t k = sift_txn_key("z9hG4bK-1", 9, "198.18.1.2:5070", 15, true);

	ck_assert(sift_txn_respond(&t, k, true, "SIP/2", 5, &to, 5070, 3, 0));
	ck_assert_uint_eq(sift_txn_next(&t), 500 * MS);
	run_until(32000 * MS - 10 * MS);
	/* 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, ... 31.5 s */
	ck_assert_uint_eq(sent, 10);
	ck_assert_uint_eq(sent_at[0], 500 * MS);
	ck_assert_uint_eq(sent_at[1], 1500 * MS);
	ck_assert_uint_eq(sent_at[2], 3500 * MS);
	ck_assert_uint_eq(sent_at[3], 7500 * MS);
	ck_assert_uint_eq(sent_at[4], 11500 * MS);
	ck_assert_uint_eq(t.n, 1);
	run_until(32000 * MS);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_uint_eq(t.st.timed_out, 1);
	ck_assert_uint_eq(sift_txn_next(&t), 0);
	ck_assert_int_eq(sift_txn_request(&t, k, false, &to, clock_now, on_send, NULL), SIFT_TXN_NEW);
}
END_TEST

/* The ACK stops Timer G and is absorbed; so is the next one, until Timer I. */
START_TEST(test_txn_ack_absorbed)
{
	uint64_t k = sift_txn_key("z9hG4bK-2", 9, "198.18.1.2:5070", 15, true);

	ck_assert(sift_txn_respond(&t, k, true, "SIP/2", 5, &to, 5070, 3, 0));
	run_until(600 * MS);
	ck_assert_uint_eq(sent, 1);
	ck_assert_int_eq(sift_txn_request(&t, k, true, &to, clock_now, on_send, NULL), SIFT_TXN_ABSORBED);
	ck_assert_uint_eq(t.st.absorbed, 1);
	run_until(5000 * MS);
	ck_assert_uint_eq(sent, 1); /* nothing more */
	ck_assert_int_eq(sift_txn_request(&t, k, true, &to, clock_now, on_send, NULL), SIFT_TXN_ABSORBED);
	/* the INVITE again while Confirmed: absorbed, not answered */
	ck_assert_int_eq(sift_txn_request(&t, k, false, &to, clock_now, on_send, NULL), SIFT_TXN_ABSORBED);
	run_until(600 * MS + SIFT_T4 + 10 * MS);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_uint_eq(t.st.timed_out, 0);
}
END_TEST

/* A retransmitted request gets the kept response; a non-INVITE's ends on Timer J. */
START_TEST(test_txn_retransmission_and_j)
{
	uint64_t k = sift_txn_key("z9hG4bK-3", 9, "198.18.1.2:5070", 15, false);
	uint64_t k2 = sift_txn_key("z9hG4bK-3", 9, "198.18.1.2:5070", 15, true);

	ck_assert_uint_ne(k, k2); /* the same branch for an INVITE is another transaction */
	ck_assert(sift_txn_respond(&t, k, false, "SIP/2", 5, &to, 5070, 3, 0));
	run_until(2000 * MS);
	ck_assert_uint_eq(sent, 0); /* no Timer G for a non-INVITE */
	ck_assert_int_eq(sift_txn_request(&t, k, false, &to, clock_now, on_send, NULL), SIFT_TXN_RESENT);
	ck_assert_uint_eq(sent, 1);
	ck_assert_int_eq(sift_txn_request(&t, k2, false, &to, clock_now, on_send, NULL), SIFT_TXN_NEW);
	run_until(32000 * MS);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_int_eq(sift_txn_request(&t, k, false, &to, clock_now, on_send, NULL), SIFT_TXN_NEW);
}
END_TEST

/*
 * Bounded: a fifth transaction in a table of four is shed, counted; slots
 * freed by expiry are reused, and every kept one is still found (the index
 * survives deletions).
 */
START_TEST(test_txn_bounded)
{
	uint64_t k[6];

	for (int i = 0; i < 6; i++) {
		char b[16];

		snprintf(b, sizeof(b), "z9hG4bK-b%d", i);
		k[i] = sift_txn_key(b, strlen(b), "h", 1, false);
	}
	for (int i = 0; i < 4; i++)
		ck_assert(sift_txn_respond(&t, k[i], false, "SIP/2", 5, &to, 5060, 3, i * MS));
	ck_assert(!sift_txn_respond(&t, k[4], false, "SIP/2", 5, &to, 5060, 3, 4 * MS));
	ck_assert_uint_eq(t.st.shed, 1);
	ck_assert(!sift_txn_respond(&t, k[0], false, "SIP/2", 5, &to, 5060, 3, 4 * MS));
	/* the first two expire */
	sift_txn_tick(&t, 64 * SIFT_T1 + 1 * MS, on_send, NULL);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_int_eq(sift_txn_request(&t, k[0], false, &to, 0, on_send, NULL), SIFT_TXN_NEW);
	ck_assert_int_eq(sift_txn_request(&t, k[2], false, &to, 0, on_send, NULL), SIFT_TXN_RESENT);
	ck_assert_int_eq(sift_txn_request(&t, k[3], false, &to, 0, on_send, NULL), SIFT_TXN_RESENT);
	ck_assert(sift_txn_respond(&t, k[4], false, "SIP/2", 5, &to, 5060, 3, 0));
	ck_assert(sift_txn_respond(&t, k[5], false, "SIP/2", 5, &to, 5060, 3, 0));
	for (int i = 2; i < 6; i++)
		ck_assert_int_eq(sift_txn_request(&t, k[i], false, &to, 0, on_send, NULL),
				 SIFT_TXN_RESENT);
	ck_assert(!sift_txn_respond(&t, k[1], false, "SIP/2", SIFT_TXN_RESP_MAX + 1, &to, 5060, 3,
				    0));
}
END_TEST

/*
 * A branch is on the wire for anyone to copy: a request or ACK of the
 * transaction from another address gets no resend and stops no timer.
 */
START_TEST(test_txn_foreign_copy)
{
	struct sift_addr other = { .family = SIFT_AF_INET, .v4 = 0x0d0112c6 };
	uint64_t k = sift_txn_key("z9hG4bK-4", 9, "198.18.1.2:5070", 15, true);

	ck_assert(sift_txn_respond(&t, k, true, "SIP/2", 5, &to, 5070, 3, 0));
	ck_assert_int_eq(sift_txn_request(&t, k, false, &other, 0, on_send, NULL),
			 SIFT_TXN_ABSORBED);
	ck_assert_int_eq(sift_txn_request(&t, k, true, &other, 0, on_send, NULL),
			 SIFT_TXN_ABSORBED);
	ck_assert_uint_eq(sent, 0);
	ck_assert_uint_eq(t.st.foreign, 2);
	ck_assert_uint_eq(t.st.absorbed, 0);
	run_until(600 * MS);
	ck_assert_uint_eq(sent, 1); /* Timer G still runs */
	ck_assert_int_eq(sift_txn_request(&t, k, false, &to, clock_now, on_send, NULL),
			 SIFT_TXN_RESENT);
}
END_TEST

Suite *txn_suite(void)
{
	Suite *su = suite_create("txn");
	TCase *tc = tcase_create("server");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_txn_timer_g_until_h);
	tcase_add_test(tc, test_txn_ack_absorbed);
	tcase_add_test(tc, test_txn_retransmission_and_j);
	tcase_add_test(tc, test_txn_bounded);
	tcase_add_test(tc, test_txn_foreign_copy);
	suite_add_tcase(su, tc);
	return su;
}
