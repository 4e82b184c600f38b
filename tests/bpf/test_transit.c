// SPDX-License-Identifier: GPL-2.0
/*
 * Not a router: an IP packet arriving on sift's interface that is addressed
 * neither to sift nor to the host (another local address, a broadcast or
 * multicast group) is dropped and counted, SIP or not, unless routing transit
 * is allowed; what is addressed to the host, and what is not IP, passes
 * untouched.  The test network forwards (as siftd makes it), so the kernel
 * would route every transit frame here.
 */
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "bpfrun.h"
#include "fwd_fixture.h"
#include "pkt.h"
#include "suites.h"

enum side { IN0, OUT0 };
enum counted { NONE, DROPPED, ROUTED };

struct tcase {
	const char *desc;
	struct pkt_spec spec;
	enum side in_if;
	bool route;     /* transit: route */
	__u16 ethertype; /* nonzero: the frame's ethertype is replaced (ARP) */
	unsigned int action;
	enum counted counted;
};

static const __u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const __u8 mdns_mac[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
static const __u8 nd_mac[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };
static const char sip[] = "OPTIONS sip:be@198.18.2.2 SIP/2.0\r\n"
			  "Via: SIP/2.0/UDP 198.18.1.2:5060;branch=z9hG4bK-t1\r\n"
			  "Max-Forwards: 70\r\nTo: <sip:be@198.18.2.2>\r\n"
			  "From: <sip:gen@198.18.1.2>;tag=1\r\nCall-ID: transit@198.18.1.2\r\n"
			  "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
static const char data[] = "not SIP at all";

#define DATA .payload = data, .payload_len = sizeof(data) - 1
#define SIP .payload = sip, .payload_len = sizeof(sip) - 1
#define V6 .ip_version = 6, .src = "2001:db8:1::2"
#define DROP_IT .action = XDP_DROP, .counted = DROPPED
#define PASS_IT .action = XDP_PASS, .counted = NONE

static const struct tcase cases[] = {
	/* transit: dropped and counted */
	{ "UDP, not SIP, to a host behind sift", { DATA, .dst = "198.18.2.2", .dport = 9999 }, IN0,
	  DROP_IT },
	{ "ICMP to a host behind sift", { DATA, .dst = "198.18.2.2", .l4_proto = IPPROTO_ICMP },
	  IN0, DROP_IT },
	{ "TCP to a host behind sift", { DATA, .dst = "198.18.2.2", .l4_proto = IPPROTO_TCP,
	  .dport = 22 }, IN0, DROP_IT },
	{ "a fragment to a host behind sift", { DATA, .dst = "198.18.2.2", .frag = 0x2000 }, IN0,
	  DROP_IT },
	{ "SIP not addressed to sift", { SIP, .dst = "198.18.2.2" }, IN0, DROP_IT },
	{ "to a neighbour not resolved yet", { DATA, .dst = "198.18.2.50", .dport = 9999 }, IN0,
	  DROP_IT },
	{ "from behind sift to a caller", { DATA, .src = "198.18.2.2", .dst = "198.18.1.2",
	  .dport = 9999 }, OUT0, DROP_IT },
	{ "IPv6 UDP to a host behind sift", { DATA, V6, .dst = "2001:db8:2::2", .dport = 9999 },
	  IN0, DROP_IT },
	{ "ICMPv6 to a host behind sift", { DATA, V6, .dst = "2001:db8:2::2",
	  .l4_proto = IPPROTO_ICMPV6 }, IN0, DROP_IT },
	{ "DHCP's ports the wrong way round", { DATA, .dst = "198.18.1.77", .sport = 68,
	  .dport = 67 }, IN0, DROP_IT },

	/* addressed to this host: passed untouched, not counted */
	{ "UDP to sift's address", { DATA, .dst = "198.18.1.1", .dport = 9999 }, IN0, PASS_IT },
	{ "ICMP to sift's address", { DATA, .dst = "198.18.1.1", .l4_proto = IPPROTO_ICMP }, IN0,
	  PASS_IT },
	{ "to sift's address on its other interface", { DATA, .dst = "198.18.2.1", .dport = 9999 },
	  IN0, PASS_IT },
	{ "IPv6 to sift's address", { DATA, V6, .dst = "2001:db8:1::1", .dport = 9999 }, IN0,
	  PASS_IT },
	{ "to the host's management address, not sift's", { DATA, .dst = "198.18.9.1",
	  .l4_proto = IPPROTO_TCP, .dport = 22 }, IN0, PASS_IT },
	{ "IPv6 to the host's management address", { DATA, V6, .dst = "2001:db8:9::1",
	  .l4_proto = IPPROTO_ICMPV6 }, IN0, PASS_IT },
	{ "the subnet's broadcast, Ethernet broadcast", { DATA, .dst = "198.18.1.255",
	  .dmac = bcast, .dport = 9999 }, IN0, PASS_IT },
	{ "the subnet's broadcast to sift's MAC", { DATA, .dst = "198.18.1.255", .dport = 9999 },
	  IN0, PASS_IT },
	{ "the limited broadcast to sift's MAC", { DATA, .dst = "255.255.255.255", .dport = 9999 },
	  IN0, PASS_IT },
	{ "DHCP discover", { DATA, .src = "0.0.0.0", .dst = "255.255.255.255", .sport = 68,
	  .dport = 67, .dmac = bcast }, IN0, PASS_IT },
	{ "DHCP offer to an address not configured yet", { DATA, .dst = "198.18.1.77",
	  .sport = 67, .dport = 68 }, IN0, PASS_IT },
	{ "multicast (mDNS)", { DATA, .dst = "224.0.0.251", .dmac = mdns_mac, .sport = 5353,
	  .dport = 5353 }, IN0, PASS_IT },
	{ "multicast to sift's MAC", { DATA, .dst = "224.0.0.251", .sport = 5353, .dport = 5353 },
	  IN0, PASS_IT },
	{ "a host behind sift in an Ethernet broadcast frame (the kernel forwards no such frame)",
	  { DATA, .dst = "198.18.2.2", .dmac = bcast, .dport = 9999 }, IN0, PASS_IT },
	{ "IPv6 neighbour solicitation", { DATA, V6, .dst = "ff02::1:ff00:1", .dmac = nd_mac,
	  .l4_proto = IPPROTO_ICMPV6 }, IN0, PASS_IT },
	{ "IPv6 link-local", { DATA, .ip_version = 6, .src = "fe80::2", .dst = "fe80::1",
	  .l4_proto = IPPROTO_ICMPV6 }, IN0, PASS_IT },
	{ "ARP", { DATA, .dst = "198.18.1.1" }, IN0, .ethertype = ETH_P_ARP, PASS_IT },
	{ "no route at all: the kernel has nowhere to send it either", { DATA,
	  .dst = "203.0.113.7", .dport = 9999 }, IN0, PASS_IT },

	/* transit: route */
	{ "transit: route passes UDP to a host behind sift", { DATA, .dst = "198.18.2.2",
	  .dport = 9999 }, IN0, .route = true, .action = XDP_PASS, .counted = ROUTED },
	{ "transit: route passes ICMPv6 to a host behind sift", { DATA, V6, .dst = "2001:db8:2::2",
	  .l4_proto = IPPROTO_ICMPV6 }, IN0, .route = true, .action = XDP_PASS, .counted = ROUTED },
	{ "transit: route passes SIP not addressed to sift", { SIP, .dst = "198.18.2.2" }, IN0,
	  .route = true, .action = XDP_PASS, .counted = ROUTED },
	{ "transit: route counts nothing addressed to sift", { DATA, .dst = "198.18.1.1",
	  .dport = 9999 }, IN0, .route = true, PASS_IT },
};

static size_t build(const struct tcase *c, __u8 *frame)
{
	size_t len = pkt_build(&c->spec, frame, PKT_MAX);

	if (c->ethertype) {
		frame[12] = c->ethertype >> 8;
		frame[13] = c->ethertype & 0xff;
	}
	return len;
}

START_TEST(test_transit_fixture)
{
	const struct tcase *c = &cases[_i];
	static struct fwd_fixture fx;
	static __u8 frame[PKT_MAX];
	struct bpfrun_result r;
	struct sift_stats st;
	__u64 want_dropped = c->counted == DROPPED, want_routed = c->counted == ROUTED;
	size_t len;
	int classes = 0;

	ck_assert_int_eq(fix_load(&fx), 0);
	if (c->route) {
		fx.transit_route = true;
		ck_assert_int_eq(fix_reinstall(&fx), 0);
	}
	len = build(c, frame);
	ck_assert_msg(len > 14, "%s: could not build", c->desc);
	ck_assert_int_eq(bpfrun_run_on(fx.skel, c->in_if == IN0 ? fix_net.in_ifindex :
								   fix_net.out_ifindex,
				       frame, len, &r),
			 0);
	ck_assert_msg(r.retval == c->action, "%s: action %u, want %u", c->desc, r.retval,
		      c->action);
	ck_assert_msg(r.out_len == len && !memcmp(r.out, frame, len), "%s: frame modified",
		      c->desc);
	ck_assert_int_eq(bpfrun_stats(fx.skel, &st), 0);
	ck_assert_msg(st.c[SIFT_STAT_TRANSIT_DROPPED].packets == want_dropped,
		      "%s: transit.dropped %llu, want %llu", c->desc,
		      (unsigned long long)st.c[SIFT_STAT_TRANSIT_DROPPED].packets,
		      (unsigned long long)want_dropped);
	ck_assert_uint_eq(st.c[SIFT_STAT_TRANSIT_DROPPED].bytes, want_dropped * len);
	ck_assert_msg(st.c[SIFT_STAT_TRANSIT_ROUTED].packets == want_routed,
		      "%s: transit.routed %llu, want %llu", c->desc,
		      (unsigned long long)st.c[SIFT_STAT_TRANSIT_ROUTED].packets,
		      (unsigned long long)want_routed);
	/* one class and one action, as for every packet */
	for (int k = 0; k < SIFT_STAT_CLASS_COUNT; k++)
		classes += st.c[k].packets;
	ck_assert_int_eq(classes, 1);
	ck_assert_uint_eq(st.c[SIFT_STAT_ACT_BASE + c->action].packets, 1);
	/* SIP that is passed on not addressed to sift is forward.transit, as before */
	if (c->spec.payload == sip && c->action == XDP_PASS)
		ck_assert_uint_eq(st.c[SIFT_STAT_FWD_TRANSIT].packets, 1);
	fix_free(&fx);
}
END_TEST

/* transit: route and back to drop by installing again (what a SIGHUP does). */
START_TEST(test_transit_reinstall)
{
	struct pkt_spec spec = { DATA, .dst = "198.18.2.2", .dport = 9999 };
	static struct fwd_fixture fx;
	static __u8 frame[PKT_MAX];
	struct bpfrun_result r;
	size_t len = pkt_build(&spec, frame, sizeof(frame));
	const bool modes[] = { false, true, false };

	ck_assert_int_eq(fix_load(&fx), 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		fx.transit_route = modes[i];
		ck_assert_int_eq(fix_reinstall(&fx), 0);
		ck_assert_int_eq(bpfrun_run_on(fx.skel, fix_net.in_ifindex, frame, len, &r), 0);
		ck_assert_uint_eq(r.retval, modes[i] ? XDP_PASS : XDP_DROP);
	}
	fix_free(&fx);
}
END_TEST

Suite *bpf_transit_suite(void)
{
	Suite *s = suite_create("bpf_transit");
	TCase *tc = tcase_create("transit");

	tcase_add_loop_test(tc, test_transit_fixture, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_transit_reinstall);
	suite_add_tcase(s, tc);
	return s;
}
