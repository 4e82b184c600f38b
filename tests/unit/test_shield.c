// SPDX-License-Identifier: GPL-2.0
/*
 * The shield's userspace side: its configuration (file:line errors), live
 * changes, GCRA parameters and steps, and the pieces shared with the fast
 * path (method class, User-Agent token, source keys).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "shield_native.h"
#include "shield_conf.h"
#include "sip_native.h"
#include "suites.h"

static struct sift_conf *conf;
static char err[512];

static void setup(void)
{
	conf = malloc(sizeof(*conf));
	sift_conf_defaults(conf);
}

static void teardown(void)
{
	free(conf);
}

static int load(const char *text)
{
	sift_conf_defaults(conf);
	return sift_conf_load_string(conf, "s.yaml", text, strlen(text), err, sizeof(err));
}

START_TEST(test_shield_conf)
{
	static const char text[] = "shield:\n"
				   "  allow_only: true\n"
				   "  ipv6_prefix: 56\n"
				   "  deny: [203.0.113.0/24, \"2001:db8:bad::/48\"]\n"
				   "  allow:\n"
				   "    - prefix: 198.18.1.0/24\n"
				   "      trusted: true\n"
				   "    - prefix: 198.18.9.9\n"
				   "  limits:\n"
				   "    invite: { rate: 0.5, burst: 3 }\n"
				   "    options: { rate: 0 }\n"
				   "  caps:\n"
				   "    invite: { rate: 1000, burst: 2000 }\n"
				   "  ban: { after: 1.5, time: 60 }\n"
				   "  scanners: [friendly-scanner, Evil-Bot]\n";
	struct sift_shield_conf *sc = &conf->shield;
	char p[SIFT_PREFIXSTRLEN];

	ck_assert_msg(!load(text), "%s", err);
	ck_assert(sc->enabled && sc->allow_only && !sc->require_ua && sc->trust_backends);
	ck_assert_uint_eq(sc->v6_prefix, 56);
	ck_assert_uint_eq(sc->n_deny, 2);
	ck_assert_str_eq(sift_prefix_fmt(&sc->deny[1].prefix, p, sizeof(p)), "2001:db8:bad::/48");
	ck_assert_uint_eq(sc->n_allow, 2);
	ck_assert(sc->allow[0].trusted && !sc->allow[1].trusted);
	ck_assert_str_eq(sift_prefix_fmt(&sc->allow[1].prefix, p, sizeof(p)), "198.18.9.9/32");
	ck_assert_int_eq(sc->allow[1].line, 8);
	ck_assert(sc->limit[SIFT_CLASS_INVITE].rate == 0.5);
	ck_assert_uint_eq(sc->limit[SIFT_CLASS_INVITE].burst, 3);
	ck_assert(sc->limit[SIFT_CLASS_OPTIONS].rate == 0);
	ck_assert(sc->limit[SIFT_CLASS_REGISTER].rate == 20); /* the default stays */
	ck_assert(sc->cap[SIFT_CLASS_INVITE].rate == 1000);
	ck_assert(sc->ban_after == 1.5 && sc->ban_time == 60);
	ck_assert_uint_eq(sc->n_scanners, 2);
}
END_TEST

START_TEST(test_shield_conf_errors)
{
	ck_assert_int_eq(load("shield:\n  deny: [198.18.1.7/24]\n"), -EINVAL);
	ck_assert_str_eq(err, "s.yaml:2:10: 'prefix': '198.18.1.7/24' is not an address or "
			      "ADDRESS/LENGTH (bits past the length must be zero)");
	ck_assert_int_eq(load("shield:\n  limits:\n    invit: { rate: 1 }\n"), -EINVAL);
	ck_assert_str_eq(err, "s.yaml:3:5: unknown setting 'invit' in 'limits'");
	ck_assert_int_eq(load("shield:\n  limits:\n    invite: { rate: -1 }\n"), -EINVAL);
	ck_assert_str_eq(err, "s.yaml:3:21: 'rate' must be a number from 0 to 10000000, not '-1'");
	ck_assert_int_eq(load("shield:\n  limits:\n    invite: { burst: 0 }\n"), -EINVAL);
	ck_assert_str_eq(err, "s.yaml:3:22: 'burst' must be between 1 and 10000000, not 0");
	ck_assert_int_eq(load("shield:\n  allow:\n    - prefix: 198.18.1.0/24\n"
			      "    - prefix: 198.18.1.0/24\n"), -EINVAL);
	ck_assert_str_eq(err, "s.yaml:4:7: duplicate entry in 'allow'");
	ck_assert_int_eq(load("shield:\n  scanners: [\"bad bot\"]\n"), -EINVAL);
	ck_assert(strstr(err, "one User-Agent product token"));
	/* a refused file leaves the configuration as it was */
	ck_assert(conf->shield.limit[SIFT_CLASS_INVITE].rate == 50);
}
END_TEST

