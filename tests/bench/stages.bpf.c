// SPDX-License-Identifier: GPL-2.0
/*
 * The parser's stages, cumulatively, for the cost breakdown in the README:
 * copy the payload; + index its lines; + the start line; + parse all.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <sift/sip_parse.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sift_scratch);
} scratch SEC(".maps");

#define PAYLOAD_OFF (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))

static __always_inline struct sift_scratch *copy(struct xdp_md *ctx, __u32 *len)
{
	__u32 key = 0, n = ctx->data_end - ctx->data - PAYLOAD_OFF;
	struct sift_scratch *s = bpf_map_lookup_elem(&scratch, &key);

	if (!s || n > SIFT_MSG_MAX || !n)
		return NULL;
	asm volatile("" : "+r"(n));
	n &= SIFT_SCRATCH_MASK;
	if (!n || bpf_xdp_load_bytes(ctx, PAYLOAD_OFF, s->buf, n))
		return NULL;
	*len = n;
	return s;
}

SEC("xdp")
int stage_copy(struct xdp_md *ctx)
{
	__u32 len;

	return copy(ctx, &len) ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int stage_lines(struct xdp_md *ctx)
{
	__u32 len;
	struct sift_scratch *s = copy(ctx, &len);

	if (!s)
		return XDP_ABORTED;
	return sift_scan_lines(s, 0, len, 0) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int stage_start(struct xdp_md *ctx)
{
	__u32 len;
	struct sift_scratch *s = copy(ctx, &len);

	if (!s)
		return XDP_ABORTED;
	if (sift_scan_lines(s, 0, len, 0) <= 0)
		return XDP_DROP;
	return sift_parse_start(s, 0, s->line[1] - 2) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int stage_all(struct xdp_md *ctx)
{
	__u32 len;
	struct sift_scratch *s = copy(ctx, &len);

	if (!s)
		return XDP_ABORTED;
	return sift_sip_parse(s, len) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

