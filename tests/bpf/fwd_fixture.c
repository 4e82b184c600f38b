// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "bpfrun.h"
#include "fwd_native.h"
#include "fwd_fixture.h"
#include "pkt.h"
#include "shieldstate.h"
#include "sip_native.h"

struct testnet fix_net;
const __u64 fix_key[2] = { FIX_KEY0, FIX_KEY1 };

static void backend(struct sift_group_conf *g, const char *addr)
{
	struct sift_backend_conf *b = &g->backends[g->n_backends++];

	memset(b, 0, sizeof(*b));
	sift_addr_parse(addr, &b->addr);
	b->port = 5060;
	b->weight = 100;
	b->state = SIFT_BACKEND_UP;
}

static void group(struct sift_routing *r, const char *name)
{
	struct sift_group_conf *g = &r->groups[r->n_groups++];

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
}

static void route(struct sift_routing *r, const char *prefix, const char *grp, bool rr)
{
	struct sift_route_conf *rt = &r->routes[r->n_routes++];

	memset(rt, 0, sizeof(*rt));
	snprintf(rt->prefix, sizeof(rt->prefix), "%s", prefix);
	snprintf(rt->group, sizeof(rt->group), "%s", grp);
	rt->record_route = rr;
}

static void face(struct sift_iface_view *v, const char *name, int ifindex, const char *a4,
		 const char *a6)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->ifindex = ifindex;
	v->port = 5060;
	v->mtu = 1500;
	sift_addr_parse(a4, &v->v4.addr);
	snprintf(v->v4.host, sizeof(v->v4.host), "%s", a4);
	sift_addr_parse(a6, &v->v6.addr);
	snprintf(v->v6.host, sizeof(v->v6.host), "[%s]", a6);
	v->addrs[v->n_addrs++] = v->v4.addr;
	v->addrs[v->n_addrs++] = v->v6.addr;
}

int fix_reinstall(struct fwd_fixture *f)
{
	struct sift_fwd_view v = {
		.routing = &f->routing,
		.ifaces = f->views,
		.n_ifaces = 2,
		.forward = true,
		.nh_cache_ms = SIFT_NH_CACHE_MS_DEFAULT,
		.transit_route = f->transit_route,
	};
	char err[256];
	int ret = sift_fwd_install(&f->st, &f->maps, &v, err, sizeof(err));

	if (ret)
		fprintf(stderr, "install: %s\n", err);
	return ret;
}

int fix_load(struct fwd_fixture *f)
{
	struct sift_config cfg = { .key = { FIX_KEY0, FIX_KEY1 } };
	struct sift_routing *r = &f->routing;
	struct sift_prefix peer = { .len = 32 };
	struct sift_acl_key acl;
	__u32 key = 0, trusted = SIFT_ACL_TRUSTED;

	memset(f, 0, sizeof(*f));
	f->skel = bpfrun_load();
	if (!f->skel)
		return -errno;
	bpfrun_maps(f->skel, &f->maps);
	if (bpf_map_update_elem(f->maps.config, &key, &cfg, BPF_ANY))
		return -errno;
	sift_addr_parse(FIX_TRUSTED_PEER, &peer.addr);
	sift_acl_key_of(&peer, &acl);
	if (bpf_map_update_elem(f->maps.acl_allow, &acl, &trusted, BPF_ANY))
		return -errno;
	sift_fwd_state_init(&f->st);

	snprintf(r->domains[r->n_domains++], SIFT_NAME_MAX, "sift.example");
	group(r, "one");
	backend(&r->groups[0], "198.18.2.2");
	group(r, "three");
	backend(&r->groups[1], "198.18.2.2");
	backend(&r->groups[1], "198.18.2.3");
	backend(&r->groups[1], "198.18.2.4");
	group(r, "v6");
	backend(&r->groups[2], "2001:db8:2::2");
	route(r, "", "one", false);
	route(r, "+1555", "one", true);
	route(r, "6", "v6", false);
	route(r, "7", "three", false);
	route(r, "+66", "v6", true);
	face(&f->views[0], "in0", fix_net.in_ifindex, "198.18.1.1", "2001:db8:1::1");
	face(&f->views[1], "out0", fix_net.out_ifindex, "198.18.2.1", "2001:db8:2::1");
	return fix_reinstall(f);
}

void fix_free(struct fwd_fixture *f)
{
	if (f->skel)
		bpfrun_free(f->skel);
	f->skel = NULL;
	sift_fwd_state_free(&f->st);
}

void fix_backend_state(struct fwd_fixture *f, const char *grp, const char *addr, int state)
{
	struct sift_group_conf *g = sift_routing_group(&f->routing, grp);
	struct sift_addr a;
	struct sift_backend_conf *b;

	sift_addr_parse(addr, &a);
	b = g ? sift_routing_backend(g, &a, 5060) : NULL;
	if (b)
		b->state = state;
}

size_t fix_frame(__u8 *buf, size_t len, int ipv, const char *src, unsigned int sport,
		 const char *dst, unsigned int dport, const __u8 *smac, const __u8 *dmac,
		 const char *payload, size_t plen)
{
	struct pkt_spec s = {
		.ip_version = ipv,
		.src = src,
		.dst = dst,
		.sport = sport,
		.dport = dport,
		.frag = ipv == 4 ? 0x4000 : 0,
		.smac = smac,
		.dmac = dmac,
		.payload = payload,
		.payload_len = plen,
	};

	return pkt_build(&s, buf, len);
}

void fix_branch(const char *msg, size_t len, const char *nh, unsigned int nh_port, const char *ph,
		unsigned int ph_port, char out[SIFT_BRANCH_LEN + 1])
{
	static struct sift_scratch s;
	struct sift_addr n, p;

	sift_addr_parse(nh, &n);
	sift_addr_parse(ph, &p);
	sift_sip_parse_bytes(&s, msg, len);
	sift_branch_text(&s, fix_key, &n, nh_port, &p, ph_port, out);
}

unsigned int fix_reply_port(const char *msg, size_t len, const char *src, unsigned int sport)
{
	static struct sift_scratch s;
	struct sift_addr a;

	sift_addr_parse(src, &a);
	sift_sip_parse_bytes(&s, msg, len);
	if (sift_via_received_scratch(&s, &a, sport))
		return 0;
	return s.plan.reply_port;
}

void fix_vouch(const char *msg, size_t len, const char *hop, char out[9])
{
	static struct sift_scratch s;
	struct sift_addr a;

	sift_addr_parse(hop, &a);
	sift_sip_parse_bytes(&s, msg, len);
	snprintf(out, 9, "%08x", sift_vouch_of(&s, fix_key, &a));
}

size_t fix_subst(const char *tmpl, const char *branch, const char *vouch, char *out, size_t len)
{
	size_t o = 0, bl = strlen(branch), vl = strlen(vouch);

	for (const char *p = tmpl; *p && o + bl + vl + 1 < len;) {
		if (!strncmp(p, "@BRANCH@", 8)) {
			memcpy(out + o, branch, bl);
			o += bl;
			p += 8;
		} else if (!strncmp(p, "@VOUCH@", 7)) {
			memcpy(out + o, vouch, vl);
			o += vl;
			p += 7;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	return o;
}
