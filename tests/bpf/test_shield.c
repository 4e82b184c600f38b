// SPDX-License-Identifier: GPL-2.0
/*
 * The shield in the loaded program: access lists, trust, limits per source
 * and class (exact, also when two CPUs hit one bucket), caps, automatic and
 * manual bans with their expiry, scanner User-Agents, the parser's drop
 * verdicts.  Every drop is silent (XDP_DROP) and counted under its reason.
 * Fragments to sift meet the source checks; siftd's native build of the
 * shield, on the same maps, runs every check on what it gets reassembled.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfrun.h"
#include "fwd_fixture.h"
#include "pkt.h"
#include "shield_conf.h"
#include "shield_native.h"
#include "shieldstate.h"
#include "sift.skel.h"
#include "suites.h"

#define CRLF "\r\n"
#define REQ(method, ua)                                                                            \
	method " sip:bob@198.18.1.1 SIP/2.0" CRLF                                                  \
	       "Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKsh1" CRLF "Max-Forwards: 70" CRLF  \
	       "To: <sip:bob@198.18.1.1>" CRLF "From: <sip:a@198.18.1.2>;tag=1" CRLF               \
	       "Call-ID: shield@198.18.1.2" CRLF "CSeq: 1 " method CRLF ua "Content-Length: 0" CRLF \
	       CRLF

static const char invite[] = REQ("INVITE", "User-Agent: Acme-PBX/1.0" CRLF);
static const char options[] = REQ("OPTIONS", "User-Agent: Acme-PBX/1.0" CRLF);

static struct fwd_fixture fx;
static struct sift_shield_conf *sc;

static void setup(void)
{
	ck_assert_int_eq(fix_load(&fx), 0);
	sc = malloc(sizeof(*sc));
	sift_shield_defaults(sc);
	sc->trust_backends = false;
}

static void teardown(void)
{
	free(sc);
	fix_free(&fx);
}

static void install(void)
{
	char err[256];

	ck_assert_msg(!sift_shield_install(&fx.maps, sc, &fx.routing, err, sizeof(err)), "%s", err);
}

static void limit(unsigned int class, double rate, unsigned int burst)
{
	sc->limit[class].rate = rate;
	sc->limit[class].burst = burst;
}

static void acl(bool allow, const char *prefix, bool trusted)
{
	struct sift_acl_entry *e = allow ? &sc->allow[sc->n_allow++] : &sc->deny[sc->n_deny++];

	memset(e, 0, sizeof(*e));
	ck_assert_int_eq(sift_prefix_parse(prefix, &e->prefix), 0);
	e->trusted = trusted;
}

/* @spec's frame, from @src to sift's address on in0 (port 5062 to 5060); the XDP action. */
static unsigned int send_spec(struct pkt_spec *spec, const char *src)
{
	static __thread __u8 frame[PKT_MAX]; /* test_shield_two_cpus sends from two threads */
	struct bpfrun_result r;
	size_t len;

	spec->ip_version = strchr(src, ':') ? 6 : 4;
	spec->src = src;
	spec->dst = strchr(src, ':') ? "2001:db8:1::1" : "198.18.1.1";
	spec->sport = 5062;
	len = pkt_build(spec, frame, sizeof(frame));
	ck_assert(len);
	ck_assert_int_eq(bpfrun_run_on(fx.skel, fix_net.in_ifindex, frame, len, &r), 0);
	return r.retval;
}

/* Send @msg from @src (UDP, or TCP with @tcp) on in0; the XDP action. */
static unsigned int send_from(const char *src, const char *msg, bool tcp)
{
	struct pkt_spec spec = {
		.l4_proto = tcp ? IPPROTO_TCP : 0,
		.payload = msg,
		.payload_len = strlen(msg),
	};

	return send_spec(&spec, src);
}

static unsigned int send4(const char *src, const char *msg)
{
	return send_from(src, msg, false);
}

static __u64 counter(unsigned int idx)
{
	struct sift_stats st;

	ck_assert_int_eq(bpfrun_stats(fx.skel, &st), 0);
	return st.c[idx].packets;
}

