/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shield as siftd holds it: access lists, limits, bans, scanners.
 * Loaded from the configuration's `shield:` section, changed live by
 * siftctl (acl, limit), installed into the maps by shieldstate.c.
 */
#ifndef SIFT_SHIELD_CONF_H
#define SIFT_SHIELD_CONF_H

#include <stdbool.h>
#include <jansson.h>
#include <sift/shield.h>

#include "addr.h"
#include "routing.h"

#define SIFT_CONF_ACL 1024
#define SIFT_CONF_SCANNERS 64

struct sift_acl_entry {
	struct sift_prefix prefix;
	bool trusted; /* allow list only: skips the rate limits */
	int origin;   /* enum sift_origin */
	int line;
};

/* A rate in messages per second (0: no limit) and the burst allowed above it. */
struct sift_limit_conf {
	double rate;
	unsigned int burst;
	int origin;
};

struct sift_shield_conf {
	bool enabled;
	bool allow_only;
	bool require_ua;
	bool trust_backends; /* the configured backends are on the allow list, trusted */
	unsigned int v6_prefix;
	unsigned int buckets; /* size of the bucket table (takes effect when the program loads) */
	struct sift_acl_entry deny[SIFT_CONF_ACL];
	unsigned int n_deny;
	struct sift_acl_entry allow[SIFT_CONF_ACL];
	unsigned int n_allow;
	struct sift_limit_conf limit[SIFT_CLASS__MAX]; /* per source */
	struct sift_limit_conf cap[SIFT_CLASS__MAX];   /* all sources together */
	double ban_after; /* seconds */
	double ban_time;  /* seconds; 0: no automatic bans */
	int ban_origin;
	int flags_origin;
	char scanners[SIFT_CONF_SCANNERS][SIFT_SCANNER_LEN];
	unsigned int n_scanners;
};

void sift_shield_defaults(struct sift_shield_conf *sc);

/* The class names as written in the file and by siftctl ("invite"...), and back. */
const char *sift_class_name(unsigned int class);
int sift_class_parse(const char *name);

/* GCRA parameters of a limit: interval and tolerance in ns (interval 0: none). */
struct sift_rate sift_limit_rate(const struct sift_limit_conf *l);

/* Checks that span entries (duplicates).  0, or -EINVAL with file:line in @err. */
int sift_shield_check(const struct sift_shield_conf *sc, const char *file, char *err, size_t len);

/*
 * Apply one live change, e.g.
 *   {"op": "acl.add", "list": "allow", "prefix": "198.18.1.0/24", "trusted": true}
 *   {"op": "limit.set", "class": "invite", "rate": 10, "burst": 20}
 *   {"op": "limit.set", "class": "invite", "cap": true, "rate": 1000, "burst": 2000}
 *   {"op": "ban.set", "after": 2, "time": 300}
 *   {"op": "shield.set", "allow_only": true, "require_user_agent": false, "enabled": true}
 * ops: acl.add/del, limit.set, ban.set, shield.set.  0, or -EINVAL with the
 * reason in @err and @sc unchanged; -ENOENT when @op is not a shield change.
 */
int sift_shield_apply(struct sift_shield_conf *sc, const json_t *op, char *err, size_t len);

#endif
