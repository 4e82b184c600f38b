// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarding benchmark's XDP programs, none of them sift:
 *   bench_gen            the traffic generator, run with BPF_PROG_RUN and
 *                        BPF_F_TEST_XDP_LIVE_FRAMES: writes the frame, with
 *                        a fresh Call-ID, and sends it (XDP_TX)
 *   bench_sink           counts what arrives for the SIP port, drops it
 *   bench_scan_redirect  the reference for sift: scans the payload for line
 *                        feeds, eight bytes at a time, and redirects
 *   bench_drop           the reference for the shield's drops: XDP_DROP
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "scan_words.h"

/*
 * Set before loading: the frame to send, and where in it the generator
 * writes 16 hex digits of its counter.  Live frames recycle their pages
 * with whatever the receivers left in them (sift rewrites frames in place),
 * so every run writes the whole frame again.
 */
#define FRAME_MAX 2048
const volatile __u8 frame[FRAME_MAX] = {};
const volatile __u32 frame_len = 0;
const volatile __u32 stamp_off = 0;
const volatile __u32 csum_off = 0; /* the UDP checksum, kept right as the stamp changes */
const volatile __u32 udp_off = 0;
/* sources > 1: each frame from one of that many IPv4 sources, the source's low bits varied */
const volatile __u32 sources = 0;
const volatile __u32 ip_off = 0;

/* @csum (as it lies in the frame) when a 16-bit word of what it covers goes from @from to @to */
static __always_inline __u16 csum_replace(__u16 csum, __u16 from, __u16 to)
{
	__u32 sum = (__u16)~csum + (__u32)(__u16)~from + to;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}
/* what the reference scan found: kept, so the scan is not optimised away */
volatile __u32 lines;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} out SEC(".maps");

static __always_inline __u64 *count(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&counter, &key);
}

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u64 *c = count(), n;
	__u8 *p;

	if (!c)
		return XDP_ABORTED;
	if (frame_len < 64 || frame_len > FRAME_MAX || data + frame_len != end ||
	    bpf_xdp_store_bytes(ctx, 0, (void *)frame, frame_len))
		return XDP_ABORTED;
	/* a different Call-ID per frame and CPU: sift hashes it to pick the backend */
	n = ++*c ^ ((__u64)bpf_get_smp_processor_id() << 56);
	p = data + (stamp_off & 2047);
	if ((void *)(p + 16) > end)
		return XDP_ABORTED;
	for (int i = 15; i >= 0; i--) {
		__u8 d = n & 15;

		p[i] = d < 10 ? '0' + d : 'a' + d - 10;
		n >>= 4;
	}
	/* the checksum moves by what the stamp changed (RFC 1624), as a sender's would be right */
	if (csum_off) {
		__u16 *ck = data + (csum_off & 2047);
		__u32 sum, so = stamp_off;
		__s64 diff;

		if ((void *)(ck + 1) > end || so > FRAME_MAX - 16)
			return XDP_ABORTED;
		diff = bpf_csum_diff((__be32 *)&frame[so], 16, (__be32 *)p, 16, 0);
		if (diff < 0)
			return XDP_ABORTED;
		sum = (diff & 0xffff) + (diff >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		if ((stamp_off - udp_off) & 1)
			sum = ((sum & 0xff) << 8) | (sum >> 8);
		sum += (__u16)~*(const volatile __u16 *)&frame[csum_off & 2047];
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		*ck = (__u16)~sum ? (__u16)~sum : 0xffff;
	}
	/* the source's last 16 bits: base + the frame's number modulo sources (IPv4 only) */
	if (sources > 1 && csum_off) {
		__u8 *ip = data + (ip_off & 63);
		__u16 *ck = data + (csum_off & 2047), from, to;

		if ((void *)(ip + 20) > end || (void *)(ck + 1) > end)
			return XDP_ABORTED;
		from = *(__u16 *)(ip + 14);
		to = bpf_htons(bpf_ntohs(from) + (__u16)(*c % sources));
		*(__u16 *)(ip + 14) = to;
		*(__u16 *)(ip + 10) = csum_replace(*(__u16 *)(ip + 10), from, to);
		*ck = csum_replace(*ck, from, to) ?: 0xffff;
	}
	return XDP_TX;
}

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u64 *c;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
			return XDP_PASS;
		udp = (void *)(ip + 1);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return XDP_PASS;
		udp = (void *)(ip6 + 1);
	} else {
		return XDP_PASS;
	}
	if ((void *)(udp + 1) > end || udp->dest != bpf_htons(5060))
		return XDP_PASS; /* probes' answers, neighbour discovery: the kernel's */
	c = count();
	if (c)
		++*c;
	return XDP_DROP;
}

SEC("xdp")
int bench_scan_redirect(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data + sizeof(struct ethhdr) + sizeof(struct iphdr) +
		  sizeof(struct udphdr);

	/* verifier: the count is only stored; a branch on it would multiply the loop's states */
	lines = scan_words(p, (void *)(long)ctx->data_end);
	return bpf_redirect_map(&out, 0, 0);
}

SEC("xdp")
int bench_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
