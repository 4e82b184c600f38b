/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ethernet / VLAN / IPv4 / IPv6 / UDP parsing with a cursor that checks its
 * own bounds before every read (after xdp-tools' parsing_helpers.h).
 *
 * The result is a traffic class (enum sift_stat CLASS_*) and, for SIP over
 * UDP, the offsets the later stages need.
 */
#ifndef SIFT_L2L4_BPF_H
#define SIFT_L2L4_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <sift/common.h>
#include "maps.bpf.h"

#define SIFT_MAX_VLAN 2
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

struct cursor {
	void *pos;
	void *end;
};

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* What the L2-L4 stage learned about a packet. */
struct sift_pkt {
	__u16 l3_off;      /* from the start of the frame */
	__u16 l4_off;
	__u16 payload_off; /* UDP payload */
	__u16 payload_len; /* from the UDP length field, not the frame size */
	__u16 sport;       /* host order */
	__u16 dport;
	__u16 vlan_tci[SIFT_MAX_VLAN];
	__u8 n_vlan;
	__u8 ip_version; /* 4 or 6 */
	__u16 udp_check; /* as it lies in the frame */
	struct sift_addr saddr;
	struct sift_addr daddr;
	__u8 ours; /* daddr is one of sift's addresses (set by sift_transit) */
	__u8 icmp; /* ICMP or ICMPv6 at l4_off (class non_sip) */
};

static __always_inline int is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

static __always_inline int port_is_sip(__u16 port)
{
	__u32 key = port;
	__u8 *flags = bpf_map_lookup_elem(&SIFT_MAP_PORTS, &key);

	return flags && (*flags & SIFT_PORT_SIP);
}

/* A port siftd serves SIP on over TCP or TLS: every SIP port, and the TLS ones. */
static __always_inline int port_is_sip_stream(__u16 port)
{
	__u32 key = port;
	__u8 *flags = bpf_map_lookup_elem(&SIFT_MAP_PORTS, &key);

	return flags && (*flags & (SIFT_PORT_SIP | SIFT_PORT_STREAM));
}

static __always_inline enum sift_stat parse_udp(struct cursor *c, void *data, __u32 l3_payload_len,
						struct sift_pkt *pkt)
{
	struct udphdr *udp = c->pos;
	__u16 ulen;

	if ((void *)(udp + 1) > c->end)
		return SIFT_STAT_CLASS_MALFORMED_L4;
	ulen = bpf_ntohs(udp->len);
	if (ulen < sizeof(*udp) || ulen > l3_payload_len)
		return SIFT_STAT_CLASS_MALFORMED_L4;

	pkt->l4_off = (void *)udp - data;
	pkt->sport = bpf_ntohs(udp->source);
	pkt->dport = bpf_ntohs(udp->dest);
	pkt->udp_check = udp->check;
	pkt->payload_off = pkt->l4_off + sizeof(*udp);
	pkt->payload_len = ulen - sizeof(*udp);
	c->pos = udp + 1;

	return port_is_sip(pkt->dport) ? SIFT_STAT_CLASS_SIP : SIFT_STAT_CLASS_NON_SIP;
}

/* TCP to a SIP port belongs to the slow path; only the ports are read. */
static __always_inline enum sift_stat classify_tcp(struct cursor *c)
{
	__be16 *ports = c->pos;

	if ((void *)(ports + 2) > c->end)
		return SIFT_STAT_CLASS_MALFORMED_L4;
	return port_is_sip_stream(bpf_ntohs(ports[1])) ? SIFT_STAT_CLASS_SIP_TCP :
						   SIFT_STAT_CLASS_NON_SIP;
}

static __always_inline enum sift_stat parse_ipv4(struct cursor *c, void *data, struct sift_pkt *pkt)
{
	struct iphdr *iph = c->pos;
	__u32 hlen, tot_len;

	if ((void *)(iph + 1) > c->end)
		return SIFT_STAT_CLASS_MALFORMED_L3;
	if (iph->version != 4 || iph->ihl < 5)
		return SIFT_STAT_CLASS_MALFORMED_L3;
	hlen = iph->ihl * 4;
	if (c->pos + hlen > c->end)
		return SIFT_STAT_CLASS_MALFORMED_L3;
	tot_len = bpf_ntohs(iph->tot_len);
	/* Ethernet may pad short frames, so tot_len may be less than the frame. */
	if (tot_len < hlen || c->pos + tot_len > c->end)
		return SIFT_STAT_CLASS_MALFORMED_L3;

	pkt->ip_version = 4;
	pkt->l3_off = (void *)iph - data;
	pkt->saddr.family = pkt->daddr.family = SIFT_AF_INET;
	pkt->saddr.v4 = iph->saddr;
	pkt->daddr.v4 = iph->daddr;
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFMASK))
		return SIFT_STAT_CLASS_FRAGMENT;

	c->pos += hlen;
	if (iph->protocol == IPPROTO_UDP)
		return parse_udp(c, data, tot_len - hlen, pkt);
	if (iph->protocol == IPPROTO_TCP)
		return classify_tcp(c);
	if (iph->protocol == IPPROTO_ICMP) {
		pkt->icmp = 1;
		pkt->l4_off = c->pos - data;
	}
	return SIFT_STAT_CLASS_NON_SIP;
}

