// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "pkt.h"

static const __u8 dmac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const __u8 smac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

static __u32 csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* The IPv4 or IPv6 pseudo header's sum, unfolded. */
static __u32 pseudo_sum(const __u8 *l3, int ipv, __u8 proto, size_t l4len)
{
	__u32 sum = 0;

	if (ipv == 4) {
		sum = csum_add(sum, l3 + 12, 8);
	} else {
		sum = csum_add(sum, l3 + 8, 32);
		sum += l4len >> 16;
	}
	return sum + proto + (l4len & 0xffff);
}

/* Checksum of an L4 segment over its IPv4 or IPv6 pseudo header. */
static __u16 l4_csum(const __u8 *l3, int ipv, __u8 proto, const __u8 *l4, size_t l4len)
{
	return csum_fold(csum_add(pseudo_sum(l3, ipv, proto, l4len), l4, l4len));
}

size_t pkt_build(const struct pkt_spec *s, __u8 *buf, size_t len)
{
	int ipv = s->ip_version ? s->ip_version : 4;
	__u8 proto = s->l4_proto ? s->l4_proto : IPPROTO_UDP;
	size_t l4len = (proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(struct udphdr)) +
		       s->payload_len;
	size_t off = 0, l3, l4;
	__u16 ethertype = ipv == 4 ? ETH_P_IP : ETH_P_IPV6;
	__u8 *p;

	if (len < ETH_HLEN + 8 + 60 + 8 + l4len)
		return 0;
	memset(buf, 0, len);
	memcpy(buf, s->dmac ? s->dmac : dmac, ETH_ALEN);
	memcpy(buf + ETH_ALEN, s->smac ? s->smac : smac, ETH_ALEN);
	off = 2 * ETH_ALEN;
	for (unsigned int i = 0; i < s->n_vlan && i < 2; i++) {
		__u16 tpid = htons(s->vlan_proto[i] ? s->vlan_proto[i] : ETH_P_8021Q);
		__u16 tci = htons(s->vlan_tci[i]);

		memcpy(buf + off, &tpid, 2);
		memcpy(buf + off + 2, &tci, 2);
		off += 4;
	}
	ethertype = htons(ethertype);
	memcpy(buf + off, &ethertype, 2);
	off += 2;
	l3 = off;

	if (ipv == 4) {
		struct iphdr *ip = (struct iphdr *)(buf + l3);
		unsigned int ihl = s->ihl ? s->ihl : 5;

		ip->version = 4;
		ip->ihl = ihl;
		ip->ttl = s->ttl ? s->ttl : 64;
		ip->protocol = proto;
		ip->frag_off = htons(s->frag);
		ip->tot_len = htons(ihl * 4 + l4len);
		inet_pton(AF_INET, s->src ? s->src : "198.18.1.2", &ip->saddr);
		inet_pton(AF_INET, s->dst ? s->dst : "198.18.1.1", &ip->daddr);
		/* Options: no-ops, then end of list. */
		memset(buf + l3 + 20, 1, ihl * 4 - 20);
		ip->check = htons(csum_fold(csum_add(0, ip, ihl * 4)));
		l4 = l3 + ihl * 4;
	} else {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)(buf + l3);
		size_t ext = s->ip6_ext_on ? 8 : 0, fh = s->ip6_frag_on ? 8 : 0;
		__u8 after_ext = fh ? IPPROTO_FRAGMENT : proto;

		ip6->version = 6;
		ip6->hop_limit = s->ttl ? s->ttl : 64;
		ip6->nexthdr = s->ip6_ext_on ? s->ip6_ext : after_ext;
		ip6->payload_len = htons(ext + fh + l4len);
		inet_pton(AF_INET6, s->src ? s->src : "2001:db8:1::2", &ip6->saddr);
		inet_pton(AF_INET6, s->dst ? s->dst : "2001:db8:1::1", &ip6->daddr);
		l4 = l3 + sizeof(*ip6);
		if (ext) {
			buf[l4] = after_ext; /* next header; length 0 = 8 bytes */
			l4 += ext;
		}
		if (fh) {
			/* offset in 8-byte units above the M flag; identification 0x51f7 */
			__u16 off = htons((s->frag & 0x1fff) << 3 | !!(s->frag & 0x2000));

			buf[l4] = proto;
			memcpy(buf + l4 + 2, &off, 2);
			buf[l4 + 7] = 0x51, buf[l4 + 6] = 0xf7;
			l4 += fh;
		}
	}

	p = buf + l4;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = (struct tcphdr *)p;

		th->source = htons(s->sport ? s->sport : 40000);
		th->dest = htons(s->dport ? s->dport : 5060);
		th->doff = 5;
		memcpy(p + sizeof(*th), s->payload, s->payload_len);
		th->check = htons(l4_csum(buf + l3, ipv, proto, p, l4len));
	} else {
		struct udphdr *uh = (struct udphdr *)p;
		__u16 c;

		uh->source = htons(s->sport ? s->sport : 5060);
		uh->dest = htons(s->dport ? s->dport : 5060);
		uh->len = htons(l4len);
		if (s->payload_len)
			memcpy(p + sizeof(*uh), s->payload, s->payload_len);
		c = l4_csum(buf + l3, ipv, proto, p, l4len);
		uh->check = htons(c ? c : 0xffff);
	}
	return l4 + l4len;
}

