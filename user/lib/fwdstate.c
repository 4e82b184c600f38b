// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <bpf/bpf.h>

#include "fwdstate.h"
#include "maglev.h"

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                               \
		return -EINVAL;                                                                    \
	} while (0)

void sift_fwd_state_init(struct sift_fwd_state *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned int i = 0; i < SIFT_MAX_BACKENDS; i++)
		st->free_ids[i] = i;
	st->free_n = SIFT_MAX_BACKENDS;
}

void sift_fwd_state_free(struct sift_fwd_state *st)
{
	for (unsigned int g = 0; g < SIFT_MAX_GROUPS; g++)
		free(st->groups[g].table);
	sift_fwd_state_init(st);
}

int sift_fwd_maglev_slot(const struct sift_fwd_state *st, uint32_t gidx, uint32_t idx,
			 uint32_t *id)
{
	if (gidx >= SIFT_MAX_GROUPS || idx >= SIFT_MAGLEV_SIZE || !st->groups[gidx].table)
		return -1;
	*id = st->groups[gidx].table[idx];
	return 0;
}

/* Take an id off the free FIFO (the longest unused); -1 when none is left. */
static int id_take(struct sift_fwd_state *st)
{
	uint32_t id;

	if (!st->free_n)
		return -1;
	id = st->free_ids[st->free_head];
	st->free_head = (st->free_head + 1) % SIFT_MAX_BACKENDS;
	st->free_n--;
	return id;
}

static void id_give(struct sift_fwd_state *st, uint32_t id)
{
	st->free_ids[(st->free_head + st->free_n) % SIFT_MAX_BACKENDS] = id;
	st->free_n++;
}

/* An id the maps use but the state does not know: keep it out of reach until freed. */
static void id_reserve(struct sift_fwd_state *st, uint32_t id)
{
	for (unsigned int k = 0; k < st->free_n; k++) {
		unsigned int at = (st->free_head + k) % SIFT_MAX_BACKENDS;

		if (st->free_ids[at] != id)
			continue;
		/* remove it, keeping the order of the others */
		for (unsigned int j = k; j + 1 < st->free_n; j++)
			st->free_ids[(st->free_head + j) % SIFT_MAX_BACKENDS] =
				st->free_ids[(st->free_head + j + 1) % SIFT_MAX_BACKENDS];
		st->free_n--;
		st->backends[id].used = true;
		st->backends[id].group[0] = '\0'; /* matches no group: freed by the next install */
		return;
	}
}

/*
 * A restart that adopted the attached program finds tables and backends in
 * the maps that this process did not make.  They stay untouched until the
 * first install has put the new ones beside them; then they go.
 */
static void adopt_maps(struct sift_fwd_state *st, const struct sift_maps *m)
{
	struct sift_backend be;

	for (uint32_t id = 0; id < SIFT_MAX_BACKENDS; id++)
		if (!bpf_map_lookup_elem(m->backends, &id, &be) && be.addr.family)
			id_reserve(st, id);
	for (uint32_t g = 0; g < SIFT_MAX_GROUPS; g++) {
		uint32_t inner_id;

		if (!bpf_map_lookup_elem(m->maglev, &g, &inner_id)) {
			st->groups[g].used = true;
			st->groups[g].name[0] = '\0';
			st->groups[g].sig = 0;
		}
	}
}

int sift_fwd_group_index(const struct sift_fwd_state *st, const char *group)
{
	for (int i = 0; i < SIFT_MAX_GROUPS; i++)
		if (st->groups[i].used && st->groups[i].name[0] && !strcmp(st->groups[i].name, group))
			return i;
	return -1;
}

int sift_fwd_backend_id(const struct sift_fwd_state *st, const char *group,
			const struct sift_addr *a, unsigned int port)
{
	for (int i = 0; i < SIFT_MAX_BACKENDS; i++) {
		const struct sift_fwd_backend_slot *b = &st->backends[i];

		if (b->used && b->group[0] && !strcmp(b->group, group) && b->port == port &&
		    sift_addr_eq(&b->addr, a))
			return i;
	}
	return -1;
}

int sift_fwd_key_ensure(int config_fd, __u64 key[2])
{
	struct sift_config c;
	__u32 k = 0;

	if (bpf_map_lookup_elem(config_fd, &k, &c))
		return -errno;
	while (!c.key[0] && !c.key[1])
		if (getrandom(c.key, sizeof(c.key), 0) != sizeof(c.key))
			return -errno;
	if (bpf_map_update_elem(config_fd, &k, &c, BPF_ANY))
		return -errno;
	key[0] = c.key[0];
	key[1] = c.key[1];
	return 0;
}

