// SPDX-License-Identifier: GPL-2.0
/*
 * Reference programs for the parser benchmark, measured in the same run:
 * an empty program (the harness's own cost) and two scans that only count
 * line feeds in the UDP payload, one byte and eight bytes at a time.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>

#include "scan_words.h"

volatile __u32 lines;

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

static __always_inline void *payload(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	void *p = data + sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr);

	return p > end ? NULL : p;
}

SEC("xdp")
int bench_scan_bytes(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	__u8 *p = payload(ctx);
	__u32 n = 0;

	if (!p)
		return XDP_PASS;
	for (int i = 0; i < 4096; i++) {
		if ((void *)(p + 1) > end)
			break;
		n += *p == '\n';
		p++;
	}
	lines = n;
	return XDP_PASS;
}

SEC("xdp")
int bench_scan_words(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx);

	if (!p)
		return XDP_PASS;
	lines = scan_words(p, (void *)(long)ctx->data_end);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
