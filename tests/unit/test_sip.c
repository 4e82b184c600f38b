// SPDX-License-Identifier: GPL-2.0
/*
 * The SIP parser, built natively (the same source as the XDP program's):
 * the corpus verdicts, the torture messages field by field, and one crafted
 * message per grammar feature and per reason.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defects.h"
#include "pkt.h"
#include "sip_native.h"
#include "suites.h"

#define CORPUS "tests/corpus/"

static struct sift_scratch scratch;
static char raw[8192];

static const struct sift_sip_msg *parse_file(const char *name)
{
	long n = pkt_read_file(name, raw, sizeof(raw));

	ck_assert_msg(n >= 0, "%s: %s", name, strerror(-n));
	memset(&scratch, 0, sizeof(scratch));
	sift_sip_parse_bytes(&scratch, raw, n);
	return &scratch.msg;
}

/* Parse @text with each "\n" sent as CRLF (test messages stay readable). */
static const struct sift_sip_msg *parse_text(const char *text)
{
	size_t o = 0;

	for (const char *p = text; *p && o + 2 < sizeof(raw); p++) {
		if (*p == '\n')
			raw[o++] = '\r';
		raw[o++] = *p;
	}
	memset(&scratch, 0, sizeof(scratch));
	sift_sip_parse_bytes(&scratch, raw, o);
	return &scratch.msg;
}

/* The text a span points at equals @want (NULL: the span is empty). */
#define ck_span(sp, want)                                                                          \
	do {                                                                                       \
		struct sift_span sp_ = (sp);                                                       \
		const char *w_ = (want);                                                           \
		if (!w_) {                                                                         \
			ck_assert_msg(sp_.len == 0, #sp " is '%.*s', want empty", sp_.len,           \
				      (char *)scratch.buf + sp_.off);                              \
		} else {                                                                           \
			ck_assert_msg(sp_.len == strlen(w_) &&                                     \
					      !memcmp(scratch.buf + sp_.off, w_, sp_.len),         \
				      #sp " is '%.*s', want '%s'", sp_.len,                        \
				      (char *)scratch.buf + sp_.off, w_);                          \
		}                                                                                  \
	} while (0)

#define ck_verdict(m, reason_, action_)                                                            \
	do {                                                                                       \
		ck_assert_msg((m)->reason == (reason_), "reason %s, want %s",                      \
			      sift_reason_name((m)->reason), sift_reason_name(reason_));           \
		ck_assert_msg((m)->action == (action_), "action %s, want %s",                      \
			      sift_action_name((m)->action), sift_action_name(action_));           \
	} while (0)

#define FWD(m) ck_verdict(m, SIFT_REASON_OK, SIFT_ACTION_FORWARD)

/* ---- the corpus: every manifest row has an expected verdict ---------------- */

struct expect {
	const char *file;
	enum sift_reason reason;
	enum sift_action action;
};

/* Not OK; the reason follows the manifest's note (the RFC's prescribed answer). */
static const struct expect expects[] = {
	{ "rfc4475/badinv01.dat", SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP },
	{ "rfc4475/clerr.dat", SIFT_REASON_BAD_CONTENT_LENGTH, SIFT_ACTION_PUNT },
	{ "rfc4475/ncl.dat", SIFT_REASON_BAD_CONTENT_LENGTH, SIFT_ACTION_PUNT },
	{ "rfc4475/scalar02.dat", SIFT_REASON_BAD_CSEQ, SIFT_ACTION_PUNT },
	{ "rfc4475/scalarlg.dat", SIFT_REASON_BAD_CSEQ, SIFT_ACTION_DROP },
	{ "rfc4475/quotbal.dat", SIFT_REASON_BAD_TO, SIFT_ACTION_PUNT },
	{ "rfc4475/ltgtruri.dat", SIFT_REASON_BAD_RURI, SIFT_ACTION_PUNT },
	{ "rfc4475/lwsruri.dat", SIFT_REASON_BAD_START_LINE, SIFT_ACTION_PUNT },
	{ "rfc4475/lwsstart.dat", SIFT_REASON_BAD_START_LINE, SIFT_ACTION_PUNT },
	{ "rfc4475/trws.dat", SIFT_REASON_BAD_START_LINE, SIFT_ACTION_PUNT },
	{ "rfc4475/escruri.dat", SIFT_REASON_BAD_RURI, SIFT_ACTION_PUNT },
	{ "rfc4475/baddate.dat", SIFT_REASON_BAD_DATE, SIFT_ACTION_PUNT },
	{ "rfc4475/regbadct.dat", SIFT_REASON_BAD_CONTACT, SIFT_ACTION_PUNT },
	{ "rfc4475/badaspec.dat", SIFT_REASON_BAD_TO, SIFT_ACTION_PUNT },
	{ "rfc4475/baddn.dat", SIFT_REASON_BAD_FROM, SIFT_ACTION_PUNT },
	{ "rfc4475/badvers.dat", SIFT_REASON_BAD_VERSION, SIFT_ACTION_PUNT },
	{ "rfc4475/mismatch01.dat", SIFT_REASON_CSEQ_MISMATCH, SIFT_ACTION_PUNT },
	{ "rfc4475/mismatch02.dat", SIFT_REASON_CSEQ_MISMATCH, SIFT_ACTION_PUNT },
	{ "rfc4475/bigcode.dat", SIFT_REASON_BAD_STATUS, SIFT_ACTION_DROP },
	{ "rfc4475/insuf.dat", SIFT_REASON_MISSING_HEADER, SIFT_ACTION_PUNT },
	{ "rfc4475/unkscm.dat", SIFT_REASON_UNSUPPORTED_SCHEME, SIFT_ACTION_PUNT },
	{ "rfc4475/novelsc.dat", SIFT_REASON_UNSUPPORTED_SCHEME, SIFT_ACTION_PUNT },
	{ "rfc4475/bext01.dat", SIFT_REASON_PROXY_REQUIRE, SIFT_ACTION_PUNT },
	{ "rfc4475/multi01.dat", SIFT_REASON_DUP_HEADER, SIFT_ACTION_PUNT },
	{ "rfc4475/mcl01.dat", SIFT_REASON_DUP_HEADER, SIFT_ACTION_PUNT },
	{ "rfc4475/zeromf.dat", SIFT_REASON_MAX_FORWARDS_ZERO, SIFT_ACTION_PUNT },
	{ "rfc4475/test.dat", SIFT_REASON_BAD_START_LINE, SIFT_ACTION_DROP },
	{ "rfc4475/variants/baddn-terminated.dat", SIFT_REASON_BAD_FROM, SIFT_ACTION_PUNT },
	{ "rfc5118/ipv6-bad.sip", SIFT_REASON_BAD_RURI, SIFT_ACTION_PUNT },
	{ "flows/keepalive-crlfcrlf.sip", SIFT_REASON_KEEPALIVE, SIFT_ACTION_DROP },
	{ "flows/options-03-max-forwards-0.sip", SIFT_REASON_MAX_FORWARDS_ZERO, SIFT_ACTION_PUNT },
};

START_TEST(test_sip_parse_corpus_verdicts)
{
	FILE *f = fopen(CORPUS "MANIFEST.tsv", "r");
	char line[4096];
	int rows = 0;

	ck_assert_msg(f, "open " CORPUS "MANIFEST.tsv: %s", strerror(errno));
	ck_assert(fgets(line, sizeof(line), f)); /* header */
	while (fgets(line, sizeof(line), f)) {
		char *file = strtok(line, "\t"), *expected;
		enum sift_reason want = SIFT_REASON_OK;
		enum sift_action act = SIFT_ACTION_FORWARD;
		const struct sift_sip_msg *m;
		char path[512];

		strtok(NULL, "\t");
		expected = strtok(NULL, "\t");
		for (size_t i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
			if (!strcmp(expects[i].file, file)) {
				want = expects[i].reason;
				act = expects[i].action;
			}
		}
		/* Every invalid message must have its own expectation, never "ok". */
		ck_assert_msg(strcmp(expected, "invalid") || want != SIFT_REASON_OK,
			      "%s is invalid but has no expected reason", file);
		snprintf(path, sizeof(path), CORPUS "%s", file);
		m = parse_file(path);
		ck_assert_msg(m->reason == want && m->action == act, "%s: %s/%s, want %s/%s", file,
			      sift_action_name(m->action), sift_reason_name(m->reason),
			      sift_action_name(act), sift_reason_name(want));
		rows++;
	}
	fclose(f);
	ck_assert_int_eq(rows, 102);
}
END_TEST

