// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shield_conf.h"

#define CLASS_NAME_(id, name) #name,
static const char *const class_names[SIFT_CLASS__MAX] = { SIFT_CLASS_LIST(CLASS_NAME_) };

const char *sift_class_name(unsigned int class)
{
	return class < SIFT_CLASS__MAX ? class_names[class] : "?";
}

int sift_class_parse(const char *name)
{
	for (int i = 0; i < SIFT_CLASS__MAX; i++)
		if (!strcasecmp(name, class_names[i]))
			return i;
	return -1;
}

void sift_shield_defaults(struct sift_shield_conf *sc)
{
	/*
	 * Per source: what one honest client (a PBX, an SBC) stays under; each
	 * call brings an ACK and a BYE ("other") with its INVITE.  Gateways
	 * that send more belong on the allow list, trusted.
	 */
	static const struct {
		double rate;
		unsigned int burst;
	} limits[SIFT_CLASS__MAX] = {
		[SIFT_CLASS_INVITE] = { 50, 100 },   [SIFT_CLASS_REGISTER] = { 20, 40 },
		[SIFT_CLASS_OPTIONS] = { 20, 40 },   [SIFT_CLASS_OTHER] = { 200, 400 },
		[SIFT_CLASS_RESPONSE] = { 500, 1000 },
	};
	static const char *const scanners[] = { "friendly-scanner", "sipcli", "sipvicious",
						"vaxsipuseragent", "pplsip" };

	memset(sc, 0, sizeof(*sc));
	sc->enabled = true;
	sc->trust_backends = true;
	sc->v6_prefix = 64;
	sc->buckets = SIFT_BUCKETS_DEFAULT;
	for (int i = 0; i < SIFT_CLASS__MAX; i++) {
		sc->limit[i].rate = limits[i].rate;
		sc->limit[i].burst = limits[i].burst;
		sc->cap[i].burst = 1;
	}
	sc->ban_after = 3;
	sc->ban_time = 300;
	for (size_t i = 0; i < sizeof(scanners) / sizeof(scanners[0]); i++)
		snprintf(sc->scanners[sc->n_scanners++], SIFT_SCANNER_LEN, "%s", scanners[i]);
}

struct sift_rate sift_limit_rate(const struct sift_limit_conf *l)
{
	struct sift_rate r = { 0, 0 };

	if (l->rate <= 0)
		return r;
	r.interval = (__u64)(1e9 / l->rate + 0.5);
	if (!r.interval)
		r.interval = 1;
	r.tolerance = r.interval * (l->burst ? l->burst - 1 : 0);
	return r;
}

#define ERR(line, ...)                                                                             \
	do {                                                                                       \
		int n_ = line && file ? snprintf(err, len, "%s:%d: ", file, line) : 0;            \
		snprintf(err + n_, len - n_, __VA_ARGS__);                                        \
		return -EINVAL;                                                                    \
	} while (0)

int sift_shield_check(const struct sift_shield_conf *sc, const char *file, char *err, size_t len)
{
	char a[SIFT_PREFIXSTRLEN];

	for (unsigned int i = 0; i < sc->n_deny; i++)
		for (unsigned int j = 0; j < i; j++)
			if (!memcmp(&sc->deny[i].prefix, &sc->deny[j].prefix, sizeof(sc->deny[i].prefix)))
				ERR(sc->deny[i].line, "%s is on the deny list twice",
				    sift_prefix_fmt(&sc->deny[i].prefix, a, sizeof(a)));
	for (unsigned int i = 0; i < sc->n_allow; i++)
		for (unsigned int j = 0; j < i; j++)
			if (!memcmp(&sc->allow[i].prefix, &sc->allow[j].prefix,
				    sizeof(sc->allow[i].prefix)))
				ERR(sc->allow[i].line, "%s is on the allow list twice",
				    sift_prefix_fmt(&sc->allow[i].prefix, a, sizeof(a)));
	for (unsigned int i = 0; i < sc->n_scanners; i++)
		for (const char *p = sc->scanners[i]; *p; p++)
			if (isspace((unsigned char)*p) || *p == '/' || *p == '(' || *p == ';')
				ERR(0, "scanner signature '%s': one User-Agent product token, without "
				       "spaces, '/', '(' or ';'",
				    sc->scanners[i]);
	return 0;
}

#undef ERR
#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, len, __VA_ARGS__);                                                  \
		return -EINVAL;                                                                    \
	} while (0)

/* A number member in [0, max]: 1 if present, 0 if absent, -EINVAL if bad. */
static int get_num(const json_t *op, const char *key, double max, double *out, char *err,
		   size_t len)
{
	json_t *v = json_object_get(op, key);

	if (!v)
		return 0;
	if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > max ||
	    !isfinite(json_number_value(v)))
		FAIL("'%s' must be a number from 0 to %g", key, max);
	*out = json_number_value(v);
	return 1;
}

