// SPDX-License-Identifier: GPL-2.0
/*
 * siftctl shield|acl|limit|ban: the DoS shield.  shield, acl and limit talk
 * to siftd (changes are live changes: kept across reloads and restarts,
 * shown as differing from the file); ban works on the pinned ban table
 * itself, so it works whether or not siftd runs, and bans survive both.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <sift/shield.h>

#include "addr.h"
#include "cli_priv.h"
#include "maps.h"
#include "out.h"
#include "shield_conf.h"
#include "shieldstate.h"

static bool on_off(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "true")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "off") || !strcmp(v, "false")) {
		*out = false;
		return true;
	}
	return false;
}

/* ---- shield ------------------------------------------------------------------------------- */

static void print_limit(const char *name, json_t *l)
{
	json_t *file = json_object_get(l, "file");
	double rate = json_real_value(json_object_get(l, "rate"));

	out_open_obj(name);
	out_text("  %-10s", name);
	out_float("rate", rate > 0 ? " %10.1f/s" : NULL, rate);
	if (rate <= 0)
		out_text(" %12s", "unlimited");
	out_u64("burst", rate > 0 ? "  burst %-7llu" : NULL, json_integer_value(json_object_get(l, "burst")));
	if (rate <= 0)
		out_text("  %-13s", "");
	out_str("origin", " %s", json_string_value(json_object_get(l, "origin")));
	if (file) {
		out_open_obj("file");
		out_float("rate", " (file: %.1f/s", json_real_value(json_object_get(file, "rate")));
		out_u64("burst", " burst %llu)", json_integer_value(json_object_get(file, "burst")));
		out_close_obj();
	}
	out_text("\n");
	out_close_obj();
}

static json_t *shield_get(struct cli *c)
{
	return cli_call(c, json_pack("{s:s}", "cmd", "shield"));
}

static int shield_show(struct cli *c, int argc, char **argv)
{
	json_t *sh, *v;
	const char *key;
	size_t i;

	(void)argv;
	if (argc) {
		out_error("shield show: no arguments");
		return SIFTCTL_EXIT_USAGE;
	}
	sh = shield_get(c);
	if (!sh)
		return cli_failed(c);
	out_open_obj(NULL);
	out_bool("enabled", json_is_true(json_object_get(sh, "enabled")) ? "shield on" : "shield off",
		 json_is_true(json_object_get(sh, "enabled")));
	out_bool("allow_only", json_is_true(json_object_get(sh, "allow_only")) ? ", allow-only" : NULL,
		 json_is_true(json_object_get(sh, "allow_only")));
	out_bool("require_user_agent",
		 json_is_true(json_object_get(sh, "require_user_agent")) ? ", User-Agent required" : NULL,
		 json_is_true(json_object_get(sh, "require_user_agent")));
	out_str("settings_origin", " (%s)", json_string_value(json_object_get(sh, "settings_origin")));
	out_u64("ipv6_prefix", "; IPv6 sources per /%llu",
		json_integer_value(json_object_get(sh, "ipv6_prefix")));
	out_u64("buckets", "; %llu buckets\n", json_integer_value(json_object_get(sh, "buckets")));
	out_open_arr("scanners");
	out_text("scanners (first User-Agent token):");
	json_array_foreach(json_object_get(sh, "scanners"), i, v)
		out_str(NULL, " %s", json_string_value(v));
	out_text("\n");
	out_close_arr();
	out_open_arr("trusted_backends");
	out_text("backends trusted:");
	json_array_foreach(json_object_get(sh, "trusted_backends"), i, v)
		out_str(NULL, " %s", json_string_value(v));
	if (!json_array_size(json_object_get(sh, "trusted_backends")))
		out_text(" none");
	out_text("\n");
	out_close_arr();
	out_open_obj("ban");
	out_float("after", "automatic bans: over a limit for %.1f s", json_real_value(json_object_get(json_object_get(sh, "ban"), "after")));
	out_float("time", ", banned for %.0f s", json_real_value(json_object_get(json_object_get(sh, "ban"), "time")));
	out_str("origin", " (%s)\n", json_string_value(json_object_get(json_object_get(sh, "ban"), "origin")));
	out_close_obj();
	out_open_obj("limits");
	out_text("limits per source:\n");
	json_object_foreach(json_object_get(sh, "limits"), key, v)
		print_limit(key, v);
	out_close_obj();
	out_open_obj("caps");
	out_text("caps, all sources together:\n");
	json_object_foreach(json_object_get(sh, "caps"), key, v)
		print_limit(key, v);
	out_close_obj();
	out_close_obj();
	json_decref(sh);
	return SIFTCTL_EXIT_OK;
}