/* ---- torture messages, field by field -------------------------------------- */

START_TEST(test_sip_parse_wsinv)
{
	const struct sift_sip_msg *m = parse_file(CORPUS "rfc4475/wsinv.dat");

	FWD(m);
	ck_assert_uint_eq(m->kind, SIFT_KIND_REQUEST);
	ck_assert_uint_eq(m->method, SIFT_METHOD_INVITE);
	ck_assert_uint_eq(m->ruri.scheme, SIFT_SCHEME_SIP);
	ck_span(m->ruri.all, "sip:vivekg@chair-dnrc.example.com;unknownparam");
	ck_span(m->ruri.user, "vivekg");
	ck_span(m->ruri.host, "chair-dnrc.example.com");
	ck_assert_uint_eq(m->ruri.port, 0);
	ck_assert_uint_eq(m->version_major, 2);
	ck_assert_uint_eq(m->version_minor, 0);
	/* "Via  : SIP  /   2.0 CRLF /UDP CRLF 192.0.2.2" and a comma list in "v:" */
	ck_assert_uint_eq(m->n_via, 3);
	ck_assert_uint_eq(m->via[0].transport, SIFT_TRANSPORT_UDP);
	ck_span(m->via[0].host, "192.0.2.2");
	ck_span(m->via[0].branch, "390skdjuw");
	ck_assert(!(m->via[0].flags & SIFT_VIA_COOKIE));
	ck_assert_uint_eq(m->via[1].transport, SIFT_TRANSPORT_TCP);
	ck_span(m->via[1].host, "spindle.example.com");
	ck_span(m->via[1].branch, "z9hG4bK9ikj8");
	ck_assert(m->via[1].flags & SIFT_VIA_COOKIE);
	ck_span(m->call_id, "wsinv.ndaksdj@192.0.2.1");
	ck_assert_uint_eq(m->cseq, 9); /* "0009", folded before INVITE */
	ck_assert_uint_eq(m->cseq_method, SIFT_METHOD_INVITE);
	ck_span(m->from_tag, "98asjd8");
	ck_span(m->to_tag, "1918181833n");
	ck_assert_uint_eq(m->max_forwards, 68); /* "0068" */
	ck_span(m->mf_digits, "0068");
	ck_assert_uint_eq(m->content_length, 150);
	ck_assert_uint_eq(m->body_len, 150);
	ck_assert_uint_eq(m->eoh + m->body_len, m->len);
	ck_assert_uint_eq(m->n_route, 1);
	ck_span(m->route.host, "services.example.com");
	ck_assert(m->route.flags & SIFT_URI_LR);
	ck_assert_uint_eq(m->n_contact, 1);
}
END_TEST

