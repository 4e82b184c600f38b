// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "faces.h"
#include "log.h"

static unsigned int iface_mtu(const char *name)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned int mtu = 1500;

	if (fd < 0)
		return mtu;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (!ioctl(fd, SIOCGIFMTU, &ifr))
		mtu = ifr.ifr_mtu;
	close(fd);
	return mtu;
}

static void add_addr(struct sift_iface_view *v, const struct sift_addr *a)
{
	sift_addr_set_add(v->addrs, &v->n_addrs, sizeof(v->addrs) / sizeof(v->addrs[0]), a);
}

/* The interface's own addresses, global scope first come first. */
static void discover(struct sift_iface_view *v)
{
	struct ifaddrs *ifa, *p;

	if (getifaddrs(&ifa))
		return;
	for (p = ifa; p; p = p->ifa_next) {
		struct sift_addr a = {};

		if (!p->ifa_addr || strcmp(p->ifa_name, v->name))
			continue;
		if (p->ifa_addr->sa_family == AF_INET) {
			a.family = SIFT_AF_INET;
			a.v4 = ((struct sockaddr_in *)p->ifa_addr)->sin_addr.s_addr;
		} else if (p->ifa_addr->sa_family == AF_INET6) {
			const struct in6_addr *in6 = &((struct sockaddr_in6 *)p->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(in6))
				continue;
			a.family = SIFT_AF_INET6;
			memcpy(a.v6, in6, 16);
		} else {
			continue;
		}
		add_addr(v, &a);
	}
	freeifaddrs(ifa);
}

static void face_host(struct sift_face_conf *f, const char *advertise)
{
	struct sift_addr adv;
	char buf[SIFT_ADDRSTRLEN];

	if (advertise[0] && sift_addr_parse(advertise, &adv)) {
		/* a name: the same on both faces */
		snprintf(f->host, sizeof(f->host), "%s", advertise);
		return;
	}
	if (advertise[0] && adv.family == f->addr.family) {
		/* an address of this family (sift reached through NAT, say); packets
		 * still leave from the interface's own */
		sift_addr_fmt(&adv, buf, sizeof(buf));
	} else {
		sift_addr_fmt(&f->addr, buf, sizeof(buf));
	}
	if (f->addr.family == SIFT_AF_INET6)
		snprintf(f->host, sizeof(f->host), "[%s]", buf);
	else
		snprintf(f->host, sizeof(f->host), "%s", buf);
}

int sift_faces_build(const struct sift_conf *c, struct sift_iface_view *out)
{
	for (unsigned int i = 0; i < c->n_ifaces; i++) {
		const struct sift_iface_conf *ic = &c->ifaces[i];
		struct sift_iface_view *v = &out[i];
		struct sift_addr adv;

		memset(v, 0, sizeof(*v));
		snprintf(v->name, sizeof(v->name), "%s", ic->name);
		v->ifindex = if_nametoindex(ic->name);
		if (!v->ifindex) {
			pr_err("%s: no such interface", ic->name);
			return -ENODEV;
		}
		v->port = ic->port ? ic->port : c->sip_ports[0];
		v->mtu = iface_mtu(ic->name);
		for (unsigned int k = 0; k < ic->n_addrs; k++)
			add_addr(v, &ic->addrs[k]);
		if (!v->n_addrs)
			discover(v);
		for (unsigned int k = 0; k < v->n_addrs; k++) {
			struct sift_face_conf *f =
				v->addrs[k].family == SIFT_AF_INET ? &v->v4 : &v->v6;

			if (!f->addr.family)
				f->addr = v->addrs[k];
		}
		if (v->v4.addr.family)
			face_host(&v->v4, ic->advertise);
		if (v->v6.addr.family)
			face_host(&v->v6, ic->advertise);
		/* an advertised address is sift's too: requests may name it */
		if (ic->advertise[0] && !sift_addr_parse(ic->advertise, &adv))
			add_addr(v, &adv);
		if (!v->n_addrs)
			pr_warn("%s: no IPv4 or IPv6 address; sift cannot forward through it",
				ic->name);
	}
	return 0;
}