/* How many of @n sends of @msg from @src get through (not XDP_DROP). */
static unsigned int passes(const char *src, const char *msg, unsigned int n)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < n; i++)
		ok += send4(src, msg) != XDP_DROP;
	return ok;
}

START_TEST(test_shield_off)
{
	limit(SIFT_CLASS_INVITE, 1, 1);
	sc->enabled = false;
	install();
	ck_assert_uint_eq(passes("198.18.1.2", invite, 20), 20);
}
END_TEST

START_TEST(test_shield_acl)
{
	acl(false, "198.18.1.0/28", false);
	acl(false, "2001:db8:1::/64", false);
	install();
	ck_assert_uint_eq(send4("198.18.1.2", invite), XDP_DROP);
	ck_assert_uint_eq(send_from("198.18.1.2", invite, true), XDP_DROP); /* SIP over TCP too */
	ck_assert_uint_eq(send4("2001:db8:1::2", invite), XDP_DROP);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_ACL_DENY), 3);
	ck_assert_uint_ne(send4("198.18.1.20", invite), XDP_DROP); /* outside the /28 */

	/* allow-only: the listed get in, the rest do not; a deny still wins */
	sc->n_deny = 0;
	acl(true, "198.18.1.16/28", false);
	acl(false, "198.18.1.20/32", false);
	sc->allow_only = true;
	install();
	ck_assert_uint_ne(send4("198.18.1.17", invite), XDP_DROP);
	ck_assert_uint_eq(send4("198.18.1.2", invite), XDP_DROP);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_NOT_ALLOWED), 1);
	ck_assert_uint_eq(send4("198.18.1.20", invite), XDP_DROP);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_ACL_DENY), 4);
}
END_TEST

/* Limits per source and per class; the trusted skip them. */
START_TEST(test_shield_limits)
{
	sc->ban_time = 0;
	limit(SIFT_CLASS_INVITE, 1.0 / 3600, 5);
	limit(SIFT_CLASS_OPTIONS, 1.0 / 3600, 2);
	acl(true, "198.18.1.100/32", true);
	install();
	/* a burst of 5, then nothing for an hour */
	ck_assert_uint_eq(passes("198.18.1.2", invite, 20), 5);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_RATE_INVITE), 15);
	/* the same source's OPTIONS have their own bucket */
	ck_assert_uint_eq(passes("198.18.1.2", options, 10), 2);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_RATE_OPTIONS), 8);
	/* another source, its own buckets */
	ck_assert_uint_eq(passes("198.18.1.3", invite, 10), 5);
	/* trusted: no limit */
	ck_assert_uint_eq(passes("198.18.1.100", invite, 50), 50);
	/* the method class counters saw every one */
	ck_assert_uint_eq(counter(SIFT_STAT_METHOD_INVITE), 80);
	ck_assert_uint_eq(counter(SIFT_STAT_METHOD_OPTIONS), 10);
}
END_TEST

/* One token per second: exactly one more after a second, not two. */
START_TEST(test_shield_rate_refills)
{
	sc->ban_time = 0;
	limit(SIFT_CLASS_INVITE, 1, 3);
	install();
	ck_assert_uint_eq(passes("198.18.1.2", invite, 10), 3);
	usleep(1200 * 1000);
	ck_assert_uint_eq(passes("198.18.1.2", invite, 10), 1);
}
END_TEST

