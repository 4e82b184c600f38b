// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"

int sift_live_apply(struct sift_conf *c, const json_t *op, char *err, size_t len)
{
	struct sift_conf *tmp;
	int ret;

	if (!json_is_object(op)) {
		snprintf(err, len, "a change must be a JSON object");
		return -EINVAL;
	}
	tmp = malloc(sizeof(*tmp));
	if (!tmp) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	*tmp = *c;
	ret = sift_shield_apply(&tmp->shield, op, err, len);
	if (ret == -ENOENT)
		ret = sift_routing_apply(&tmp->routing, op, err, len);
	if (!ret)
		ret = sift_routing_check(&tmp->routing, c->path, err, len);
	if (!ret)
		ret = sift_shield_check(&tmp->shield, c->path, err, len);
	if (!ret)
		*c = *tmp;
	free(tmp);
	return ret;
}

/* Which object @op changes: its kind and the fields that name one of that kind. */
static char *op_key(const json_t *op)
{
	static const struct {
		const char *kind;
		const char *ids[3];
	} kinds[] = {
		{ "group", { "name" } },		 { "backend", { "group", "address", "port" } },
		{ "route", { "prefix", "domain" } },	 { "acl", { "list", "prefix" } },
		{ "limit", { "class", "cap" } },	 { "ban", {} },
		{ "shield", {} },
	};
	const char *what = json_string_value(json_object_get(op, "op"));
	const char *dot = what ? strchr(what, '.') : NULL;
	size_t kl = dot ? (size_t)(dot - what) : 0;
	json_t *key = json_object();
	char *text;

	json_object_set_new(key, "kind", json_stringn(what ? what : "", kl));
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (strlen(kinds[k].kind) != kl || strncmp(kinds[k].kind, what, kl))
			continue;
		for (size_t i = 0; i < 3 && kinds[k].ids[i]; i++) {
			json_t *v = json_object_get(op, kinds[k].ids[i]);

			if (v)
				json_object_set(key, kinds[k].ids[i], v);
		}
	}
	text = json_dumps(key, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(key);
	return text;
}

/* @file with @ops applied, skipping @skip (-1: none) and what does not apply; how many failed. */
static unsigned int replay(const struct sift_conf *file, const json_t *ops, long skip,
			   struct sift_conf *out)
{
	char err[256];
	unsigned int failed = 0;

	*out = *file;
	for (size_t i = 0; i < json_array_size(ops); i++)
		if ((long)i != skip && sift_live_apply(out, json_array_get(ops, i), err, sizeof(err)))
			failed++;
	return failed;
}

/* Entries past a table's count: what a removal left behind, which says nothing. */
#define SCRUB(arr, n) memset(&(arr)[n], 0, sizeof(arr) - (n) * sizeof((arr)[0]))
static void scrub(struct sift_conf *c)
{
	struct sift_routing *r = &c->routing;

	SCRUB(r->domains, r->n_domains);
	SCRUB(r->groups, r->n_groups);
	for (unsigned int g = 0; g < r->n_groups; g++)
		SCRUB(r->groups[g].backends, r->groups[g].n_backends);
	SCRUB(r->routes, r->n_routes);
	SCRUB(r->registrars, r->n_registrars);
	SCRUB(c->shield.deny, c->shield.n_deny);
	SCRUB(c->shield.allow, c->shield.n_allow);
	SCRUB(c->shield.scanners, c->shield.n_scanners);
}

static bool same(struct sift_conf *a, struct sift_conf *b)
{
	scrub(a);
	scrub(b);
	return !memcmp(&a->routing, &b->routing, sizeof(a->routing)) &&
	       !memcmp(&a->shield, &b->shield, sizeof(a->shield));
}

unsigned int sift_live_compact(const struct sift_conf *file, json_t *ops)
{
	struct sift_conf *full = malloc(sizeof(*full)), *without = malloc(sizeof(*without));
	size_t n = json_array_size(ops);
	unsigned int dropped = 0;
	char *key = n ? op_key(json_array_get(ops, n - 1)) : NULL;

	if (!full || !without || !key)
		goto out;
	replay(file, ops, -1, full);
	/* earlier changes to the same object that the result does not need */
	for (long i = (long)n - 2; i >= 0; i--) {
		char *k = op_key(json_array_get(ops, i));
		bool mine = k && !strcmp(k, key);

		free(k);
		if (!mine)
			continue;
		replay(file, ops, i, without);
		if (same(without, full)) {
			json_array_remove(ops, i);
			dropped++;
		}
	}
	/* what no longer applies does nothing */
	for (size_t i = 0; i < json_array_size(ops);) {
		char err[256];

		if (i == 0)
			*without = *file;
		if (sift_live_apply(without, json_array_get(ops, i), err, sizeof(err))) {
			json_array_remove(ops, i);
			dropped++;
			/* the ones before are applied; go on from the same place */
			continue;
		}
		i++;
	}
	/* the last one, if it only undid what came before */
	n = json_array_size(ops);
	if (n) {
		replay(file, ops, -1, full);
		replay(file, ops, (long)n - 1, without);
		if (same(without, full)) {
			json_array_remove(ops, n - 1);
			dropped++;
		}
	}
out:
	free(key);
	free(full);
	free(without);
	return dropped;
}
