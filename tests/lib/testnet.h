/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A network for BPF tests of forwarding: the test process moves into a
 * network namespace of its own (gone when it exits, nothing to clean up)
 * with two veth pairs, addresses, routes and permanent neighbours, so
 * bpf_fib_lookup() answers the way it does on a real router.
 *
 *   client 198.18.1.2 / 2001:db8:1::2  ---  in0 198.18.1.1 / 2001:db8:1::1
 *   out0 198.18.2.1 / 2001:db8:2::1    ---  backends .2 .3 .4 .9 / ::2 ::3 ::4 ::9
 *   lo   198.18.9.1 / 2001:db8:9::1    (the host's own, not sift's: a management address)
 *   224.0.0.0/3 via 198.18.2.2          (as a default route would cover them)
 */
#ifndef SIFT_TEST_TESTNET_H
#define SIFT_TEST_TESTNET_H

#include <linux/types.h>

struct testnet {
	int in_ifindex, out_ifindex;
	__u8 in_mac[6], out_mac[6];  /* sift's side */
	__u8 client_mac[6], be_mac[6]; /* the neighbours' */
};

/* 0, or -errno with the failing step on stderr. */
int testnet_up(struct testnet *t);

#endif