static int shield_set(struct cli *c, int argc, char **argv)
{
	static const char *const keys[] = { "enabled", "allow-only", "require-user-agent", NULL };
	struct cli_kv kv[3];
	json_t *op;
	int n = cli_pairs(argc, argv, keys, kv, 3, "shield set");

	if (n <= 0) {
		if (!n)
			out_error("shield set enabled|allow-only|require-user-agent on|off");
		return SIFTCTL_EXIT_USAGE;
	}
	op = json_pack("{s:s}", "op", "shield.set");
	for (int i = 0; i < n; i++) {
		bool v;

		if (!on_off(kv[i].val, &v)) {
			json_decref(op);
			out_error("shield set: %s is on or off", kv[i].key);
			return SIFTCTL_EXIT_USAGE;
		}
		json_object_set_new(op, !strcmp(kv[i].key, "enabled")      ? "enabled" :
					!strcmp(kv[i].key, "allow-only") ? "allow_only" :
									    "require_user_agent",
				    json_boolean(v));
	}
	return cli_change(c, op, "shield set");
}

/* ---- acl --------------------------------------------------------------------------------- */

static int acl_list(struct cli *c, int argc, char **argv)
{
	static const char *const lists[] = { "deny", "allow" };
	json_t *sh, *e;
	size_t i;

	(void)argv;
	if (argc) {
		out_error("acl list: no arguments");
		return SIFTCTL_EXIT_USAGE;
	}
	sh = shield_get(c);
	if (!sh)
		return cli_failed(c);
	out_open_obj(NULL);
	for (int l = 0; l < 2; l++) {
		json_t *arr = json_object_get(sh, lists[l]);

		out_open_arr(lists[l]);
		out_text("%s%s:%s\n", l ? "" : "", lists[l], json_array_size(arr) ? "" : " (empty)");
		json_array_foreach(arr, i, e)
		{
			out_open_obj(NULL);
			out_str("prefix", "  %-44s", json_string_value(json_object_get(e, "prefix")));
			if (l)
				out_bool("trusted",
					 json_is_true(json_object_get(e, "trusted")) ? " trusted" : " -      ",
					 json_is_true(json_object_get(e, "trusted")));
			out_str("origin", " %s\n", json_string_value(json_object_get(e, "origin")));
			out_close_obj();
		}
		out_close_arr();
	}
	out_text("%s\n", json_is_true(json_object_get(sh, "allow_only")) ?
				 "allow-only: SIP from anyone else is dropped" :
				 "open: anyone not denied may send SIP");
	out_bool("allow_only", NULL, json_is_true(json_object_get(sh, "allow_only")));
	out_close_obj();
	json_decref(sh);
	return SIFTCTL_EXIT_OK;
}

static int acl_change(struct cli *c, int argc, char **argv, bool add)
{
	char done[128];
	json_t *op;
	bool trusted = false;

	if (argc < 2 || (strcmp(argv[0], "deny") && strcmp(argv[0], "allow")) ||
	    argc > 3 || (argc == 3 && (!add || strcmp(argv[0], "allow") || strcmp(argv[2], "trusted")))) {
		out_error("acl %s deny PREFIX | allow PREFIX%s", add ? "add" : "del",
			  add ? " [trusted]" : "");
		return SIFTCTL_EXIT_USAGE;
	}
	trusted = argc == 3;
	op = json_pack("{s:s, s:s, s:s}", "op", add ? "acl.add" : "acl.del", "list", argv[0],
		       "prefix", argv[1]);
	if (trusted)
		json_object_set_new(op, "trusted", json_true());
	snprintf(done, sizeof(done), "acl %s: %s %s%s", add ? "add" : "del", argv[0], argv[1],
		 trusted ? " (trusted)" : "");
	return cli_change(c, op, done);
}

static int acl_add(struct cli *c, int argc, char **argv)
{
	return acl_change(c, argc, argv, true);
}

static int acl_del(struct cli *c, int argc, char **argv)
{
	return acl_change(c, argc, argv, false);
}

/* ---- limit ------------------------------------------------------------------------------- */

static int limit_show(struct cli *c, int argc, char **argv)
{
	json_t *sh, *v;
	const char *key;

	(void)argv;
	if (argc) {
		out_error("limit show: no arguments");
		return SIFTCTL_EXIT_USAGE;
	}
	sh = shield_get(c);
	if (!sh)
		return cli_failed(c);
	out_open_obj(NULL);
	out_open_obj("limits");
	out_text("per source:\n");
	json_object_foreach(json_object_get(sh, "limits"), key, v)
		print_limit(key, v);
	out_close_obj();
	out_open_obj("caps");
	out_text("all sources together:\n");
	json_object_foreach(json_object_get(sh, "caps"), key, v)
		print_limit(key, v);
	out_close_obj();
	v = json_object_get(sh, "ban");
	out_open_obj("ban");
	out_float("after", "ban: over a limit for %.1f s", json_real_value(json_object_get(v, "after")));
	out_float("time", ", banned for %.0f s", json_real_value(json_object_get(v, "time")));
	out_str("origin", " (%s)\n", json_string_value(json_object_get(v, "origin")));
	out_close_obj();
	out_close_obj();
	json_decref(sh);
	return SIFTCTL_EXIT_OK;
}

