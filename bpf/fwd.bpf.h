/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stateless proxy (RFC 3261 16.11) for a message the parser found
 * forward-eligible: decide the next hop, rewrite (Via, Record-Route, Route,
 * Max-Forwards, IP and UDP), look up the way out, send.  Anything it cannot
 * finish is punted untouched: the packet is only changed once everything
 * needed is known.
 */
#ifndef SIFT_FWD_BPF_H
#define SIFT_FWD_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <sift/common.h>
#include <sift/fwd.h>
#include <sift/fwd_util.h>
#include <sift/sip.h>

#include "l2l4.bpf.h"
#include "maps.bpf.h"
#include "shield.bpf.h"

/* ---- maps ------------------------------------------------------------------ */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sift_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_CONFIG SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SIFT_MAX_ROUTES);
	__type(key, struct sift_route_key);
	__type(value, struct sift_route);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_ROUTES SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SIFT_MAX_DOMAINS);
	__type(key, struct sift_domain_key);
	__type(value, struct sift_domain);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_DOMAINS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SIFT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct sift_backend);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_BACKENDS SEC(".maps");

struct sift_maglev_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SIFT_MAGLEV_SIZE);
	__type(key, __u32);
	__type(value, __u32); /* backend id */
};

/* Group -> its Maglev table; siftd swaps a whole table in one update. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, SIFT_MAX_GROUPS);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct sift_maglev_table);
} SIFT_MAP_MAGLEV SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SIFT_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct sift_egress);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_EGRESS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * SIFT_MAX_IFACES * SIFT_MAX_IFACES);
	__type(key, struct sift_rr_key);
	__type(value, struct sift_rr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_RR SEC(".maps");

/*
 * The interfaces sift may redirect to.  siftd pins it itself: the kernel
 * marks devmaps BPF_F_RDONLY_PROG, and libbpf 1.1 then refuses to reuse the
 * pinned map by name ("parameter mismatch").
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, SIFT_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
} SIFT_MAP_TX SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * SIFT_MAX_BACKENDS);
	__type(key, struct sift_hop_key);
	__type(value, __u32); /* enum sift_hop_flags */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_HOPS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct sift_nh_key);
	__type(value, struct sift_nh);
} SIFT_MAP_NH SEC(".maps");

static __always_inline struct sift_config *sift_cfg(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&SIFT_MAP_CONFIG, &key);
}

/* ---- the decision (include/sift/fwd_decide.h) on these maps ------------------------ */

static __always_inline void *sift_fwd_get(enum sift_fwd_table tbl, const void *key)
{
	/* tbl is a constant at every call: this folds to one lookup */
	switch (tbl) {
	case SIFT_FTBL_SELF:
		return bpf_map_lookup_elem(&SIFT_MAP_SELF, key);
	case SIFT_FTBL_PORTS:
		return bpf_map_lookup_elem(&SIFT_MAP_PORTS, key);
	case SIFT_FTBL_DOMAINS:
		return bpf_map_lookup_elem(&SIFT_MAP_DOMAINS, key);
	case SIFT_FTBL_ROUTES:
		return bpf_map_lookup_elem(&SIFT_MAP_ROUTES, key);
	case SIFT_FTBL_BACKENDS:
		return bpf_map_lookup_elem(&SIFT_MAP_BACKENDS, key);
	case SIFT_FTBL_HOPS:
		return bpf_map_lookup_elem(&SIFT_MAP_HOPS, key);
	case SIFT_FTBL_ACL_ALLOW:
		return bpf_map_lookup_elem(&SIFT_MAP_ACL_ALLOW, key);
	case SIFT_FTBL_EGRESS:
		return bpf_map_lookup_elem(&SIFT_MAP_EGRESS, key);
	case SIFT_FTBL_RR:
		return bpf_map_lookup_elem(&SIFT_MAP_RR, key);
	default:
		return NULL;
	}
}

static __always_inline int sift_fwd_maglev(__u32 group, __u32 idx, __u32 *id)
{
	void *table = bpf_map_lookup_elem(&SIFT_MAP_MAGLEV, &group);
	__u32 *slot;

	if (!table)
		return -1;
	slot = bpf_map_lookup_elem(table, &idx);
	if (!slot)
		return -1;
	*id = *slot;
	return 0;
}

#include <sift/fwd_decide.h>

/* ---- the way out ------------------------------------------------------------- */