/* ---- text ---------------------------------------------------------------------- */

static int face_uri_host(const struct sift_face_conf *f, unsigned int port, char *out, size_t len)
{
	int n = snprintf(out, len, "%s:%u", f->host, port);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : n;
}

int sift_fwd_via_head(const struct sift_face_conf *f, unsigned int port, char *out, size_t len)
{
	char hp[SIFT_HOSTTXT_MAX + 8];
	int n;

	if (face_uri_host(f, port, hp, sizeof(hp)) < 0)
		return -ENAMETOOLONG;
	n = snprintf(out, len, "Via: SIP/2.0/UDP %s;branch=%s", hp, SIFT_BRANCH_PREFIX);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : n;
}

int sift_fwd_rr_text(const struct sift_face_conf *egress, unsigned int eport,
		     const struct sift_face_conf *ingress, unsigned int iport, bool same, char *out,
		     size_t len, __u16 mac_at[2])
{
	static const char vouch[] = SIFT_VOUCH_PARAM "00000000";
	char e[SIFT_HOSTTXT_MAX + 8], i[SIFT_HOSTTXT_MAX + 8];
	const char *p;
	int n;

	if (face_uri_host(egress, eport, e, sizeof(e)) < 0 ||
	    face_uri_host(ingress, iport, i, sizeof(i)) < 0)
		return -ENAMETOOLONG;
	if (same)
		n = snprintf(out, len, "Record-Route: <sip:%s;lr%s>\r\n", e, vouch);
	else
		n = snprintf(out, len, "Record-Route: <sip:%s;lr%s>, <sip:%s;lr%s>\r\n", e, vouch, i,
			     vouch);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	/* where the fast path writes each URI's vouch */
	mac_at[0] = mac_at[1] = 0;
	p = strstr(out, vouch);
	mac_at[0] = p - out + SIFT_VOUCH_PARAM_LEN;
	p = strstr(p + 1, vouch);
	if (p)
		mac_at[1] = p - out + SIFT_VOUCH_PARAM_LEN;
	return n;
}

/* ---- map by map ------------------------------------------------------------------ */

struct addr_set {
	struct sift_addr a[SIFT_MAX_IFACES * SIFT_MAX_IFACE_ADDRS * 2 + SIFT_MAX_IFACES];
	unsigned int n;
};

static void addr_add(struct addr_set *s, const struct sift_addr *a)
{
	sift_addr_set_add(s->a, &s->n, sizeof(s->a) / sizeof(s->a[0]), a);
}

static int install_self(const struct sift_maps *m, const struct sift_fwd_view *v, char *err,
			size_t errlen)
{
	struct addr_set *s = calloc(1, sizeof(*s));
	__u32 flags = SIFT_DOMAIN_OURS;
	int ret = 0;

	if (!s)
		return -ENOMEM;
	for (unsigned int i = 0; i < v->n_ifaces; i++)
		for (unsigned int k = 0; k < v->ifaces[i].n_addrs; k++)
			addr_add(s, &v->ifaces[i].addrs[k]);
	for (unsigned int i = 0; i < s->n && !ret; i++) {
		struct sift_addr key = s->a[i];

		memset(key.pad, 0, sizeof(key.pad));
		if (bpf_map_update_elem(m->self, &key, &flags, BPF_ANY))
			ret = sift_map_err(err, errlen, "sift_self", errno);
	}
	if (!ret)
		ret = sift_map_prune(m->self, sizeof(s->a[0]), s->a, s->n, err, errlen, "sift_self");
	free(s);
	return ret;
}

/* ---- domains ------------------------------------------------------------------------ */

struct domain_set {
	struct sift_domain_key keys[SIFT_MAX_DOMAINS];
	struct sift_domain vals[SIFT_MAX_DOMAINS];
	unsigned int n;
};

