// SPDX-License-Identifier: GPL-2.0
/*
 * siftd's answers to siftctl: the routing as it runs (with ids, states,
 * health and table shares), live changes, the daemon's own counters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live.h"
#include "log.h"
#include "siftd.h"

static json_t *error(const char *fmt, const char *arg)
{
	char buf[512];

	snprintf(buf, sizeof(buf), fmt, arg);
	return json_pack("{s:s}", "error", buf);
}

/* A request that is the user's mistake: siftctl exits 2 for it, as for its own usage errors. */
static json_t *usage_error(const char *fmt, const char *arg)
{
	json_t *e = error(fmt, arg);

	json_object_set_new(e, "usage", json_true());
	return e;
}

static json_t *addr_json(const struct sift_addr *a)
{
	char buf[SIFT_ADDRSTRLEN];

	return json_string(sift_addr_fmt(a, buf, sizeof(buf)));
}

static const char *origin_name(int origin)
{
	return origin == SIFT_ORIGIN_LIVE ? "live" : "config";
}

static json_t *backend_json(struct siftd *d, const struct sift_group_conf *g,
			    const struct sift_backend_conf *b)
{
	const struct sift_probe_target *t = sift_probe_find(d->probe, g->name, &b->addr, b->port);
	int id = sift_fwd_backend_id(d->fwd, g->name, &b->addr, b->port);
	int eff = b->state;
	json_t *o;

	if (t && t->health == SIFT_HEALTH_UNREACHABLE)
		eff = SIFT_BACKEND_DOWN;
	o = json_pack("{s:s, s:o, s:i, s:i, s:s, s:s, s:s, s:i}", "group", g->name, "address",
		      addr_json(&b->addr), "port", b->port, "weight", b->weight, "state",
		      sift_backend_state_name(b->state), "effective",
		      sift_backend_state_name(eff), "origin", origin_name(b->origin), "id", id);
	if (id >= 0)
		json_object_set_new(o, "share",
				    json_real((double)d->fwd->share[id] / SIFT_MAGLEV_SIZE));
	if (t) {
		json_object_set_new(o, "health", json_string(sift_health_name(t->health)));
		json_object_set_new(o, "probes_sent", json_integer(t->sent));
		json_object_set_new(o, "probes_answered", json_integer(t->answered));
		if (t->answered)
			json_object_set_new(o, "rtt_ms", json_real(t->rtt_ms));
		json_object_set_new(o, "out_icmp", json_integer(t->out_icmp));
		json_object_set_new(o, "out_503", json_integer(t->out_503));
		json_object_set_new(o, "out_unanswered", json_integer(t->out_silent));
		json_object_set_new(o, "out_why", t->out_why ? json_string(t->out_why) : json_null());
	}
	return o;
}

static json_t *show(struct siftd *d)
{
	const struct sift_routing *r = &d->eff->routing;
	json_t *groups = json_array(), *routes = json_array(), *domains = json_array();
	json_t *faces = json_array();

	for (unsigned int i = 0; i < r->n_groups; i++) {
		const struct sift_group_conf *g = &r->groups[i];
		json_t *bes = json_array();

		for (unsigned int b = 0; b < g->n_backends; b++)
			json_array_append_new(bes, backend_json(d, g, &g->backends[b]));
		json_array_append_new(groups,
				      json_pack("{s:s, s:i, s:s, s:o}", "name", g->name, "index",
						sift_fwd_group_index(d->fwd, g->name), "origin",
						origin_name(g->origin), "backends", bes));
	}
	for (unsigned int i = 0; i < r->n_routes; i++) {
		const struct sift_route_conf *rt = &r->routes[i];

		json_array_append_new(routes,
				      json_pack("{s:s, s:s, s:s, s:b, s:s}", "prefix", rt->prefix,
						"domain", rt->domain, "group", rt->group,
						"record_route", rt->record_route, "origin",
						origin_name(rt->origin)));
	}
	for (unsigned int i = 0; i < r->n_domains; i++)
		json_array_append_new(domains, json_string(r->domains[i]));
	for (unsigned int i = 0; i < d->conf.n_ifaces; i++) {
		const struct sift_iface_view *v = &d->views[i];
		json_t *f = json_pack("{s:s, s:i, s:i, s:i}", "interface", v->name, "ifindex",
				      v->ifindex, "port", v->port, "mtu", v->mtu);
		json_t *addrs = json_array();

		if (v->v4.addr.family)
			json_object_set_new(f, "ipv4", json_string(v->v4.host));
		if (v->v6.addr.family)
			json_object_set_new(f, "ipv6", json_string(v->v6.host));
		for (unsigned int k = 0; k < v->n_addrs; k++)
			json_array_append_new(addrs, addr_json(&v->addrs[k]));
		json_object_set_new(f, "addresses", addrs);
		json_array_append_new(faces, f);
	}
	return json_pack("{s:o, s:o, s:o, s:o}", "groups", groups, "routes", routes, "domains",
			 domains, "interfaces", faces);
}