/*
 * FIB lookup for the next hop: the kernel's routes and neighbours, or its
 * recent answer from sift_nh.  Nothing is written to the packet.
 */
SIFT_SUBPROG int sift_fwd_route(struct xdp_md *ctx, struct sift_scratch *s, __u32 cache_ms)
{
	struct bpf_fib_lookup fib = {};
	struct sift_nh_key key = {};
	struct sift_fwd_plan *pl;
	struct sift_nh *nh, fresh;
	__u64 now;
	int rc;

	if (!ctx || !s)
		return SIFT_REASON_FIB_MISS;
	pl = &s->plan;
	key.dst = pl->dst;
	key.ingress = ctx->ingress_ifindex;
	now = bpf_ktime_get_coarse_ns();
	nh = bpf_map_lookup_elem(&SIFT_MAP_NH, &key);
	if (nh && now < nh->expires) {
		pl->egress = nh->egress;
		__builtin_memcpy(pl->smac, nh->smac, 6);
		__builtin_memcpy(pl->dmac, nh->dmac, 6);
		return 0;
	}
	fib.ifindex = ctx->ingress_ifindex;
	fib.l4_protocol = IPPROTO_UDP;
	if (pl->dst.family == SIFT_AF_INET) {
		fib.family = SIFT_AF_INET;
		fib.ipv4_dst = pl->dst.v4;
	} else {
		fib.family = SIFT_AF_INET6;
		__builtin_memcpy(fib.ipv6_dst, pl->dst.v6, 16);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		return SIFT_REASON_NO_NEIGH;
	if (rc == BPF_FIB_LKUP_RET_FWD_DISABLED)
		return SIFT_REASON_FORWARDING_OFF; /* siftd turns it on for its interfaces */
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return SIFT_REASON_FIB_MISS;
	pl->egress = fib.ifindex;
	__builtin_memcpy(pl->smac, fib.smac, 6);
	__builtin_memcpy(pl->dmac, fib.dmac, 6);
	if (cache_ms) {
		fresh.expires = now + (__u64)cache_ms * 1000000;
		fresh.egress = fib.ifindex;
		__builtin_memcpy(fresh.smac, fib.smac, 6);
		__builtin_memcpy(fresh.dmac, fib.dmac, 6);
		bpf_map_update_elem(&SIFT_MAP_NH, &key, &fresh, BPF_ANY);
	}
	return 0;
}


/* The one's complement sum of a span, as if it started at an even offset, folded to 16 bits. */
enum { SIFT_SRC_BUF, SIFT_SRC_INS };

SIFT_SUBPROG __u32 sift_csum_span(struct sift_scratch *s, __u32 src, __u32 off, __u32 len)
{
	__u64 sum = 0;

	if (!s || len > SIFT_SCRATCH_SIZE)
		return 0;
	for (int i = 0; i < SIFT_SCRATCH_SIZE / 512; i++) {
		__u32 n = len >= 512 ? 512 : len & ~3u;
		__s64 r;

		if (!n)
			break;
		/* verifier: each source is at least 1 KiB past any masked offset */
		if (src == SIFT_SRC_BUF)
			r = bpf_csum_diff(NULL, 0, (void *)&s->buf[off & SIFT_SCRATCH_MASK], n & 1023, 0);
		else
			r = bpf_csum_diff(NULL, 0, (void *)&s->ins[off & (SIFT_INS_MAX - 1)],
					  n & (SIFT_INS_MAX - 1), 0);
		if (r < 0)
			return 0;
		sum += (__u32)r;
		off += n;
		len -= n;
	}
	/* the last 1 to 3 bytes, as the helper would have read them */
	if (len) {
		__u32 w = 0;

		for (int k = 0; k < 3; k++) {
			__u8 b;

			if ((__u32)k >= len)
				break;
			if (src == SIFT_SRC_BUF)
				b = s->buf[(off + k) & SIFT_SCRATCH_MASK];
			else
				b = s->ins[(off + k) & (2 * SIFT_INS_MAX - 1)];
			w |= (__u32)b << (8 * k);
		}
		sum += w;
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u32)sum;
}

/*
 * The one's complement sum, unfolded, of @n bytes at @h (both even and
 * constant: the headers sift writes), without a helper call.
 */
static __always_inline __u32 sift_hdr_sum(const __u8 *h, const int n)
{
	const __u16 *w = (const __u16 *)h;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < n / 2; i++)
		sum += w[i];
	return sum;
}