struct hammer {
	int cpu;
	unsigned int sent, passed;
	double seconds; /* 0: send @sent messages; else keep sending this long */
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(h->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (h->seconds) {
		double until = mono() + h->seconds;

		while (mono() < until)
			h->passed += send4("198.18.1.2", invite) != XDP_DROP;
		return NULL;
	}
	for (unsigned int i = 0; i < h->sent; i++)
		h->passed += send4("198.18.1.2", invite) != XDP_DROP;
	return NULL;
}

/*
 * Two CPUs on one source's bucket: the burst is granted exactly once in
 * total (compare-and-exchange on the arrival time), never once per CPU;
 * and a source over its limit from both keeps being over, so it is banned.
 */
START_TEST(test_shield_two_cpus)
{
	int ncpu = libbpf_num_possible_cpus();
	struct hammer h[2] = { { .cpu = 0, .sent = 3000 }, { .cpu = 1 % ncpu, .sent = 3000 } };
	pthread_t t[2];

	sc->ban_time = 0;
	limit(SIFT_CLASS_INVITE, 1.0 / 3600, 100);
	install();
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(h[0].passed + h[1].passed, 100);

	sc->ban_after = 0.2;
	sc->ban_time = 60;
	install();
	for (int i = 0; i < 2; i++) {
		h[i].seconds = 0.6;
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_BAN_IMPOSED), 1);
	ck_assert_uint_gt(counter(SIFT_STAT_SHIELD_BANNED), 0);
}
END_TEST

/* A cap counts all sources of a class together. */
START_TEST(test_shield_caps)
{
	sc->cap[SIFT_CLASS_INVITE].rate = 1.0 / 3600;
	sc->cap[SIFT_CLASS_INVITE].burst = 4;
	install();
	ck_assert_uint_eq(passes("198.18.1.2", invite, 3), 3);
	ck_assert_uint_eq(passes("198.18.1.3", invite, 3), 1);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_CAP_INVITE), 2);
	ck_assert_uint_eq(passes("198.18.1.4", options, 3), 3); /* OPTIONS are not capped */
}
END_TEST

static int ban_of(const char *addr, struct sift_ban *b)
{
	struct sift_addr a, key;

	sift_addr_parse(addr, &a);
	sift_ban_key_of(&a, 64, &key);
	return bpf_map_lookup_elem(fx.maps.bans, &key, b);
}

/* Over the limit long enough: banned, every message dropped, and free again on time. */
START_TEST(test_shield_auto_ban)
{
	struct sift_ban b;

	limit(SIFT_CLASS_INVITE, 1.0 / 3600, 2);
	sc->ban_after = 0.2;
	sc->ban_time = 1;
	install();
	ck_assert_uint_eq(passes("198.18.1.2", invite, 5), 2);
	ck_assert_int_ne(ban_of("198.18.1.2", &b), 0); /* over, but not yet for long */
	usleep(300 * 1000);
	ck_assert_uint_eq(send4("198.18.1.2", invite), XDP_DROP); /* 0.3 s over: banned */
	ck_assert_int_eq(ban_of("198.18.1.2", &b), 0);
	ck_assert_uint_eq(b.origin, SIFT_BAN_AUTO);
	ck_assert_uint_eq(b.class, SIFT_CLASS_INVITE);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_BAN_IMPOSED), 1);
	/* banned: even OPTIONS, which have tokens, are dropped */
	ck_assert_uint_eq(passes("198.18.1.2", options, 4), 0);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_BANNED), 4);
	ck_assert_int_eq(ban_of("198.18.1.2", &b), 0);
	ck_assert_uint_eq(b.drops, 4);
	ck_assert_uint_eq(passes("198.18.1.3", options, 1), 1); /* others are not */
	/* the ban runs out: OPTIONS pass again, the entry is gone */
	usleep(1100 * 1000);
	ck_assert_uint_eq(passes("198.18.1.2", options, 1), 1);
	ck_assert_int_ne(ban_of("198.18.1.2", &b), 0);
}
END_TEST

