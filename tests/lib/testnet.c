// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testnet.h"

static const char *const setup[] = {
	"ip link set lo up",
	"ip link add in0 address 02:00:00:00:01:01 type veth peer name in0p address 02:00:00:00:01:02",
	"ip link add out0 address 02:00:00:00:02:01 type veth peer name out0p address 02:00:00:00:02:02",
	"ip link set in0 up", "ip link set in0p up", "ip link set out0 up", "ip link set out0p up",
	"ip addr add 198.18.1.1/24 dev in0",
	"ip addr add 198.18.2.1/24 dev out0",
	"ip addr add 2001:db8:1::1/64 dev in0 nodad",
	"ip addr add 2001:db8:2::1/64 dev out0 nodad",
	/* the host's own, not sift's (a management address) */
	"ip addr add 198.18.9.1/32 dev lo",
	"ip addr add 2001:db8:9::1/128 dev lo nodad",
	/* as under a default route, multicast and broadcast destinations have a route */
	"ip route add 224.0.0.0/3 via 198.18.2.2 dev out0",
	"ip neigh replace 198.18.1.2 lladdr 02:00:00:00:01:02 nud permanent dev in0",
	"ip neigh replace 2001:db8:1::2 lladdr 02:00:00:00:01:02 nud permanent dev in0",
	"ip neigh replace 198.18.2.2 lladdr 02:00:00:00:02:02 nud permanent dev out0",
	"ip neigh replace 198.18.2.3 lladdr 02:00:00:00:02:02 nud permanent dev out0",
	"ip neigh replace 198.18.2.4 lladdr 02:00:00:00:02:02 nud permanent dev out0",
	"ip neigh replace 198.18.2.9 lladdr 02:00:00:00:02:02 nud permanent dev out0",
	"ip neigh replace 2001:db8:2::2 lladdr 02:00:00:00:02:02 nud permanent dev out0",
	"ip neigh replace 2001:db8:2::3 lladdr 02:00:00:00:02:02 nud permanent dev out0",
	"ip neigh replace 2001:db8:2::4 lladdr 02:00:00:00:02:02 nud permanent dev out0",
	"sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1",
	"sysctl -qw net.ipv4.conf.in0.forwarding=1 net.ipv4.conf.out0.forwarding=1",
	"sysctl -qw net.ipv6.conf.in0.forwarding=1 net.ipv6.conf.out0.forwarding=1",
};

static void mac(__u8 *out, __u8 net, __u8 host)
{
	const __u8 m[6] = { 0x02, 0, 0, 0, net, host };

	memcpy(out, m, 6);
}

int testnet_up(struct testnet *t)
{
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "testnet: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "%s >/dev/null 2>&1", setup[i]);
		if (system(cmd)) {
			fprintf(stderr, "testnet: '%s' failed\n", setup[i]);
			return -EIO;
		}
	}
	t->in_ifindex = if_nametoindex("in0");
	t->out_ifindex = if_nametoindex("out0");
	mac(t->in_mac, 1, 1);
	mac(t->client_mac, 1, 2);
	mac(t->out_mac, 2, 1);
	mac(t->be_mac, 2, 2);
	return t->in_ifindex && t->out_ifindex ? 0 : -ENODEV;
}
