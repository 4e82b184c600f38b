// SPDX-License-Identifier: GPL-2.0
/*
 * One parser, two targets: the XDP program (through BPF_PROG_TEST_RUN, the
 * result read back from its scratch map) and the native build must produce
 * the same struct sift_sip_msg, byte for byte, for every corpus message and
 * for >= 100,000 mutations of them.  The native side fills the buffer beyond
 * the message with random bytes; the BPF side has whatever the previous
 * packet left there, so reading past the end shows up as a difference.
 *
 * The program runs with routing installed (tests/bpf/fwd_fixture.h), so what
 * it forwards is checked too: the frame that comes out has valid checksums
 * and parses cleanly, with the same dialog and transaction and one Via more
 * (a request) or less (a response).
 *
 * One decision, two builds: every message the XDP program decided on (its
 * plan.decision) is decided again natively (user/lib/decide.h) on the same
 * maps, and both must give the same answer and the same plan (next hop,
 * backend, group, Record-Route, what of sift's Route or Via comes off).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#include "bpfrun.h"
#include "decide.h"
#include "defects.h"
#include "fwd_native.h"
#include "fwd_fixture.h"
#include "mutate.h"
#include "pkt.h"
#include "sip_native.h"
#include "suites.h"

#define MUTATIONS 100000
#define CORPUS_DIR "tests/corpus"

static struct corpus_msg corpus[128];
static int n_corpus;
static struct fwd_fixture fx;
static struct sift *skel;
static struct sift_scratch bpf_s, nat_s, out_s;
static unsigned long forwarded, decided, decided_by[SIFT_REASON__MAX];
static struct sift_fwd_tables tables;
/* where the message being compared comes from (pkt_build's defaults, or the test's) */
static const char *cur_src = "198.18.1.2";
static unsigned int cur_sport = 5060;
static struct mutator garbage;

static void setup(void)
{
	ck_assert_int_eq(bpfrun_pin_cpu0(), 0);
	n_corpus = corpus_load(CORPUS_DIR, corpus, 128);
	ck_assert_msg(n_corpus > 100, "corpus: %d messages", n_corpus);
	static const char *const corpus_domains[] = { "example.com", "biloxi.example.com",
						      "chicago.example.com", "example.org",
						      "example.net" };

	ck_assert_int_eq(fix_load(&fx), 0);
	/* the corpus's domains are sift's: its requests get routed and forwarded */
	for (size_t i = 0; i < sizeof(corpus_domains) / sizeof(corpus_domains[0]); i++)
		snprintf(fx.routing.domains[fx.routing.n_domains++], SIFT_NAME_MAX, "%s",
			 corpus_domains[i]);
	ck_assert_int_eq(fix_reinstall(&fx), 0);
	skel = fx.skel;
	sift_fwd_tables_init(&tables, &fx.maps, &fx.st);
	forwarded = decided = 0;
	memset(decided_by, 0, sizeof(decided_by));
	mutator_seed(&garbage, 42);
}

static void teardown(void)
{
	fix_free(&fx);
}

static bool same_span(const struct sift_scratch *a, struct sift_span x, const struct sift_scratch *b,
		      struct sift_span y)
{
	return x.len == y.len && !memcmp(a->buf + x.off, b->buf + y.off, x.len);
}

/*
 * A forwarded frame: checksums right, and it parses as the same message one
 * hop further.  NULL, or what is wrong.
 */