static int domain_id(struct sift_fwd_state *st, const char *name, const bool *was_used)
{
	unsigned int free = SIFT_MAX_DOMAINS;

	for (unsigned int i = 0; i < SIFT_MAX_DOMAINS; i++) {
		if (st->domains[i][0] && !strcmp(st->domains[i], name))
			return i + 1;
		/* a slot freed by this install keeps its old routes until they are pruned */
		if (!st->domains[i][0] && !was_used[i] && free == SIFT_MAX_DOMAINS)
			free = i;
	}
	if (free == SIFT_MAX_DOMAINS)
		return -1;
	snprintf(st->domains[free], SIFT_NAME_MAX, "%s", name);
	return free + 1;
}

static int domain_want(struct sift_fwd_state *st, struct domain_set *s, const char *name,
		       __u32 flags, const bool *was_used, char *err, size_t errlen)
{
	struct sift_domain_key key;
	int id;

	if (sift_domain_norm(name, key.name))
		FAIL("domain '%s' is not a host name", name);
	for (unsigned int i = 0; i < s->n; i++)
		if (!memcmp(&s->keys[i], &key, sizeof(key))) {
			s->vals[i].flags |= flags;
			return 0;
		}
	if (s->n == SIFT_MAX_DOMAINS)
		FAIL("more than %d domains", SIFT_MAX_DOMAINS);
	id = domain_id(st, key.name, was_used);
	if (id < 0)
		FAIL("more than %d domains", SIFT_MAX_DOMAINS);
	s->keys[s->n] = key;
	s->vals[s->n].id = id;
	s->vals[s->n].flags = flags;
	s->n++;
	return 0;
}

/*
 * Domains sift serves (a Request-URI or Route there is addressed to it),
 * the names it advertises, and the domains routes name (routed, not ours).
 */
static int install_domains(struct sift_fwd_state *st, const struct sift_maps *m,
			   const struct sift_fwd_view *v, struct domain_set *s, char *err,
			   size_t errlen)
{
	const struct sift_routing *r = v->routing;
	bool was_used[SIFT_MAX_DOMAINS];
	struct sift_addr ip;
	int ret;

	for (unsigned int i = 0; i < SIFT_MAX_DOMAINS; i++)
		was_used[i] = st->domains[i][0] != '\0';
	s->n = 0;
	for (unsigned int i = 0; i < r->n_domains; i++) {
		ret = domain_want(st, s, r->domains[i], SIFT_DOMAIN_OURS, was_used, err, errlen);
		if (ret)
			return ret;
	}
	for (unsigned int i = 0; i < v->n_ifaces; i++) {
		const struct sift_iface_view *f = &v->ifaces[i];
		const struct sift_face_conf *faces[2] = { &f->v4, &f->v6 };

		for (int k = 0; k < 2; k++) {
			if (!faces[k]->addr.family || sift_addr_parse(faces[k]->host, &ip) == 0)
				continue;
			ret = domain_want(st, s, faces[k]->host, SIFT_DOMAIN_OURS, was_used, err,
					  errlen);
			if (ret)
				return ret;
		}
	}
	for (unsigned int i = 0; i < r->n_routes; i++) {
		if (!r->routes[i].domain[0])
			continue;
		ret = domain_want(st, s, r->routes[i].domain, 0, was_used, err, errlen);
		if (ret)
			return ret;
	}
	for (unsigned int i = 0; i < s->n; i++)
		if (bpf_map_update_elem(m->domains, &s->keys[i], &s->vals[i], BPF_ANY))
			return sift_map_err(err, errlen, "sift_domains", errno);
	return sift_map_prune(m->domains, sizeof(s->keys[0]), s->keys, s->n, err, errlen,
			      "sift_domains");
}

/* Forget the ids of domains no longer wanted (after the routes using them are gone). */
static void release_domains(struct sift_fwd_state *st, const struct domain_set *s)
{
	for (unsigned int i = 0; i < SIFT_MAX_DOMAINS; i++) {
		bool wanted = false;

		if (!st->domains[i][0])
			continue;
		for (unsigned int k = 0; k < s->n && !wanted; k++)
			wanted = s->vals[k].id == i + 1;
		if (!wanted)
			st->domains[i][0] = '\0';
	}
}

static __u32 domain_id_of(const struct domain_set *s, const char *name)
{
	struct sift_domain_key key;

	if (!name[0] || sift_domain_norm(name, key.name))
		return 0;
	for (unsigned int i = 0; i < s->n; i++)
		if (!memcmp(&s->keys[i], &key, sizeof(key)))
			return s->vals[i].id;
	return 0;
}

/* ---- interfaces ---------------------------------------------------------------------- */