static __always_inline __u32 sift_fold16(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	return (sum & 0xffff) + (sum >> 16);
}

/* A span's sum placed at @at in the checksummed data: odd places swap its bytes. */
static __always_inline __u32 sift_csum_at(__u32 sum, __u32 at)
{
	return at & 1 ? ((sum & 0xff) << 8) | (sum >> 8) : sum;
}

/* The sum of the payload's [off, off + len) where it lies in the datagram that came in. */
static __always_inline __u32 sift_csum_span_at(struct sift_scratch *s, __u32 off, __u32 len)
{
	return sift_csum_at(sift_csum_span(s, SIFT_SRC_BUF, off, len), off);
}

/* What a piece with sum @x adds when it moves by an odd number of bytes: its sum swapped, less itself. */
static __always_inline __u32 sift_csum_moved_odd(__u32 x)
{
	return sift_csum_at(x, 1) + 0xffff - x;
}

/*
 * The one's complement sum of the UDP payload as it came, from the checksum
 * it came with, for sift_fwd_build to update rather than recompute (RFC
 * 1624): a datagram damaged on its way in then stays detectably damaged on
 * its way out, as it would through any router.  0 when there is nothing to
 * trust: no checksum (IPv4's zero), or one the sender's NIC was still to
 * finish (CHECKSUM_PARTIAL, as from a local socket over veth: the field
 * then holds only the pseudo header's sum).
 */
SIFT_SUBPROG __u32 sift_in_sum(const struct sift_pkt *pkt)
{
	__u32 ulen, ps, sum;

	if (!pkt || !pkt->udp_check)
		return 0;
	ulen = pkt->payload_len + 8;
	if (pkt->saddr.family == SIFT_AF_INET)
		ps = (pkt->saddr.v4 & 0xffff) + (pkt->saddr.v4 >> 16) + (pkt->daddr.v4 & 0xffff) +
		     (pkt->daddr.v4 >> 16);
	else
		ps = sift_hdr_sum(pkt->saddr.v6, 16) + sift_hdr_sum(pkt->daddr.v6, 16);
	ps = sift_fold16(ps + bpf_htons(IPPROTO_UDP) + bpf_htons(ulen));
	if (pkt->udp_check == ps)
		return 0;
	/* pseudo header + UDP header (its checksum included) + payload == 0xffff */
	sum = ps + bpf_htons(pkt->sport) + bpf_htons(pkt->dport) + bpf_htons(ulen) + pkt->udp_check;
	sum = ~sift_fold16(sum) & 0xffff;
	return sum ? sum : 0xffff;
}

static __always_inline int sift_store(struct xdp_md *ctx, struct sift_scratch *s, __u32 to,
				      __u32 from, __u32 len)
{
	/* verifier: both masked, so [from, from + len) stays in the doubled buffer;
	 * the zero test after the mask, which clang must not see through */
	SIFT_OPAQUE(len);
	len &= SIFT_SCRATCH_MASK;
	if (!len)
		return 0;
	return bpf_xdp_store_bytes(ctx, to, &s->buf[from & SIFT_SCRATCH_MASK], len);
}

/*
 * Max-Forwards' new digits (at most three) into the frame at @to, written
 * directly, without a helper call.
 */
static __always_inline int sift_put_digits(struct xdp_md *ctx, struct sift_scratch *s, __u32 to,
					   __u32 from, __u32 n)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *d;

	/* verifier: a masked offset, then one check covers all three bytes */
	to &= 2 * SIFT_SCRATCH_SIZE - 1;
	d = data + to;
	if (n > 3 || (void *)(d + 3) > end)
		return sift_store(ctx, s, to, from, n);
	for (int k = 0; k < 3; k++)
		if ((__u32)k < n)
			d[k] = s->buf[(from + k) & SIFT_SCRATCH_MASK];
	return 0;
}

/*
 * Rewrite the frame as the plan says: new Ethernet, IP and UDP headers, the
 * start line, the inserted bytes, the headers minus the cut; the body stays
 * where it is (the frame grows or shrinks at its head).  Then the UDP
 * checksum, from the same pieces.  Returns 0; 1 when it would outgrow the
 * MTU, 2 when the headroom is too small (nothing written yet); or -1 once
 * the frame may be half-written (then it must be dropped).
 */
