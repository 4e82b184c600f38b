// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's end hosts (gen, be) run this on their veth ends.  On veth, a
 * frame another end sends with XDP_TX or a redirect reaches this end only
 * when an XDP program runs here: without one it is dropped, or (with GRO on)
 * left waiting until later traffic on the same queue takes it along.  Passing
 * everything makes hairpinned and redirected frames arrive at once.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int lab_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