static const char *check_forwarded(const struct bpfrun_result *r, const struct sift_scratch *in)
{
	const struct sift_sip_msg *a = &in->msg, *b = &out_s.msg;
	struct pkt_view v;

	if (!pkt_view(r->out, r->out_len, &v))
		return "not an IP/UDP frame";
	if (!pkt_csum_ok(r->out, r->out_len))
		return "bad IP or UDP checksum";
	sift_sip_parse_bytes(&out_s, r->out + v.payload, v.payload_len);
	if (b->reason && b->reason != SIFT_REASON_MAX_FORWARDS_ZERO) {
		static char why[96];

		snprintf(why, sizeof(why), "does not parse cleanly (%s)", sift_reason_name(b->reason));
		return why;
	}
	if (b->kind != a->kind || b->method != a->method || b->status != a->status ||
	    b->cseq != a->cseq)
		return "start line or CSeq changed";
	if (!same_span(in, a->call_id, &out_s, b->call_id) ||
	    !same_span(in, a->from_tag, &out_s, b->from_tag) ||
	    !same_span(in, a->to_tag, &out_s, b->to_tag))
		return "Call-ID or tags changed";
	if (a->kind == SIFT_KIND_REQUEST) {
		struct sift_addr nh, src;
		char want[SIFT_BRANCH_LEN + 1];
		unsigned int reply;

		if (b->n_via != a->n_via + 1)
			return "not one Via more";
		if ((a->present & SIFT_HDR_MAX_FORWARDS) ? b->max_forwards + 1 != a->max_forwards :
							     b->max_forwards != 70)
			return "Max-Forwards not one less (or 70 when there was none)";
		/* the branch sift makes for where the frame went and whence it came */
		memset(&nh, 0, sizeof(nh));
		if (v.ip_version == 6) {
			nh.family = SIFT_AF_INET6;
			memcpy(nh.v6, r->out + v.l3 + 24, 16);
		} else {
			nh.family = SIFT_AF_INET;
			memcpy(&nh.v4, r->out + v.l3 + 16, 4);
		}
		sift_addr_parse(cur_src, &src);
		if (sift_via_received_scratch((struct sift_scratch *)in, &src, cur_sport))
			return "forwarded a top Via only siftd may rewrite";
		reply = in->plan.reply_port;
		sift_branch_text((struct sift_scratch *)in, fix_key, &nh,
				 r->out[v.l4 + 2] << 8 | r->out[v.l4 + 3], &src, reply, want);
		if (b->via[0].branch.len != SIFT_BRANCH_LEN ||
		    memcmp(out_s.buf + b->via[0].branch.off, want, SIFT_BRANCH_LEN))
			return "top Via is not sift's, for this next hop and caller";
	} else if (b->n_via + 1 != a->n_via) {
		return "not one Via less";
	}
	return NULL;
}

/*
 * The XDP program decided on the message now in nat_s: decide natively on
 * the same tables, as it arrived (pkt_build's addresses, the fixture's
 * ingress).  NULL when both agree, or what differs.
 */
static const char *check_decision(const struct pkt_spec *spec)
{
	static char why[160];
	const struct sift_fwd_plan *b = &bpf_s.plan, *n = &nat_s.plan;
	struct sift_arrival a = { .peer_port = spec->sport ? spec->sport : 5060,
				  .ingress = fix_net.in_ifindex };
	int want = b->decision & ~SIFT_PLAN_DECIDED, got;

	if (spec->ip_version == 6) {
		sift_addr_parse(spec->src ? spec->src : "2001:db8:1::2", &a.peer);
		sift_addr_parse(spec->dst ? spec->dst : "2001:db8:1::1", &a.local);
	} else {
		sift_addr_parse(spec->src ? spec->src : "198.18.1.2", &a.peer);
		sift_addr_parse(spec->dst ? spec->dst : "198.18.1.1", &a.local);
	}
	got = sift_fwd_decide(&tables, &nat_s, &a, fix_key);
	decided++;
	decided_by[want < SIFT_REASON__MAX ? want : 0]++;
	if (got != want) {
		snprintf(why, sizeof(why), "XDP decided %s, native %s",
			 want ? sift_reason_name(want) : "forward", got ? sift_reason_name(got) : "forward");
		return why;
	}
	if (memcmp(&b->dst, &n->dst, sizeof(b->dst)) || b->dport != n->dport)
		return "next hops differ";
	if (b->backend != n->backend || b->group != n->group)
		return "backends or groups differ";
	if (b->record_route != n->record_route)
		return "Record-Route differs";
	if (b->cut_off != n->cut_off || b->cut_len != n->cut_len)
		return "what comes off differs";
	return NULL;
}