START_TEST(test_sip_parse_intmeth)
{
	const struct sift_sip_msg *m = parse_file(CORPUS "rfc4475/intmeth.dat");

	FWD(m);
	ck_assert_uint_eq(m->method, SIFT_METHOD_OTHER);
	ck_span(m->method_tok, "!interesting-Method0123456789_*+`.%indeed'~");
	ck_assert_uint_eq(m->cseq_method, SIFT_METHOD_OTHER);
	ck_span(m->cseq_method_tok, "!interesting-Method0123456789_*+`.%indeed'~");
	/* the user part ends at the password's ':' */
	ck_span(m->ruri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
	ck_span(m->ruri.host, "example.com");
	ck_span(m->via[0].host, "host1.example.com");
	ck_span(m->via[0].branch, "z9hG4bK-.!%66*_+`'~");
	ck_span(m->call_id, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
	ck_span(m->from_tag, "_token~1'+`*%!-.");
	ck_span(m->to_tag, NULL);
	ck_assert_uint_eq(m->cseq, 139122385);
	ck_assert_uint_eq(m->max_forwards, 255);
}
END_TEST

START_TEST(test_sip_parse_esc01)
{
	const struct sift_sip_msg *m = parse_file(CORPUS "rfc4475/esc01.dat");

	FWD(m);
	ck_span(m->ruri.user, "sips%3Auser%40example.com"); /* escapes stay as they are */
	ck_span(m->ruri.host, "example.net");
	ck_span(m->from_tag, "938");
	ck_span(m->call_id, "esc01.239409asdfakjkn23onasd0-3234"); /* compact "i" */
	ck_assert_uint_eq(m->max_forwards, 87);
	ck_assert_uint_eq(m->n_contact, 1); /* folded right after the colon */
	ck_assert_uint_eq(m->body_len, 150);
}
END_TEST

START_TEST(test_sip_parse_lwsdisp)
{
	const struct sift_sip_msg *m = parse_file(CORPUS "rfc4475/lwsdisp.dat");

	FWD(m); /* caller<sip:...> without LWS is accepted */
	ck_assert_uint_eq(m->method, SIFT_METHOD_OPTIONS);
	ck_span(m->from_tag, "323");
	ck_assert(m->present & SIFT_HDR_CONTENT_LENGTH); /* compact "l" */
	ck_assert_uint_eq(m->body_len, 0);
}
END_TEST

START_TEST(test_sip_parse_longreq)
{
	const struct sift_sip_msg *m = parse_file(CORPUS "rfc4475/longreq.dat");

	FWD(m);
	ck_assert_uint_eq(m->len, 3515);
	ck_assert_uint_eq(m->n_via, 34);
	ck_span(m->via[0].host, "sip33.example.com");
	ck_span(m->via[1].host, "sip32.example.com");
	ck_assert_uint_eq(m->via[0].transport, SIFT_TRANSPORT_TCP);
	ck_span(m->call_id, "longreq.onereallyreallyreallyreallyreallyreallyreallyreallyreally"
			    "reallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreally"
			    "longcallid");
	ck_assert_uint_eq(m->from_tag.len, 155);
	ck_assert(!memcmp(scratch.buf + m->from_tag.off, "1298298298", 10));
	ck_span(m->to_tag, NULL);
	ck_assert_uint_eq(m->cseq, 3882340);
	ck_assert_uint_eq(m->max_forwards, 70);
	ck_assert_uint_eq(m->body_len, 150);
}
END_TEST

START_TEST(test_sip_parse_dblreq)
{
	const struct sift_sip_msg *m = parse_file(CORPUS "rfc4475/dblreq.dat");

	FWD(m);
	ck_assert_uint_eq(m->method, SIFT_METHOD_REGISTER);
	ck_span(m->call_id, "dblreq.0ha0isndaksdj99sdfafnl3lk233412"); /* compact "I" */
	/* Content-Length 0: the INVITE-looking octets after it are noise */
	ck_assert_uint_eq(m->body_len, 0);
	ck_assert_uint_lt(m->eoh, m->len);
	ck_span(m->from_tag, "43251j3j324");
}
END_TEST

START_TEST(test_sip_parse_semiuri)
{
	const struct sift_sip_msg *m = parse_file(CORPUS "rfc4475/semiuri.dat");

	FWD(m);
	ck_span(m->ruri.user, "user;par=u%40example.net");
	ck_span(m->ruri.host, "example.com");
	ck_assert_uint_eq(m->ruri.port, 0);
}
END_TEST

START_TEST(test_sip_parse_transports)
{
	const struct sift_sip_msg *m = parse_file(CORPUS "rfc4475/transports.dat");

	FWD(m); /* UNKNOWN is a legal transport token */
	ck_assert_uint_eq(m->n_via, 5);
	ck_assert_uint_eq(m->via[0].transport, SIFT_TRANSPORT_UDP);
	ck_span(m->via[0].host, "t1.example.com");
	ck_assert_uint_eq(m->via[1].transport, SIFT_TRANSPORT_SCTP);
	ck_span(m->via[1].branch, "z9hG4bKklasjdhf");
	ck_span(m->call_id, "transports.kijh4akdnaqjkwendsasfdj");
}
END_TEST

START_TEST(test_sip_parse_mpart01)
{
	const struct sift_sip_msg *m = parse_file(CORPUS "rfc4475/mpart01.dat");

	FWD(m);
	ck_assert_uint_eq(m->method, SIFT_METHOD_MESSAGE);
	ck_span(m->via[0].host, "127.0.0.1");
	ck_assert_uint_eq(m->via[0].port, 5070);
	ck_assert(m->via[0].flags & SIFT_VIA_RPORT);
	ck_assert_uint_eq(m->via[0].rport, 0);
	ck_span(m->via[0].branch, "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-");
	ck_span(m->route.all, "sip:127.0.0.1:5080");
	ck_span(m->route.host, "127.0.0.1");
	ck_assert_uint_eq(m->route.port, 5080);
	ck_assert(!(m->route.flags & SIFT_URI_LR));
	ck_span(m->user_agent, "SIPimp.org/0.2.5 (curses)");
	/* the binary body holds NULs and bare CR/LF: framed by Content-Length only */
	ck_assert_uint_eq(m->body_len, 553);
	ck_assert_uint_eq(m->eoh + 553, m->len);
}
END_TEST

START_TEST(test_sip_parse_unreason_noreason)
{
	const struct sift_sip_msg *m = parse_file(CORPUS "rfc4475/unreason.dat");

	FWD(m);
	ck_assert_uint_eq(m->kind, SIFT_KIND_RESPONSE);
	ck_assert_uint_eq(m->status, 200);
	ck_span(m->via[0].host, "192.0.2.198");
	ck_assert_uint_eq(m->cseq, 35);
	ck_assert_uint_eq(m->cseq_method, SIFT_METHOD_INVITE);
	ck_span(m->to_tag, "2229");
	ck_assert_uint_eq(m->body_len, 154);

	m = parse_file(CORPUS "rfc4475/noreason.dat");
	FWD(m);
	ck_assert_uint_eq(m->status, 100);
	ck_span(m->to_tag, "902jndnke3");
	ck_span(m->from_tag, "39ansfi3");
}
END_TEST

START_TEST(test_sip_parse_rfc5118)
{
	const struct sift_sip_msg *m;

	m = parse_file(CORPUS "rfc5118/ipv6-good.sip");
	FWD(m);
	ck_span(m->ruri.host, "[2001:db8::10]");
	ck_assert(m->ruri.flags & SIFT_URI_HOST_V6);
	ck_span(m->via[0].host, "[2001:db8::9:1]");
	ck_assert(m->via[0].flags & SIFT_VIA_HOST_V6);
	ck_span(m->via[0].branch, "z9hG4bKas3-111");

	m = parse_file(CORPUS "rfc5118/port-ambiguous.sip");
	FWD(m);
	ck_span(m->ruri.host, "[2001:db8::10:5070]"); /* 5070 is part of the address */
	ck_assert_uint_eq(m->ruri.port, 0);

	m = parse_file(CORPUS "rfc5118/port-unambiguous.sip");
	FWD(m);
	ck_span(m->ruri.host, "[2001:db8::10]");
	ck_assert_uint_eq(m->ruri.port, 5070);

	m = parse_file(CORPUS "rfc5118/via-received-param-with-delim.sip");
	FWD(m);
	ck_assert_uint_eq(m->method, SIFT_METHOD_BYE);
	ck_span(m->via[0].received, "[2001:db8::9:255]");
	ck_span(m->via[0].branch, "z9hG4bKas3-111");
	ck_span(m->to_tag, "bd76ya");

	m = parse_file(CORPUS "rfc5118/via-received-param-no-delim.sip");
	FWD(m);
	ck_span(m->via[0].received, "2001:db8::9:255");
	ck_span(m->via[0].branch, "z9hG4bKas3");

	m = parse_file(CORPUS "rfc5118/ipv6-in-sdp.sip");
	FWD(m);
	ck_span(m->ruri.user, "user");
	ck_span(m->ruri.host, "[2001:db8::10]");
	ck_assert_uint_eq(m->body_len, 251);

	m = parse_file(CORPUS "rfc5118/mult-ip-in-header.sip");
	FWD(m);
	ck_assert_uint_eq(m->n_via, 3);
	ck_span(m->via[0].host, "[2001:db8::9:1]");
	ck_assert_uint_eq(m->via[0].port, 6050);
	ck_span(m->via[1].host, "192.0.2.1");
	ck_span(m->to_tag, "9817--94");

	m = parse_file(CORPUS "rfc5118/mult-ip-in-sdp.sip");
	FWD(m);
	ck_span(m->ruri.host, "[2001:db8::10]");
	ck_assert_uint_eq(m->body_len, 189);

	m = parse_file(CORPUS "rfc5118/ipv4-mapped-ipv6.sip");
	FWD(m);
	ck_assert_uint_eq(m->n_via, 2);
	ck_span(m->via[0].host, "[::ffff:192.0.2.10]");
	ck_assert_uint_eq(m->via[0].port, 19823);
	ck_span(m->via[1].host, "[::ffff:192.0.2.2]");

	m = parse_file(CORPUS "rfc5118/ipv6-bug-abnf-3-colons.sip");
	FWD(m);
	ck_span(m->ruri.host, "[2001:db8:::192.0.2.1]");
	ck_span(m->via[0].host, "lab1.east.example.com");

	m = parse_file(CORPUS "rfc5118/ipv6-correct-abnf-2-colons.sip");
	FWD(m);
	ck_span(m->ruri.host, "[2001:db8::192.0.2.1]");
}
END_TEST

/* ---- grammar, one feature at a time ------------------------------------------ */

#define BASE_HDRS                                                                                  \
	"To: <sip:bob@example.com>\n"                                                              \
	"From: <sip:alice@example.com>;tag=a1\n"                                                   \
	"Call-ID: c1@example.com\n"                                                                \
	"CSeq: 1 INVITE\n"                                                                         \
	"Max-Forwards: 70\n"
#define VIA1 "Via: SIP/2.0/UDP 198.18.1.2:5060;branch=z9hG4bK-1\n"
#define INVITE_LINE "INVITE sip:bob@example.com SIP/2.0\n"
#define INVITE_OK INVITE_LINE VIA1 BASE_HDRS "Content-Length: 0\n\n"

START_TEST(test_sip_parse_compact_and_case)
{
	const struct sift_sip_msg *m = parse_text(INVITE_LINE
						  "v: SIP/2.0/UDP 198.18.1.2;branch=z9hG4bK-1\n"
						  "T: <sip:bob@example.com>;TAG=t2\n"
						  "f: <sip:alice@example.com>;tag=a1\n"
						  "I: c1@example.com\n"
						  "cSeQ: 1 INVITE\n"
						  "mAX-forwards: 70\n"
						  "M: <sip:alice@198.18.1.2>\n"
						  "L: 0\n\n");

	FWD(m);
	ck_assert_uint_eq(m->n_via, 1);
	ck_span(m->to_tag, "t2"); /* parameter names are case-insensitive */
	ck_span(m->call_id, "c1@example.com");
	ck_assert_uint_eq(m->n_contact, 1);
	ck_assert(m->present & SIFT_HDR_CONTENT_LENGTH);
	/* method names are not: "invite" is an unknown method */
	m = parse_text("invite sip:bob@example.com SIP/2.0\n" VIA1 BASE_HDRS "\n");
	ck_assert_uint_eq(m->method, SIFT_METHOD_OTHER);
	ck_verdict(m, SIFT_REASON_CSEQ_MISMATCH, SIFT_ACTION_PUNT);
}
END_TEST

START_TEST(test_sip_parse_lws_and_folding)
{
	const struct sift_sip_msg *m = parse_text(INVITE_LINE
						  "Via :\n\tSIP / 2.0 / UDP\n  198.18.1.2 : 5062 ;\n"
						  " branch = z9hG4bK-7 ; rport\n"
						  "To\t:   <sip:bob@example.com> ;\n tag = x9\n"
						  "From: <sip:alice@example.com>;tag=a1\n"
						  "Call-ID:   c1@example.com   \n"
						  "CSeq:\n 00042\n INVITE\n"
						  "Max-Forwards:  007 \n\n");

	FWD(m);
	ck_span(m->via[0].host, "198.18.1.2");
	ck_assert_uint_eq(m->via[0].port, 5062);
	ck_span(m->via[0].branch, "z9hG4bK-7");
	ck_assert(m->via[0].flags & SIFT_VIA_RPORT);
	ck_span(m->to_tag, "x9");
	ck_span(m->call_id, "c1@example.com");
	ck_assert_uint_eq(m->cseq, 42);
	ck_assert_uint_eq(m->max_forwards, 7);
	ck_span(m->mf_digits, "007");
	/* the header line of the top Via spans its continuations */
	ck_assert(!memcmp(scratch.buf + m->via_hdr.off, "Via :\r\n\tSIP", 11));
	ck_assert(!memcmp(scratch.buf + m->via_hdr.off + m->via_hdr.len - 2, "\r\n", 2));
	ck_assert(!memcmp(scratch.buf + m->via_hdr.off + m->via_hdr.len, "To\t:", 4));
}
END_TEST

START_TEST(test_sip_parse_via_list)
{
	const struct sift_sip_msg *m =
		parse_text(INVITE_LINE "Via: SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK-a;"
				       "received=198.18.1.9;rport=4000;maddr=239.1.1.1;ttl=16 , "
				       "SIP/2.0/TCP 198.18.1.3;branch=z9hG4bK-b,SIP/2.0/UDP x.example\n"
				       "Via: SIP/2.0/UDP y.example;q=\"a,b\",SIP/2.0/WSS z.example\n" BASE_HDRS
				       "\n");

	FWD(m);
	ck_assert_uint_eq(m->n_via, 5); /* the quoted comma is not a separator */
	ck_span(m->via[0].host, "[2001:db8::1]");
	ck_assert_uint_eq(m->via[0].port, 5070);
	ck_span(m->via[0].received, "198.18.1.9");
	ck_assert_uint_eq(m->via[0].rport, 4000);
	ck_span(m->via[0].maddr, "239.1.1.1");
	ck_assert_uint_eq(m->via[0].ttl, 16);
	ck_assert(m->via[0].flags & SIFT_VIA_TTL);
	ck_span(m->via[1].host, "198.18.1.3");
	ck_assert_uint_eq(m->via[1].transport, SIFT_TRANSPORT_TCP);
	ck_span(m->via[1].value, "SIP/2.0/TCP 198.18.1.3;branch=z9hG4bK-b");
	/* where the second value starts in the top Via's header */
	ck_assert(!memcmp(scratch.buf + m->via_next, "SIP/2.0/TCP 198.18.1.3", 22));

	m = parse_text(INVITE_LINE "Via: SIP/2.0/UDP a.example;branch=z9hG4bK-1,,\n" BASE_HDRS "\n");
	ck_verdict(m, SIFT_REASON_BAD_VIA, SIFT_ACTION_PUNT); /* the top Via was fine */
	m = parse_text(INVITE_LINE "Via: SIP/2.0/UDP a.example;;branch=z9hG4bK-1\n" BASE_HDRS "\n");
	ck_verdict(m, SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP); /* no Via to answer through */
	m = parse_text(INVITE_LINE "Via: SIP/2.0/UDP a.example:0;branch=z9hG4bK-1\n" BASE_HDRS "\n");
	ck_verdict(m, SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP);
	/* a bad top Via is not replaced by the next Via header's */
	m = parse_text(INVITE_LINE "Via: SIP/2.0/UDP a.example:0;branch=z9hG4bK-1\n"
				   "Via: SIP/2.0/UDP b.example;branch=z9hG4bK-2\n" BASE_HDRS "\n");
	ck_verdict(m, SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP);
	ck_span(m->via[0].host, NULL);
	ck_span(m->via[1].host, "b.example");
}
END_TEST

/* A request whose top Via is @via; the rest is clean. */
static const struct sift_sip_msg *with_via(const char *via)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), INVITE_LINE "Via: %s\n" BASE_HDRS "\n", via);
	return parse_text(buf);
}

