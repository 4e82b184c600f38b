// SPDX-License-Identifier: GPL-2.0
/*
 * L2-L4 classification: every frame lands in exactly one class, is counted
 * with its bytes, and leaves the program untouched with XDP_PASS.
 */
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <netinet/in.h>

#include "bpfrun.h"
#include "pkt.h"
#include "suites.h"

static const char sip_options[] = "OPTIONS sip:198.18.1.1 SIP/2.0\r\n"
				  "Via: SIP/2.0/UDP 198.18.1.2:5060;branch=z9hG4bK-1\r\n"
				  "Max-Forwards: 70\r\n"
				  "To: <sip:198.18.1.1>\r\n"
				  "From: <sip:gen@198.18.1.2>;tag=1\r\n"
				  "Call-ID: l2l4@198.18.1.2\r\n"
				  "CSeq: 1 OPTIONS\r\n"
				  "Content-Length: 0\r\n\r\n";

enum mutation {
	MUT_NONE,
	MUT_TRUNCATE,     /* cut the frame to .arg bytes */
	MUT_IPV4_IHL,     /* set IHL to .arg */
	MUT_IPV4_TOTLEN,  /* set total length to frame + .arg */
	MUT_IPV4_VERSION, /* set the version nibble to .arg */
	MUT_UDP_LEN,      /* set the UDP length to IP payload + .arg */
	MUT_ETHERTYPE,    /* set the outer ethertype to .arg */
};

struct fixture {
	const char *desc;
	struct pkt_spec spec;
	enum mutation mut;
	int arg;
	enum sift_stat class;
};

#define SIP .payload = sip_options, .payload_len = sizeof(sip_options) - 1