/* A ban by hand on an IPv6 address covers its /64. */
START_TEST(test_shield_manual_ban)
{
	struct sift_ban b = { .origin = SIFT_BAN_MANUAL };
	struct sift_addr a, key;
	struct timespec ts;

	install();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	b.since = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	b.expires = b.since + 60 * 1000000000ULL;
	sift_addr_parse("2001:db8:1::7", &a);
	sift_ban_key_of(&a, 64, &key);
	ck_assert_int_eq(bpf_map_update_elem(fx.maps.bans, &key, &b, BPF_ANY), 0);
	ck_assert_uint_eq(send4("2001:db8:1::2", invite), XDP_DROP);
	ck_assert_uint_eq(send4("2001:db8:1:1::2", invite), XDP_REDIRECT); /* another /64 */
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_BANNED), 1);

	/* what a ban dropped: exact at first, then in batches per CPU (no shared write per drop) */
	b.drops = SIFT_BAN_EXACT - 2;
	ck_assert_int_eq(bpf_map_update_elem(fx.maps.bans, &key, &b, BPF_ANY), 0);
	for (int i = 0; i < 2 + 2 * SIFT_BAN_BATCH + SIFT_BAN_BATCH / 2; i++)
		ck_assert_uint_eq(send4("2001:db8:1::2", invite), XDP_DROP);
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.bans, &key, &b), 0);
	ck_assert_uint_ge(b.drops, SIFT_BAN_EXACT + 2 * SIFT_BAN_BATCH);
	ck_assert_uint_le(b.drops, SIFT_BAN_EXACT + 3 * SIFT_BAN_BATCH);
	ck_assert_uint_eq((b.drops - SIFT_BAN_EXACT) % SIFT_BAN_BATCH, 0);
}
END_TEST

START_TEST(test_shield_scanners)
{
	install();
	ck_assert_uint_eq(send4("198.18.1.2", REQ("OPTIONS", "User-Agent: friendly-scanner" CRLF)), XDP_DROP);
	ck_assert_uint_eq(send4("198.18.1.2", REQ("REGISTER", "User-Agent: SIPVicious/0.3.3" CRLF)), XDP_DROP);
	ck_assert_uint_eq(send4("198.18.1.2", REQ("INVITE", "User-Agent: sipcli/v1.8" CRLF)), XDP_DROP);
	ck_assert_uint_eq(send4("198.18.1.2", REQ("INVITE", "User-Agent: VaxSIPUserAgent/3.1" CRLF)), XDP_DROP);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_SCANNER), 4);
	/* the first product token decides; an ordinary one passes */
	ck_assert_uint_eq(send4("198.18.1.2", REQ("INVITE", "User-Agent: Acme friendly-scanner" CRLF)), XDP_REDIRECT);
	ck_assert_uint_eq(send4("198.18.1.2", invite), XDP_REDIRECT);
	/* no User-Agent: fine, unless the policy says otherwise */
	ck_assert_uint_eq(send4("198.18.1.2", REQ("INVITE", "")), XDP_REDIRECT);
	sc->require_ua = true;
	install();
	ck_assert_uint_eq(send4("198.18.1.2", REQ("INVITE", "")), XDP_DROP);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_NO_UA), 1);
}
END_TEST

/* The parser's drop verdicts become drops; without the shield they are only counted. */
START_TEST(test_shield_malformed)
{
	static const char broken[] = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF
				     "Via: SIP/2.0/UDP 198.18.1.2;;branch=x" CRLF CRLF;

	sc->enabled = false;
	install();
	ck_assert_uint_eq(send4("198.18.1.2", broken), XDP_PASS);
	sc->enabled = true;
	install();
	ck_assert_uint_eq(send4("198.18.1.2", broken), XDP_DROP);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_MALFORMED), 1);
}
END_TEST

/* ---- fragments: the source checks in XDP ----------------------------------------- */

/*
 * A fragment of an INVITE from @src to sift: IPv4 flags and offset @frag
 * (MF 0x2000), or an IPv6 fragment header with the same, behind a hop-by-hop
 * header with @hbh.  The XDP action.
 */
static unsigned int send_frag(const char *src, __u16 frag, bool hbh)
{
	bool v6 = strchr(src, ':');
	struct pkt_spec spec = {
		.frag = frag,
		.ip6_frag_on = v6,
		.ip6_ext_on = v6 && hbh,
		.ip6_ext = IPPROTO_HOPOPTS,
		.payload = invite,
		.payload_len = strlen(invite),
	};

	return send_spec(&spec, src);
}