static int face_fill(struct sift_face *out, const struct sift_face_conf *f, unsigned int port,
		     char *err, size_t errlen, const char *ifname)
{
	char head[SIFT_VIA_HEAD_MAX + 1];
	int n;

	memset(out, 0, sizeof(*out));
	if (!f->addr.family)
		return 0;
	n = sift_fwd_via_head(f, port, head, sizeof(head));
	if (n < 0 || n + SIFT_BRANCH_LEN - SIFT_BRANCH_PREFIX_LEN + 2 > SIFT_VIA_HEAD_MAX)
		FAIL("%s: advertised host '%s' is too long for the Via sift writes", ifname,
		     f->host);
	if (strlen(f->host) >= SIFT_HOSTTXT_MAX)
		FAIL("%s: advertised host '%s' is too long", ifname, f->host);
	out->addr = f->addr;
	memset(out->addr.pad, 0, sizeof(out->addr.pad));
	out->port = port;
	out->via_head_len = n;
	memcpy(out->via_head, head, n);
	out->host_len = strlen(f->host);
	memcpy(out->host, f->host, out->host_len);
	return 0;
}

struct ifindex_set {
	__u32 idx[SIFT_MAX_IFACES];
	unsigned int n;
};

struct rr_set {
	struct sift_rr_key keys[2 * 2 * SIFT_MAX_IFACES * SIFT_MAX_IFACES];
	unsigned int n;
};

static int install_ifaces(const struct sift_maps *m, const struct sift_fwd_view *v, char *err,
			  size_t errlen)
{
	struct ifindex_set ifs = { .n = 0 };
	struct rr_set *rrs = calloc(1, sizeof(*rrs));
	int ret = 0;

	if (!rrs)
		return -ENOMEM;
	for (unsigned int i = 0; i < v->n_ifaces && !ret; i++) {
		const struct sift_iface_view *f = &v->ifaces[i];
		struct sift_egress e = { .mtu = f->mtu };
		__u32 idx = f->ifindex;

		ret = face_fill(&e.v4, &f->v4, f->port, err, errlen, f->name);
		if (!ret)
			ret = face_fill(&e.v6, &f->v6, f->port, err, errlen, f->name);
		if (ret)
			break;
		if (bpf_map_update_elem(m->egress, &idx, &e, BPF_ANY))
			ret = sift_map_err(err, errlen, "sift_egress", errno);
		else if (bpf_map_update_elem(m->tx, &idx, &idx, BPF_ANY))
			ret = sift_map_err(err, errlen, "sift_tx", errno);
		ifs.idx[ifs.n++] = idx;
	}
	/* Record-Route for every way through: out on e, in on i, each family pair */
	for (unsigned int e = 0; e < v->n_ifaces && !ret; e++) {
		for (unsigned int i = 0; i < v->n_ifaces && !ret; i++) {
			const struct sift_iface_view *fe = &v->ifaces[e], *fi = &v->ifaces[i];
			const struct sift_face_conf *oe[2] = { &fe->v4, &fe->v6 };
			const struct sift_face_conf *oi[2] = { &fi->v4, &fi->v6 };

			for (int a = 0; a < 2 && !ret; a++) {
				for (int b = 0; b < 2 && !ret; b++) {
					struct sift_rr_key key = {
						.egress = fe->ifindex,
						.ingress = fi->ifindex,
						.out_family = a ? SIFT_AF_INET6 : SIFT_AF_INET,
						.in_family = b ? SIFT_AF_INET6 : SIFT_AF_INET,
					};
					struct sift_rr rr = { .len = 0 };
					int n;

					if (!oe[a]->addr.family || !oi[b]->addr.family)
						continue;
					n = sift_fwd_rr_text(oe[a], fe->port, oi[b], fi->port,
							     e == i && a == b, rr.text,
							     sizeof(rr.text), rr.mac_at);
					if (n < 0) {
						snprintf(err, errlen,
							 "%s/%s: Record-Route longer than %d bytes",
							 fe->name, fi->name, SIFT_RR_MAX);
						ret = -EINVAL;
						break;
					}
					rr.len = n;
					if (bpf_map_update_elem(m->rr, &key, &rr, BPF_ANY))
						ret = sift_map_err(err, errlen, "sift_rr", errno);
					rrs->keys[rrs->n++] = key;
				}
			}
		}
	}
	if (!ret)
		ret = sift_map_prune(m->rr, sizeof(rrs->keys[0]), rrs->keys, rrs->n, err, errlen,
				     "sift_rr");
	if (!ret)
		ret = sift_map_prune(m->egress, sizeof(ifs.idx[0]), ifs.idx, ifs.n, err, errlen,
				     "sift_egress");
	if (!ret)
		ret = sift_map_prune(m->tx, sizeof(ifs.idx[0]), ifs.idx, ifs.n, err, errlen, "sift_tx");
	free(rrs);
	return ret;
}