/* Each "SIP/2.0/UDP " + @sent_by is malformed: no Via is left to answer through. */
static void ck_malformed_vias(const char *const *sent_by, size_t n)
{
	char via[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(via, sizeof(via), "SIP/2.0/UDP %s;branch=z9hG4bK-1", sent_by[i]);
		with_via(via);
		ck_assert_msg(scratch.msg.reason == SIFT_REASON_BAD_VIA &&
				      scratch.msg.action == SIFT_ACTION_DROP,
			      "%s: %s/%s", sent_by[i], sift_action_name(scratch.msg.action),
			      sift_reason_name(scratch.msg.reason));
	}
}

START_TEST(test_sip_parse_via_protocol)
{
	const struct sift_sip_msg *m;

	/* RFC 4475 badvers: the start line's SIP/7.0 wins, the Via stays for the 505 */
	m = parse_file(CORPUS "rfc4475/badvers.dat");
	ck_verdict(m, SIFT_REASON_BAD_VERSION, SIFT_ACTION_PUNT);
	ck_span(m->via[0].host, "c.example.com");
	ck_span(m->via[0].branch, "z9hG4bKkdjuw");
	ck_assert(m->via[0].flags & SIFT_VIA_BAD_PROTO);
	ck_assert_uint_eq(m->n_via, 1);

	/* another version or protocol in a Via alone: kept, marked, not valid */
	m = with_via("SIP/3.0/UDP 198.18.1.2;branch=z9hG4bK-1");
	ck_verdict(m, SIFT_REASON_BAD_VIA, SIFT_ACTION_PUNT);
	ck_span(m->via[0].host, "198.18.1.2");
	ck_assert(m->via[0].flags & SIFT_VIA_BAD_PROTO);
	ck_verdict(with_via("SIP / 2.1 / UDP 198.18.1.2"), SIFT_REASON_BAD_VIA, SIFT_ACTION_PUNT);
	ck_verdict(with_via("SIPS/2.0/UDP 198.18.1.2"), SIFT_REASON_BAD_VIA, SIFT_ACTION_PUNT);
	ck_verdict(with_via("SIP/2.00/UDP 198.18.1.2"), SIFT_REASON_BAD_VIA, SIFT_ACTION_PUNT);

	/* the protocol name's case and LWS around the slashes are fine */
	m = with_via("sip / 2.0 /\n udp 198.18.1.2");
	FWD(m);
	ck_assert(!(m->via[0].flags & SIFT_VIA_BAD_PROTO));
	FWD(with_via("Sip/2.0/Udp 198.18.1.2"));
	FWD(with_via("SIP/2.0/X-Fancy.Transport 198.18.1.2")); /* other-transport = token */

	/*
	 * Malformed, not merely another version: no Via to answer through.  A
	 * control character is no slash, though it is one with bit 5 set.
	 */
	ck_verdict(with_via("SIP\x0f" "2.0/UDP h.example"), SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP);
	ck_verdict(with_via("SIP/2.0\x0fUDP 198.18.1.2"), SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP);
	ck_verdict(with_via("SIP/2.0/U@P 198.18.1.2"), SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP);
	ck_verdict(with_via("SIP/2.0/\"UDP\" 198.18.1.2"), SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP);
	ck_verdict(with_via("SIP/2.0 198.18.1.2"), SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP);
	m = with_via("SIP/7.0/UDP 999.1.1.1");
	ck_verdict(m, SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP);
	ck_span(m->via[0].host, NULL);
}
END_TEST