/* The largest SIP payload BPF_PROG_TEST_RUN takes in one buffer (IPv4 + UDP). */
#define FRAME_MAX (4096 - 256 - 320)
#define PAYLOAD_MAX (FRAME_MAX - 14 - 20 - 8)

/* Describe the first field that differs. */
static void explain(const struct sift_sip_msg *a, const struct sift_sip_msg *b, char *out,
		    size_t len)
{
	const unsigned char *x = (const void *)a, *y = (const void *)b;

	for (size_t i = 0; i < sizeof(*a); i++) {
		if (x[i] != y[i]) {
			snprintf(out, len, "byte %zu of struct sift_sip_msg: bpf %u native %u (reason %s/%s)",
				 i, x[i], y[i], sift_reason_name(a->reason),
				 sift_reason_name(b->reason));
			return;
		}
	}
	snprintf(out, len, "no difference");
}

/*
 * Parse @msg both ways; 1 if they agree, 0 if not (the message is saved under
 * /tmp for a repro), -1 if it cannot travel in one XDP buffer.
 */
static int compare_from(const uint8_t *msg, size_t len, const char *what,
			const struct pkt_spec *from)
{
	static __u8 frame[PKT_MAX];
	struct pkt_spec spec = { .payload = msg, .payload_len = len };
	struct bpfrun_result r;
	size_t flen;
	char why[256];

	if (len > PAYLOAD_MAX)
		return -1;
	cur_src = "198.18.1.2";
	cur_sport = 5060;
	if (from) {
		spec.ip_version = from->ip_version;
		spec.src = from->src;
		spec.dst = from->dst;
		spec.sport = from->sport;
		cur_src = from->src ? from->src : from->ip_version == 6 ? "2001:db8:1::2" : cur_src;
		cur_sport = from->sport ? from->sport : 5060;
	}
	flen = pkt_build(&spec, frame, sizeof(frame));
	ck_assert(flen);
	ck_assert_int_eq(bpfrun_run_on(skel, fix_net.in_ifindex, frame, flen, &r), 0);
	ck_assert_int_eq(bpfrun_scratch_cpu0(skel, &bpf_s), 0);

	for (size_t i = 0; i < sizeof(nat_s.buf); i++)
		nat_s.buf[i] = (uint8_t)mutator_next(&garbage);
	memcpy(nat_s.buf, msg, len);
	sift_sip_parse_scratch(&nat_s, len);
	if (bpf_s.plan.decision & SIFT_PLAN_DECIDED) {
		const char *bad = check_decision(&spec);

		ck_assert_int_eq(bpfrun_scratch_forget_decision(skel), 0);
		if (bad) {
			FILE *f = fopen("/tmp/sift-decide-repro.sip", "wb");

			if (f) {
				fwrite(msg, 1, len, f);
				fclose(f);
			}
			ck_abort_msg("%s: %s (message in /tmp/sift-decide-repro.sip)", what, bad);
		}
	}

	if (r.retval == XDP_TX || r.retval == XDP_REDIRECT) {
		const char *bad;

		ck_assert_msg(nat_s.msg.action == SIFT_ACTION_FORWARD,
			      "%s: forwarded what the parser does not forward", what);
		bad = check_forwarded(&r, &nat_s);
		if (bad) {
			FILE *f = fopen("/tmp/sift-fwd-repro.sip", "wb");

			if (f) {
				fwrite(msg, 1, len, f);
				fclose(f);
			}
			ck_abort_msg("%s: forwarded frame %s (message in /tmp/sift-fwd-repro.sip)",
				     what, bad);
		}
		forwarded++;
	} else if (r.retval == XDP_DROP) {
		/*
		 * only the forwarding decision drops: a response not through sift,
		 * a request from this untrusted source to a hop sift may not relay to
		 */
		ck_assert_msg(nat_s.msg.action == SIFT_ACTION_FORWARD,
			      "%s: dropped a message the parser does not forward", what);
	} else {
		ck_assert_uint_eq(r.retval, XDP_PASS);
	}
	if (!memcmp(&bpf_s.msg, &nat_s.msg, sizeof(nat_s.msg)))
		return 1;
	explain(&bpf_s.msg, &nat_s.msg, why, sizeof(why));
	FILE *f = fopen("/tmp/sift-diff-repro.sip", "wb");
	if (f) {
		fwrite(msg, 1, len, f);
		fclose(f);
	}
	fprintf(stderr, "%s: %s (message saved in /tmp/sift-diff-repro.sip)\n", what, why);
	return 0;
}