/* ---- groups and backends ------------------------------------------------------------- */

static uint64_t sig_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

/* Build and swap in one group's table: its up backends, by weight. */
static int group_table(struct sift_fwd_state *st, const struct sift_maps *m, uint32_t gidx,
		       const struct sift_group_conf *g, const int *ids, char *err, size_t errlen)
{
	struct maglev_member mb[SIFT_GROUP_BACKENDS];
	uint32_t *table = NULL, *keys = NULL;
	__u32 count = SIFT_MAGLEV_SIZE;
	unsigned int n = 0;
	int fd = -1, ret = -ENOMEM;

	table = malloc(SIFT_MAGLEV_SIZE * sizeof(*table));
	keys = malloc(SIFT_MAGLEV_SIZE * sizeof(*keys));
	if (!table || !keys)
		goto out;
	for (unsigned int b = 0; b < g->n_backends; b++) {
		const struct sift_backend_conf *be = &g->backends[b];

		mb[n].key = maglev_key(be->addr.family == SIFT_AF_INET ? (void *)&be->addr.v4 :
									 (void *)be->addr.v6,
				       be->addr.family == SIFT_AF_INET ? 4 : 16, be->port);
		mb[n].id = ids[b];
		mb[n].weight = be->state == SIFT_BACKEND_UP ? be->weight : 0;
		n++;
	}
	ret = maglev_build(mb, n, table, SIFT_MAGLEV_SIZE, SIFT_NO_BACKEND);
	if (ret)
		goto out;
	for (uint32_t i = 0; i < SIFT_MAGLEV_SIZE; i++)
		keys[i] = i;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "sift_maglev_t", sizeof(__u32), sizeof(__u32),
			    SIFT_MAGLEV_SIZE, NULL);
	if (fd < 0) {
		ret = sift_map_err(err, errlen, "create a Maglev table", errno);
		goto out;
	}
	if (bpf_map_update_batch(fd, keys, table, &count, NULL) || count != SIFT_MAGLEV_SIZE) {
		ret = sift_map_err(err, errlen, "fill a Maglev table", errno ? errno : EIO);
		goto out;
	}
	/* the swap: one update, readers see the old table or this one */
	if (bpf_map_update_elem(m->maglev, &gidx, &fd, BPF_ANY)) {
		ret = sift_map_err(err, errlen, "sift_maglev", errno);
		goto out;
	}
	for (unsigned int b = 0; b < n; b++)
		st->share[ids[b]] = 0;
	for (uint32_t i = 0; i < SIFT_MAGLEV_SIZE; i++)
		if (table[i] < SIFT_MAX_BACKENDS)
			st->share[table[i]]++;
	/* kept: siftd decides natively with what the fast path decides with */
	free(st->groups[gidx].table);
	st->groups[gidx].table = table;
	table = NULL;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(table);
	free(keys);
	return ret;
}