START_TEST(test_sip_parse_via_hosts)
{
	static const char *const good[] = {
		"198.18.1.2", "0.0.0.0", "255.255.255.255", "001.02.3.004", "a",
		"h-1.example.com", "x.example.com.", "1and1.com", "a1.b2.c3",
		"xn--bcher-kva.example", "[2001:db8::1]", "[::ffff:192.0.2.10]",
		"[2001:db8:::192.0.2.1]", "[::]",
	};
	static const char *const bad[] = {
		"999.1.1.1", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1.2.3.4.", "1..2.3",
		"a..b", ".a.example", "-x.example", "x-.example", "x.-y.example",
		"example.123", "host_x", "ex$ample", "a.b-", "[1:2", "[1:2]",
		"[2001:db8::1::2]", "[2001:db8::g]", "[]", "[198.18.1.2]", "[2001:db8:::1]",
	};
	char via[512];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(via, sizeof(via), "SIP/2.0/UDP %s;branch=z9hG4bK-1", good[i]);
		ck_assert_msg(with_via(via)->reason == SIFT_REASON_OK, "%s: %s", good[i],
			      sift_reason_name(scratch.msg.reason));
		ck_span(scratch.msg.via[0].host, good[i]);
	}
	ck_malformed_vias(bad, sizeof(bad) / sizeof(bad[0]));
	/* a name of 255 characters is the longest */
	memset(via, 0, sizeof(via));
	strcpy(via, "SIP/2.0/UDP ");
	for (int i = 0; i < 63; i++)
		strcat(via, "abc.");
	strcat(via, "xyz");
	FWD(with_via(via));
	strcat(via, "w");
	ck_verdict(with_via(via), SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP);
}
END_TEST

START_TEST(test_sip_parse_via_ports_received)
{
	static const char *const bad[] = {
		"198.18.1.2:0", "198.18.1.2:65536", "198.18.1.2:", "198.18.1.2;rport=0",
		"198.18.1.2;rport=65536", "198.18.1.2;received=notanip",
		"198.18.1.2;received=example.com", "198.18.1.2;received=198.18.1",
		"198.18.1.2;received=[198.18.1.9]", "198.18.1.2;received=2001:db8::1::2",
	};
	const struct sift_sip_msg *m;

	m = with_via("SIP/2.0/UDP 198.18.1.2:65535;rport=1;received=198.18.1.9");
	FWD(m);
	ck_assert_uint_eq(m->via[0].port, 65535);
	ck_assert_uint_eq(m->via[0].rport, 1);
	FWD(with_via("SIP/2.0/UDP 198.18.1.2:1;rport"));
	/* RFC 5118 4.5: received= with or without brackets */
	FWD(with_via("SIP/2.0/UDP [2001:db8::1];received=2001:db8::9:255"));
	FWD(with_via("SIP/2.0/UDP [2001:db8::1];received=[2001:db8::9:255]"));
	FWD(with_via("SIP/2.0/UDP h.example;received=[::ffff:192.0.2.1]"));

	ck_malformed_vias(bad, sizeof(bad) / sizeof(bad[0]));

	/* a response's second Via (where it goes next) is checked as well */
	m = parse_text("SIP/2.0 200 OK\n" VIA1 "Via: SIP/2.0/UDP 198.18.1.3;received=x.example\n"
		       "To: <sip:bob@example.com>;tag=b\nFrom: <sip:a@b>;tag=1\n"
		       "Call-ID: x\nCSeq: 1 INVITE\n\n");
	ck_verdict(m, SIFT_REASON_BAD_VIA, SIFT_ACTION_DROP);
	ck_span(m->via[1].host, NULL);
}
END_TEST

/* A request whose Call-ID header value is @callid; the rest is clean. */
static const struct sift_sip_msg *with_call_id(const char *callid)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		 INVITE_LINE VIA1 "To: <sip:bob@example.com>\nFrom: <sip:a@b>;tag=1\n"
				  "Call-ID: %s\nCSeq: 1 INVITE\nMax-Forwards: 70\n\n",
		 callid);
	return parse_text(buf);
}

START_TEST(test_sip_parse_call_id)
{
	/* RFC 3261 25.1: word = 1*( alphanum / these ) */
	static const char word[] = "-.!%*_+`'~()<>:\\\"/[]?{}";
	static const char *const bad[] = { "", "@", "@x", "a@", "a@b@c", "a@@b", "a b", "a\tb@c",
					   "a@b c" };
	static char big[1026];
	char id[64];

	ck_span(with_call_id("  x  ")->call_id, "x");
	ck_span(with_call_id("1-3315@198.18.1.2")->call_id, "1-3315@198.18.1.2");
	ck_span(with_call_id("v6@[2001:db8::1]")->call_id, "v6@[2001:db8::1]");
	FWD(&scratch.msg);
	/* every printable character, in every byte of a word: a word character or not */
	for (int c = 0x21; c < 0x7f; c++) {
		int ok = isalnum(c) || strchr(word, c);

		for (int at = 0; at < 16; at++) {
			memset(id, 'x', 16);
			id[16] = 0;
			id[at] = c;
			with_call_id(id);
			/* an '@' between two words is the one allowed */
			if (c == '@' && at > 0 && at < 15)
				ck_assert_msg(scratch.msg.reason == SIFT_REASON_OK, "%s", id);
			else
				ck_assert_msg(scratch.msg.reason ==
						      (ok ? SIFT_REASON_OK : SIFT_REASON_BAD_CALL_ID),
					      "'%c' at %d: %s", c, at, sift_reason_name(scratch.msg.reason));
		}
	}
	for (int c = 0x7f; c < 0x100; c++) {
		snprintf(id, sizeof(id), "abc%cdef@ghi", c);
		ck_verdict(with_call_id(id), SIFT_REASON_BAD_CALL_ID, SIFT_ACTION_PUNT);
	}
	/* a word of up to 1024 characters, like every token the parser scans */
	memset(big, 'w', 1024);
	big[1024] = 0;
	FWD(with_call_id(big));
	big[1024] = 'w';
	ck_verdict(with_call_id(big), SIFT_REASON_BAD_CALL_ID, SIFT_ACTION_PUNT);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		with_call_id(bad[i]);
		ck_assert_msg(scratch.msg.reason == SIFT_REASON_BAD_CALL_ID &&
				      scratch.msg.action == SIFT_ACTION_PUNT,
			      "[%s]: %s", bad[i], sift_reason_name(scratch.msg.reason));
	}
}
END_TEST

/* A request whose From and To header values are @from and @to; the rest is clean. */
static const struct sift_sip_msg *with_from_to(const char *from, const char *to)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 INVITE_LINE VIA1 "From: %s\nTo: %s\nCall-ID: c1@example.com\nCSeq: 1 INVITE\n"
				  "Max-Forwards: 70\n\n",
		 from, to);
	return parse_text(buf);
}