static const struct {
	const char *what;
	__u16 frag;
	bool hbh;
} frag_shapes[] = {
	{ "first", 0x2000, false },
	{ "middle", 0x2000 | 185, false },
	{ "last", 185, false },
	{ "first, behind a hop-by-hop header (IPv6)", 0x2000, true },
};
#define N_SHAPES (sizeof(frag_shapes) / sizeof(frag_shapes[0]))

/* How many of the fragment shapes from @src get through (not XDP_DROP). */
static unsigned int frags_pass(const char *src)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < N_SHAPES; i++) {
		unsigned int act = send_frag(src, frag_shapes[i].frag, frag_shapes[i].hbh);

		ck_assert_msg(act == XDP_DROP || act == XDP_PASS, "%s from %s: action %u",
			      frag_shapes[i].what, src, act);
		ok += act != XDP_DROP;
	}
	return ok;
}

/* A ban by hand on @addr for a minute. */
static void ban_now(const char *addr)
{
	struct sift_ban b = { .origin = SIFT_BAN_MANUAL };
	struct sift_addr a, key;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	b.since = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	b.expires = b.since + 60 * 1000000000ULL;
	sift_addr_parse(addr, &a);
	sift_ban_key_of(&a, 64, &key);
	ck_assert_int_eq(bpf_map_update_elem(fx.maps.bans, &key, &b, BPF_ANY), 0);
}

/*
 * Fragments to sift, first or not, IPv4 and IPv6 (also behind a hop-by-hop
 * header): from a denied or a banned source dropped and counted as such, and
 * as fragments; from a clean source passed on to the kernel.
 */
START_TEST(test_shield_fragments)
{
	static const char *const denied[] = { "198.18.1.2", "2001:db8:1::2" };
	static const char *const banned[] = { "198.18.1.3", "2001:db8:1:1::3" };
	static const char *const clean[] = { "198.18.1.4", "2001:db8:1:2::4" };
	struct sift_ban b;

	acl(false, "198.18.1.2/32", false);
	acl(false, "2001:db8:1::2/128", false);
	install();
	ban_now(banned[0]);
	ban_now(banned[1]);
	for (int f = 0; f < 2; f++) {
		ck_assert_uint_eq(frags_pass(denied[f]), 0);
		ck_assert_uint_eq(frags_pass(banned[f]), 0);
		ck_assert_uint_eq(frags_pass(clean[f]), N_SHAPES);
	}
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_ACL_DENY), 2 * N_SHAPES);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_BANNED), 2 * N_SHAPES);
	ck_assert_uint_eq(counter(SIFT_STAT_CLASS_FRAGMENT), 6 * N_SHAPES);
	ck_assert_uint_eq(counter(SIFT_STAT_ACT_DROP), 4 * N_SHAPES);
	ck_assert_uint_eq(counter(SIFT_STAT_ACT_PASS), 2 * N_SHAPES);
	ck_assert_int_eq(ban_of(banned[0], &b), 0);
	ck_assert_uint_eq(b.drops, N_SHAPES); /* the ban counts what it dropped */

	/* the shield off: nothing to check */
	sc->enabled = false;
	install();
	ck_assert_uint_eq(frags_pass(denied[0]), N_SHAPES);
}
END_TEST

/*
 * IPv6 behind a hop-by-hop, destination options or routing header, not a
 * fragment: XDP does not read the SIP behind it and the kernel delivers it
 * to siftd, so it meets the same source checks as a fragment.
 */
START_TEST(test_shield_ip6_ext_headers)
{
	static const __u8 ext[] = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING };

	acl(false, "2001:db8:1::2/128", false);
	install();
	ban_now("2001:db8:1:1::3");
	for (unsigned int i = 0; i < 3; i++) {
		for (int who = 0; who < 3; who++) {
			static const char *const src[] = { "2001:db8:1::2", "2001:db8:1:1::3",
							   "2001:db8:1:2::4" };
			struct pkt_spec spec = {
				.ip6_ext_on = true,
				.ip6_ext = ext[i],
				.payload = invite,
				.payload_len = strlen(invite),
			};
			unsigned int act = send_spec(&spec, src[who]);

			ck_assert_msg(act == (who == 2 ? XDP_PASS : XDP_DROP),
				      "extension header %u from %s: action %u", ext[i], src[who], act);
		}
	}
	ck_assert_uint_eq(counter(SIFT_STAT_CLASS_IP6_EXTHDR), 9);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_ACL_DENY), 3);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_BANNED), 3);
}
END_TEST