static int compare(const uint8_t *msg, size_t len, const char *what)
{
	return compare_from(msg, len, what, NULL);
}

START_TEST(test_bpf_sip_diff_corpus)
{
	struct sift_stats st;
	unsigned long want[3] = { 0 }, too_big = 0;

	for (int i = 0; i < n_corpus; i++) {
		int c = compare(corpus[i].data, corpus[i].len, corpus[i].name);

		ck_assert_msg(c != 0, "%s: BPF and native parses differ", corpus[i].name);
		if (c < 0) {
			too_big++;
			continue;
		}
		want[nat_s.msg.action]++;
	}
	/* Only longreq.dat (3.5 KB) does not fit one XDP buffer. */
	ck_assert_uint_le(too_big, 1);

	/* Every verdict was counted, under forward, punt or drop. */
	ck_assert_int_eq(bpfrun_stats(skel, &st), 0);
	ck_assert_uint_eq(st.c[SIFT_STAT_SIP_FORWARD].packets, want[SIFT_ACTION_FORWARD]);
	ck_assert_uint_eq(st.c[SIFT_STAT_SIP_PUNT].packets, want[SIFT_ACTION_PUNT]);
	ck_assert_uint_eq(st.c[SIFT_STAT_SIP_DROP].packets, want[SIFT_ACTION_DROP]);
}
END_TEST

/* Per-reason counters add up to the punts and drops. */
START_TEST(test_bpf_sip_diff_reason_counters)
{
	unsigned long punt[SIFT_REASON__MAX] = { 0 }, drop[SIFT_REASON__MAX] = { 0 };
	struct sift_stats st;

	for (int i = 0; i < n_corpus; i++) {
		if (compare(corpus[i].data, corpus[i].len, corpus[i].name) <= 0)
			continue;
		if (nat_s.msg.action == SIFT_ACTION_PUNT)
			punt[nat_s.msg.reason]++;
		if (nat_s.msg.action == SIFT_ACTION_DROP)
			drop[nat_s.msg.reason]++;
	}
	ck_assert_int_eq(bpfrun_stats(skel, &st), 0);
	/* the parser's reasons as the native parser gives them */
	for (int r = 1; r < SIFT_REASON_FIRST_FWD; r++) {
		ck_assert_msg(st.c[SIFT_STAT_PUNT_BASE + r - 1].packets == punt[r],
			      "punt %s: %llu counted, %lu expected", sift_reason_name(r),
			      (unsigned long long)st.c[SIFT_STAT_PUNT_BASE + r - 1].packets, punt[r]);
		ck_assert_msg(st.c[SIFT_STAT_DROP_BASE + r - 1].packets == drop[r],
			      "drop %s: %llu counted, %lu expected", sift_reason_name(r),
			      (unsigned long long)st.c[SIFT_STAT_DROP_BASE + r - 1].packets, drop[r]);
	}
	/* the forwarding decision's reasons add up to its punts and drops */
	{
		unsigned long long fp = 0, fd = 0;

		for (int r = SIFT_REASON_FIRST_FWD; r < SIFT_REASON__MAX; r++) {
			fp += st.c[SIFT_STAT_PUNT_BASE + r - 1].packets;
			fd += st.c[SIFT_STAT_DROP_BASE + r - 1].packets;
		}
		ck_assert_uint_eq(fp, st.c[SIFT_STAT_FWD_PUNT].packets);
		ck_assert_uint_eq(fd, st.c[SIFT_STAT_FWD_DROP].packets);
		ck_assert_uint_eq(st.c[SIFT_STAT_SIP_FORWARD].packets,
				  st.c[SIFT_STAT_FWD_REQUEST].packets +
					  st.c[SIFT_STAT_FWD_RESPONSE].packets +
					  st.c[SIFT_STAT_FWD_TRANSIT].packets + fp + fd +
					  st.c[SIFT_STAT_FWD_OFF].packets +
					  st.c[SIFT_STAT_FWD_SHIELD].packets);
	}
}
END_TEST