START_TEST(test_sip_parse_from_to)
{
	static const char *const good[] = {
		"<sip:alice@example.com>;tag=a1",
		"\"A \\\"B\\\"\" <sips:alice:pw@[2001:db8::1]:5061;user=phone>;TAG=a1;x=\"y\"",
		"Alice Smith <sip:alice@example.com>;tag=a1",
		"sip:alice@example.com ; tag = a1",
		"<sip:%61lice%40home@example.com>;tag=a1", /* an escaped '@' is no '@' */
		"<sip:example.com>;tag=a1",
		"<tel:+1-201-555-0123>;tag=a1",
		"<urn:service:sos>;tag=a1", /* other schemes stay valid */
		"<soap.beep+x-1://example.com>;tag=a1",
		"<sip:alice@example.com>;tag=_token~1'+`*%!-.",
	};
	static const char *const bad[] = {
		"<<<<sip:alice@example.com>;tag=a1",
		"<sip:a@b@c>;tag=a1",
		"sip:a@b@c;tag=a1",
		"<sip:alice@example.com;x=a@b>;tag=a1",
		"sip:@;tag=a1",
		"<sip:>;tag=a1",
		"<sip:alice@>;tag=a1",
		"<sips:alice@>;tag=a1",
		"<sip:alice@:5060>;tag=a1",
		"<sip:;x=y>;tag=a1",
		"<tel:>;tag=a1",
		"sip\x1a" "alice@example.com;tag=a1", /* not a ':', though it is one with bit 5 set */
		"<alice@example.com>;tag=a1",
		"alice@example.com;tag=a1",
		"<:alice@example.com>;tag=a1",
		"<1sip:alice@example.com>;tag=a1",
		"<s!p:alice@example.com>;tag=a1",
		"<s_p:alice@example.com>;tag=a1",
		"<sip:alice@example.com>;tag=\"quoted\"",
		"<sip:alice@example.com>;tag=",
		"<sip:alice@example.com>;tag",
		"<sip:alice@example.com>;tag=a\"b\"",
		"<sip:alice@example.com>;tag=a@b",
		"<sip:alice@example.com>;tag=[2001:db8::1]",
		"<sip:alice@example.com>\x1btag=a1", /* not a ';', though it is one with bit 5 set */
		"<sip:alice@example.com>;t\x01g=a1",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		with_from_to(good[i], good[i]);
		ck_assert_msg(scratch.msg.reason == SIFT_REASON_OK, "%s: %s", good[i],
			      sift_reason_name(scratch.msg.reason));
		ck_assert_uint_ne(scratch.msg.from_tag.len, 0);
		ck_assert_mem_eq(scratch.buf + scratch.msg.from_tag.off,
				 scratch.buf + scratch.msg.to_tag.off, scratch.msg.from_tag.len);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		with_from_to(bad[i], "<sip:bob@example.com>");
		ck_assert_msg(scratch.msg.reason == SIFT_REASON_BAD_FROM &&
				      scratch.msg.action == SIFT_ACTION_PUNT,
			      "From: %s: %s", bad[i], sift_reason_name(scratch.msg.reason));
		with_from_to("<sip:alice@example.com>;tag=a1", bad[i]);
		ck_assert_msg(scratch.msg.reason == SIFT_REASON_BAD_TO &&
				      scratch.msg.action == SIFT_ACTION_PUNT,
			      "To: %s: %s", bad[i], sift_reason_name(scratch.msg.reason));
	}
	/* the same URI rules hold for the Request-URI */
	ck_verdict(parse_text("INVITE sip:a@b@c SIP/2.0\n" VIA1 BASE_HDRS "\n"), SIFT_REASON_BAD_RURI,
		   SIFT_ACTION_PUNT);
	ck_verdict(parse_text("INVITE s!p:bob@example.com SIP/2.0\n" VIA1 BASE_HDRS "\n"),
		   SIFT_REASON_BAD_RURI, SIFT_ACTION_PUNT);
	ck_verdict(parse_text("INVITE sip\x1a" "bob@example.com SIP/2.0\n" VIA1 BASE_HDRS "\n"),
		   SIFT_REASON_BAD_RURI, SIFT_ACTION_PUNT);
}
END_TEST

START_TEST(test_sip_parse_route)
{
	const struct sift_sip_msg *m =
		parse_text(INVITE_LINE VIA1 BASE_HDRS
			   "Route: <sip:198.18.1.1:5060;lr>, <sip:p2.example.com;lr>\n"
			   "Route: <sip:p3.example.com;lr>\n"
			   "Record-Route: <sip:p0.example.com;lr>\n\n");

	FWD(m);
	ck_assert_uint_eq(m->n_route, 2);
	ck_span(m->route.host, "198.18.1.1");
	ck_assert_uint_eq(m->route.port, 5060);
	ck_assert(m->route.flags & SIFT_URI_LR);
	ck_assert(!memcmp(scratch.buf + m->route_next, "<sip:p2.example.com;lr>", 23));
	ck_assert(!memcmp(scratch.buf + m->route_hdr.off, "Route: <sip:198", 15));
	ck_assert_uint_eq(m->n_record_route, 1);

	m = parse_text(INVITE_LINE VIA1 BASE_HDRS "Route: sip:198.18.1.1;lr\n\n");
	ck_verdict(m, SIFT_REASON_BAD_ROUTE, SIFT_ACTION_PUNT); /* route-param needs <> */
}
END_TEST

START_TEST(test_sip_parse_uris)
{
	const struct sift_sip_msg *m;

	m = parse_text("INVITE sips:alice:secret@[2001:db8::5]:5061;maddr=x;transport=tls SIP/2.0\n"
		       VIA1 BASE_HDRS "\n");
	FWD(m);
	ck_assert_uint_eq(m->ruri.scheme, SIFT_SCHEME_SIPS);
	ck_span(m->ruri.user, "alice");
	ck_span(m->ruri.host, "[2001:db8::5]");
	ck_assert_uint_eq(m->ruri.port, 5061);
	ck_assert(m->ruri.flags & SIFT_URI_MADDR);

	m = parse_text("INVITE tel:+1-201-555-0123;phone-context=x SIP/2.0\n" VIA1 BASE_HDRS "\n");
	FWD(m);
	ck_assert_uint_eq(m->ruri.scheme, SIFT_SCHEME_TEL);
	ck_span(m->ruri.user, "+1-201-555-0123");

	m = parse_text("INVITE SIP:198.18.2.2 SIP/2.0\n" VIA1 BASE_HDRS "\n");
	FWD(m); /* the scheme is case-insensitive */
	ck_span(m->ruri.user, NULL);
	ck_span(m->ruri.host, "198.18.2.2");

	m = parse_text("INVITE sip:bob@example.com:70000 SIP/2.0\n" VIA1 BASE_HDRS "\n");
	ck_verdict(m, SIFT_REASON_BAD_RURI, SIFT_ACTION_PUNT);
	m = parse_text("INVITE sip:bob@ SIP/2.0\n" VIA1 BASE_HDRS "\n");
	ck_verdict(m, SIFT_REASON_BAD_RURI, SIFT_ACTION_PUNT);
	m = parse_text("INVITE 1sip:bob@example.com SIP/2.0\n" VIA1 BASE_HDRS "\n");
	ck_verdict(m, SIFT_REASON_BAD_RURI, SIFT_ACTION_PUNT);
}
END_TEST