bool pkt_udp_csum_partial(__u8 *buf, size_t len)
{
	struct pkt_view v;
	struct udphdr *uh;

	if (!pkt_view(buf, len, &v))
		return false;
	uh = (struct udphdr *)(buf + v.l4);
	uh->check = htons(~csum_fold(pseudo_sum(buf + v.l3, v.ip_version, IPPROTO_UDP,
						 ntohs(uh->len))) & 0xffff);
	return true;
}

bool pkt_view(const __u8 *buf, size_t len, struct pkt_view *v)
{
	size_t off = 2 * ETH_ALEN;
	__u16 et;

	memset(v, 0, sizeof(*v));
	if (len < ETH_HLEN)
		return false;
	et = (buf[off] << 8) | buf[off + 1];
	for (int i = 0; i < 2 && (et == ETH_P_8021Q || et == ETH_P_8021AD); i++) {
		off += 4;
		if (off + 2 > len)
			return false;
		et = (buf[off] << 8) | buf[off + 1];
	}
	off += 2;
	v->l3 = off;
	if (et == ETH_P_IP) {
		const struct iphdr *ip = (const void *)(buf + off);

		if (off + sizeof(*ip) > len || ip->protocol != IPPROTO_UDP)
			return false;
		v->ip_version = 4;
		v->l4 = off + ip->ihl * 4;
	} else if (et == ETH_P_IPV6) {
		const struct ipv6hdr *ip6 = (const void *)(buf + off);

		if (off + sizeof(*ip6) > len || ip6->nexthdr != IPPROTO_UDP)
			return false;
		v->ip_version = 6;
		v->l4 = off + sizeof(*ip6);
	} else {
		return false;
	}
	if (v->l4 + sizeof(struct udphdr) > len)
		return false;
	v->payload = v->l4 + sizeof(struct udphdr);
	v->payload_len = ((buf[v->l4 + 4] << 8) | buf[v->l4 + 5]) - sizeof(struct udphdr);
	return v->payload + v->payload_len <= len;
}

bool pkt_csum_ok(const __u8 *buf, size_t len)
{
	struct pkt_view v;
	const __u8 *l4;
	size_t l4len;

	if (!pkt_view(buf, len, &v))
		return false;
	l4 = buf + v.l4;
	l4len = v.payload_len + sizeof(struct udphdr);
	if (v.ip_version == 4) {
		const struct iphdr *ip = (const void *)(buf + v.l3);

		if (csum_fold(csum_add(0, ip, ip->ihl * 4)) != 0)
			return false;
		if (ntohs(ip->tot_len) != ip->ihl * 4 + l4len)
			return false;
		if (l4[6] == 0 && l4[7] == 0)
			return true; /* IPv4 UDP without a checksum */
	} else {
		const struct ipv6hdr *ip6 = (const void *)(buf + v.l3);

		if (ntohs(ip6->payload_len) != l4len)
			return false;
	}
	/* Summing a segment that holds its correct checksum gives 0. */
	return l4_csum(buf + v.l3, v.ip_version, IPPROTO_UDP, l4, l4len) == 0;
}

long pkt_read_file(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	long n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}