/*
 * A STUN Binding request on the SIP port (RFC 5626 4.4.2) is passed on for
 * siftd to answer, and meets the shield first (a banned source's does not
 * pass); the same 20 bytes with a wrong length are not SIP: dropped.
 */
START_TEST(test_shield_stun)
{
	static const char stun[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, (char)0xa4, 0x42,
				       1,    2,	   3,	 4,    5,    6,	   7,		 8,
				       9,    10,   11,	 12 };
	char bad[20];
	struct pkt_spec spec = { .payload = stun, .payload_len = sizeof(stun) };

	install();
	ck_assert_uint_eq(send_spec(&spec, "198.18.1.4"), XDP_PASS);
	ck_assert_uint_eq(send_spec(&spec, "2001:db8:1:2::4"), XDP_PASS);
	ban_now("198.18.1.3");
	ck_assert_uint_eq(send_spec(&spec, "198.18.1.3"), XDP_DROP);
	memcpy(bad, stun, sizeof(bad));
	bad[3] = 4;
	spec.payload = bad;
	ck_assert_uint_eq(send_spec(&spec, "198.18.1.4"), XDP_DROP);
}
END_TEST

/* Allow-only: fragments from sources not on the list are dropped, the listed pass. */
START_TEST(test_shield_fragments_allow_only)
{
	acl(true, "198.18.1.4/32", false);
	acl(true, "2001:db8:1:2::/64", false);
	sc->allow_only = true;
	install();
	ck_assert_uint_eq(frags_pass("198.18.1.5"), 0);
	ck_assert_uint_eq(frags_pass("2001:db8:1:3::5"), 0);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_NOT_ALLOWED), 2 * N_SHAPES);
	ck_assert_uint_eq(frags_pass("198.18.1.4"), N_SHAPES);
	ck_assert_uint_eq(frags_pass("2001:db8:1:2::4"), N_SHAPES);
}
END_TEST

/* ---- the native shield, on the same maps, for what siftd gets reassembled ---------- */

static struct sift_shield_tables *nt;
static struct sift_scratch *ns;

static void native_setup(void)
{
	setup();
	nt = malloc(sizeof(*nt));
	ns = calloc(1, sizeof(*ns));
	sift_shield_tables_init(nt, &fx.maps, bpf_map__fd(fx.skel->maps.sift_buckets));
}

static void native_teardown(void)
{
	free(nt);
	free(ns);
	teardown();
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* siftd's shield on @msg from @src at @now (0: the clock's now); the reason's counter or 0. */
static __u32 native_at(const char *src, const char *msg, __u64 now)
{
	struct sift_addr a;
	size_t len = strlen(msg);

	ck_assert_int_eq(sift_addr_parse(src, &a), 0);
	memset(ns, 0xa5, sizeof(*ns)); /* nothing left from the message before */
	memcpy(ns->buf, msg, len);
	return sift_shield_native(nt, ns, len, &a, now ? now : mono_ns());
}

static __u32 native(const char *src, const char *msg)
{
	return native_at(src, msg, 0);
}