START_TEST(test_sip_parse_numbers)
{
	static const char *const big[] = { "2147483648", "2147483649", "4294967295", "4294967296" };
	const struct sift_sip_msg *m;

	m = parse_text(INVITE_LINE VIA1
		       "To: <sip:bob@example.com>\nFrom: <sip:a@b>;tag=1\nCall-ID: x\n"
		       "CSeq: 2147483647 INVITE\nMax-Forwards: 255\n\n");
	FWD(m);
	ck_assert_uint_eq(m->cseq, 2147483647u);
	ck_assert_uint_eq(m->max_forwards, 255);
	m = parse_text(INVITE_LINE VIA1
		       "To: <sip:bob@example.com>\nFrom: <sip:a@b>;tag=1\nCall-ID: x\n"
		       "CSeq: 0002147483647 INVITE\nMax-Forwards: 70\n\n");
	ck_assert_uint_eq(m->cseq, 2147483647u);

	/* RFC 3261 8.1.1.5: less than 2**31 */
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		char buf[512];

		snprintf(buf, sizeof(buf),
			 INVITE_LINE VIA1 "To: <sip:bob@example.com>\nFrom: <sip:a@b>;tag=1\n"
					  "Call-ID: x\nCSeq: %s INVITE\nMax-Forwards: 70\n\n",
			 big[i]);
		ck_verdict(parse_text(buf), SIFT_REASON_BAD_CSEQ, SIFT_ACTION_PUNT);
	}
	m = parse_text(INVITE_LINE VIA1 "To: <sip:bob@example.com>\nFrom: <sip:a@b>;tag=1\n"
					"Call-ID: x\nCSeq: 1 INVITE\nMax-Forwards: 256\n\n");
	ck_verdict(m, SIFT_REASON_BAD_MAX_FORWARDS, SIFT_ACTION_PUNT);
	m = parse_text(INVITE_LINE VIA1 BASE_HDRS "Content-Length: 5 5\n\n12345");
	ck_verdict(m, SIFT_REASON_BAD_CONTENT_LENGTH, SIFT_ACTION_PUNT);
	/* without Content-Length the body is the rest of the datagram (UDP) */
	m = parse_text(INVITE_LINE VIA1 BASE_HDRS "\nv=0\n");
	FWD(m);
	ck_assert_uint_eq(m->body_len, 5);
	m = parse_text(INVITE_LINE VIA1 BASE_HDRS "Content-Length: 6\n\nv=0\n");
	ck_verdict(m, SIFT_REASON_BAD_CONTENT_LENGTH, SIFT_ACTION_PUNT);
}
END_TEST

START_TEST(test_sip_parse_status_line)
{
	const struct sift_sip_msg *m;
	const char *rest = VIA1 "To: <sip:bob@example.com>;tag=b\nFrom: <sip:a@b>;tag=1\n"
			   "Call-ID: x\nCSeq: 1 INVITE\n\n";
	char buf[512];

	snprintf(buf, sizeof(buf), "SIP/2.0 486 Busy Here\n%s", rest);
	m = parse_text(buf);
	FWD(m);
	ck_assert_uint_eq(m->status, 486);
	ck_assert_uint_eq(m->cseq_method, SIFT_METHOD_INVITE);

	snprintf(buf, sizeof(buf), "sip/2.0 200\n%s", rest); /* no reason phrase, lower case */
	FWD(parse_text(buf));
	snprintf(buf, sizeof(buf), "SIP/2.0 99 Low\n%s", rest);
	ck_verdict(parse_text(buf), SIFT_REASON_BAD_STATUS, SIFT_ACTION_DROP);
	snprintf(buf, sizeof(buf), "SIP/2.0 700 High\n%s", rest);
	ck_verdict(parse_text(buf), SIFT_REASON_BAD_STATUS, SIFT_ACTION_DROP);
	snprintf(buf, sizeof(buf), "SIP/2.0 2000 OK\n%s", rest);
	ck_verdict(parse_text(buf), SIFT_REASON_BAD_STATUS, SIFT_ACTION_DROP);
	/* a broken response is never answered: dropped whatever the reason */
	snprintf(buf, sizeof(buf), "SIP/3.0 200 OK\n%s", rest);
	ck_verdict(parse_text(buf), SIFT_REASON_BAD_VERSION, SIFT_ACTION_DROP);
	snprintf(buf, sizeof(buf), "SIP/2.0 200 OK\n%s", VIA1 "Call-ID: x\nCSeq: 1 INVITE\n\n");
	ck_verdict(parse_text(buf), SIFT_REASON_MISSING_HEADER, SIFT_ACTION_DROP);
}
END_TEST

START_TEST(test_sip_parse_request_line)
{
	ck_verdict(parse_text("INVITE sip:bob@example.com SIP/2.1\n" VIA1 BASE_HDRS "\n"),
		   SIFT_REASON_BAD_VERSION, SIFT_ACTION_PUNT);
	ck_verdict(parse_text("INVITE sip:bob@example.com\n" VIA1 BASE_HDRS "\n"),
		   SIFT_REASON_BAD_START_LINE, SIFT_ACTION_PUNT);
	ck_verdict(parse_text("INV@TE sip:bob@example.com SIP/2.0\n" VIA1 BASE_HDRS "\n"),
		   SIFT_REASON_BAD_START_LINE, SIFT_ACTION_PUNT);
	ck_verdict(parse_text("GARBAGE\n" VIA1 BASE_HDRS "\n"), SIFT_REASON_NOT_SIP,
		   SIFT_ACTION_DROP);
	/* CRLFs before the start line are ignored */
	FWD(parse_text("\n\n" INVITE_OK));
}
END_TEST

START_TEST(test_sip_parse_headers)
{
	const struct sift_sip_msg *m;

	/* unknown headers, however odd, are skipped */
	m = parse_text(INVITE_LINE VIA1 BASE_HDRS "X-Odd.Name_~!: ;;,,\nP-Asserted-Identity: x\n\n");
	FWD(m);
	ck_verdict(parse_text(INVITE_LINE VIA1 BASE_HDRS "No colon here\n\n"),
		   SIFT_REASON_BAD_HEADER, SIFT_ACTION_PUNT);
	ck_verdict(parse_text(INVITE_LINE VIA1 BASE_HDRS "Bad\x01Name: x\n\n"),
		   SIFT_REASON_BAD_HEADER, SIFT_ACTION_PUNT);
	ck_verdict(parse_text(INVITE_LINE " folded start line\n" VIA1 BASE_HDRS "\n"),
		   SIFT_REASON_BAD_HEADER, SIFT_ACTION_PUNT);
	ck_verdict(parse_text(INVITE_LINE VIA1 BASE_HDRS "From: <sip:x@y>;tag=2\n\n"),
		   SIFT_REASON_DUP_HEADER, SIFT_ACTION_PUNT);
	ck_verdict(parse_text(INVITE_LINE VIA1 BASE_HDRS "Call-ID: a b\n\n"),
		   SIFT_REASON_DUP_HEADER, SIFT_ACTION_PUNT);
	ck_verdict(parse_text(INVITE_LINE VIA1 "To: <sip:bob@example.com>\nFrom: <sip:a@b>;tag=1\n"
						"Call-ID: a b\nCSeq: 1 INVITE\nMax-Forwards: 70\n\n"),
		   SIFT_REASON_BAD_CALL_ID, SIFT_ACTION_PUNT);
	ck_verdict(parse_text(INVITE_LINE VIA1 BASE_HDRS "Date: Sat, 13 Nov 2010 23:29:00 GMT\n\n"),
		   SIFT_REASON_OK, SIFT_ACTION_FORWARD);
	ck_verdict(parse_text(INVITE_LINE VIA1 BASE_HDRS "Proxy-Require: foo\n\n"),
		   SIFT_REASON_PROXY_REQUIRE, SIFT_ACTION_PUNT);
	m = parse_text(INVITE_LINE VIA1 BASE_HDRS "User-Agent:  friendly-scanner \n\n");
	ck_span(m->user_agent, "friendly-scanner");
}
END_TEST

