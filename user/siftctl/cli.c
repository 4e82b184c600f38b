// SPDX-License-Identifier: GPL-2.0
/*
 * siftctl [-j] [-p] OBJECT { COMMAND | help } [ARGS]
 *
 * After bpftool and ip(8): one command table per object, commands may be
 * abbreviated to any unique prefix, text and JSON come from the same print
 * calls.  Exit status: 0 success, 1 runtime error, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <sift/fwd.h>

#include "cli.h"
#include "cli_priv.h"
#include "config.h"
#include "ctl.h"
#include "maps.h"
#include "out.h"
#include "proc.h"

static bool is_prefix(const char *arg, const char *full)
{
	return *arg && !strncmp(arg, full, strlen(arg));
}

/* Find @arg in @cmds by unique prefix; NULL (with an error printed) otherwise. */
static const struct cmd *lookup(const struct cmd *cmds, const char *what, const char *arg)
{
	const struct cmd *hit = NULL;

	for (const struct cmd *c = cmds; c->name; c++) {
		if (!strcmp(arg, c->name))
			return c;
		if (is_prefix(arg, c->name)) {
			if (hit) {
				out_error("'%s' is ambiguous: %s or %s", arg, hit->name, c->name);
				return NULL;
			}
			hit = c;
		}
	}
	if (!hit)
		out_error("unknown %s '%s'; try 'siftctl help'", what, arg);
	return hit;
}

static void print_cmds(const char *obj, const struct cmd *cmds)
{
	char both[48];

	for (const struct cmd *k = cmds; k->name; k++) {
		snprintf(both, sizeof(both), "%s %s", obj, k->name);
		printf("  siftctl %-18s %s\n", both, k->help);
	}
}

/* Run the command @argv[0] of object @obj; "help" lists the object's commands. */
static int dispatch(struct cli *c, const char *obj, const struct cmd *cmds, int argc, char **argv)
{
	const struct cmd *cmd;
	char what[64];

	if (argc >= 1 && !strcmp(argv[0], "help")) {
		print_cmds(obj, cmds);
		return SIFTCTL_EXIT_OK;
	}
	snprintf(what, sizeof(what), "%s command", obj);
	if (argc < 1)
		cmd = &cmds[0]; /* the first command is the default, like `ip link` */
	else
		cmd = lookup(cmds, what, argv[0]);
	if (!cmd)
		return SIFTCTL_EXIT_USAGE;
	return cmd->fn(c, argc > 0 ? argc - 1 : 0, argv + (argc > 0));
}

static int no_args(int argc, char **argv, const char *cmd)
{
	if (argc) {
		out_error("%s: unexpected argument '%s'", cmd, argv[0]);
		return SIFTCTL_EXIT_USAGE;
	}
	return 0;
}

int cli_open_maps(struct cli *c, struct sift_maps *m)
{
	int err = sift_maps_open(c->pin_path, m);

	if (err == -ENOENT)
		out_error("sift is not loaded: no maps pinned under %s", c->pin_path);
	else if (err == -EACCES || err == -EPERM)
		out_error("permission denied on sift's maps under %s: they need root (CAP_BPF)",
			  c->pin_path);
	else if (err)
		out_error("open maps under %s: %s", c->pin_path, strerror(-err));
	return err;
}

/* --- stats ----------------------------------------------------------------- */

static int stats_show(struct cli *c, int argc, char **argv)
{
	struct sift_stats sum;
	struct sift_maps m;
	const char *group = NULL;
	int err, shown = 0;

	if ((err = no_args(argc, argv, "stats show")))
		return err;
	if (cli_open_maps(c, &m))
		return SIFTCTL_EXIT_FAIL;
	err = sift_stats_sum(m.stats, &sum);
	sift_maps_close(&m);
	if (err) {
		out_error("read counters: %s", strerror(-err));
		return SIFTCTL_EXIT_FAIL;
	}

	out_open_obj(NULL);
	for (int i = 0; i < SIFT_STAT__MAX; i++) {
		/* Reason groups are long: text shows the reasons that happened. */
		bool sparse = !strncmp(sift_stat_group(i), "sip_", 4) ||
			      !strcmp(sift_stat_group(i), "shield");
		bool show = !sparse || sum.c[i].packets;

		if (!group || strcmp(group, sift_stat_group(i))) {
			if (group) {
				if (!shown)
					out_text("  (none)\n");
				out_close_obj();
				out_text("\n");
			}
			group = sift_stat_group(i);
			shown = 0;
			out_open_obj(group);
			out_text("%-16s %16s %18s\n", group, "packets", "bytes");
		}
		out_open_obj(sift_stat_name(i));
		if (show) {
			out_text("  %-22s", sift_stat_name(i));
			shown++;
		}
		out_u64("packets", show ? " %8llu" : NULL, sum.c[i].packets);
		out_u64("bytes", show ? " %18llu\n" : NULL, sum.c[i].bytes);
		out_close_obj();
	}
	if (group) {
		if (!shown)
			out_text("  (none)\n");
		out_close_obj();
	}
	{
		/* siftd's connections and the connection shield, when siftd runs */
		json_t *req = json_pack("{s:s}", "cmd", "daemon"), *ans;
		char err[256];

		ans = sift_ctl_call(c->run_dir, req, err, sizeof(err));
		json_decref(req);
		if (ans && json_object_get(ans, "punted")) {
			out_text("\n");
			cli_show_connections(json_object_get(json_object_get(ans, "punted"), "connections"));
		}
		json_decref(ans);
	}
	out_close_obj();
	return 0;
}