/* What reaches siftd whole meets the message checks: scanners, malformed, User-Agent. */
START_TEST(test_shield_native_message)
{
	static const char broken[] = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF
				     "Via: SIP/2.0/UDP 198.18.1.2;;branch=x" CRLF CRLF;

	install();
	ck_assert_uint_eq(native("198.18.1.2", invite), 0);
	ck_assert_uint_eq(ns->msg.kind, SIFT_KIND_REQUEST); /* passed: parsed for siftd */
	ck_assert_uint_eq(ns->msg.method, SIFT_METHOD_INVITE);
	ck_assert_uint_eq(native("198.18.1.2", REQ("INVITE", "User-Agent: friendly-scanner" CRLF)),
			  SIFT_STAT_SHIELD_SCANNER);
	ck_assert_uint_eq(native("2001:db8:1::2", REQ("REGISTER", "User-Agent: SIPVicious/0.3.3" CRLF)),
			  SIFT_STAT_SHIELD_SCANNER);
	ck_assert_uint_eq(native("198.18.1.2", REQ("INVITE", "User-Agent: Acme friendly-scanner" CRLF)), 0);
	ck_assert_uint_eq(native("198.18.1.2", broken), SIFT_STAT_SHIELD_MALFORMED);
	ck_assert_uint_eq(native("198.18.1.2", REQ("INVITE", "")), 0);
	sc->require_ua = true;
	install();
	ck_assert_uint_eq(native("198.18.1.2", REQ("INVITE", "")), SIFT_STAT_SHIELD_NO_UA);
	ck_assert_uint_eq(nt->counts[SIFT_STAT_SHIELD_SCANNER], 2);
	ck_assert_uint_eq(nt->counts[SIFT_STAT_SHIELD_MALFORMED], 1);
	ck_assert_uint_eq(nt->counts[SIFT_STAT_SHIELD_NO_UA], 1);
	/* the same verdicts as the fast path's, which counts in its own map */
	ck_assert_uint_eq(send4("198.18.1.2", REQ("INVITE", "User-Agent: friendly-scanner" CRLF)), XDP_DROP);
	ck_assert_uint_eq(send4("198.18.1.2", broken), XDP_DROP);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_SCANNER), 1);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_MALFORMED), 1);
	/* the shield off: siftd's checks pass everything, and still parse it */
	sc->enabled = false;
	install();
	ck_assert_uint_eq(native("198.18.1.2", broken), 0);
	ck_assert_uint_eq(ns->msg.action, SIFT_ACTION_DROP);
}
END_TEST

/* The source checks natively: the deny list, the fast path's bans, allow-only. */
START_TEST(test_shield_native_source)
{
	static const char response[] = "SIP/2.0 200 OK" CRLF
				       "Via: SIP/2.0/UDP 198.18.1.1;branch=z9hG4bKx" CRLF
				       "To: <sip:bob@198.18.1.1>;tag=2" CRLF
				       "From: <sip:a@198.18.1.2>;tag=1" CRLF "Call-ID: r@198.18.1.2" CRLF
				       "CSeq: 1 INVITE" CRLF "Content-Length: 0" CRLF CRLF;
	struct sift_ban b;

	acl(false, "198.18.1.2/32", false);
	install();
	ban_now("198.18.1.3");
	ck_assert_uint_eq(native("198.18.1.2", invite), SIFT_STAT_SHIELD_ACL_DENY);
	ck_assert_uint_eq(native("198.18.1.3", invite), SIFT_STAT_SHIELD_BANNED);
	ck_assert_uint_eq(native("198.18.1.3", response), SIFT_STAT_SHIELD_BANNED);
	ck_assert_int_eq(ban_of("198.18.1.3", &b), 0);
	ck_assert_uint_eq(b.drops, 2); /* counted in the ban, as XDP does */
	ck_assert_uint_eq(native("198.18.1.4", response), 0);
	sc->allow_only = true;
	acl(true, "198.18.1.4/32", false);
	install();
	ck_assert_uint_eq(native("198.18.1.5", invite), SIFT_STAT_SHIELD_NOT_ALLOWED);
	ck_assert_uint_eq(native("198.18.1.4", invite), 0);
	ck_assert_uint_eq(nt->counts[SIFT_STAT_SHIELD_ACL_DENY], 1);
	ck_assert_uint_eq(nt->counts[SIFT_STAT_SHIELD_BANNED], 2);
	ck_assert_uint_eq(nt->counts[SIFT_STAT_SHIELD_NOT_ALLOWED], 1);
}
END_TEST

/*
 * Rates natively: the fast path's own buckets (what XDP let through counts
 * here too, and the other way round), then a source over its limit long
 * enough is banned, and the fast path drops it from then on.
 */