static int apply(struct sift_shield_conf *sc, const char *json)
{
	struct sift_shield_conf *before = malloc(sizeof(*before));
	json_t *op = json_loads(json, 0, NULL);
	int ret;

	ck_assert_ptr_nonnull(op);
	*before = *sc;
	ret = sift_shield_apply(sc, op, err, sizeof(err));
	if (ret)
		ck_assert_msg(!memcmp(before, sc, sizeof(*sc)), "a refused change left a trace: %s", json);
	json_decref(op);
	free(before);
	return ret;
}

START_TEST(test_shield_live)
{
	struct sift_shield_conf *sc = &conf->shield;

	ck_assert_int_eq(apply(sc, "{\"op\":\"acl.add\",\"list\":\"allow\",\"prefix\":\"198.18.1.0/24\",\"trusted\":true}"), 0);
	ck_assert_uint_eq(sc->n_allow, 1);
	ck_assert(sc->allow[0].trusted);
	ck_assert_int_eq(sc->allow[0].origin, SIFT_ORIGIN_LIVE);
	ck_assert_int_eq(apply(sc, "{\"op\":\"acl.add\",\"list\":\"allow\",\"prefix\":\"198.18.1.0/24\",\"trusted\":true}"), -EINVAL);
	ck_assert_str_eq(err, "198.18.1.0/24 is on the allow list already");
	/* adding it again without trust changes its trust */
	ck_assert_int_eq(apply(sc, "{\"op\":\"acl.add\",\"list\":\"allow\",\"prefix\":\"198.18.1.0/24\"}"), 0);
	ck_assert(!sc->allow[0].trusted);
	ck_assert_int_eq(apply(sc, "{\"op\":\"acl.add\",\"list\":\"deny\",\"prefix\":\"198.18.1.5/24\"}"), -EINVAL);
	ck_assert(strstr(err, "bits past the length must be zero"));
	ck_assert_int_eq(apply(sc, "{\"op\":\"acl.add\",\"list\":\"deny\",\"prefix\":\"198.18.7.0/24\",\"trusted\":true}"), -EINVAL);
	ck_assert_str_eq(err, "only the allow list trusts");
	ck_assert_int_eq(apply(sc, "{\"op\":\"acl.del\",\"list\":\"deny\",\"prefix\":\"198.18.7.0/24\"}"), -EINVAL);
	ck_assert_str_eq(err, "198.18.7.0/24 is not on the deny list");
	ck_assert_int_eq(apply(sc, "{\"op\":\"acl.del\",\"list\":\"allow\",\"prefix\":\"198.18.1.0/24\"}"), 0);
	ck_assert_uint_eq(sc->n_allow, 0);

	ck_assert_int_eq(apply(sc, "{\"op\":\"limit.set\",\"class\":\"register\",\"rate\":2}"), 0);
	ck_assert(sc->limit[SIFT_CLASS_REGISTER].rate == 2);
	ck_assert_uint_eq(sc->limit[SIFT_CLASS_REGISTER].burst, 40);
	ck_assert_int_eq(sc->limit[SIFT_CLASS_REGISTER].origin, SIFT_ORIGIN_LIVE);
	ck_assert_int_eq(apply(sc, "{\"op\":\"limit.set\",\"class\":\"invite\",\"cap\":true,\"rate\":100,\"burst\":150}"), 0);
	ck_assert(sc->cap[SIFT_CLASS_INVITE].rate == 100);
	ck_assert(sc->limit[SIFT_CLASS_INVITE].rate == 50);
	ck_assert_int_eq(apply(sc, "{\"op\":\"limit.set\",\"class\":\"invite\",\"burst\":0.5}"), -EINVAL);
	ck_assert_str_eq(err, "'burst' must be a whole number of messages, at least 1");
	ck_assert_int_eq(apply(sc, "{\"op\":\"limit.set\",\"class\":\"ping\",\"rate\":1}"), -EINVAL);
	ck_assert_int_eq(apply(sc, "{\"op\":\"ban.set\",\"after\":0.5}"), 0);
	ck_assert(sc->ban_after == 0.5 && sc->ban_time == 300);
	ck_assert_int_eq(apply(sc, "{\"op\":\"shield.set\",\"require_user_agent\":true}"), 0);
	ck_assert(sc->require_ua && sc->enabled);
	ck_assert_int_eq(apply(sc, "{\"op\":\"route.add\",\"group\":\"x\"}"), -ENOENT); /* not the shield's */
}
END_TEST