static int stats_reset(struct cli *c, int argc, char **argv)
{
	struct sift_maps m;
	int err;

	if ((err = no_args(argc, argv, "stats reset")))
		return err;
	if (cli_open_maps(c, &m))
		return SIFTCTL_EXIT_FAIL;
	err = sift_stats_reset(m.stats);
	sift_maps_close(&m);
	if (err) {
		out_error("reset counters: %s", strerror(-err));
		return SIFTCTL_EXIT_FAIL;
	}
	out_open_obj(NULL);
	out_bool("reset", NULL, true);
	out_close_obj();
	out_text("counters reset\n");
	return 0;
}

static const struct cmd stats_cmds[] = {
	CMD("show", stats_show, "counters per class, parser verdict and reason, and XDP action"),
	CMD("reset", stats_reset, "set every counter to zero"),
	{},
};

/* --- prog ------------------------------------------------------------------ */

/* Is the program with @id loaded, and what is it called? */
static bool prog_alive(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return false;
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
		snprintf(name, len, "%s", info.name);
	close(fd);
	return true;
}

static int prog_show(struct cli *c, int argc, char **argv)
{
	struct sift_config cfg = {};
	struct sift_maps m;
	const char *transit;
	__u32 key, next, zero = 0;
	int err, n = 0;

	if ((err = no_args(argc, argv, "prog show")))
		return err;
	if (cli_open_maps(c, &m))
		return SIFTCTL_EXIT_FAIL;
	/* what the program does with transit, as it reads it: with or without siftd */
	bpf_map_lookup_elem(m.config, &zero, &cfg);
	transit = sift_transit_name(cfg.flags & SIFT_CFG_TRANSIT_ROUTE ? SIFT_TRANSIT_ROUTE :
									 SIFT_TRANSIT_DROP);

	out_open_arr(NULL);
	for (err = bpf_map_get_next_key(m.ifaces, NULL, &next); !err;
	     err = bpf_map_get_next_key(m.ifaces, &key, &next)) {
		struct sift_iface rec;
		char pname[BPF_OBJ_NAME_LEN] = "?", when[32] = "?";
		bool alive, daemon;
		time_t t;

		key = next;
		if (bpf_map_lookup_elem(m.ifaces, &key, &rec))
			continue;
		alive = prog_alive(rec.prog_id, pname, sizeof(pname));
		daemon = sift_siftd_alive(rec.siftd_pid);
		t = rec.attached_at;
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", localtime(&t));

		out_open_obj(NULL);
		out_str("ifname", "%s", rec.name);
		out_u64("ifindex", "(%llu):", rec.ifindex);
		out_str("mode", " %s", rec.mode == SIFT_MODE_SKB ? "skb" : "native");
		out_bool("fallback", rec.mode != rec.requested ? " (fallback)" : NULL,
			 rec.mode != rec.requested);
		out_u64("prog_id", " prog %llu", rec.prog_id);
		out_str("prog_name", " %s", pname);
		out_bool("loaded", alive ? NULL : " (gone)", alive);
		out_str("attach", " %s", rec.multiprog ? "dispatcher" : "alone");
		out_u64("siftd_pid", " siftd %llu", rec.siftd_pid);
		out_bool("siftd_running", daemon ? " (running)" : " (not running)", daemon);
		out_str("attached_at", " since %s", when);
		out_str("transit", ", transit %s\n", transit);
		out_close_obj();
		n++;
	}
	out_close_arr();
	sift_maps_close(&m);
	if (!n)
		out_text("sift_xdp is not attached anywhere\n");
	return 0;
}