SIFT_SUBPROG int sift_fwd_build(struct xdp_md *ctx, struct sift_scratch *s, __u32 old_head)
{
	struct sift_sip_msg *m;
	struct sift_fwd_plan *pl;
	__u32 sl, eoh, cut, cut_end, keep, end, head, l3, hdrs, ulen, frame, real, csum_sum, n,
		grow;
	__s32 delta;
	const __u64 *hw;
	void *data, *data_end;
	__u8 *h;

	if (!ctx || !s)
		return -1;
	m = &s->msg;
	pl = &s->plan;
	sl = s->line[1];
	eoh = m->eoh;
	keep = pl->keep;
	end = pl->body_end;
	cut = pl->cut_len ? pl->cut_off : eoh;
	cut_end = cut + pl->cut_len;
	if (!eoh || sl > keep || keep > cut || cut_end > eoh || eoh > end || end > m->len ||
	    pl->ins_len >= SIFT_INS_MAX)
		return 1;
	/* what [keep, cut) moves by: the insertion less the stretch it replaces */
	grow = pl->ins_len - (keep - sl);
	head = sl + pl->ins_len + (eoh - keep - pl->cut_len);
	l3 = pl->dst.family == SIFT_AF_INET ? 20 : 40;
	hdrs = ETH_HLEN + l3 + 8;
	ulen = 8 + head + (end - eoh);
	if (l3 + ulen > pl->mtu)
		return 1;

	/*
	 * Ethernet may have padded a short frame, and a datagram may carry
	 * bytes past its Content-Length (RFC 3261 18.3: they are discarded,
	 * not passed on): both go first.
	 */
	frame = ctx->data_end - ctx->data;
	real = old_head + end;
	if (frame > real && bpf_xdp_adjust_tail(ctx, -(int)(frame - real)))
		return 1;
	delta = (__s32)(hdrs + head) - (__s32)(old_head + eoh);
	if (bpf_xdp_adjust_head(ctx, -delta))
		return 2; /* the driver left less headroom than the insertion needs */

	/* from here on the frame is being rewritten */
	if (sift_store(ctx, s, hdrs, 0, sl))
		return -1;
	n = pl->ins_len;
	SIFT_OPAQUE(n);
	n &= SIFT_INS_MAX - 1;
	if (n && bpf_xdp_store_bytes(ctx, hdrs + sl, (void *)&s->ins[0], n))
		return -1;
	/*
	 * The frame grew or shrank at its head by exactly the insertion minus
	 * what it replaces and the cut, so [cut_end, eoh) is already where it
	 * goes, and so is [keep, cut) when nothing is cut: only Max-Forwards'
	 * new digits, if they are there, need writing.
	 */
	if (pl->cut_len && sift_store(ctx, s, hdrs + sl + pl->ins_len, keep, cut - keep))
		return -1;
	n = m->mf_digits.len;
	if (m->kind == SIFT_KIND_REQUEST && n && m->mf_digits.off >= (pl->cut_len ? cut_end : keep) &&
	    sift_put_digits(ctx, s, hdrs + m->mf_digits.off + grow - pl->cut_len, m->mf_digits.off, n))
		return -1;

	/* Ethernet, IP, UDP in s->hdr; the pseudo header at hdr[64] */
	h = s->hdr;
	__builtin_memcpy(&h[0], pl->dmac, 6);
	__builtin_memcpy(&h[6], pl->smac, 6);
	if (l3 == 20) {
		struct iphdr *ip = (struct iphdr *)&h[ETH_HLEN];

		h[12] = 0x08, h[13] = 0x00;
		__builtin_memset(ip, 0, 20);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = bpf_htons(20 + ulen);
		ip->frag_off = bpf_htons(0x4000); /* DF */
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->saddr = pl->src.v4;
		ip->daddr = pl->dst.v4;
		ip->check = ~sift_fold16(sift_hdr_sum(&h[ETH_HLEN], 20)) & 0xffff;
		/* pseudo header: addresses, zero, protocol, UDP length */
		__builtin_memcpy(&h[64], &ip->saddr, 8);
		h[72] = 0, h[73] = IPPROTO_UDP;
		h[74] = ulen >> 8, h[75] = ulen & 0xff;
	} else {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)&h[ETH_HLEN];

		h[12] = 0x86, h[13] = 0xdd;
		__builtin_memset(ip6, 0, 40);
		ip6->version = 6;
		ip6->payload_len = bpf_htons(ulen);
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = 64;
		__builtin_memcpy(&ip6->saddr, pl->src.v6, 16);
		__builtin_memcpy(&ip6->daddr, pl->dst.v6, 16);
		__builtin_memcpy(&h[64], &ip6->saddr, 32);
		__builtin_memset(&h[96], 0, 8);
		h[98] = ulen >> 8, h[99] = ulen & 0xff;
		h[103] = IPPROTO_UDP;
	}
	/* UDP header, checksum zero while it is summed */
	h[ETH_HLEN + l3 + 0] = pl->sport >> 8;
	h[ETH_HLEN + l3 + 1] = pl->sport & 0xff;
	h[ETH_HLEN + l3 + 2] = pl->dport >> 8;
	h[ETH_HLEN + l3 + 3] = pl->dport & 0xff;
	h[ETH_HLEN + l3 + 4] = ulen >> 8;
	h[ETH_HLEN + l3 + 5] = ulen & 0xff;
	h[ETH_HLEN + l3 + 6] = 0;
	h[ETH_HLEN + l3 + 7] = 0;

	/*
	 * The UDP checksum: pseudo header, UDP header, then the payload's sum.
	 * The buffer holds [0, cut) and [cut_end, len) as they go out.  With a
	 * sum to update (pl->in_sum), only what changed or moved by an odd
	 * number of bytes is summed; without, each piece where it landed
	 * (pieces that moved by an even number keep their sum, so with an even
	 * insertion [0, cut) is one piece).
	 */
	if (l3 == 20)
		csum_sum = sift_hdr_sum(&h[64], 12) + sift_hdr_sum(&h[ETH_HLEN + 20], 8);
	else
		csum_sum = sift_hdr_sum(&h[64], 40) + sift_hdr_sum(&h[ETH_HLEN + 40], 8);
	csum_sum = sift_fold16(csum_sum);
	if (pl->in_sum) {
		/*
		 * RFC 1624: the payload's sum as it came, plus what changed: less
		 * the stretch the insertion replaces, the cut and what lay past
		 * the body.  A piece that moved by an odd number of bytes has its
		 * sum's bytes swapped; sift_fwd_face pads the insertion so that
		 * the tail (and the body with it) moves by an even number in
		 * requests.
		 */
		csum_sum += sift_fold16(pl->in_sum + pl->mf_delta);
		if (keep > sl)
			csum_sum += 0xffff - sift_csum_span_at(s, sl, keep - sl);
		if (pl->cut_len)
			csum_sum += 0xffff - sift_csum_span_at(s, cut, pl->cut_len);
		if (m->len > end)
			csum_sum += 0xffff - sift_csum_span_at(s, end, m->len - end);
		if (grow & 1)
			csum_sum += sift_csum_moved_odd(sift_csum_span_at(s, keep, cut - keep));
		if ((grow ^ pl->cut_len) & 1)
			csum_sum += sift_csum_moved_odd(sift_csum_span_at(s, cut_end, end - cut_end));
	} else {
		if ((pl->ins_len & 1) || keep != sl) {
			csum_sum += sift_csum_span(s, SIFT_SRC_BUF, 0, sl);
			csum_sum += sift_csum_at(sift_csum_span(s, SIFT_SRC_BUF, keep, cut - keep),
						 sl + pl->ins_len);
		} else {
			csum_sum += sift_csum_span(s, SIFT_SRC_BUF, 0, cut);
		}
		csum_sum += sift_csum_at(sift_csum_span(s, SIFT_SRC_BUF, cut_end, end - cut_end),
					 sl + pl->ins_len + cut - keep);
	}
	csum_sum += sift_csum_at(sift_csum_span(s, SIFT_SRC_INS, 0, pl->ins_len), sl);
	csum_sum = (csum_sum & 0xffff) + (csum_sum >> 16);
	csum_sum = (csum_sum & 0xffff) + (csum_sum >> 16);
	csum_sum = ~csum_sum & 0xffff;
	if (!csum_sum)
		csum_sum = 0xffff; /* zero means "no checksum" */
	__builtin_memcpy(&h[ETH_HLEN + l3 + 6], &csum_sum, 2);

	/* verifier: constant offsets behind one bounds check; 8-byte words (hdr is 8-aligned) */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	hw = (const __u64 *)h;
	if (l3 == 20) {
		if (data + ETH_HLEN + 20 + 8 > data_end)
			return -1;
		((__u64 *)data)[0] = hw[0], ((__u64 *)data)[1] = hw[1];
		((__u64 *)data)[2] = hw[2], ((__u64 *)data)[3] = hw[3];
		((__u64 *)data)[4] = hw[4];
		*(__u16 *)(data + 40) = *(const __u16 *)&h[40];
	} else {
		if (data + ETH_HLEN + 40 + 8 > data_end)
			return -1;
		((__u64 *)data)[0] = hw[0], ((__u64 *)data)[1] = hw[1];
		((__u64 *)data)[2] = hw[2], ((__u64 *)data)[3] = hw[3];
		((__u64 *)data)[4] = hw[4], ((__u64 *)data)[5] = hw[5];
		((__u64 *)data)[6] = hw[6];
		*(__u32 *)(data + 56) = *(const __u32 *)&h[56];
		*(__u16 *)(data + 60) = *(const __u16 *)&h[60];
	}
	return 0;
}

