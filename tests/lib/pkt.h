/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test and benchmark frames: Ethernet, up to two VLAN tags, IPv4 (any IHL,
 * fragments) or IPv6 (optionally one extension header, then optionally a
 * fragment header), UDP or TCP, payload;
 * lengths and checksums filled in.
 */
#ifndef SIFT_TEST_PKT_H
#define SIFT_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define PKT_MAX 4096

struct pkt_spec {
	unsigned int n_vlan;
	__u16 vlan_proto[2]; /* 0: 802.1Q */
	__u16 vlan_tci[2];
	int ip_version;      /* 4 (default) or 6 */
	const char *src, *dst;
	__u8 l4_proto;       /* 0: UDP */
	__u16 sport, dport;
	unsigned int ihl;    /* IPv4 header length in words; 0: 5 */
	__u16 frag;          /* IPv4 flags and fragment offset, host order; IPv6: see ip6_frag_on */
	bool ip6_ext_on;     /* IPv6: one extension header of type ip6_ext before L4 */
	__u8 ip6_ext;
	bool ip6_frag_on;    /* IPv6: a fragment header after it, offset and MF (0x2000) as in .frag */
	__u8 ttl;            /* 0: 64 */
	const __u8 *dmac, *smac; /* NULL: fixed test addresses */
	const void *payload;
	size_t payload_len;
};

/* Build the frame into @buf; returns its length (0 if it does not fit). */
size_t pkt_build(const struct pkt_spec *s, __u8 *buf, size_t len);

/* Offsets in a frame built by pkt_build or seen on the wire. */
struct pkt_view {
	size_t l3, l4, payload;
	int ip_version;
	size_t payload_len;
};
/* Walk Ethernet/VLAN/IP/UDP; false if @buf is not such a frame. */
bool pkt_view(const __u8 *buf, size_t len, struct pkt_view *v);

/*
 * Leave the UDP checksum of a frame as a sender's kernel hands it to a NIC
 * that finishes it (CHECKSUM_PARTIAL, as frames from a local socket cross a
 * veth): the pseudo header's sum alone, folded, not inverted.
 */
bool pkt_udp_csum_partial(__u8 *buf, size_t len);

/* Are the IPv4 header checksum (if any) and the UDP checksum right? */
bool pkt_csum_ok(const __u8 *buf, size_t len);

/* Read a whole file (a corpus message) into @buf; returns length or -errno. */
long pkt_read_file(const char *path, void *buf, size_t len);

#endif
