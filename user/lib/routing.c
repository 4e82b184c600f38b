// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "routing.h"

static const char *const state_names[] = { "up", "drain", "down" };

const char *sift_backend_state_name(int state)
{
	return state >= 0 && state <= SIFT_BACKEND_DOWN ? state_names[state] : "?";
}

int sift_backend_state_parse(const char *s)
{
	for (int i = 0; i <= SIFT_BACKEND_DOWN; i++)
		if (!strcasecmp(s, state_names[i]))
			return i;
	return -1;
}

struct sift_group_conf *sift_routing_group(struct sift_routing *r, const char *name)
{
	for (unsigned int i = 0; i < r->n_groups; i++)
		if (!strcmp(r->groups[i].name, name))
			return &r->groups[i];
	return NULL;
}

struct sift_backend_conf *sift_routing_backend(struct sift_group_conf *g,
					       const struct sift_addr *a, unsigned int port)
{
	for (unsigned int i = 0; i < g->n_backends; i++)
		if (sift_addr_eq(&g->backends[i].addr, a) && g->backends[i].port == port)
			return &g->backends[i];
	return NULL;
}

struct sift_route_conf *sift_routing_route(struct sift_routing *r, const char *prefix,
					   const char *domain)
{
	for (unsigned int i = 0; i < r->n_routes; i++)
		if (!strcmp(r->routes[i].prefix, prefix) && !strcasecmp(r->routes[i].domain, domain))
			return &r->routes[i];
	return NULL;
}

int sift_domain_norm(const char *in, char out[SIFT_NAME_MAX])
{
	size_t n = strlen(in);

	memset(out, 0, SIFT_NAME_MAX);
	if (!n || n >= SIFT_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = in[i];

		if (!isalnum(c) && c != '-' && c != '.')
			return -EINVAL;
		out[i] = tolower(c);
	}
	return 0;
}

#define ERR(line, ...)                                                                             \
	do {                                                                                       \
		int n_ = line ? snprintf(err, len, "%s:%d: ", file, line) : 0;                    \
		snprintf(err + n_, len - n_, __VA_ARGS__);                                        \
		return -EINVAL;                                                                    \
	} while (0)

int sift_routing_check(const struct sift_routing *r, const char *file, char *err, size_t len)
{
	char norm[SIFT_NAME_MAX];

	for (unsigned int i = 0; i < r->n_domains; i++)
		if (sift_domain_norm(r->domains[i], norm))
			ERR(0, "domain '%s' is not a host name", r->domains[i]);
	for (unsigned int i = 0; i < r->n_groups; i++) {
		const struct sift_group_conf *g = &r->groups[i];

		if (!g->name[0])
			ERR(g->line, "a group needs a name");
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(r->groups[j].name, g->name))
				ERR(g->line, "group '%s' is defined twice", g->name);
		for (unsigned int b = 0; b < g->n_backends; b++) {
			const struct sift_backend_conf *be = &g->backends[b];

			if (!be->addr.family)
				ERR(be->line, "a backend of group '%s' needs an address", g->name);
			if (!be->port || be->port > 65535)
				ERR(be->line, "backend port %u is out of range", be->port);
			for (unsigned int k = 0; k < b; k++)
				if (sift_addr_eq(&g->backends[k].addr, &be->addr) &&
				    g->backends[k].port == be->port)
					ERR(be->line, "a backend is listed twice in group '%s'",
					    g->name);
		}
	}
	for (unsigned int i = 0; i < r->n_routes; i++) {
		const struct sift_route_conf *rt = &r->routes[i];
		bool found = false;

		for (const char *p = rt->prefix; *p; p++)
			if (!isdigit((unsigned char)*p) && *p != '+')
				ERR(rt->line, "route prefix '%s' may hold digits and '+' only",
				    rt->prefix);
		if (rt->domain[0] && sift_domain_norm(rt->domain, norm))
			ERR(rt->line, "route domain '%s' is not a host name", rt->domain);
		for (unsigned int g = 0; g < r->n_groups; g++)
			found |= !strcmp(r->groups[g].name, rt->group);
		if (!found)
			ERR(rt->line, "route to unknown group '%s'", rt->group);
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(r->routes[j].prefix, rt->prefix) &&
			    !strcasecmp(r->routes[j].domain, rt->domain))
				ERR(rt->line, "a route for prefix '%s'%s%s is given twice",
				    rt->prefix, rt->domain[0] ? " in domain " : "", rt->domain);
	}
	for (unsigned int i = 0; i < r->n_registrars; i++) {
		const struct sift_registrar_conf *rg = &r->registrars[i];
		bool found = false;

		if (rg->domain[0] && sift_domain_norm(rg->domain, norm))
			ERR(rg->line, "registrar domain '%s' is not a host name", rg->domain);
		for (unsigned int g = 0; g < r->n_groups; g++)
			found |= !strcmp(r->groups[g].name, rg->group);
		if (!found)
			ERR(rg->line, "registrar in unknown group '%s'", rg->group);
		for (unsigned int j = 0; j < i; j++)
			if (!strcasecmp(r->registrars[j].domain, rg->domain))
				ERR(rg->line, "a registrar for %s%s is given twice",
				    rg->domain[0] ? "domain " : "any domain", rg->domain);
	}
	return 0;
}

static bool group_empty(const struct sift_routing *r, const char *name)
{
	for (unsigned int g = 0; g < r->n_groups; g++)
		if (!strcmp(r->groups[g].name, name))
			return !r->groups[g].n_backends;
	return false;
}

unsigned int sift_routing_warnings(const struct sift_routing *r, const char *file,
				   void (*warn)(void *arg, const char *msg), void *arg)
{
	unsigned int n = 0;
	char msg[256];

	for (unsigned int i = 0; i < r->n_routes; i++) {
		const struct sift_route_conf *rt = &r->routes[i];

		if (!group_empty(r, rt->group))
			continue;
		snprintf(msg, sizeof(msg),
			 "%s:%d:1: route '%s' goes to group '%s', which has no backends: its "
			 "requests get 503 until some are added",
			 file, rt->line, rt->prefix, rt->group);
		warn(arg, msg);
		n++;
	}
	for (unsigned int i = 0; i < r->n_registrars; i++) {
		const struct sift_registrar_conf *rg = &r->registrars[i];

		if (!group_empty(r, rg->group))
			continue;
		snprintf(msg, sizeof(msg),
			 "%s:%d:1: registrar group '%s' has no backends: REGISTERs get 503 until "
			 "some are added",
			 file, rg->line, rg->group);
		warn(arg, msg);
		n++;
	}
	return n;
}

const struct sift_registrar_conf *sift_routing_registrar(const struct sift_routing *r,
							 const char *host, size_t len)
{
	const struct sift_registrar_conf *any = NULL;

	for (unsigned int i = 0; i < r->n_registrars; i++) {
		const struct sift_registrar_conf *rg = &r->registrars[i];

		if (!rg->domain[0])
			any = rg;
		else if (strlen(rg->domain) == len && !strncasecmp(rg->domain, host, len))
			return rg;
	}
	return any;
}
