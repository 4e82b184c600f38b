/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Not a router.  siftd turns forwarding on for the interfaces sift is
 * attached to (the fast path's FIB lookups need it), and with it on the
 * kernel would route whatever arrives there.  So every IP packet, SIP or not,
 * is either addressed to this host (one of sift's addresses, another local
 * address, a broadcast or multicast group) or transit, and transit is dropped
 * in XDP unless the operator asked for `transit: route`.
 *
 * sift's own addresses are known from sift_self, the lookup forwarding needs
 * anyway (its answer is kept in the packet's sift_pkt); only the rest pays for
 * a FIB lookup.
 */
#ifndef SIFT_TRANSIT_BPF_H
#define SIFT_TRANSIT_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <sift/common.h>
#include <sift/sip_parse.h>

#include "fwd.bpf.h"
#include "l2l4.bpf.h"
#include "stats.bpf.h"

#define SIFT_DHCP_SERVER_PORT 67
#define SIFT_DHCP_CLIENT_PORT 68

/*
 * Would the kernel route @pkt (IPv4 or IPv6, not addressed to one of sift's
 * addresses) elsewhere?  Asked of the FIB as the kernel's own input route
 * lookup asks it: local addresses, broadcasts and multicast come back
 * NOT_FWDED, as does a destination without any route.  FWD_DISABLED (no
 * forwarding on the ingress interface) tells nothing, but then the kernel
 * would not forward it either.  A route (neighbour resolved or not) is
 * transit, and so are blackhole, unreachable and prohibit routes: dropping
 * those is what the kernel would do, less the ICMP error.
 */
static __always_inline int sift_routed_elsewhere(struct xdp_md *ctx, const struct sift_pkt *pkt)
{
	struct bpf_fib_lookup fib = {};
	void *data, *end;
	__u32 d;
	int rc;

	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	/* sent to an Ethernet group (broadcast, multicast): the kernel never forwards those */
	if (data + 1 > end || (*(__u8 *)data & 1))
		return 0;
	fib.ifindex = ctx->ingress_ifindex;
	if (pkt->ip_version == 4) {
		d = bpf_ntohl(pkt->daddr.v4);
		/* multicast and the limited broadcast: delivered, and unknown to the FIB */
		if ((d >> 28) == 0xe || d == 0xffffffff)
			return 0;
		/*
		 * A DHCP server's answer to a client on this interface that has
		 * no address yet goes to the address it is offered: the client
		 * reads it from a packet socket, behind XDP.
		 */
		if (pkt->l4_off && pkt->sport == SIFT_DHCP_SERVER_PORT &&
		    pkt->dport == SIFT_DHCP_CLIENT_PORT)
			return 0;
		fib.family = SIFT_AF_INET;
		fib.ipv4_src = pkt->saddr.v4;
		fib.ipv4_dst = pkt->daddr.v4;
	} else {
		/* link-local and multicast destinations come back NOT_FWDED */
		fib.family = SIFT_AF_INET6;
		__builtin_memcpy(fib.ipv6_src, pkt->saddr.v6, 16);
		__builtin_memcpy(fib.ipv6_dst, pkt->daddr.v6, 16);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	return rc >= 0 && rc != BPF_FIB_LKUP_RET_NOT_FWDED && rc != BPF_FIB_LKUP_RET_FWD_DISABLED;
}

/*
 * The transit stage, for an IPv4 or IPv6 packet: marks @pkt as ours when it
 * is addressed to one of sift's addresses (forwarding needs to know, and
 * asks no more), and counts transit as dropped or, with `transit: route`,
 * routed.  Returns 1 when the packet is to be dropped.
 */
SIFT_SUBPROG int sift_transit(struct xdp_md *ctx, struct sift_pkt *pkt, struct sift_stats *st)
{
	struct sift_config *cfg;
	__u64 bytes;

	if (!ctx || !pkt || !pkt->ip_version)
		return 0;
	pkt->ours = bpf_map_lookup_elem(&SIFT_MAP_SELF, &pkt->daddr) != NULL;
	if (pkt->ours || !sift_routed_elsewhere(ctx, pkt))
		return 0;
	bytes = ctx->data_end - ctx->data;
	cfg = sift_cfg();
	if (cfg && (cfg->flags & SIFT_CFG_TRANSIT_ROUTE)) {
		sift_count(st, SIFT_STAT_TRANSIT_ROUTED, bytes);
		return 0;
	}
	sift_count(st, SIFT_STAT_TRANSIT_DROPPED, bytes);
	return 1;
}

#endif /* SIFT_TRANSIT_BPF_H */