/* One live change: checked, installed, kept.  Nothing changes when any step fails. */
static json_t *change(struct siftd *d, json_t *op)
{
	struct sift_conf *tmp = malloc(sizeof(*tmp));
	char err[256], *text;

	if (!tmp)
		return error("%s", "out of memory");
	*tmp = *d->eff;
	if (sift_live_apply(tmp, op, err, sizeof(err))) {
		free(tmp);
		return usage_error("%s", err);
	}
	sift_probe_sync(d->probe, &tmp->routing);
	if (siftd_install(d, tmp)) {
		sift_probe_sync(d->probe, &d->eff->routing);
		free(tmp);
		return error("%s", "the fast path refused the change (see siftd's log); nothing "
				   "changed");
	}
	*d->eff = *tmp;
	free(tmp);
	json_array_append(d->live, op);
	/* live.json keeps what the changes do, not their history */
	sift_live_compact(&d->conf, d->live);
	siftd_live_save(d);
	text = json_dumps(op, JSON_COMPACT);
	pr_info("live change: %s", text ? text : "?");
	free(text);
	return json_pack("{s:b}", "ok", 1);
}

static json_t *live_clear(struct siftd *d)
{
	size_t n = json_array_size(d->live);

	sift_probe_sync(d->probe, &d->conf.routing);
	if (siftd_install(d, &d->conf)) {
		sift_probe_sync(d->probe, &d->eff->routing);
		return error("%s", "the fast path refused the file's configuration; nothing changed");
	}
	*d->eff = d->conf;
	json_array_clear(d->live);
	siftd_live_save(d);
	pr_info("live changes cleared (%zu): the file's configuration runs", n);
	return json_pack("{s:b, s:i}", "ok", 1, "cleared", (int)n);
}

static json_t *limit_json(const struct sift_limit_conf *l, const struct sift_limit_conf *file)
{
	json_t *o = json_pack("{s:f, s:i, s:s}", "rate", l->rate, "burst", l->burst, "origin",
			      origin_name(l->origin));

	if (l->rate != file->rate || l->burst != file->burst)
		json_object_set_new(o, "file", json_pack("{s:f, s:i}", "rate", file->rate,
							 "burst", file->burst));
	return o;
}

static json_t *acl_json(const struct sift_acl_entry *e, unsigned int n, bool allow)
{
	json_t *a = json_array();
	char p[SIFT_PREFIXSTRLEN];

	for (unsigned int i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s, s:s}", "prefix",
				      sift_prefix_fmt(&e[i].prefix, p, sizeof(p)), "origin",
				      origin_name(e[i].origin));

		if (allow)
			json_object_set_new(o, "trusted", json_boolean(e[i].trusted));
		json_array_append_new(a, o);
	}
	return a;
}