/* The defective messages of the unit tests: both builds reject them alike. */
static void diff_defect(const struct sip_defect_msg *dm, void *arg)
{
	char what[512];

	snprintf(what, sizeof(what), "%s, %s #%d: %s", dm->base, dm->defect->hdr, dm->nth,
		 dm->value);
	ck_assert_msg(compare(dm->data, dm->len, what) > 0, "%s: BPF and native parses differ",
		      what);
	ck_assert_msg(nat_s.msg.reason == dm->defect->reason, "%s: %s", what,
		      sift_reason_name(nat_s.msg.reason));
	(*(unsigned int *)arg)++;
}

START_TEST(test_bpf_sip_diff_defects)
{
	unsigned int n = 0;

	ck_assert_int_gt(sip_defects_each(CORPUS_DIR, diff_defect, &n), 0);
	ck_assert_uint_ge(n, 120);
}
END_TEST

START_TEST(test_bpf_sip_diff_mutations)
{
	static uint8_t buf[8192];
	unsigned long compared = 0, verdicts[3] = { 0 };
	struct mutator mu;
	uint64_t seed = getenv("SIFT_DIFF_SEED") ? strtoull(getenv("SIFT_DIFF_SEED"), NULL, 0) :
						   0x5eed5eedULL;

	mutator_seed(&mu, seed);
	printf("differential: %d mutations, seed 0x%llx\n", MUTATIONS, (unsigned long long)seed);
	while (compared < MUTATIONS) {
		const struct corpus_msg *a = &corpus[mutator_next(&mu) % n_corpus];
		const struct corpus_msg *b = &corpus[mutator_next(&mu) % n_corpus];
		const char *what;
		size_t len;
		int c;

		len = mutate(&mu, a->data, a->len, b->data, b->len, buf, sizeof(buf), &what);
		/* mutate a mutation now and then: deeper damage */
		if (mutator_next(&mu) % 4 == 0)
			len = mutate(&mu, buf, len, b->data, b->len, buf, sizeof(buf), &what);
		c = compare(buf, len, what);
		ck_assert_msg(c != 0, "mutation %lu (%s of %s): BPF and native parses differ",
			      compared, what, a->name);
		if (c > 0) {
			compared++;
			verdicts[nat_s.msg.action]++;
		}
	}
	printf("differential: %lu identical (%lu forward, %lu punt, %lu drop); %lu forwarded "
	       "frames re-parsed\n",
	       compared, verdicts[0], verdicts[1], verdicts[2], forwarded);
	/* The mutations reach every verdict, or they test too little. */
	ck_assert(verdicts[0] > 1000 && verdicts[1] > 1000 && verdicts[2] > 1000);
	ck_assert_msg(forwarded > 1000, "only %lu mutations were forwarded", forwarded);
	/* both builds decided alike, on paths enough to mean something */
	printf("decisions: %lu compared; forward %lu, no_route %lu, relay_denied %lu, "
	       "not_our_via %lu, for_us %lu, bad_route %lu\n",
	       decided, decided_by[0], decided_by[SIFT_REASON_NO_ROUTE],
	       decided_by[SIFT_REASON_RELAY_DENIED], decided_by[SIFT_REASON_NOT_OUR_VIA],
	       decided_by[SIFT_REASON_FOR_US], decided_by[SIFT_REASON_BAD_ROUTE]);
	ck_assert_uint_gt(decided, 10000);
	ck_assert_uint_gt(decided_by[0], 1000);
	ck_assert_uint_gt(decided_by[SIFT_REASON_NO_ROUTE] + decided_by[SIFT_REASON_RELAY_DENIED] +
				  decided_by[SIFT_REASON_NOT_OUR_VIA] + decided_by[SIFT_REASON_FOR_US],
			  1000);
}
END_TEST