static __always_inline int ipv6_is_exthdr(__u8 nexthdr)
{
	switch (nexthdr) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
	case IPPROTO_ESP:
	case IPPROTO_MH:
	case 139: /* HIP */
	case 140: /* Shim6 */
		return 1;
	}
	return 0;
}

/*
 * Behind a hop-by-hop, destination options or routing header (which RFC 8200
 * 4.1 lets come first) may be a fragment header: walk a few of them to find
 * it, so that such a fragment is counted, and shielded, as one.
 */
#define SIFT_IP6_EXT_WALK 4

static __always_inline enum sift_stat ipv6_exthdr_class(struct cursor *c, __u8 nexthdr)
{
	int i;

#pragma unroll
	for (i = 0; i < SIFT_IP6_EXT_WALK; i++) {
		__u8 *h = c->pos;

		if (nexthdr != IPPROTO_HOPOPTS && nexthdr != IPPROTO_DSTOPTS &&
		    nexthdr != IPPROTO_ROUTING)
			break;
		if ((void *)(h + 2) > c->end)
			break;
		nexthdr = h[0];
		c->pos = h + (h[1] + 1) * 8;
	}
	return nexthdr == IPPROTO_FRAGMENT ? SIFT_STAT_CLASS_FRAGMENT : SIFT_STAT_CLASS_IP6_EXTHDR;
}

static __always_inline enum sift_stat parse_ipv6(struct cursor *c, void *data, struct sift_pkt *pkt)
{
	struct ipv6hdr *ip6 = c->pos;
	__u32 plen;

	if ((void *)(ip6 + 1) > c->end)
		return SIFT_STAT_CLASS_MALFORMED_L3;
	if (ip6->version != 6)
		return SIFT_STAT_CLASS_MALFORMED_L3;
	plen = bpf_ntohs(ip6->payload_len);
	/* A zero payload length means a jumbogram, which needs a hop-by-hop header. */
	if ((void *)(ip6 + 1) + plen > c->end)
		return SIFT_STAT_CLASS_MALFORMED_L3;

	pkt->ip_version = 6;
	pkt->l3_off = (void *)ip6 - data;
	pkt->saddr.family = pkt->daddr.family = SIFT_AF_INET6;
	__builtin_memcpy(pkt->saddr.v6, &ip6->saddr, 16);
	__builtin_memcpy(pkt->daddr.v6, &ip6->daddr, 16);
	c->pos = ip6 + 1;

	if (ip6->nexthdr == IPPROTO_FRAGMENT)
		return SIFT_STAT_CLASS_FRAGMENT;
	if (ipv6_is_exthdr(ip6->nexthdr))
		return ipv6_exthdr_class(c, ip6->nexthdr);
	if (ip6->nexthdr == IPPROTO_UDP)
		return parse_udp(c, data, plen, pkt);
	if (ip6->nexthdr == IPPROTO_TCP)
		return classify_tcp(c);
	if (ip6->nexthdr == IPPROTO_ICMPV6) {
		pkt->icmp = 1;
		pkt->l4_off = c->pos - data;
	}
	return SIFT_STAT_CLASS_NON_SIP;
}

/* Classify the frame and fill @pkt; only CLASS_SIP guarantees every offset. */
static __always_inline enum sift_stat sift_parse_l2l4(struct xdp_md *ctx, struct sift_pkt *pkt)
{
	void *data = (void *)(long)ctx->data;
	struct cursor c = { .pos = data, .end = (void *)(long)ctx->data_end };
	struct ethhdr *eth = c.pos;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > c.end)
		return SIFT_STAT_CLASS_NON_SIP;
	proto = eth->h_proto;
	c.pos = eth + 1;

#pragma unroll
	for (i = 0; i < SIFT_MAX_VLAN; i++) {
		struct vlan_hdr *vh = c.pos;

		if (!is_vlan(proto))
			break;
		if ((void *)(vh + 1) > c.end)
			return SIFT_STAT_CLASS_NON_SIP;
		pkt->vlan_tci[i] = bpf_ntohs(vh->tci);
		pkt->n_vlan = i + 1;
		proto = vh->proto;
		c.pos = vh + 1;
	}
	/* A third tag is more than we parse: not ours to judge. */
	if (is_vlan(proto))
		return SIFT_STAT_CLASS_NON_SIP;

	if (proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(&c, data, pkt);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(&c, data, pkt);
	return SIFT_STAT_CLASS_NON_SIP;
}

#endif /* SIFT_L2L4_BPF_H */
