/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Routing as siftd holds it: groups of backends, routes to groups, the
 * domains sift serves.  Loaded from the configuration, changed live by
 * siftctl, installed into the XDP program's maps by fwdstate.c.
 */
#ifndef SIFT_ROUTING_H
#define SIFT_ROUTING_H

#include <stdbool.h>
#include <jansson.h>
#include <sift/fwd.h>

#include "addr.h"

#define SIFT_CONF_GROUPS SIFT_MAX_GROUPS
#define SIFT_GROUP_BACKENDS 64
#define SIFT_CONF_ROUTES 1024
#define SIFT_CONF_DOMAINS 64
#define SIFT_GROUP_NAME 32

/* Where an entry came from: the file, or a live change (kept across restarts). */
enum sift_origin {
	SIFT_ORIGIN_CONFIG,
	SIFT_ORIGIN_LIVE,
};

struct sift_backend_conf {
	struct sift_addr addr;
	unsigned int port;
	unsigned int weight;
	int state; /* enum sift_backend_state */
	int transport; /* enum sift_transport: 0 (UDP), TCP or TLS */
	int origin;
	int line;
};

struct sift_group_conf {
	char name[SIFT_GROUP_NAME];
	struct sift_backend_conf backends[SIFT_GROUP_BACKENDS];
	unsigned int n_backends;
	int origin;
	int line;
};

struct sift_route_conf {
	char prefix[SIFT_ROUTE_DIGITS + 1]; /* digits and '+'; "" matches any user */
	char domain[SIFT_NAME_MAX];         /* "" matches any domain */
	char group[SIFT_GROUP_NAME];
	bool record_route;
	int origin;
	int line;
};

/*
 * Where REGISTERs go (RFC 3327: sift adds a Path naming itself and the
 * UA's flow): those whose Request-URI names @domain ("" any), to @group.
 */
#define SIFT_CONF_REGISTRARS 64
struct sift_registrar_conf {
	char domain[SIFT_NAME_MAX];
	char group[SIFT_GROUP_NAME];
	int line;
};

struct sift_routing {
	char domains[SIFT_CONF_DOMAINS][SIFT_NAME_MAX]; /* served by sift */
	unsigned int n_domains;
	struct sift_group_conf groups[SIFT_CONF_GROUPS];
	unsigned int n_groups;
	struct sift_route_conf routes[SIFT_CONF_ROUTES];
	unsigned int n_routes;
	struct sift_registrar_conf registrars[SIFT_CONF_REGISTRARS];
	unsigned int n_registrars;
};

const char *sift_backend_state_name(int state);
int sift_backend_state_parse(const char *s);

/* Look-ups; NULL when absent. */
struct sift_group_conf *sift_routing_group(struct sift_routing *r, const char *name);
struct sift_backend_conf *sift_routing_backend(struct sift_group_conf *g,
					       const struct sift_addr *a, unsigned int port);
/* The registrar entry for a REGISTER to @host (its domain first, then any); NULL if none. */
const struct sift_registrar_conf *sift_routing_registrar(const struct sift_routing *r,
							 const char *host, size_t len);
struct sift_route_conf *sift_routing_route(struct sift_routing *r, const char *prefix,
					   const char *domain);

/*
 * Checks that span entries: groups exist, prefixes are digits and '+',
 * nothing is given twice.  0, or -EINVAL with the reason (and the entry's
 * line, when it has one) in @err.
 */
int sift_routing_check(const struct sift_routing *r, const char *file, char *err, size_t len);

/*
 * What is valid but likely a mistake: a route or registrar to a group with
 * no backends (its requests get 503 until backends are added live).  Each
 * warning, "FILE:LINE:1: ...", goes to @warn; returns how many there were.
 */
unsigned int sift_routing_warnings(const struct sift_routing *r, const char *file,
				   void (*warn)(void *arg, const char *msg), void *arg);

/*
 * Apply one live change (routing_ops.c), e.g.
 *   {"op": "backend.set", "group": "core", "address": "198.18.2.2", "state": "down"}
 * ops: group.add/del {name}, backend.add/set/del {group, address, port, weight, state},
 * route.add/set/del {prefix, domain, group, record_route}.  0, or -EINVAL with the
 * reason in @err and @r unchanged.  The caller runs sift_routing_check() after.
 */
int sift_routing_apply(struct sift_routing *r, const json_t *op, char *err, size_t len);

/* A domain name as the maps hold it: lower case, at most SIFT_NAME_MAX - 1. 0 or -EINVAL. */
int sift_domain_norm(const char *in, char out[SIFT_NAME_MAX]);

#endif