static int get_bool(const json_t *op, const char *key, bool *out, char *err, size_t len)
{
	json_t *v = json_object_get(op, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		FAIL("'%s' must be true or false", key);
	*out = json_is_true(v);
	return 1;
}

static int acl_change(struct sift_shield_conf *sc, const json_t *op, bool add, char *err,
		      size_t len)
{
	const char *list = json_string_value(json_object_get(op, "list"));
	const char *pfx = json_string_value(json_object_get(op, "prefix"));
	struct sift_acl_entry *tab, e = { .origin = SIFT_ORIGIN_LIVE };
	unsigned int *n;
	char a[SIFT_PREFIXSTRLEN];
	int ret;

	if (!list || (strcmp(list, "deny") && strcmp(list, "allow")))
		FAIL("'list' must be deny or allow");
	if (!pfx || sift_prefix_parse(pfx, &e.prefix))
		FAIL("'%s' is not an address or a prefix (bits past the length must be zero)",
		     pfx ? pfx : "");
	tab = list[0] == 'd' ? sc->deny : sc->allow;
	n = list[0] == 'd' ? &sc->n_deny : &sc->n_allow;
	ret = get_bool(op, "trusted", &e.trusted, err, len);
	if (ret < 0)
		return ret;
	if (ret && list[0] == 'd')
		FAIL("only the allow list trusts");
	for (unsigned int i = 0; i < *n; i++) {
		if (memcmp(&tab[i].prefix, &e.prefix, sizeof(e.prefix)))
			continue;
		if (add) {
			if (tab[i].trusted == e.trusted)
				FAIL("%s is on the %s list already", sift_prefix_fmt(&e.prefix, a, sizeof(a)),
				     list);
			tab[i].trusted = e.trusted; /* re-adding changes its trust */
			tab[i].origin = SIFT_ORIGIN_LIVE;
			return 0;
		}
		memmove(&tab[i], &tab[i + 1], (*n - i - 1) * sizeof(tab[0]));
		(*n)--;
		return 0;
	}
	if (!add)
		FAIL("%s is not on the %s list", sift_prefix_fmt(&e.prefix, a, sizeof(a)), list);
	if (*n == SIFT_CONF_ACL)
		FAIL("the %s list holds at most %d entries", list, SIFT_CONF_ACL);
	tab[(*n)++] = e;
	return 0;
}

static int limit_set(struct sift_shield_conf *sc, const json_t *op, char *err, size_t len)
{
	const char *cname = json_string_value(json_object_get(op, "class"));
	int class = cname ? sift_class_parse(cname) : -1;
	struct sift_limit_conf l;
	bool cap = false;
	double burst;
	int r1, r2;

	if (class < 0)
		FAIL("'class' must be invite, register, options, other or response");
	if (get_bool(op, "cap", &cap, err, len) < 0)
		return -EINVAL;
	l = cap ? sc->cap[class] : sc->limit[class];
	r1 = get_num(op, "rate", 10e6, &l.rate, err, len);
	if (r1 < 0)
		return r1;
	burst = l.burst;
	r2 = get_num(op, "burst", 10e6, &burst, err, len);
	if (r2 < 0)
		return r2;
	if (!r1 && !r2)
		FAIL("give 'rate' and/or 'burst'");
	if (burst < 1 || burst != (unsigned int)burst)
		FAIL("'burst' must be a whole number of messages, at least 1");
	l.burst = burst;
	l.origin = SIFT_ORIGIN_LIVE;
	if (cap)
		sc->cap[class] = l;
	else
		sc->limit[class] = l;
	return 0;
}

int sift_shield_apply(struct sift_shield_conf *sc, const json_t *op, char *err, size_t len)
{
	const char *what = json_string_value(json_object_get(op, "op"));
	struct sift_shield_conf *tmp;
	int ret = -ENOENT;

	if (!what)
		return -ENOENT;
	/* work on a copy: a change applies whole or not at all */
	tmp = malloc(sizeof(*tmp));
	if (!tmp)
		FAIL("out of memory");
	*tmp = *sc;
	if (!strcmp(what, "acl.add") || !strcmp(what, "acl.del")) {
		ret = acl_change(tmp, op, what[4] == 'a', err, len);
	} else if (!strcmp(what, "limit.set")) {
		ret = limit_set(tmp, op, err, len);
	} else if (!strcmp(what, "ban.set")) {
		int a = get_num(op, "after", 86400, &tmp->ban_after, err, len);
		int t = a < 0 ? -1 : get_num(op, "time", 30 * 86400, &tmp->ban_time, err, len);

		ret = a < 0 || t < 0 ? -EINVAL : 0;
		if (!ret && !a && !t) {
			snprintf(err, len, "give 'after' and/or 'time'");
			ret = -EINVAL;
		}
		tmp->ban_origin = SIFT_ORIGIN_LIVE;
	} else if (!strcmp(what, "shield.set")) {
		int a = get_bool(op, "allow_only", &tmp->allow_only, err, len);
		int u = a < 0 ? -1 : get_bool(op, "require_user_agent", &tmp->require_ua, err, len);
		int e = u < 0 ? -1 : get_bool(op, "enabled", &tmp->enabled, err, len);

		ret = a < 0 || u < 0 || e < 0 ? -EINVAL : 0;
		if (!ret && !a && !u && !e) {
			snprintf(err, len, "give 'enabled', 'allow_only' and/or 'require_user_agent'");
			ret = -EINVAL;
		}
		tmp->flags_origin = SIFT_ORIGIN_LIVE;
	}
	if (!ret)
		*sc = *tmp;
	free(tmp);
	return ret;
}