static int parse_num(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || *end || end == s || !isfinite(*out) || *out < 0 ? -1 : 0;
}

/*
 * limit set CLASS [rate R] [burst B]
 * limit set cap CLASS [rate R] [burst B]
 * limit set ban [after S] [time S]
 */
static int limit_set(struct cli *c, int argc, char **argv)
{
	static const char *const rate_keys[] = { "rate", "burst", NULL };
	static const char *const ban_keys[] = { "after", "time", NULL };
	bool cap = argc > 0 && !strcmp(argv[0], "cap");
	bool ban = argc > 0 && !strcmp(argv[0], "ban");
	struct cli_kv kv[2];
	char done[128];
	json_t *op;
	int n, skip = ban ? 1 : cap ? 2 : 1;

	if (argc < skip + 2 || (!ban && sift_class_parse(argv[skip - 1]) < 0)) {
		out_error("limit set [cap] invite|register|options|other|response [rate R] [burst B]"
			  " | limit set ban [after S] [time S]");
		return SIFTCTL_EXIT_USAGE;
	}
	n = cli_pairs(argc - skip, argv + skip, ban ? ban_keys : rate_keys, kv, 2, "limit set");
	if (n <= 0)
		return SIFTCTL_EXIT_USAGE;
	op = ban ? json_pack("{s:s}", "op", "ban.set") :
		   json_pack("{s:s, s:s, s:b}", "op", "limit.set", "class", argv[skip - 1], "cap",
			     cap);
	for (int i = 0; i < n; i++) {
		double v;

		if (parse_num(kv[i].val, &v)) {
			json_decref(op);
			out_error("limit set: %s must be a number, not '%s'", kv[i].key, kv[i].val);
			return SIFTCTL_EXIT_USAGE;
		}
		json_object_set_new(op, kv[i].key, json_real(v));
	}
	snprintf(done, sizeof(done), "limit set: %s%s", cap ? "cap " : "", argv[skip - 1]);
	return cli_change(c, op, done);
}

/* ---- ban ---------------------------------------------------------------------------------- */

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int open_ban_maps(struct cli *c, struct sift_maps *m, struct sift_shield *sh)
{
	__u32 key = 0;
	int err = sift_maps_open(c->pin_path, m);

	if (err) {
		out_error(err == -ENOENT ? "sift is not loaded: no maps pinned under %s" :
					   "open maps under %s: %s",
			  c->pin_path, strerror(-err));
		return -1;
	}
	memset(sh, 0, sizeof(*sh));
	bpf_map_lookup_elem(m->shield, &key, sh);
	return 0;
}

static int ban_list(struct cli *c, int argc, char **argv)
{
	struct sift_maps m;
	struct sift_shield sh;
	struct sift_addr key, next;
	__u64 now = mono_ns();
	int n = 0;

	(void)argv;
	if (argc) {
		out_error("ban list: no arguments");
		return SIFTCTL_EXIT_USAGE;
	}
	if (open_ban_maps(c, &m, &sh))
		return SIFTCTL_EXIT_FAIL;
	out_open_arr(NULL);
	out_text("%-42s %-8s %-10s %10s %10s %12s\n", "SOURCE", "ORIGIN", "LIMIT", "LEFT(s)",
		 "FOR(s)", "DROPPED");
	for (int r = bpf_map_get_next_key(m.bans, NULL, &next); !r;
	     r = bpf_map_get_next_key(m.bans, &key, &next)) {
		struct sift_ban b;
		struct sift_prefix p;
		char a[SIFT_PREFIXSTRLEN];

		key = next;
		if (bpf_map_lookup_elem(m.bans, &key, &b) || b.expires <= now)
			continue; /* served its time; the fast path forgets it on the next packet */
		p.addr = key;
		p.len = key.family == SIFT_AF_INET ? 32 : sh.v6_prefix ? sh.v6_prefix : 128;
		out_open_obj(NULL);
		out_str("source", "%-42s", sift_prefix_fmt(&p, a, sizeof(a)));
		out_str("origin", " %-8s", b.origin == SIFT_BAN_MANUAL ? "manual" : "auto");
		out_str("limit", " %-10s", b.origin == SIFT_BAN_MANUAL ? "-" : sift_class_name(b.class));
		out_float("seconds_left", " %10.1f", (b.expires - now) / 1e9);
		out_float("seconds_banned", " %10.1f", (now - b.since) / 1e9);
		out_u64("dropped", " %12llu\n", b.drops);
		out_close_obj();
		n++;
	}
	out_close_arr();
	if (!n)
		out_text("no source is banned\n");
	sift_maps_close(&m);
	return SIFTCTL_EXIT_OK;
}