/* ---- the whole stage ------------------------------------------------------------- */

/* Count a forwarding reason under forward.punt or forward.drop, as its class says. */
static __always_inline int sift_fwd_refuse(struct sift_stats *st, struct sift_fwd_plan *pl,
					   __u32 reason, __u64 bytes)
{
	__u32 cls = sift_reason_class[reason & (SIFT_REASON_CLASS_SLOTS - 1)];

	if (reason == 0 || reason >= SIFT_REASON__MAX)
		return XDP_PASS;
	if (cls == SIFT_RCLASS_reject) {
		pl->refused = SIFT_STAT_DROP_BASE + reason - 1;
		sift_count(st, SIFT_STAT_FWD_DROP, bytes);
		sift_count(st, pl->refused, bytes);
		return XDP_DROP;
	}
	pl->refused = SIFT_STAT_PUNT_BASE + reason - 1;
	sift_count(st, SIFT_STAT_FWD_PUNT, bytes);
	sift_count(st, pl->refused, bytes);
	return XDP_PASS;
}

/*
 * Forward a forward-eligible message addressed to sift.  @trusted: the
 * shield found its source trusted (the allow list); otherwise the relay
 * policy looks it up when it matters.  Returns the XDP action; a punt
 * leaves the packet as it came.
 */