static int install_groups(struct sift_fwd_state *st, const struct sift_maps *m,
			  const struct sift_routing *r, char *err, size_t errlen)
{
	int ids[SIFT_GROUP_BACKENDS];

	for (unsigned int gi = 0; gi < r->n_groups; gi++) {
		const struct sift_group_conf *g = &r->groups[gi];
		int gidx = sift_fwd_group_index(st, g->name);
		uint64_t sig = 0x736966742d677270ULL;
		int ret;

		if (gidx < 0) {
			for (int k = 0; k < SIFT_MAX_GROUPS && gidx < 0; k++)
				if (!st->groups[k].used)
					gidx = k;
			if (gidx < 0)
				FAIL("more than %d groups", SIFT_MAX_GROUPS);
			memset(&st->groups[gidx], 0, sizeof(st->groups[gidx]));
			snprintf(st->groups[gidx].name, SIFT_GROUP_NAME, "%s", g->name);
			st->groups[gidx].used = true;
		}
		/* backends first: a table may only name ids that are already there */
		for (unsigned int b = 0; b < g->n_backends; b++) {
			const struct sift_backend_conf *bc = &g->backends[b];
			struct sift_backend be = {
				.addr = bc->addr,
				.port = bc->port,
				.state = bc->state,
				.transport = bc->transport,
				.weight = bc->weight,
				.group = gidx,
			};
			int id = sift_fwd_backend_id(st, g->name, &bc->addr, bc->port);

			if (id < 0) {
				id = id_take(st);
				if (id < 0)
					FAIL("more than %d backends", SIFT_MAX_BACKENDS);
				st->backends[id].used = true;
				snprintf(st->backends[id].group, SIFT_GROUP_NAME, "%s", g->name);
				st->backends[id].addr = bc->addr;
				st->backends[id].port = bc->port;
			}
			memset(be.addr.pad, 0, sizeof(be.addr.pad));
			if (bpf_map_update_elem(m->backends, &(__u32){ id }, &be, BPF_ANY))
				return sift_map_err(err, errlen, "sift_backends", errno);
			ids[b] = id;
			sig = sig_mix(sig, id);
			sig = sig_mix(sig, bc->weight);
			sig = sig_mix(sig, bc->state);
		}
		sig = sig_mix(sig, g->n_backends);
		if (st->groups[gidx].sig == sig)
			continue; /* same members, same table */
		ret = group_table(st, m, gidx, g, ids, err, errlen);
		if (ret)
			return ret;
		st->groups[gidx].sig = sig;
	}
	return 0;
}

/*
 * Every backend as a hop, by address and port and by address alone (port
 * 0: a backend's requests may come from another port than it listens on),
 * whatever its state: the relay policy lets anyone reach a backend named
 * by address, and lets a backend send anywhere.
 */
static int install_hops(const struct sift_maps *m, const struct sift_routing *r, char *err,
			size_t errlen)
{
	unsigned int max = 2 * SIFT_CONF_GROUPS * SIFT_GROUP_BACKENDS, n = 0;
	struct sift_hop_key *keys = calloc(max, sizeof(*keys));
	__u32 flags = SIFT_HOP_BACKEND;
	int ret = 0;

	if (!keys)
		return -ENOMEM;
	for (unsigned int g = 0; g < r->n_groups; g++) {
		for (unsigned int b = 0; b < r->groups[g].n_backends; b++) {
			const struct sift_backend_conf *bc = &r->groups[g].backends[b];

			for (int any = 0; any < 2 && n < max; any++) {
				struct sift_hop_key k = { .addr = bc->addr, .port = any ? 0 : bc->port };
				bool dup = false;

				memset(k.addr.pad, 0, sizeof(k.addr.pad));
				for (unsigned int i = 0; i < n && !dup; i++)
					dup = !memcmp(&keys[i], &k, sizeof(k));
				if (!dup)
					keys[n++] = k;
			}
		}
	}
	for (unsigned int i = 0; i < n && !ret; i++)
		if (bpf_map_update_elem(m->hops, &keys[i], &flags, BPF_ANY))
			ret = sift_map_err(err, errlen, "sift_hops", errno);
	if (!ret)
		ret = sift_map_prune(m->hops, sizeof(keys[0]), keys, n, err, errlen, "sift_hops");
	free(keys);
	return ret;
}

/* After routes moved off them: drop tables of groups and entries of backends that are gone. */
static int release_groups(struct sift_fwd_state *st, const struct sift_maps *m,
			  const struct sift_routing *r, char *err, size_t errlen)
{
	for (uint32_t k = 0; k < SIFT_MAX_GROUPS; k++) {
		if (!st->groups[k].used)
			continue;
		if (st->groups[k].name[0] && sift_routing_group((struct sift_routing *)r,
								st->groups[k].name))
			continue;
		if (bpf_map_delete_elem(m->maglev, &k) && errno != ENOENT)
			return sift_map_err(err, errlen, "sift_maglev", errno);
		free(st->groups[k].table);
		memset(&st->groups[k], 0, sizeof(st->groups[k]));
	}
	for (uint32_t id = 0; id < SIFT_MAX_BACKENDS; id++) {
		struct sift_fwd_backend_slot *b = &st->backends[id];
		struct sift_group_conf *g;
		struct sift_backend none = { .state = SIFT_BACKEND_DOWN };

		if (!b->used)
			continue;
		g = b->group[0] ? sift_routing_group((struct sift_routing *)r, b->group) : NULL;
		if (g && sift_routing_backend(g, &b->addr, b->port))
			continue;
		if (bpf_map_update_elem(m->backends, &id, &none, BPF_ANY))
			return sift_map_err(err, errlen, "sift_backends", errno);
		memset(b, 0, sizeof(*b));
		st->share[id] = 0;
		id_give(st, id);
	}
	return 0;
}