/* GCRA: the burst at once, then one per interval, exact at low rates. */
START_TEST(test_shield_gcra)
{
	struct sift_limit_conf half = { .rate = 0.5, .burst = 1 }, fifty = { .rate = 50, .burst = 100 };
	struct sift_rate r = sift_limit_rate(&half);
	__u64 tat = 0, t0 = 1000000000000ULL;
	unsigned int ok = 0;

	ck_assert_uint_eq(r.interval, 2000000000ULL);
	ck_assert_uint_eq(r.tolerance, 0);
	r = sift_limit_rate(&fifty);
	ck_assert_uint_eq(r.interval, 20000000ULL);
	ck_assert_uint_eq(r.tolerance, 99 * 20000000ULL);
	ck_assert_uint_eq(sift_limit_rate(&(struct sift_limit_conf){ .rate = 0 }).interval, 0);

	/* 100 at once, then one every 20 ms: in 1 s after the burst, 50 more */
	tat = t0;
	for (int i = 0; i < 1000; i++)
		ok += !sift_gcra_step(&tat, t0, &r);
	ck_assert_uint_eq(ok, 100);
	ok = 0;
	for (__u64 t = t0 + 1000000; t <= t0 + 1000000000ULL; t += 1000000)
		ok += !sift_gcra_step(&tat, t, &r);
	ck_assert_uint_eq(ok, 50);
	/* one message an hour, over a day: 24 (plus the first) */
	r = sift_limit_rate(&(struct sift_limit_conf){ .rate = 1.0 / 3600, .burst = 1 });
	tat = t0;
	ok = 0;
	for (__u64 t = t0; t <= t0 + 86400ULL * 1000000000ULL; t += 60ULL * 1000000000ULL)
		ok += !sift_gcra_step(&tat, t, &r);
	ck_assert_uint_eq(ok, 25);
}
END_TEST

START_TEST(test_shield_shared_pieces)
{
	static struct sift_scratch s;
	static const char *const starts[] = { "INVITE sip:x SIP/2.0", "REGISTER sip:x SIP/2.0",
					      "OPTIONS sip:x SIP/2.0", "BYE sip:x SIP/2.0",
					      "SIP/2.0 200 OK", "invite sip:x SIP/2.0" };
	static const unsigned int want[] = { SIFT_CLASS_INVITE, SIFT_CLASS_REGISTER,
					     SIFT_CLASS_OPTIONS, SIFT_CLASS_OTHER,
					     SIFT_CLASS_RESPONSE, SIFT_CLASS_OTHER };
	static const char msg[] = "OPTIONS sip:1@198.18.1.1 SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 198.18.1.2;branch=z9hG4bK1\r\n"
				  "To: <sip:1@198.18.1.1>\r\nFrom: <sip:x@y>;tag=1\r\nCall-ID: c\r\n"
				  "CSeq: 1 OPTIONS\r\nUser-Agent: SIPVicious/0.3 (linux)\r\n\r\n";
	char tok[SIFT_SCANNER_LEN];
	struct sift_addr a, k;
	char b[SIFT_ADDRSTRLEN];

	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		memset(s.buf, 0, 64);
		memcpy(s.buf, starts[i], strlen(starts[i]));
		ck_assert_uint_eq(sift_msg_class_of(&s, strlen(starts[i])), want[i]);
	}
	sift_sip_parse_bytes(&s, msg, sizeof(msg) - 1);
	ck_assert_int_eq(sift_ua_token_of(&s, tok), 0);
	ck_assert_str_eq(tok, "sipvicious");

	sift_addr_parse("2001:db8:1:2:3:4:5:6", &a);
	sift_src_key_of(&a, 64, &k);
	ck_assert_str_eq(sift_addr_fmt(&k, b, sizeof(b)), "2001:db8:1:2::");
	sift_src_key_of(&a, 56, &k);
	ck_assert_str_eq(sift_addr_fmt(&k, b, sizeof(b)), "2001:db8:1::");
	sift_addr_parse("198.18.1.77", &a);
	sift_src_key_of(&a, 56, &k);
	ck_assert_str_eq(sift_addr_fmt(&k, b, sizeof(b)), "198.18.1.77");
}
END_TEST

Suite *shield_suite(void)
{
	Suite *s = suite_create("shield");
	TCase *tc = tcase_create("shield");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_shield_conf);
	tcase_add_test(tc, test_shield_conf_errors);
	tcase_add_test(tc, test_shield_live);
	tcase_add_test(tc, test_shield_gcra);
	tcase_add_test(tc, test_shield_shared_pieces);
	suite_add_tcase(s, tc);
	return s;
}