START_TEST(test_shield_native_rate_ban)
{
	__u64 t0;
	struct sift_ban b;

	limit(SIFT_CLASS_INVITE, 1.0 / 3600, 3);
	sc->ban_after = 0.2;
	sc->ban_time = 60;
	install();
	ck_assert_uint_eq(passes("198.18.1.2", invite, 2), 2); /* XDP: two of the burst of 3 */
	t0 = mono_ns();
	ck_assert_uint_eq(native_at("198.18.1.2", invite, t0), 0); /* the third */
	ck_assert_uint_eq(native_at("198.18.1.2", invite, t0), SIFT_STAT_SHIELD_RATE_INVITE);
	ck_assert_uint_eq(send4("198.18.1.2", invite), XDP_DROP); /* XDP sees it spent */
	ck_assert_uint_eq(native_at("198.18.1.2", options, t0), 0); /* another class */
	ck_assert_int_ne(ban_of("198.18.1.2", &b), 0);
	/* still over 0.3 s on: banned, as XDP bans */
	ck_assert_uint_eq(native_at("198.18.1.2", invite, t0 + 300000000ULL),
			  SIFT_STAT_SHIELD_RATE_INVITE);
	ck_assert_uint_eq(nt->counts[SIFT_STAT_SHIELD_BAN_IMPOSED], 1);
	ck_assert_uint_eq(nt->counts[SIFT_STAT_SHIELD_RATE_INVITE], 2);
	ck_assert_int_eq(ban_of("198.18.1.2", &b), 0);
	ck_assert_uint_eq(b.origin, SIFT_BAN_AUTO);
	ck_assert_uint_eq(b.class, SIFT_CLASS_INVITE);
	/* the fast path drops the source now, whatever it sends */
	ck_assert_uint_eq(send4("198.18.1.2", options), XDP_DROP);
	ck_assert_uint_eq(counter(SIFT_STAT_SHIELD_BANNED), 1);
	ck_assert_uint_eq(native("198.18.1.2", options), SIFT_STAT_SHIELD_BANNED);
	/* another source is not affected */
	ck_assert_uint_eq(native("198.18.1.3", invite), 0);
	/* and a cap counts siftd's messages with XDP's */
	sc->cap[SIFT_CLASS_OPTIONS].rate = 1.0 / 3600;
	sc->cap[SIFT_CLASS_OPTIONS].burst = 2;
	install();
	ck_assert_uint_eq(passes("198.18.1.4", options, 1), 1);
	ck_assert_uint_eq(native("198.18.1.5", options), 0);
	ck_assert_uint_eq(native("198.18.1.6", options), SIFT_STAT_SHIELD_CAP_OPTIONS);
}
END_TEST

Suite *bpf_shield_suite(void)
{
	Suite *s = suite_create("bpf_shield");
	TCase *tc = tcase_create("shield");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_shield_off);
	tcase_add_test(tc, test_shield_acl);
	tcase_add_test(tc, test_shield_limits);
	tcase_add_test(tc, test_shield_rate_refills);
	tcase_add_test(tc, test_shield_two_cpus);
	tcase_add_test(tc, test_shield_caps);
	tcase_add_test(tc, test_shield_auto_ban);
	tcase_add_test(tc, test_shield_manual_ban);
	tcase_add_test(tc, test_shield_scanners);
	tcase_add_test(tc, test_shield_malformed);
	tcase_add_test(tc, test_shield_fragments);
	tcase_add_test(tc, test_shield_fragments_allow_only);
	tcase_add_test(tc, test_shield_ip6_ext_headers);
	tcase_add_test(tc, test_shield_stun);
	suite_add_tcase(s, tc);

	tc = tcase_create("native");
	tcase_add_checked_fixture(tc, native_setup, native_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_shield_native_message);
	tcase_add_test(tc, test_shield_native_source);
	tcase_add_test(tc, test_shield_native_rate_ban);
	suite_add_tcase(s, tc);
	return s;
}