/* ---- routes ------------------------------------------------------------------------------ */

struct route_set {
	struct sift_route_key keys[SIFT_CONF_ROUTES];
	unsigned int n;
};

static int install_routes(struct sift_fwd_state *st, const struct sift_maps *m,
			  const struct sift_routing *r, const struct domain_set *ds, char *err,
			  size_t errlen)
{
	struct route_set *s = calloc(1, sizeof(*s));
	int ret = 0;

	if (!s)
		return -ENOMEM;
	for (unsigned int i = 0; i < r->n_routes && !ret; i++) {
		const struct sift_route_conf *rc = &r->routes[i];
		struct sift_route_key key = { .prefixlen = 32 + 8 * strlen(rc->prefix) };
		struct sift_route val = {
			.flags = rc->record_route ? SIFT_ROUTE_RECORD_ROUTE : 0,
			.id = i,
		};
		int gidx = sift_fwd_group_index(st, rc->group);

		if (gidx < 0) {
			snprintf(err, errlen, "route to unknown group '%s'", rc->group);
			ret = -EINVAL;
			break;
		}
		val.group = gidx;
		key.domain = htonl(domain_id_of(ds, rc->domain));
		memcpy(key.digits, rc->prefix, strlen(rc->prefix));
		if (bpf_map_update_elem(m->routes, &key, &val, BPF_ANY))
			ret = sift_map_err(err, errlen, "sift_routes", errno);
		s->keys[s->n++] = key;
	}
	if (!ret)
		ret = sift_map_prune(m->routes, sizeof(s->keys[0]), s->keys, s->n, err, errlen,
				     "sift_routes");
	free(s);
	return ret;
}

/* ---- the whole install -------------------------------------------------------------------- */

int sift_fwd_install(struct sift_fwd_state *st, const struct sift_maps *m,
		     const struct sift_fwd_view *v, char *err, size_t errlen)
{
	struct domain_set *ds = calloc(1, sizeof(*ds));
	struct sift_config cfg;
	__u64 mac_key[2];
	__u32 key = 0;
	int ret;

	if (!ds)
		return -ENOMEM;
	if (!st->loaded) {
		adopt_maps(st, m);
		st->loaded = true;
	}
	ret = sift_fwd_key_ensure(m->config, mac_key);
	if (ret) {
		sift_map_err(err, errlen, "sift_config", -ret);
		goto out;
	}
	/* how sift appears, then what it knows, then where things go */
	ret = install_self(m, v, err, errlen);
	if (!ret)
		ret = install_ifaces(m, v, err, errlen);
	if (!ret)
		ret = install_domains(st, m, v, ds, err, errlen);
	if (!ret)
		ret = install_groups(st, m, v->routing, err, errlen);
	if (!ret)
		ret = install_hops(m, v->routing, err, errlen);
	if (!ret)
		ret = install_routes(st, m, v->routing, ds, err, errlen);
	if (!ret)
		ret = release_groups(st, m, v->routing, err, errlen);
	if (ret)
		goto out;
	release_domains(st, ds);

	if (bpf_map_lookup_elem(m->config, &key, &cfg)) {
		ret = sift_map_err(err, errlen, "sift_config", errno);
		goto out;
	}
	cfg.flags = v->forward ? cfg.flags | SIFT_CFG_FORWARD : cfg.flags & ~SIFT_CFG_FORWARD;
	cfg.flags = v->transit_route ? cfg.flags | SIFT_CFG_TRANSIT_ROUTE :
				       cfg.flags & ~SIFT_CFG_TRANSIT_ROUTE;
	cfg.flags = v->watch ? cfg.flags | SIFT_CFG_WATCH : cfg.flags & ~SIFT_CFG_WATCH;
	cfg.nh_cache_ms = v->nh_cache_ms;
	if (bpf_map_update_elem(m->config, &key, &cfg, BPF_ANY))
		ret = sift_map_err(err, errlen, "sift_config", errno);
out:
	free(ds);
	return ret;
}