static int ban_key_arg(const char *arg, const struct sift_shield *sh, struct sift_addr *key)
{
	struct sift_addr a;

	if (sift_addr_parse(arg, &a)) {
		out_error("'%s' is not an IPv4 or IPv6 address", arg);
		return -1;
	}
	sift_ban_key_of(&a, sh->v6_prefix ? sh->v6_prefix : 64, key);
	return 0;
}

static int ban_add(struct cli *c, int argc, char **argv)
{
	static const char *const keys[] = { "ttl", NULL };
	struct sift_maps m;
	struct sift_shield sh;
	struct sift_addr key;
	struct sift_ban b = { .origin = SIFT_BAN_MANUAL };
	struct cli_kv kv[1];
	double ttl;
	int n;

	if (argc < 1) {
		out_error("ban add ADDRESS [ttl SECONDS]");
		return SIFTCTL_EXIT_USAGE;
	}
	n = cli_pairs(argc - 1, argv + 1, keys, kv, 1, "ban add");
	if (n < 0)
		return SIFTCTL_EXIT_USAGE;
	if (open_ban_maps(c, &m, &sh))
		return SIFTCTL_EXIT_FAIL;
	ttl = sh.ban_time ? sh.ban_time / 1e9 : 300;
	if (n && (parse_num(kv[0].val, &ttl) || ttl <= 0 || ttl > 365 * 86400.0)) {
		sift_maps_close(&m);
		out_error("ban add: ttl must be seconds, more than 0 and up to a year");
		return SIFTCTL_EXIT_USAGE;
	}
	if (ban_key_arg(argv[0], &sh, &key)) {
		sift_maps_close(&m);
		return SIFTCTL_EXIT_USAGE;
	}
	b.since = mono_ns();
	b.expires = b.since + (__u64)(ttl * 1e9);
	if (bpf_map_update_elem(m.bans, &key, &b, BPF_ANY)) {
		out_error("ban add: %s", strerror(errno));
		sift_maps_close(&m);
		return SIFTCTL_EXIT_FAIL;
	}
	sift_maps_close(&m);
	out_open_obj(NULL);
	out_str("banned", "banned %s", argv[0]);
	out_float("ttl", " for %.0f s\n", ttl);
	out_close_obj();
	return SIFTCTL_EXIT_OK;
}

static int ban_del(struct cli *c, int argc, char **argv)
{
	struct sift_maps m;
	struct sift_shield sh;
	struct sift_addr key;
	int err;

	if (argc != 1) {
		out_error("ban del ADDRESS");
		return SIFTCTL_EXIT_USAGE;
	}
	if (open_ban_maps(c, &m, &sh))
		return SIFTCTL_EXIT_FAIL;
	if (ban_key_arg(argv[0], &sh, &key)) {
		sift_maps_close(&m);
		return SIFTCTL_EXIT_USAGE;
	}
	err = bpf_map_delete_elem(m.bans, &key) ? errno : 0;
	sift_maps_close(&m);
	if (err) {
		out_error(err == ENOENT ? "%s is not banned" : "ban del %s: %s", argv[0], strerror(err));
		return SIFTCTL_EXIT_FAIL;
	}
	out_open_obj(NULL);
	out_str("unbanned", "unbanned %s\n", argv[0]);
	out_close_obj();
	return SIFTCTL_EXIT_OK;
}

const struct cmd shield_cmds[] = {
	CMD("show", shield_show, "settings, scanners, limits, caps, bans (and where they differ from the file)"),
	CMD("set", shield_set, "enabled|allow-only|require-user-agent on|off"),
	{},
};

const struct cmd acl_cmds[] = {
	CMD("list", acl_list, "the deny and allow lists"),
	CMD("add", acl_add, "deny PREFIX | allow PREFIX [trusted]"),
	CMD("del", acl_del, "deny|allow PREFIX"),
	{},
};

const struct cmd limit_cmds[] = {
	CMD("show", limit_show, "rates and bursts per source and class, caps, automatic bans"),
	CMD("set", limit_set, "[cap] CLASS [rate R] [burst B] | ban [after S] [time S]"),
	{},
};

const struct cmd ban_cmds[] = {
	CMD("list", ban_list, "banned sources: why, how long left, what was dropped"),
	CMD("add", ban_add, "ADDRESS [ttl SECONDS] (default: the configured ban time)"),
	CMD("del", ban_del, "ADDRESS"),
	{},
};