static const struct fixture fixtures[] = {
	{ "IPv4 UDP to 5060", { SIP }, MUT_NONE, 0, SIFT_STAT_CLASS_SIP },
	{ "IPv4 UDP to 5061 (not a SIP port)", { SIP, .dport = 5061 }, MUT_NONE, 0,
	  SIFT_STAT_CLASS_NON_SIP },
	{ "IPv4 UDP from 5060 to an ephemeral port", { SIP, .sport = 5060, .dport = 40000 },
	  MUT_NONE, 0, SIFT_STAT_CLASS_NON_SIP },
	{ "IPv4 with options (IHL 8)", { SIP, .ihl = 8 }, MUT_NONE, 0, SIFT_STAT_CLASS_SIP },
	{ "IPv4 with IHL 15", { SIP, .ihl = 15 }, MUT_NONE, 0, SIFT_STAT_CLASS_SIP },
	{ "802.1Q tagged", { SIP, .n_vlan = 1, .vlan_tci = { 100 } }, MUT_NONE, 0,
	  SIFT_STAT_CLASS_SIP },
	{ "QinQ (802.1ad + 802.1Q)",
	  { SIP, .n_vlan = 2, .vlan_proto = { ETH_P_8021AD, ETH_P_8021Q }, .vlan_tci = { 10, 20 } },
	  MUT_NONE, 0, SIFT_STAT_CLASS_SIP },
	{ "IPv6 UDP to 5060", { SIP, .ip_version = 6 }, MUT_NONE, 0, SIFT_STAT_CLASS_SIP },
	{ "IPv6 behind two VLAN tags", { SIP, .ip_version = 6, .n_vlan = 2 }, MUT_NONE, 0,
	  SIFT_STAT_CLASS_SIP },
	{ "IPv6 with a hop-by-hop header", { SIP, .ip_version = 6, .ip6_ext_on = true, .ip6_ext = IPPROTO_HOPOPTS },
	  MUT_NONE, 0, SIFT_STAT_CLASS_IP6_EXTHDR },
	{ "IPv6 with a destination options header",
	  { SIP, .ip_version = 6, .ip6_ext_on = true, .ip6_ext = IPPROTO_DSTOPTS }, MUT_NONE, 0,
	  SIFT_STAT_CLASS_IP6_EXTHDR },
	{ "IPv6 with a routing header", { SIP, .ip_version = 6, .ip6_ext_on = true, .ip6_ext = IPPROTO_ROUTING },
	  MUT_NONE, 0, SIFT_STAT_CLASS_IP6_EXTHDR },
	{ "IPv6 fragment", { SIP, .ip_version = 6, .ip6_ext_on = true, .ip6_ext = IPPROTO_FRAGMENT }, MUT_NONE, 0,
	  SIFT_STAT_CLASS_FRAGMENT },
	{ "IPv6 later fragment", { SIP, .ip_version = 6, .ip6_frag_on = true, .frag = 0x00b9 },
	  MUT_NONE, 0, SIFT_STAT_CLASS_FRAGMENT },
	{ "IPv6 fragment behind a hop-by-hop header",
	  { SIP, .ip_version = 6, .ip6_ext_on = true, .ip6_ext = IPPROTO_HOPOPTS,
	    .ip6_frag_on = true, .frag = 0x2000 },
	  MUT_NONE, 0, SIFT_STAT_CLASS_FRAGMENT },
	{ "IPv6 fragment behind a routing header",
	  { SIP, .ip_version = 6, .ip6_ext_on = true, .ip6_ext = IPPROTO_ROUTING,
	    .ip6_frag_on = true, .frag = 0x00b9 },
	  MUT_NONE, 0, SIFT_STAT_CLASS_FRAGMENT },
	{ "IPv4 first fragment (MF)", { SIP, .frag = 0x2000 }, MUT_NONE, 0,
	  SIFT_STAT_CLASS_FRAGMENT },
	{ "IPv4 later fragment (offset)", { SIP, .frag = 0x00b9 }, MUT_NONE, 0,
	  SIFT_STAT_CLASS_FRAGMENT },
	{ "IPv4 DF is not a fragment", { SIP, .frag = 0x4000 }, MUT_NONE, 0, SIFT_STAT_CLASS_SIP },
	{ "TCP to 5060", { SIP, .l4_proto = IPPROTO_TCP }, MUT_NONE, 0, SIFT_STAT_CLASS_SIP_TCP },
	{ "TCP to 80", { SIP, .l4_proto = IPPROTO_TCP, .dport = 80 }, MUT_NONE, 0,
	  SIFT_STAT_CLASS_NON_SIP },
	{ "ICMP", { SIP, .l4_proto = IPPROTO_ICMP }, MUT_NONE, 0, SIFT_STAT_CLASS_NON_SIP },
	{ "ARP", { SIP }, MUT_ETHERTYPE, ETH_P_ARP, SIFT_STAT_CLASS_NON_SIP },
	{ "three VLAN tags are not parsed",
	  { SIP, .n_vlan = 2, .vlan_proto = { ETH_P_8021Q, ETH_P_8021Q } }, MUT_NONE, 0,
	  SIFT_STAT_CLASS_NON_SIP },
	{ "Ethernet header only", { SIP }, MUT_TRUNCATE, 14, SIFT_STAT_CLASS_MALFORMED_L3 },
	{ "VLAN tag cut short", { SIP, .n_vlan = 1 }, MUT_TRUNCATE, 16, SIFT_STAT_CLASS_NON_SIP },
	{ "IPv4 header cut short", { SIP }, MUT_TRUNCATE, 14 + 19, SIFT_STAT_CLASS_MALFORMED_L3 },
	{ "IPv4 options cut short", { SIP, .ihl = 10 }, MUT_TRUNCATE, 14 + 30,
	  SIFT_STAT_CLASS_MALFORMED_L3 },
	{ "IPv4 IHL 4", { SIP }, MUT_IPV4_IHL, 4, SIFT_STAT_CLASS_MALFORMED_L3 },
	{ "IPv4 version 5", { SIP }, MUT_IPV4_VERSION, 5, SIFT_STAT_CLASS_MALFORMED_L3 },
	{ "IPv4 total length beyond the frame", { SIP }, MUT_IPV4_TOTLEN, 1,
	  SIFT_STAT_CLASS_MALFORMED_L3 },
	{ "IPv4 total length shorter than its header", { SIP }, MUT_IPV4_TOTLEN, -1000,
	  SIFT_STAT_CLASS_MALFORMED_L3 },
	{ "IPv6 header cut short", { SIP, .ip_version = 6 }, MUT_TRUNCATE, 14 + 39,
	  SIFT_STAT_CLASS_MALFORMED_L3 },
	{ "IPv6 payload length beyond the frame", { SIP, .ip_version = 6 }, MUT_TRUNCATE,
	  14 + 40 + 8 + 10, SIFT_STAT_CLASS_MALFORMED_L3 },
	{ "UDP header cut short", { SIP }, MUT_TRUNCATE, 14 + 20 + 7,
	  SIFT_STAT_CLASS_MALFORMED_L3 },
	{ "UDP length beyond the IP payload", { SIP }, MUT_UDP_LEN, 1,
	  SIFT_STAT_CLASS_MALFORMED_L4 },
	{ "UDP length below its header", { SIP }, MUT_UDP_LEN, -1000,
	  SIFT_STAT_CLASS_MALFORMED_L4 },
	{ "IPv6 UDP length beyond the payload", { SIP, .ip_version = 6 }, MUT_UDP_LEN, 2,
	  SIFT_STAT_CLASS_MALFORMED_L4 },
	{ "TCP ports cut short", { SIP, .l4_proto = IPPROTO_TCP }, MUT_TRUNCATE, 14 + 20 + 3,
	  SIFT_STAT_CLASS_MALFORMED_L3 },
};