/* The shield as it runs, and where it differs from the file. */
static json_t *shield_show(struct siftd *d)
{
	const struct sift_shield_conf *sc = &d->eff->shield, *fc = &d->conf.shield;
	json_t *limits = json_object(), *caps = json_object(), *scanners = json_array();
	json_t *backends = json_array(), *o;

	for (unsigned int c = 0; c < SIFT_CLASS__MAX; c++) {
		json_object_set_new(limits, sift_class_name(c), limit_json(&sc->limit[c], &fc->limit[c]));
		json_object_set_new(caps, sift_class_name(c), limit_json(&sc->cap[c], &fc->cap[c]));
	}
	for (unsigned int i = 0; i < sc->n_scanners; i++)
		json_array_append_new(scanners, json_string(sc->scanners[i]));
	for (unsigned int g = 0; sc->trust_backends && g < d->eff->routing.n_groups; g++)
		for (unsigned int b = 0; b < d->eff->routing.groups[g].n_backends; b++)
			json_array_append_new(backends,
					      addr_json(&d->eff->routing.groups[g].backends[b].addr));
	o = json_pack("{s:b, s:b, s:b, s:b, s:i, s:i, s:s}", "enabled", sc->enabled, "allow_only",
		      sc->allow_only, "require_user_agent", sc->require_ua, "trust_backends",
		      sc->trust_backends, "ipv6_prefix", sc->v6_prefix, "buckets", sc->buckets,
		      "settings_origin", origin_name(sc->flags_origin));
	json_object_set_new(o, "deny", acl_json(sc->deny, sc->n_deny, false));
	json_object_set_new(o, "allow", acl_json(sc->allow, sc->n_allow, true));
	json_object_set_new(o, "trusted_backends", backends);
	json_object_set_new(o, "limits", limits);
	json_object_set_new(o, "caps", caps);
	json_object_set_new(o, "ban", json_pack("{s:f, s:f, s:s}", "after", sc->ban_after, "time",
						sc->ban_time, "origin", origin_name(sc->ban_origin)));
	json_object_set_new(o, "scanners", scanners);
	return o;
}

static json_t *daemon_show(struct siftd *d)
{
	unsigned int up = 0, unreachable = 0;
	json_t *o;

	for (unsigned int i = 0; i < d->probe->n; i++) {
		up += d->probe->t[i].health == SIFT_HEALTH_OK;
		unreachable += d->probe->t[i].health == SIFT_HEALTH_UNREACHABLE;
	}
	o = json_pack("{s:i, s:s, s:s, s:s, s:o, s:{s:i, s:i, s:i, s:i, s:i}, s:i}", "pid",
		      (int)getpid(), "config", d->conf.path[0] ? d->conf.path : "", "pin_path",
		      d->conf.pin_path, "run_dir", d->conf.run_dir, "punted",
		      sift_punt_json(&d->punt), "probes", "interval", d->conf.probe_interval,
		      "failures", d->conf.probe_failures, "backends", d->probe->n, "ok", up,
		      "unreachable", unreachable, "live_changes", (int)json_array_size(d->live));
	if (o) {
		json_object_set_new(o, "transit", json_string(sift_transit_name(d->conf.transit)));
		json_object_set_new(o, "sysctls", sift_sysctl_json(&d->sysctls, &d->conf));
	}
	return o;
}

json_t *siftd_control(struct siftd *d, json_t *req)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));

	if (!cmd)
		return usage_error("%s", "a request needs \"cmd\"");
	if (!strcmp(cmd, "show"))
		return show(d);
	if (!strcmp(cmd, "change")) {
		json_t *op = json_object_get(req, "change");

		return op ? change(d, op) : error("%s", "\"change\" is missing");
	}
	if (!strcmp(cmd, "live.show"))
		return json_pack("{s:O}", "changes", d->live);
	if (!strcmp(cmd, "live.clear"))
		return live_clear(d);
	if (!strcmp(cmd, "reload"))
		return siftd_reload(d);
	if (!strcmp(cmd, "daemon"))
		return daemon_show(d);
	if (!strcmp(cmd, "shield"))
		return shield_show(d);
	return usage_error("unknown command '%s'", cmd);
}