START_TEST(test_sip_parse_name_addr)
{
	const struct sift_sip_msg *m;

	m = parse_text(INVITE_LINE VIA1
		       "To: \"Bob \\\"B\\\" Smith\" <sip:bob@example.com;user=phone>;tag=q1;x=\"y;z\"\n"
		       "From: Alice Smith <sip:alice@example.com>;tag=a1\nCall-ID: x\n"
		       "CSeq: 1 INVITE\nMax-Forwards: 70\n\n");
	FWD(m);
	ck_span(m->to_tag, "q1");
	ck_verdict(parse_text(INVITE_LINE VIA1 "To: <sip:bob@example.com\nFrom: <sip:a@b>;tag=1\n"
						"Call-ID: x\nCSeq: 1 INVITE\nMax-Forwards: 70\n\n"),
		   SIFT_REASON_BAD_TO, SIFT_ACTION_PUNT);
	ck_verdict(parse_text(INVITE_LINE VIA1 "To: <sip:bob@example.com>\nFrom: <sip:a@b>;=1\n"
						"Call-ID: x\nCSeq: 1 INVITE\nMax-Forwards: 70\n\n"),
		   SIFT_REASON_BAD_FROM, SIFT_ACTION_PUNT);
}
END_TEST

START_TEST(test_sip_parse_framing)
{
	static char big[SIFT_MSG_MAX + 100];
	const struct sift_sip_msg *m;
	char *p = raw;

	/* bare LF */
	memcpy(raw, "OPTIONS sip:x SIP/2.0\nVia: SIP/2.0/UDP a\r\n\r\n", 45);
	memset(&scratch, 0, sizeof(scratch));
	sift_sip_parse_bytes(&scratch, raw, 45);
	ck_verdict(&scratch.msg, SIFT_REASON_BAD_LINE_END, SIFT_ACTION_DROP);

	/* no blank line: malformed, but the headers are read, so siftd can answer 400 */
	m = parse_text(INVITE_LINE VIA1 BASE_HDRS);
	ck_verdict(m, SIFT_REASON_NO_END_OF_HEADERS, SIFT_ACTION_PUNT);
	m = parse_text("SIP/2.0 200 OK\n" VIA1 BASE_HDRS);
	ck_verdict(m, SIFT_REASON_NO_END_OF_HEADERS, SIFT_ACTION_DROP);

	/* more header lines than the parser indexes: punted, not guessed */
	p += sprintf(p, "%s", "OPTIONS sip:x SIP/2.0\r\n");
	for (int i = 0; i < SIFT_MAX_LINES; i++)
		p += sprintf(p, "X-%d: y\r\n", i);
	p += sprintf(p, "\r\n");
	memset(&scratch, 0, sizeof(scratch));
	sift_sip_parse_bytes(&scratch, raw, p - raw);
	ck_verdict(&scratch.msg, SIFT_REASON_TOO_MANY_LINES, SIFT_ACTION_PUNT);

	/* longer than the scratch buffer: punted */
	memset(big, 'a', sizeof(big));
	memset(&scratch, 0, sizeof(scratch));
	sift_sip_parse_bytes(&scratch, big, sizeof(big));
	ck_verdict(&scratch.msg, SIFT_REASON_TOO_LONG, SIFT_ACTION_PUNT);

	/* only CRLFs: a keep-alive, dropped silently */
	m = parse_text("\n\n");
	ck_verdict(m, SIFT_REASON_KEEPALIVE, SIFT_ACTION_DROP);
	ck_assert_uint_eq(m->kind, SIFT_KIND_KEEPALIVE);
}
END_TEST

/* Nothing beyond the message's length may change the result. */
START_TEST(test_sip_parse_ignores_bytes_beyond_length)
{
	struct sift_sip_msg first;
	size_t len;

	parse_text(INVITE_OK);
	first = scratch.msg;
	len = first.len;
	for (int fill = 0; fill < 256; fill += 17) {
		memset(scratch.buf + len, fill, sizeof(scratch.buf) - len);
		sift_sip_parse_scratch(&scratch, len);
		ck_assert_mem_eq(&scratch.msg, &first, sizeof(first));
	}
}
END_TEST

/* ---- defects in realistic messages, as a table (tests/lib/defects.c) ---------- */

static void check_defect(const struct sip_defect_msg *dm, void *arg)
{
	const struct sip_defect *df = dm->defect;
	const struct sift_sip_msg *m;
	enum sift_action want;

	memset(&scratch, 0, sizeof(scratch));
	sift_sip_parse_bytes(&scratch, dm->data, dm->len);
	m = &scratch.msg;
	/* a request is answered through its top Via, if that is left */
	if (m->kind == SIFT_KIND_RESPONSE)
		want = SIFT_ACTION_DROP;
	else if (df->reason == SIFT_REASON_BAD_VIA && dm->nth == 1 && !df->kept)
		want = SIFT_ACTION_DROP;
	else
		want = SIFT_ACTION_PUNT;
	ck_assert_msg(m->reason == df->reason && m->action == want,
		      "%s, %s #%d: %s: %s/%s, want %s/%s", dm->base, df->hdr, dm->nth, dm->value,
		      sift_action_name(m->action), sift_reason_name(m->reason),
		      sift_action_name(want), sift_reason_name(df->reason));
	if (df->kept && dm->nth == 1 && m->kind == SIFT_KIND_REQUEST)
		ck_span(m->via[0].host, "192.0.2.9");
	(*(unsigned int *)arg)++;
}

START_TEST(test_sip_parse_defects)
{
	unsigned int checked = 0;
	char path[256];

	/* the messages are forwarded as they are */
	for (size_t b = 0; b < sip_defect_n_bases; b++) {
		snprintf(path, sizeof(path), CORPUS "%s", sip_defect_bases[b]);
		ck_assert_msg(parse_file(path)->reason == SIFT_REASON_OK, "%s", path);
	}
	ck_assert_int_gt(sip_defects_each("tests/corpus", check_defect, &checked), 0);
	ck_assert_uint_ge(checked, 120);
	printf("sip_parse: %u defective messages rejected\n", checked);
}
END_TEST

Suite *sip_parse_suite(void)
{
	Suite *s = suite_create("sip_parse");
	TCase *tc = tcase_create("corpus");
	TCase *g = tcase_create("grammar");
	TCase *d = tcase_create("defects");

	tcase_add_test(tc, test_sip_parse_corpus_verdicts);
	tcase_add_test(tc, test_sip_parse_wsinv);
	tcase_add_test(tc, test_sip_parse_intmeth);
	tcase_add_test(tc, test_sip_parse_esc01);
	tcase_add_test(tc, test_sip_parse_lwsdisp);
	tcase_add_test(tc, test_sip_parse_longreq);
	tcase_add_test(tc, test_sip_parse_dblreq);
	tcase_add_test(tc, test_sip_parse_semiuri);
	tcase_add_test(tc, test_sip_parse_transports);
	tcase_add_test(tc, test_sip_parse_mpart01);
	tcase_add_test(tc, test_sip_parse_unreason_noreason);
	tcase_add_test(tc, test_sip_parse_rfc5118);
	suite_add_tcase(s, tc);

	tcase_add_test(g, test_sip_parse_compact_and_case);
	tcase_add_test(g, test_sip_parse_lws_and_folding);
	tcase_add_test(g, test_sip_parse_via_list);
	tcase_add_test(g, test_sip_parse_via_protocol);
	tcase_add_test(g, test_sip_parse_via_hosts);
	tcase_add_test(g, test_sip_parse_via_ports_received);
	tcase_add_test(g, test_sip_parse_call_id);
	tcase_add_test(g, test_sip_parse_from_to);
	tcase_add_test(g, test_sip_parse_route);
	tcase_add_test(g, test_sip_parse_uris);
	tcase_add_test(g, test_sip_parse_numbers);
	tcase_add_test(g, test_sip_parse_status_line);
	tcase_add_test(g, test_sip_parse_request_line);
	tcase_add_test(g, test_sip_parse_headers);
	tcase_add_test(g, test_sip_parse_name_addr);
	tcase_add_test(g, test_sip_parse_framing);
	tcase_add_test(g, test_sip_parse_ignores_bytes_beyond_length);
	suite_add_tcase(s, g);

	tcase_add_test(d, test_sip_parse_defects);
	suite_add_tcase(s, d);
	return s;
}