static size_t build(const struct fixture *f, __u8 *buf)
{
	struct pkt_spec spec = f->spec;
	struct pkt_view v;
	size_t len;
	__u8 *l3;

	/* A third tag: built as two, then a third pushed in front of the ethertype. */
	bool three = !strcmp(f->desc, "three VLAN tags are not parsed");

	len = pkt_build(&spec, buf, PKT_MAX);
	if (three) {
		memmove(buf + 20, buf + 16, len - 16);
		buf[16] = 0x81, buf[17] = 0x00, buf[18] = 0x00, buf[19] = 0x07;
		len += 4;
	}
	pkt_view(buf, len, &v);
	l3 = buf + 14 + 4 * spec.n_vlan;

	switch (f->mut) {
	case MUT_NONE:
		break;
	case MUT_TRUNCATE:
		len = f->arg;
		break;
	case MUT_IPV4_IHL:
		l3[0] = (l3[0] & 0xf0) | f->arg;
		break;
	case MUT_IPV4_VERSION:
		l3[0] = (l3[0] & 0x0f) | (f->arg << 4);
		break;
	case MUT_IPV4_TOTLEN: {
		int tot = (int)(len - (l3 - buf)) + f->arg;

		if (tot < 0)
			tot = 4;
		l3[2] = tot >> 8, l3[3] = tot & 0xff;
		break;
	}
	case MUT_UDP_LEN: {
		int ulen = (int)(len - v.l4) + f->arg;

		if (ulen < 0)
			ulen = 4;
		buf[v.l4 + 4] = ulen >> 8, buf[v.l4 + 5] = ulen & 0xff;
		break;
	}
	case MUT_ETHERTYPE:
		buf[12] = f->arg >> 8, buf[13] = f->arg & 0xff;
		break;
	}
	return len;
}