static __always_inline int sift_forward(struct xdp_md *ctx, const struct sift_pkt *pkt,
					struct sift_scratch *s, struct sift_stats *st,
					const struct sift_config *cfg, int trusted, __u64 bytes)
{
	struct sift_fwd_plan *pl = &s->plan;
	struct sift_sip_msg *m = &s->msg;
	int r, request = m->kind == SIFT_KIND_REQUEST;

	sift_plan_start(s, &pkt->saddr, pkt->sport, &pkt->daddr, ctx->ingress_ifindex, cfg->key,
			trusted);
	r = request ? sift_decide_request(s) : sift_decide_response(s);
	pl->decision = SIFT_PLAN_DECIDED | r;
	if (r)
		return sift_fwd_refuse(st, pl, r, bytes);
	r = sift_fwd_route(ctx, s, cfg->nh_cache_ms);
	if (r)
		return sift_fwd_refuse(st, pl, r, bytes);
	if (request) {
		if (!(m->present & SIFT_HDR_MAX_FORWARDS))
			pl->add_mf = 1;
		else if (sift_mf_decrement(s))
			return sift_fwd_refuse(st, pl, SIFT_REASON_MAX_FORWARDS_ZERO, bytes);
		r = sift_via_received(s);
		if (r)
			return sift_fwd_refuse(st, pl, r, bytes);
		pl->callid_h = sift_callid_keyed(s);
		pl->branch = sift_branch_hash(s, pl->key[0]);
	}
	r = sift_fwd_face(s, request);
	if (r)
		return sift_fwd_refuse(st, pl, r, bytes);
	pl->in_sum = sift_in_sum(pkt); /* only for what is sent on */
	r = sift_fwd_build(ctx, s, pkt->payload_off);
	if (r > 0)
		return sift_fwd_refuse(st, pl, r == 2 ? SIFT_REASON_NO_HEADROOM : SIFT_REASON_MTU, bytes);
	if (r < 0)
		return XDP_ABORTED; /* half-written: never let the kernel see it */
	sift_count(st, request ? SIFT_STAT_FWD_REQUEST : SIFT_STAT_FWD_RESPONSE, bytes);
	if (pl->egress == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect_map(&SIFT_MAP_TX, pl->egress, 0);
}

#endif /* SIFT_FWD_BPF_H */
