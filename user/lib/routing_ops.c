// SPDX-License-Identifier: GPL-2.0
/*
 * Live changes to the routing model: one JSON object per change, as siftctl
 * sends it over siftd's control socket and as siftd keeps it to replay over
 * the file after a reload or a restart.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "routing.h"

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, len, __VA_ARGS__);                                                  \
		return -EINVAL;                                                                    \
	} while (0)

/* A string member; "" when absent.  -EINVAL when present but not a string or too long. */
static int get_str(const json_t *op, const char *key, char *out, size_t size, bool required,
		   char *err, size_t len)
{
	json_t *v = json_object_get(op, key);

	out[0] = '\0';
	if (!v) {
		if (required)
			FAIL("'%s' is required", key);
		return 0;
	}
	if (!json_is_string(v))
		FAIL("'%s' must be a string", key);
	if (json_string_length(v) >= size)
		FAIL("'%s' is longer than %zu characters", key, size - 1);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* An unsigned member in [min, max]: 1 when present, 0 when absent, -EINVAL when bad. */
static int get_uint(const json_t *op, const char *key, unsigned int min, unsigned int max,
		    unsigned int *out, char *err, size_t len)
{
	json_t *v = json_object_get(op, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		FAIL("'%s' must be a number from %u to %u", key, min, max);
	*out = json_integer_value(v);
	return 1;
}

static int backend_key(const json_t *op, struct sift_routing *r, struct sift_group_conf **g,
		       struct sift_addr *a, unsigned int *port, char *err, size_t len)
{
	char group[SIFT_GROUP_NAME], addr[SIFT_ADDRSTRLEN + 2];
	int ret;

	if ((ret = get_str(op, "group", group, sizeof(group), true, err, len)) ||
	    (ret = get_str(op, "address", addr, sizeof(addr), true, err, len)))
		return ret;
	*g = sift_routing_group(r, group);
	if (!*g)
		FAIL("no group '%s'", group);
	if (sift_addr_parse(addr, a))
		FAIL("'%s' is not an IPv4 or IPv6 address", addr);
	*port = SIFT_SIP_PORT_DEFAULT;
	return get_uint(op, "port", 1, 65535, port, err, len) < 0 ? -EINVAL : 0;
}

/* weight and state, where given */
static int backend_attrs(const json_t *op, struct sift_backend_conf *b, char *err, size_t len)
{
	char state[16];
	int ret;

	if (get_uint(op, "weight", 1, 1000000, &b->weight, err, len) < 0)
		return -EINVAL;
	ret = get_str(op, "state", state, sizeof(state), false, err, len);
	if (ret)
		return ret;
	if (state[0]) {
		int s = sift_backend_state_parse(state);

		if (s < 0)
			FAIL("state must be up, drain or down, not '%s'", state);
		b->state = s;
	}
	return 0;
}

static int route_attrs(const json_t *op, struct sift_routing *r, struct sift_route_conf *rt,
		       bool required, char *err, size_t len)
{
	char group[SIFT_GROUP_NAME];
	json_t *rr = json_object_get(op, "record_route");
	int ret = get_str(op, "group", group, sizeof(group), required, err, len);

	if (ret)
		return ret;
	if (group[0]) {
		if (!sift_routing_group(r, group))
			FAIL("no group '%s'", group);
		snprintf(rt->group, sizeof(rt->group), "%s", group);
	}
	if (rr) {
		if (!json_is_boolean(rr))
			FAIL("'record_route' must be true or false");
		rt->record_route = json_is_true(rr);
	}
	return 0;
}

int sift_routing_apply(struct sift_routing *r, const json_t *op, char *err, size_t len)
{
	char what[32], name[SIFT_GROUP_NAME], prefix[SIFT_ROUTE_DIGITS + 1], domain[SIFT_NAME_MAX];
	char norm[SIFT_NAME_MAX];
	struct sift_group_conf *g;
	struct sift_backend_conf *b;
	struct sift_route_conf *rt;
	struct sift_addr a;
	unsigned int port;
	int ret;

	if (!json_is_object(op))
		FAIL("a change must be a JSON object");
	ret = get_str(op, "op", what, sizeof(what), true, err, len);
	if (ret)
		return ret;

	if (!strcmp(what, "group.add") || !strcmp(what, "group.del")) {
		if ((ret = get_str(op, "name", name, sizeof(name), true, err, len)))
			return ret;
		g = sift_routing_group(r, name);
		if (what[6] == 'a') {
			if (g)
				FAIL("group '%s' exists", name);
			if (!name[0])
				FAIL("a group needs a name");
			if (r->n_groups == SIFT_CONF_GROUPS)
				FAIL("at most %d groups", SIFT_CONF_GROUPS);
			g = &r->groups[r->n_groups++];
			memset(g, 0, sizeof(*g));
			snprintf(g->name, sizeof(g->name), "%s", name);
			g->origin = SIFT_ORIGIN_LIVE;
			return 0;
		}
		if (!g)
			FAIL("no group '%s'", name);
		for (unsigned int i = 0; i < r->n_routes; i++)
			if (!strcmp(r->routes[i].group, name))
				FAIL("group '%s' is used by the route for '%s'%s%s; delete or move "
				     "that first",
				     name, r->routes[i].prefix[0] ? r->routes[i].prefix : "(default)",
				     r->routes[i].domain[0] ? " in " : "", r->routes[i].domain);
		memmove(g, g + 1, (char *)&r->groups[r->n_groups] - (char *)(g + 1));
		r->n_groups--;
		return 0;
	}

	if (!strcmp(what, "backend.add")) {
		struct sift_backend_conf nb = { .weight = 100, .state = SIFT_BACKEND_UP };

		if ((ret = backend_key(op, r, &g, &a, &port, err, len)))
			return ret;
		if (sift_routing_backend(g, &a, port))
			FAIL("group '%s' already has that backend", g->name);
		if (g->n_backends == SIFT_GROUP_BACKENDS)
			FAIL("at most %d backends in a group", SIFT_GROUP_BACKENDS);
		if ((ret = backend_attrs(op, &nb, err, len)))
			return ret;
		nb.addr = a;
		nb.port = port;
		nb.origin = SIFT_ORIGIN_LIVE;
		g->backends[g->n_backends++] = nb;
		return 0;
	}
	if (!strcmp(what, "backend.set") || !strcmp(what, "backend.del")) {
		if ((ret = backend_key(op, r, &g, &a, &port, err, len)))
			return ret;
		b = sift_routing_backend(g, &a, port);
		if (!b)
			FAIL("group '%s' has no such backend", g->name);
		if (what[8] == 's') {
			struct sift_backend_conf nb = *b;

			if ((ret = backend_attrs(op, &nb, err, len)))
				return ret;
			nb.origin = SIFT_ORIGIN_LIVE;
			*b = nb;
			return 0;
		}
		memmove(b, b + 1, (char *)&g->backends[g->n_backends] - (char *)(b + 1));
		g->n_backends--;
		return 0;
	}

	if (!strcmp(what, "route.add") || !strcmp(what, "route.set") ||
	    !strcmp(what, "route.del")) {
		if ((ret = get_str(op, "prefix", prefix, sizeof(prefix), false, err, len)) ||
		    (ret = get_str(op, "domain", domain, sizeof(domain), false, err, len)))
			return ret;
		for (const char *p = prefix; *p; p++)
			if ((*p < '0' || *p > '9') && *p != '+')
				FAIL("route prefix '%s' may hold digits and '+' only", prefix);
		if (domain[0] && sift_domain_norm(domain, norm))
			FAIL("route domain '%s' is not a host name", domain);
		rt = sift_routing_route(r, prefix, domain);
		if (!strcmp(what, "route.add")) {
			struct sift_route_conf nr = { .origin = SIFT_ORIGIN_LIVE };

			if (rt)
				FAIL("a route for '%s'%s%s exists; use set", prefix[0] ? prefix : "(default)",
				     domain[0] ? " in " : "", domain);
			if (r->n_routes == SIFT_CONF_ROUTES)
				FAIL("at most %d routes", SIFT_CONF_ROUTES);
			if ((ret = route_attrs(op, r, &nr, true, err, len)))
				return ret;
			snprintf(nr.prefix, sizeof(nr.prefix), "%s", prefix);
			snprintf(nr.domain, sizeof(nr.domain), "%s", domain);
			r->routes[r->n_routes++] = nr;
			return 0;
		}
		if (!rt)
			FAIL("no route for '%s'%s%s", prefix[0] ? prefix : "(default)",
			     domain[0] ? " in " : "", domain);
		if (what[6] == 's') {
			struct sift_route_conf nr = *rt;

			if ((ret = route_attrs(op, r, &nr, false, err, len)))
				return ret;
			nr.origin = SIFT_ORIGIN_LIVE;
			*rt = nr;
			return 0;
		}
		memmove(rt, rt + 1, (char *)&r->routes[r->n_routes] - (char *)(rt + 1));
		r->n_routes--;
		return 0;
	}
	FAIL("unknown change '%s'", what);
}
