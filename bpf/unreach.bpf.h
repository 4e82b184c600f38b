/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Passive backend failure detection: an ICMP port (or host, or ICMPv6
 * address) unreachable from a backend, about a datagram sift sent it, means
 * nothing listens there any more.  The fast path tells siftd through a ring buffer (include/sift/fwd.h:
 * sift_unreach), which takes the backend out of the tables at once, without
 * waiting for probes to time out.  Only the backend's own address is
 * believed (the ICMP's source is the address the quoted datagram went to,
 * which came from one of sift's addresses and SIP ports): a stranger cannot
 * take backends out by sending ICMP about them.  The message still goes to
 * the kernel, as before.
 */
#ifndef SIFT_UNREACH_BPF_H
#define SIFT_UNREACH_BPF_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <sift/common.h>
#include <sift/fwd.h>

#include "l2l4.bpf.h"
#include "maps.bpf.h"
#include "stats.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SIFT_UNREACH_RING);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_UNREACH SEC(".maps");

/*
 * When @hop is a backend: count @stat and tell siftd it is gone (@why: enum
 * sift_gone).  A full ring (siftd behind) loses the event: the probes still
 * find the backend gone.
 */
static __always_inline void sift_backend_gone(struct sift_stats *st, const struct sift_hop_key *hop,
					      __u32 why, __u32 stat)
{
	struct sift_unreach_event ev = {};
	__u32 *hf = bpf_map_lookup_elem(&SIFT_MAP_HOPS, hop);

	if (!hf || !(*hf & SIFT_HOP_BACKEND))
		return;
	ev.addr = hop->addr;
	ev.port = hop->port;
	ev.why = why;
	sift_count(st, stat, 0);
	bpf_ringbuf_output(&SIFT_MAP_UNREACH, &ev, sizeof(ev), 0);
}

static __always_inline void sift_unreach_check(struct xdp_md *ctx, const struct sift_pkt *pkt,
					 struct sift_stats *st)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct sift_hop_key hop = {};
	struct sift_addr from = {};
	__u32 off = pkt->l4_off, sport;
	__u8 *h, *udp;
	__u8 *pf;

	/* verifier: the offset masked to what an IP header can make it */
	off &= 0x1ff;
	h = data + off;
	if (pkt->ip_version == 4) {
		/* type 3 code 1 or 3 (host, port), the original IP header (no options), its UDP header */
		if ((void *)(h + 8 + 20 + 8) > end || h[0] != 3 || (h[1] != 3 && h[1] != 1) ||
		    h[8] != 0x45 ||
		    h[8 + 9] != IPPROTO_UDP)
			return;
		from.family = SIFT_AF_INET;
		__builtin_memcpy(&from.v4, h + 8 + 12, 4);
		hop.addr.family = SIFT_AF_INET;
		__builtin_memcpy(&hop.addr.v4, h + 8 + 16, 4);
		udp = h + 8 + 20;
	} else {
		/* type 1 code 3 or 4 (address, port), the original IPv6 header, its UDP header */
		if ((void *)(h + 8 + 40 + 8) > end || h[0] != 1 || (h[1] != 4 && h[1] != 3) ||
		    h[8 + 6] != IPPROTO_UDP)
			return;
		from.family = SIFT_AF_INET6;
		__builtin_memcpy(from.v6, h + 8 + 8, 16);
		hop.addr.family = SIFT_AF_INET6;
		__builtin_memcpy(hop.addr.v6, h + 8 + 24, 16);
		udp = h + 8 + 40;
	}
	/* from one of sift's addresses and SIP ports, to a backend, and the backend says so */
	if (!sift_addr_eq(&hop.addr, &pkt->saddr) || !bpf_map_lookup_elem(&SIFT_MAP_SELF, &from))
		return;
	sport = (__u32)udp[0] << 8 | udp[1];
	pf = bpf_map_lookup_elem(&SIFT_MAP_PORTS, &sport);
	if (!pf || !(*pf & SIFT_PORT_SIP))
		return;
	hop.port = (__u16)(udp[2] << 8 | udp[3]);
	sift_backend_gone(st, &hop, SIFT_GONE_ICMP, SIFT_STAT_BACKEND_UNREACH);
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SIFT_MAX_BACKENDS);
	__type(key, struct sift_hop_key);
	__type(value, struct sift_watch);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_WATCH SEC(".maps");

/*
 * A message XDP sent on, with health.invite_timeout_ms set: an INVITE to a
 * backend, or a response from one, counted for siftd (include/sift/fwd.h).
 */
static __always_inline void sift_watch_count(const struct sift_pkt *pkt,
					     const struct sift_scratch *s)
{
	struct sift_hop_key hop = {};
	struct sift_watch *w;

	if (s->msg.kind == SIFT_KIND_REQUEST) {
		if (s->msg.method != SIFT_METHOD_INVITE || s->plan.backend == SIFT_NO_BACKEND)
			return;
		hop.addr = s->plan.dst;
		hop.port = s->plan.dport;
	} else {
		hop.addr = pkt->saddr;
		hop.port = pkt->sport;
	}
	w = bpf_map_lookup_elem(&SIFT_MAP_WATCH, &hop);
	if (!w)
		return;
	if (s->msg.kind == SIFT_KIND_REQUEST)
		w->invites++;
	else
		w->responses++;
}

/*
 * A 503 Service Unavailable that came from a backend's own address and port
 * (and was forwarded as any response): the backend says it takes no more
 * (RFC 3261 21.5.4); siftd takes it out until a probe is answered.  Only
 * 503s pay the lookup.
 */
static __always_inline void sift_unreach_503(const struct sift_pkt *pkt, struct sift_stats *st)
{
	struct sift_hop_key hop = {};

	hop.addr = pkt->saddr;
	hop.port = pkt->sport;
	sift_backend_gone(st, &hop, SIFT_GONE_503, SIFT_STAT_BACKEND_503);
}

#endif /* SIFT_UNREACH_BPF_H */