static const struct cmd prog_cmds[] = {
	CMD("show", prog_show, "interfaces sift_xdp is attached to, mode, program id"),
	{},
};

/* --- top level --------------------------------------------------------------- */

static const struct cmd objects[] = {
	{ "stats", .sub = stats_cmds },
	{ "prog", .sub = prog_cmds },
	{ "sip", .sub = sip_cmds },
	{ "route", .sub = route_cmds },
	{ "group", .sub = group_cmds },
	{ "backend", .sub = backend_cmds },
	{ "live", .sub = live_cmds },
	{ "daemon", .sub = daemon_cmds },
	{ "shield", .sub = shield_cmds },
	{ "acl", .sub = acl_cmds },
	{ "limit", .sub = limit_cmds },
	{ "ban", .sub = ban_cmds },
	{ "trace", .sub = NULL }, /* trace_cmd: its arguments follow it directly */
	{},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: siftctl [OPTIONS] OBJECT { COMMAND | help } [ARGS]\n"
		   "\n"
		   "OPTIONS:\n"
		   "  -j, --json             JSON output\n"
		   "  -p, --pretty           indented JSON (implies -j)\n"
		   "  -P, --pin-path DIR     where sift's maps are pinned (default %s,\n"
		   "                         or $SIFT_PIN_PATH)\n"
		   "  -R, --run-dir DIR      siftd's run directory, for its control socket\n"
		   "                         (default %s, or $SIFT_RUN_DIR)\n"
		   "  -h, --help             this text\n"
		   "\n"
		   "OBJECT := { stats | prog | sip | route | group | backend | live | daemon |\n"
		   "            shield | acl | limit | ban | trace }\n",
		SIFT_PIN_PATH_DEFAULT, SIFT_RUN_DIR_DEFAULT);
}

static void print_obj(const struct cmd *o)
{
	if (o->sub)
		print_cmds(o->name, o->sub);
	else
		printf("  siftctl %-18s %s\n", trace_cmd.name, trace_cmd.help);
}

static void help(void)
{
	usage(stdout);
	printf("\n");
	for (const struct cmd *o = objects; o->name; o++)
		print_obj(o);
	printf("\nExit status: 0 success, 1 runtime error, 2 usage error.\n");
}

int siftctl_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "pin-path", required_argument, NULL, 'P' },
		{ "run-dir", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct cli c = { .pin_path = getenv("SIFT_PIN_PATH"), .run_dir = getenv("SIFT_RUN_DIR") };
	bool json = false, pretty = false;
	const struct cmd *obj;
	int opt, ret;

	if (!c.pin_path || !*c.pin_path)
		c.pin_path = SIFT_PIN_PATH_DEFAULT;
	if (!c.run_dir || !*c.run_dir)
		c.run_dir = SIFT_RUN_DIR_DEFAULT;
	optind = 1;
	/* '+': options end at the object, so command arguments may start with '-'. */
	while ((opt = getopt_long(argc, argv, "+jpP:R:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'p':
			json = pretty = true;
			break;
		case 'P':
			c.pin_path = optarg;
			break;
		case 'R':
			c.run_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return SIFTCTL_EXIT_OK;
		default:
			usage(stderr);
			return SIFTCTL_EXIT_USAGE;
		}
	}
	out_init(stdout, json, pretty);
	if (optind >= argc) {
		usage(stderr);
		return SIFTCTL_EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		/* `siftctl help OBJECT`: that object's commands, as `siftctl OBJECT help` */
		if (optind + 1 < argc) {
			obj = lookup(objects, "object", argv[optind + 1]);
			if (!obj)
				return SIFTCTL_EXIT_USAGE;
			print_obj(obj);
			return SIFTCTL_EXIT_OK;
		}
		help();
		return SIFTCTL_EXIT_OK;
	}
	obj = lookup(objects, "object", argv[optind]);
	if (!obj)
		return SIFTCTL_EXIT_USAGE;
	if (!obj->sub)
		ret = trace_cmd.fn(&c, argc - optind - 1, argv + optind + 1);
	else
		ret = dispatch(&c, obj->name, obj->sub, argc - optind - 1, argv + optind + 1);
	if (out_flush() && !ret)
		ret = SIFTCTL_EXIT_FAIL;
	return ret;
}
