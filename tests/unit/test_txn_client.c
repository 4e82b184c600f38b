// SPDX-License-Identifier: GPL-2.0
/* Client transactions (user/lib/txn_client.c) under a fake clock. */
#include <string.h>

#include "suites.h"
#include "txn.h"
#include "txn_client.h"

static struct sift_ctxns t;
static unsigned int resent, failed_over, timed_out;

static void op_resend(struct sift_ctxn *x, void *arg)
{
	(void)x, (void)arg;
	resent++;
}

static void op_failover(struct sift_ctxn *x, void *arg)
{
	(void)arg;
	failed_over++;
	if (sift_ctxn_next(&t, x))
		sift_ctxn_sent(&t, x, *(uint64_t *)arg);
}

static void op_timeout(struct sift_ctxn *x, void *arg)
{
	(void)x, (void)arg;
	timed_out++;
}

static const struct sift_ctxn_ops ops = { op_resend, op_failover, op_timeout };
#define MS 1000000ULL

/* Run the clock from @from to @to in 10 ms steps. */
static void run(uint64_t *now, uint64_t to)
{
	while (*now < to) {
		*now += 10 * MS;
		sift_ctxn_tick(&t, *now, &ops, now);
	}
}

static struct sift_ctxn *two_targets(bool invite, uint64_t now)
{
	struct sift_ctxn *x = sift_ctxn_new(&t, 42, invite, "INVITE", 6);

	ck_assert_ptr_nonnull(x);
	x->n_t = 2;
	sift_ctxn_sent(&t, x, now);
	return x;
}

static void setup(void)
{
	ck_assert_int_eq(sift_ctxns_init(&t, 4, 0), 0);
	resent = failed_over = timed_out = 0;
}

static void teardown(void)
{
	sift_ctxns_free(&t);
}

/* Timer A: T1, 2T1, 4T1...; a provisional stops it; B ends it at 64*T1 with a timeout. */
START_TEST(test_ctxn_timer_a_b)
{
	uint64_t now = 0;
	struct sift_ctxn *x = two_targets(true, now);

	run(&now, 3500 * MS + 5 * MS); /* 0.5, 1.5, 3.5 s */
	ck_assert_uint_eq(resent, 3);
	ck_assert_int_eq(sift_ctxn_response(&t, x, 180, now), SIFT_CTXN_PASS);
	run(&now, 31000 * MS);
	ck_assert_uint_eq(resent, 3);
	ck_assert_uint_eq(timed_out, 0);
	run(&now, 32100 * MS);
	ck_assert_uint_eq(timed_out, 1);
	ck_assert_uint_eq(t.n, 0);
}
END_TEST

/* Timer E: capped at T2, on after a provisional; F at 64*T1. */
START_TEST(test_ctxn_timer_e_f)
{
	uint64_t now = 0;
	struct sift_ctxn *x = two_targets(false, now);

	run(&now, 7500 * MS + 5 * MS); /* 0.5, 1.5, 3.5, 7.5 */
	ck_assert_uint_eq(resent, 4);
	run(&now, 11500 * MS + 5 * MS); /* then every T2: 11.5 */
	ck_assert_uint_eq(resent, 5);
	ck_assert_int_eq(sift_ctxn_response(&t, x, 100, now), SIFT_CTXN_PASS);
	run(&now, 15500 * MS + 5 * MS);
	ck_assert_uint_eq(resent, 6);
	run(&now, 32100 * MS);
	ck_assert_uint_eq(timed_out, 1);
}
END_TEST

/* A silent target is given up after the failover time; a 503 moves on too, not past the last. */
START_TEST(test_ctxn_failover)
{
	uint64_t now = 0;
	struct sift_ctxn *x;
	char b0[SIFT_CTXN_BRANCH_LEN + 1], b1[SIFT_CTXN_BRANCH_LEN + 1];

	sift_ctxns_free(&t);
	ck_assert_int_eq(sift_ctxns_init(&t, 4, 300), 0);
	x = two_targets(true, now);
	sift_ctxn_branch(&t, x, b0);
	run(&now, 310 * MS);
	ck_assert_uint_eq(failed_over, 1);
	ck_assert_uint_eq(x->cur, 1);
	sift_ctxn_branch(&t, x, b1);
	ck_assert_str_ne(b0, b1);
	/* the old attempt's branch finds nothing now; the new one finds it */
	ck_assert_ptr_null(sift_ctxn_by_branch(&t, b0, strlen(b0)));
	ck_assert_ptr_eq(sift_ctxn_by_branch(&t, b1, strlen(b1)), x);
	/* the last target's 503 goes back to the caller */
	ck_assert_int_eq(sift_ctxn_response(&t, x, 503, now), SIFT_CTXN_PASS);
	/* and a 503 with a target left moves on */
	x = two_targets(true, now);
	ck_assert_int_eq(sift_ctxn_response(&t, x, 503, now), SIFT_CTXN_NEXT);
}
END_TEST

/* After a final response: a 2xx's copies pass, other copies are absorbed; then the slot frees. */
START_TEST(test_ctxn_completed)
{
	uint64_t now = 0;
	struct sift_ctxn *x = two_targets(true, now), *y;

	ck_assert_int_eq(sift_ctxn_response(&t, x, 200, now), SIFT_CTXN_PASS);
	ck_assert_int_eq(sift_ctxn_response(&t, x, 200, now), SIFT_CTXN_PASS);
	y = two_targets(false, now);
	ck_assert_int_eq(sift_ctxn_response(&t, y, 404, now), SIFT_CTXN_PASS);
	ck_assert_int_eq(sift_ctxn_response(&t, y, 404, now), SIFT_CTXN_ABSORB);
	ck_assert_ptr_eq(sift_ctxn_by_up(&t, 42), x);
	run(&now, 5100 * MS); /* T4: the non-INVITE's slot is free */
	ck_assert_uint_eq(t.n, 1);
	run(&now, 32100 * MS);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_uint_eq(resent, 0);
	ck_assert_uint_eq(timed_out, 0);
}
END_TEST

/* Bounded: a full table sheds. */
START_TEST(test_ctxn_bounded)
{
	for (int i = 0; i < 4; i++)
		ck_assert_ptr_nonnull(sift_ctxn_new(&t, i, false, "x", 1));
	ck_assert_ptr_null(sift_ctxn_new(&t, 9, false, "x", 1));
	ck_assert_uint_eq(t.st.shed, 1);
	ck_assert_ptr_null(sift_ctxn_new(&t, 9, false, "x", SIFT_CTXN_REQ_MAX + 1));
}
END_TEST

Suite *txn_client_suite(void)
{
	Suite *s = suite_create("txn_client");
	TCase *tc = tcase_create("timers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ctxn_timer_a_b);
	tcase_add_test(tc, test_ctxn_timer_e_f);
	tcase_add_test(tc, test_ctxn_failover);
	tcase_add_test(tc, test_ctxn_completed);
	tcase_add_test(tc, test_ctxn_bounded);
	suite_add_tcase(s, tc);
	return s;
}