/*
 * Requests and responses made to reach every branch of the decision: user
 * parts for each route and none, sift's names and addresses, backends,
 * strangers, Route sets of sift's and others', dialogs, trusted and
 * untrusted sources over both families, backends up and down.
 */
START_TEST(test_bpf_decide_diff)
{
	static const char *const users[] = { "", "alice", "+15551234", "6100", "7123", "7999",
					     "+6612", "4444" };
	static const char *const hosts[] = { "198.18.1.1", "sift.example", "[2001:db8:1::1]",
					     "example.com", "198.18.2.2", "198.18.2.3:5070",
					     "198.18.9.9", "unknown.test", "[2001:db8:2::2]",
					     "198.18.1.1:5080" };
	static const char *const routes[] = {
		"",
		"Route: <sip:198.18.1.1;lr>\r\n",
		"Route: <sip:198.18.1.1;lr>, <sip:198.18.9.9;lr>\r\n",
		"Route: <sip:sift.example;lr>\r\nRoute: <sip:198.18.2.2;lr>\r\n",
		"Route: <sip:198.18.9.9;lr>\r\n",
		"Route: <sip:198.18.2.1;lr>, <sip:198.18.1.1;lr>\r\n",
		"Route: <sip:name.test;lr>\r\n",
	};
	static const char *const methods[] = { "INVITE", "BYE", "OPTIONS", "MESSAGE", "ACK",
					       "SUBSCRIBE", "REGISTER" };
	static const struct pkt_spec froms[] = {
		{ .ip_version = 4 },
		{ .ip_version = 4, .src = FIX_TRUSTED_PEER },
		{ .ip_version = 4, .src = "198.18.2.2", .sport = 5060 },
		{ .ip_version = 6 },
		{ .ip_version = 4, .src = "198.18.1.7", .sport = 40001 },
	};
	static char msg[2048];
	struct mutator mu;
	unsigned long before = decided, n = 0;

	mutator_seed(&mu, 0xdec1de);
	for (int round = 0; round < 4; round++) {
		/* the three-backend group with a member down, then with none up */
		if (round == 1)
			fix_backend_state(&fx, "three", "198.18.2.3", SIFT_BACKEND_DOWN);
		if (round == 2) {
			fix_backend_state(&fx, "three", "198.18.2.2", SIFT_BACKEND_DOWN);
			fix_backend_state(&fx, "three", "198.18.2.4", SIFT_BACKEND_DOWN);
			fix_backend_state(&fx, "one", "198.18.2.2", SIFT_BACKEND_DRAIN);
		}
		if (round == 3) {
			fix_backend_state(&fx, "three", "198.18.2.2", SIFT_BACKEND_UP);
			fix_backend_state(&fx, "three", "198.18.2.3", SIFT_BACKEND_UP);
			fix_backend_state(&fx, "three", "198.18.2.4", SIFT_BACKEND_UP);
			fix_backend_state(&fx, "one", "198.18.2.2", SIFT_BACKEND_UP);
		}
		ck_assert_int_eq(fix_reinstall(&fx), 0);
		for (int i = 0; i < 5000; i++) {
			const char *u = users[mutator_next(&mu) % 8];
			const char *h = hosts[mutator_next(&mu) % 10];
			const char *rt = routes[mutator_next(&mu) % 7];
			const char *me = methods[mutator_next(&mu) % 7];
			const struct pkt_spec *from = &froms[mutator_next(&mu) % 5];
			unsigned int cid = (unsigned int)mutator_next(&mu);
			bool tag = mutator_next(&mu) % 3 == 0;
			int len;

			if (mutator_next(&mu) % 8 == 0) {
				/* a response, with sift's Via on top or someone else's */
				bool ours = mutator_next(&mu) % 2;

				len = snprintf(msg, sizeof(msg),
					       "SIP/2.0 200 OK\r\n"
					       "Via: SIP/2.0/UDP %s;branch=z9hG4bK-sft%016x%08x\r\n"
					       "Via: SIP/2.0/UDP 198.18.1.2:5060;branch=z9hG4bK%x\r\n"
					       "From: <sip:a@example.com>;tag=f%x\r\nTo: <sip:b@%s>;tag=t1\r\n"
					       "Call-ID: %x@test\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n",
					       ours ? "198.18.2.1" : "198.18.7.7", cid, cid * 7, cid, cid,
					       h, cid, me);
			} else {
				len = snprintf(msg, sizeof(msg),
					       "%s sip:%s%s%s SIP/2.0\r\n"
					       "Via: SIP/2.0/UDP 198.18.1.2:5060;branch=z9hG4bK%x;rport\r\n"
					       "%sMax-Forwards: 70\r\n"
					       "From: <sip:a@example.com>;tag=f%x\r\nTo: <sip:%s%s%s>%s\r\n"
					       "Call-ID: %x@test\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n",
					       me, u, *u ? "@" : "", h, cid, rt, cid, u, *u ? "@" : "", h,
					       tag ? ";tag=t1" : "", cid, me);
			}
			ck_assert(len > 0 && (size_t)len < sizeof(msg));
			ck_assert_int_eq(compare_from((const uint8_t *)msg, len, msg, from), 1);
			n++;
		}
	}
	printf("decisions (synthetic): %lu messages, %lu decided; forward %lu, no_route %lu, "
	       "no_backend %lu, relay_denied %lu, for_us %lu, not_our_via %lu, register %lu, "
	       "next_hop_name %lu\n",
	       n, decided - before, decided_by[0], decided_by[SIFT_REASON_NO_ROUTE],
	       decided_by[SIFT_REASON_NO_BACKEND], decided_by[SIFT_REASON_RELAY_DENIED],
	       decided_by[SIFT_REASON_FOR_US], decided_by[SIFT_REASON_NOT_OUR_VIA],
	       decided_by[SIFT_REASON_REGISTER], decided_by[SIFT_REASON_NEXT_HOP_NAME]);
	ck_assert_uint_gt(decided - before, 15000);
	ck_assert_uint_gt(decided_by[0], 1000);
	ck_assert_uint_gt(decided_by[SIFT_REASON_NO_ROUTE], 100);
	ck_assert_uint_gt(decided_by[SIFT_REASON_NO_BACKEND], 100);
	ck_assert_uint_gt(decided_by[SIFT_REASON_RELAY_DENIED], 100);
	ck_assert_uint_gt(decided_by[SIFT_REASON_FOR_US], 100);
	ck_assert_uint_gt(decided_by[SIFT_REASON_NOT_OUR_VIA], 100);
	ck_assert_uint_gt(decided_by[SIFT_REASON_NEXT_HOP_NAME], 100);
}
END_TEST

Suite *bpf_sip_diff_suite(void)
{
	Suite *s = suite_create("bpf_sip_diff");
	TCase *tc = tcase_create("native_vs_bpf");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_bpf_sip_diff_corpus);
	tcase_add_test(tc, test_bpf_sip_diff_reason_counters);
	tcase_add_test(tc, test_bpf_sip_diff_defects);
	tcase_add_test(tc, test_bpf_sip_diff_mutations);
	tcase_add_test(tc, test_bpf_decide_diff);
	suite_add_tcase(s, tc);
	return s;
}
