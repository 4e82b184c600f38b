/* SPDX-License-Identifier: GPL-2.0 */
/* Maps of the sift XDP program.  Types and names come from include/sift/. */
#ifndef SIFT_MAPS_BPF_H
#define SIFT_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <sift/common.h>
#include <sift/fwd.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sift_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_STATS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_PORTS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SIFT_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct sift_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_IFACES SEC(".maps");

/* sift's own addresses (the value: enum sift_domain_flags); forwarding, transit and the shield read it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct sift_addr);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} SIFT_MAP_SELF SEC(".maps");

#endif /* SIFT_MAPS_BPF_H */