START_TEST(test_bpf_l2l4_fixture)
{
	const struct fixture *f = &fixtures[_i];
	static __u8 frame[PKT_MAX];
	struct bpfrun_result r;
	struct sift_stats st;
	struct sift *skel;
	size_t len;

	len = build(f, frame);
	ck_assert_msg(len >= 14, "%s: could not build", f->desc);
	skel = bpfrun_load();
	ck_assert_msg(skel, "load sift_xdp");

	ck_assert_int_eq(bpfrun_run(skel, frame, len, 1, &r), 0);
	ck_assert_msg(r.retval == XDP_PASS, "%s: action %u, want XDP_PASS", f->desc, r.retval);
	ck_assert_msg(r.out_len == len && !memcmp(r.out, frame, len), "%s: frame modified",
		      f->desc);

	ck_assert_int_eq(bpfrun_stats(skel, &st), 0);
	for (int c = 0; c < SIFT_STAT_CLASS_COUNT; c++) {
		__u64 want = c == (int)f->class;

		ck_assert_msg(st.c[c].packets == want, "%s: class %d counted %llu, want %llu",
			      f->desc, c, (unsigned long long)st.c[c].packets,
			      (unsigned long long)want);
		ck_assert_msg(st.c[c].bytes == (want ? len : 0), "%s: class %d bytes %llu",
			      f->desc, c, (unsigned long long)st.c[c].bytes);
	}
	ck_assert_uint_eq(st.c[SIFT_STAT_ACT_PASS].packets, 1);
	ck_assert_uint_eq(st.c[SIFT_STAT_ACT_PASS].bytes, len);
	ck_assert_uint_eq(st.c[SIFT_STAT_ACT_DROP].packets, 0);
	bpfrun_free(skel);
}
END_TEST

/* The port set is configuration: adding 5080 makes it SIP, removing 5060 stops it. */
START_TEST(test_bpf_l2l4_port_set)
{
	struct pkt_spec spec = { SIP, .dport = 5080 };
	static __u8 frame[PKT_MAX];
	struct bpfrun_result r;
	struct sift_stats st;
	struct sift *skel = bpfrun_load();
	size_t len = pkt_build(&spec, frame, sizeof(frame));

	ck_assert(skel);
	ck_assert_int_eq(bpfrun_run(skel, frame, len, 1, &r), 0);
	ck_assert_int_eq(bpfrun_set_port(skel, 5080, SIFT_PORT_SIP), 0);
	ck_assert_int_eq(bpfrun_run(skel, frame, len, 1, &r), 0);
	ck_assert_int_eq(bpfrun_set_port(skel, 5080, 0), 0);
	ck_assert_int_eq(bpfrun_run(skel, frame, len, 1, &r), 0);
	ck_assert_int_eq(bpfrun_stats(skel, &st), 0);
	ck_assert_uint_eq(st.c[SIFT_STAT_CLASS_SIP].packets, 1);
	ck_assert_uint_eq(st.c[SIFT_STAT_CLASS_NON_SIP].packets, 2);
	bpfrun_free(skel);
}
END_TEST

/* Counters add up over many runs: 1000 repetitions count 1000 packets. */
START_TEST(test_bpf_l2l4_repeat_counts)
{
	struct pkt_spec spec = { SIP, .ip_version = 6 };
	static __u8 frame[PKT_MAX];
	struct bpfrun_result r;
	struct sift_stats st;
	struct sift *skel = bpfrun_load();
	size_t len = pkt_build(&spec, frame, sizeof(frame));

	ck_assert(skel);
	ck_assert_int_eq(bpfrun_run(skel, frame, len, 1000, &r), 0);
	ck_assert_int_eq(bpfrun_stats(skel, &st), 0);
	ck_assert_uint_eq(st.c[SIFT_STAT_CLASS_SIP].packets, 1000);
	ck_assert_uint_eq(st.c[SIFT_STAT_CLASS_SIP].bytes, 1000 * len);
	bpfrun_free(skel);
}
END_TEST

Suite *bpf_l2l4_suite(void)
{
	Suite *s = suite_create("bpf_l2l4");
	TCase *tc = tcase_create("classify");

	tcase_add_loop_test(tc, test_bpf_l2l4_fixture, 0, sizeof(fixtures) / sizeof(fixtures[0]));
	tcase_add_test(tc, test_bpf_l2l4_port_set);
	tcase_add_test(tc, test_bpf_l2l4_repeat_counts);
	suite_add_tcase(s, tc);
	return s;
}
