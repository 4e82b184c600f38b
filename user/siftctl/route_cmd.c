// SPDX-License-Identifier: GPL-2.0
/*
 * siftctl route|group|backend|live|daemon: routing as siftd runs it, and live
 * changes to it.  These talk to siftd over its control socket; siftd checks
 * a change, installs it into the fast path and keeps it across reloads and
 * restarts (`live clear` goes back to the file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli_priv.h"
#include "ctl.h"
#include "out.h"

/* ADDR, ADDR:PORT, [V6] or [V6]:PORT into the change's address and port. */
static int put_hostport(json_t *op, const char *arg, const char *cmd)
{
	char host[SIFT_ADDRSTRLEN + 2];
	const char *colon = strrchr(arg, ':'), *portstr = NULL;
	struct sift_addr a;
	unsigned int port;
	size_t hl = strlen(arg);

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');

		if (close && close[1] == ':')
			portstr = close + 2;
		else if (!close || close[1])
			goto bad;
		hl = close + 1 - arg;
	} else if (colon && strchr(arg, ':') == colon) {
		portstr = colon + 1;
		hl = colon - arg;
	}
	if (hl >= sizeof(host))
		goto bad;
	memcpy(host, arg, hl);
	host[hl] = '\0';
	if (sift_addr_parse(host, &a))
		goto bad;
	json_object_set_new(op, "address", json_string(host));
	if (portstr) {
		if (cli_uint(portstr, 65535, &port) || !port)
			goto bad;
		json_object_set_new(op, "port", json_integer(port));
	}
	return 0;
bad:
	out_error("%s: '%s' is not ADDRESS[:PORT]", cmd, arg);
	return -1;
}

/* ---- route ------------------------------------------------------------------------------ */

static const char *prefix_arg(const char *a)
{
	return !strcmp(a, "default") ? "" : a;
}

static int route_change(struct cli *c, int argc, char **argv, const char *what)
{
	static const char *const keys[] = { "domain", "group", "record-route", NULL };
	char cmd[32], done[128];
	struct cli_kv kv[4];
	const char *v;
	json_t *op;
	int n;

	snprintf(cmd, sizeof(cmd), "route %s", what);
	if (argc < 1) {
		out_error("%s: which prefix? (digits and '+', or 'default')", cmd);
		return SIFTCTL_EXIT_USAGE;
	}
	n = cli_pairs(argc - 1, argv + 1, keys, kv, 4, cmd);
	if (n < 0)
		return SIFTCTL_EXIT_USAGE;
	op = json_pack("{s:s+, s:s}", "op", "route.", what, "prefix", prefix_arg(argv[0]));
	if ((v = cli_kv(kv, n, "domain")))
		json_object_set_new(op, "domain", json_string(v));
	if (strcmp(what, "del")) {
		if ((v = cli_kv(kv, n, "group")))
			json_object_set_new(op, "group", json_string(v));
		else if (!strcmp(what, "add")) {
			json_decref(op);
			out_error("%s: 'group NAME' is required", cmd);
			return SIFTCTL_EXIT_USAGE;
		}
		if ((v = cli_kv(kv, n, "record-route"))) {
			if (strcmp(v, "on") && strcmp(v, "off")) {
				json_decref(op);
				out_error("%s: record-route is on or off", cmd);
				return SIFTCTL_EXIT_USAGE;
			}
			json_object_set_new(op, "record_route", json_boolean(!strcmp(v, "on")));
		}
	} else if (cli_kv(kv, n, "group") || cli_kv(kv, n, "record-route")) {
		json_decref(op);
		out_error("%s: takes only the prefix and its domain", cmd);
		return SIFTCTL_EXIT_USAGE;
	}
	snprintf(done, sizeof(done), "route %s: %s", what, argv[0]);
	return cli_change(c, op, done);
}

static int route_add(struct cli *c, int argc, char **argv)
{
	return route_change(c, argc, argv, "add");
}

static int route_set(struct cli *c, int argc, char **argv)
{
	return route_change(c, argc, argv, "set");
}

static int route_del(struct cli *c, int argc, char **argv)
{
	return route_change(c, argc, argv, "del");
}

static int route_show(struct cli *c, int argc, char **argv)
{
	json_t *ans, *r;
	size_t i;

	if (argc) {
		out_error("route show: unexpected argument '%s'", argv[0]);
		return SIFTCTL_EXIT_USAGE;
	}
	ans = cli_call(c, json_pack("{s:s}", "cmd", "show"));
	if (!ans)
		return cli_failed(c);
	out_open_arr(NULL);
	out_text("%-20s %-24s %-16s %-5s %s\n", "PREFIX", "DOMAIN", "GROUP", "RR", "ORIGIN");
	json_array_foreach(json_object_get(ans, "routes"), i, r)
	{
		const char *p = json_string_value(json_object_get(r, "prefix"));
		const char *d = json_string_value(json_object_get(r, "domain"));

		out_open_obj(NULL);
		out_str("prefix", NULL, p);
		out_text("%-20s ", *p ? p : "(default)");
		out_str("domain", NULL, d);
		out_text("%-24s ", *d ? d : "*");
		out_str("group", "%-16s ", json_string_value(json_object_get(r, "group")));
		out_bool("record_route", json_is_true(json_object_get(r, "record_route")) ?
						  "%-5s " :
						  NULL,
			 json_is_true(json_object_get(r, "record_route")));
		if (!json_is_true(json_object_get(r, "record_route")))
			out_text("%-5s ", "-");
		out_str("origin", "%s\n", json_string_value(json_object_get(r, "origin")));
		out_close_obj();
	}
	out_close_arr();
	json_decref(ans);
	return SIFTCTL_EXIT_OK;
}

/* ---- group and backend ------------------------------------------------------------------- */

static void print_backend(json_t *b)
{
	json_t *share = json_object_get(b, "share"), *rtt = json_object_get(b, "rtt_ms");
	const char *addr = json_string_value(json_object_get(b, "address"));
	const char *health = json_string_value(json_object_get(b, "health"));
	char hp[SIFT_ADDRSTRLEN + 10];
	long long port = json_integer_value(json_object_get(b, "port"));

	snprintf(hp, sizeof(hp), strchr(addr, ':') ? "[%s]:%lld" : "%s:%lld", addr, port);
	out_open_obj(NULL);
	out_str("group", "  %-12s", json_string_value(json_object_get(b, "group")));
	out_str("address", NULL, addr);
	out_u64("port", NULL, port);
	out_text(" %-28s", hp);
	out_u64("weight", " %6llu", json_integer_value(json_object_get(b, "weight")));
	out_str("state", " %-6s", json_string_value(json_object_get(b, "state")));
	out_str("effective", " %-9s", json_string_value(json_object_get(b, "effective")));
	out_str("health", " %-12s", health ? health : "-");
	out_float("share", share ? " %5.1f%%" : NULL, share ? 100 * json_real_value(share) : 0);
	if (!share)
		out_text(" %6s", "-");
	out_float("rtt_ms", rtt ? " %7.2f" : NULL, rtt ? json_real_value(rtt) : 0);
	if (!rtt)
		out_text(" %7s", "-");
	out_s64("id", " %4lld", json_integer_value(json_object_get(b, "id")));
	out_str("origin", " %s\n", json_string_value(json_object_get(b, "origin")));
	/* JSON only: what took it out of the table last, and how often the fast path's signs did */
	if (json_object_get(b, "out_icmp")) {
		out_str("out_why", NULL, json_string_value(json_object_get(b, "out_why")));
		out_u64("out_icmp", NULL, json_integer_value(json_object_get(b, "out_icmp")));
		out_u64("out_503", NULL, json_integer_value(json_object_get(b, "out_503")));
		out_u64("out_unanswered", NULL,
			json_integer_value(json_object_get(b, "out_unanswered")));
	}
	out_close_obj();
}

static const char backend_head[] = "  %-12s %-28s %6s %-6s %-9s %-12s %6s %7s %4s %s\n";

static int show_groups(struct cli *c, const char *only, bool flat)
{
	json_t *ans, *g, *b;
	size_t i, k;
	bool found = !only;

	ans = cli_call(c, json_pack("{s:s}", "cmd", "show"));
	if (!ans)
		return cli_failed(c);
	out_open_arr(NULL);
	if (flat)
		out_text(backend_head, "GROUP", "BACKEND", "WEIGHT", "STATE", "EFFECTIVE", "HEALTH",
			 "SHARE", "RTT(ms)", "ID", "ORIGIN");
	json_array_foreach(json_object_get(ans, "groups"), i, g)
	{
		const char *name = json_string_value(json_object_get(g, "name"));

		if (only && strcmp(only, name))
			continue;
		found = true;
		if (!flat) {
			out_open_obj(NULL);
			out_str("name", "group %s", name);
			out_s64("index", " (table %lld,", json_integer_value(json_object_get(g, "index")));
			out_str("origin", " %s)\n", json_string_value(json_object_get(g, "origin")));
			out_open_arr("backends");
			if (json_array_size(json_object_get(g, "backends")))
				out_text(backend_head, "GROUP", "BACKEND", "WEIGHT", "STATE",
					 "EFFECTIVE", "HEALTH", "SHARE", "RTT(ms)", "ID", "ORIGIN");
			else
				out_text("  (no backends)\n");
		}
		json_array_foreach(json_object_get(g, "backends"), k, b)
			print_backend(b);
		if (!flat) {
			out_close_arr();
			out_close_obj();
		}
	}
	out_close_arr();
	json_decref(ans);
	if (!found) {
		out_error("no group '%s'", only);
		return SIFTCTL_EXIT_FAIL;
	}
	return SIFTCTL_EXIT_OK;
}

static int group_show(struct cli *c, int argc, char **argv)
{
	if (argc > 1) {
		out_error("group show: unexpected argument '%s'", argv[1]);
		return SIFTCTL_EXIT_USAGE;
	}
	return show_groups(c, argc ? argv[0] : NULL, false);
}

static int group_change(struct cli *c, int argc, char **argv, const char *what)
{
	char done[96];

	if (argc != 1) {
		out_error("group %s NAME", what);
		return SIFTCTL_EXIT_USAGE;
	}
	snprintf(done, sizeof(done), "group %s: %s", what, argv[0]);
	return cli_change(c, json_pack("{s:s+, s:s}", "op", "group.", what, "name", argv[0]),
			   done);
}

static int group_add(struct cli *c, int argc, char **argv)
{
	return group_change(c, argc, argv, "add");
}

static int group_del(struct cli *c, int argc, char **argv)
{
	return group_change(c, argc, argv, "del");
}

static int backend_show(struct cli *c, int argc, char **argv)
{
	if (argc > 1) {
		out_error("backend show: unexpected argument '%s'", argv[1]);
		return SIFTCTL_EXIT_USAGE;
	}
	return show_groups(c, argc ? argv[0] : NULL, true);
}

static int backend_change(struct cli *c, int argc, char **argv, const char *what)
{
	static const char *const keys_add[] = { "port", "weight", "state", NULL };
	static const char *const keys_del[] = { "port", NULL };
	char cmd[32], done[160];
	struct cli_kv kv[3];
	unsigned int u;
	const char *v;
	json_t *op;
	int n;

	snprintf(cmd, sizeof(cmd), "backend %s", what);
	if (argc < 2) {
		out_error("%s GROUP ADDRESS[:PORT]%s", cmd,
			  strcmp(what, "del") ? " [weight W] [state up|drain|down]" : "");
		return SIFTCTL_EXIT_USAGE;
	}
	n = cli_pairs(argc - 2, argv + 2, strcmp(what, "del") ? keys_add : keys_del, kv, 3, cmd);
	if (n < 0)
		return SIFTCTL_EXIT_USAGE;
	op = json_pack("{s:s+, s:s}", "op", "backend.", what, "group", argv[0]);
	if (put_hostport(op, argv[1], cmd))
		goto usage;
	if ((v = cli_kv(kv, n, "port"))) {
		if (cli_uint(v, 65535, &u) || !u) {
			out_error("%s: port must be 1 to 65535", cmd);
			goto usage;
		}
		json_object_set_new(op, "port", json_integer(u));
	}
	if ((v = cli_kv(kv, n, "weight"))) {
		if (cli_uint(v, 1000000, &u) || !u) {
			out_error("%s: weight must be 1 to 1000000", cmd);
			goto usage;
		}
		json_object_set_new(op, "weight", json_integer(u));
	}
	if ((v = cli_kv(kv, n, "state")))
		json_object_set_new(op, "state", json_string(v));
	snprintf(done, sizeof(done), "backend %s: %s in %s", what, argv[1], argv[0]);
	return cli_change(c, op, done);
usage:
	json_decref(op);
	return SIFTCTL_EXIT_USAGE;
}

static int backend_add(struct cli *c, int argc, char **argv)
{
	return backend_change(c, argc, argv, "add");
}

static int backend_set(struct cli *c, int argc, char **argv)
{
	return backend_change(c, argc, argv, "set");
}

static int backend_del(struct cli *c, int argc, char **argv)
{
	return backend_change(c, argc, argv, "del");
}

/* ---- live and daemon ------------------------------------------------------------------------ */

static int live_show(struct cli *c, int argc, char **argv)
{
	json_t *ans, *op;
	size_t i;

	(void)argv;
	if (argc) {
		out_error("live show: no arguments");
		return SIFTCTL_EXIT_USAGE;
	}
	ans = cli_call(c, json_pack("{s:s}", "cmd", "live.show"));
	if (!ans)
		return cli_failed(c);
	out_open_arr(NULL);
	json_array_foreach(json_object_get(ans, "changes"), i, op)
	{
		char *text = json_dumps(op, JSON_COMPACT);

		out_text("%zu: %s\n", i + 1, text ? text : "?");
		free(text);
		if (out_is_json()) {
			/* the change as it is kept */
			out_open_obj(NULL);
			const char *key;
			json_t *v;

			json_object_foreach(op, key, v)
			{
				if (json_is_string(v))
					out_str(key, NULL, json_string_value(v));
				else if (json_is_integer(v))
					out_s64(key, NULL, json_integer_value(v));
				else if (json_is_boolean(v))
					out_bool(key, NULL, json_is_true(v));
			}
			out_close_obj();
		}
	}
	if (!json_array_size(json_object_get(ans, "changes")))
		out_text("no live changes: the configuration file's routing runs\n");
	out_close_arr();
	json_decref(ans);
	return SIFTCTL_EXIT_OK;
}

static int live_clear(struct cli *c, int argc, char **argv)
{
	json_t *ans;

	(void)argv;
	if (argc) {
		out_error("live clear: no arguments");
		return SIFTCTL_EXIT_USAGE;
	}
	ans = cli_call(c, json_pack("{s:s}", "cmd", "live.clear"));
	if (!ans)
		return cli_failed(c);
	out_open_obj(NULL);
	out_s64("cleared", "%lld live changes dropped; the file's routing runs\n",
		json_integer_value(json_object_get(ans, "cleared")));
	out_close_obj();
	json_decref(ans);
	return SIFTCTL_EXIT_OK;
}

/* The counters of object @name in @r: " (key n, ...)" in text, the lot in JSON. */
static void daemon_show_counts(json_t *r, const char *name)
{
	json_t *v;
	const char *key;
	int shown = 0;

	out_open_obj(name);
	json_object_foreach(json_object_get(r, name), key, v)
	{
		long long n = json_integer_value(v);

		if (n)
			out_text("%s%s ", shown++ ? ", " : " (", key);
		out_s64(key, n ? "%lld" : NULL, n);
	}
	out_text("%s", shown ? ")" : "");
	out_close_obj();
}

void cli_show_connections(json_t *cn)
{
	json_t *v;
	size_t i;

	out_open_obj("connections");
	out_s64("open", "connections: %lld open", json_integer_value(json_object_get(cn, "open")));
	out_s64("tls", " (%lld TLS,", json_integer_value(json_object_get(cn, "tls")));
	out_s64("ktls", " %lld on kTLS,", json_integer_value(json_object_get(cn, "ktls")));
	out_s64("trusted", " %lld trusted peers,", json_integer_value(json_object_get(cn, "trusted")));
	out_s64("outbound", " %lld opened by siftd,", json_integer_value(json_object_get(cn, "outbound")));
	out_s64("unauthenticated", " %lld before their first message)",
		json_integer_value(json_object_get(cn, "unauthenticated")));
	out_s64("capacity", " of %lld\n", json_integer_value(json_object_get(cn, "capacity")));
	out_s64("accepted", "  accepted %lld,", json_integer_value(json_object_get(cn, "accepted")));
	out_s64("opened", " opened %lld,", json_integer_value(json_object_get(cn, "opened")));
	out_s64("handshakes", " TLS handshakes %lld", json_integer_value(json_object_get(cn, "handshakes")));
	out_s64("ktls_handshakes", " (kTLS %lld),", json_integer_value(json_object_get(cn, "ktls_handshakes")));
	out_s64("messages", " messages %lld,", json_integer_value(json_object_get(cn, "messages")));
	out_s64("pings", " keep-alive pings %lld,", json_integer_value(json_object_get(cn, "pings")));
	out_s64("aliases", " aliases %lld,", json_integer_value(json_object_get(cn, "aliases")));
	out_s64("bytes_in", " bytes in %lld,", json_integer_value(json_object_get(cn, "bytes_in")));
	out_s64("bytes_out", " out %lld\n", json_integer_value(json_object_get(cn, "bytes_out")));
	out_text("  refused by the connection shield:");
	daemon_show_counts(cn, "refused");
	out_text("\n  closed:");
	daemon_show_counts(cn, "closed");
	out_text("\n  listening:");
	out_open_arr("listeners");
	json_array_foreach(json_object_get(cn, "listeners"), i, v)
	{
		out_open_obj(NULL);
		out_str("transport", " %s", json_string_value(json_object_get(v, "transport")));
		out_s64("port", " %lld", json_integer_value(json_object_get(v, "port")));
		out_str("family", " (%s)", json_string_value(json_object_get(v, "family")));
		out_close_obj();
	}
	out_close_arr();
	out_text("\n");
	out_close_obj();
}

/* What the fast path could not read whole, and what siftd's shield dropped of it, by reason. */
static void daemon_show_reassembled(json_t *r)
{
	out_open_obj("reassembled");
	out_s64("messages", "  reassembled from fragments: %lld,",
		json_integer_value(json_object_get(r, "messages")));
	out_s64("ip6_ext_headers", " behind IPv6 extension headers: %lld,",
		json_integer_value(json_object_get(r, "ip6_ext_headers")));
	out_s64("dropped", " dropped by the shield: %lld",
		json_integer_value(json_object_get(r, "dropped")));
	daemon_show_counts(r, "shield");
	out_text("\n");
	out_close_obj();
}

/* What siftd sent on with the fast path's decision, and why the rest did not go. */
static void daemon_show_forwarded(json_t *p)
{
	json_t *f = json_object_get(p, "forwarded");

	out_open_obj("forwarded");
	out_s64("requests", "  sent on by siftd: %lld requests,",
		json_integer_value(json_object_get(f, "requests")));
	out_s64("responses", " %lld responses", json_integer_value(json_object_get(f, "responses")));
	out_s64("fragmented", " (%lld fragmented by the kernel,",
		json_integer_value(json_object_get(f, "fragmented")));
	out_s64("max_forwards_added", " %lld with Max-Forwards added,",
		json_integer_value(json_object_get(f, "max_forwards_added")));
	out_s64("no_egress", " %lld with no interface of sift's on the way,",
		json_integer_value(json_object_get(f, "no_egress")));
	out_s64("send_failed", " %lld refused by the kernel)\n",
		json_integer_value(json_object_get(f, "send_failed")));
	out_s64("streamed", "  sent on connections: %lld,", json_integer_value(json_object_get(f, "streamed")));
	out_s64("large_tcp", " %lld of them requests too large for UDP,",
		json_integer_value(json_object_get(f, "large_tcp")));
	out_s64("rr_doubled", " Record-Route doubled across transports %lld times,",
		json_integer_value(json_object_get(f, "rr_doubled")));
	out_s64("no_connection", " responses whose connection had gone: %lld\n",
		json_integer_value(json_object_get(f, "no_connection")));
	out_s64("registers", "  REGISTERs sent to a registrar with sift's Path: %lld,",
		json_integer_value(json_object_get(f, "registers")));
	out_s64("to_flows", " requests sent to a UA's flow: %lld,",
		json_integer_value(json_object_get(f, "to_flows")));
	out_close_obj();
	out_s64("flows_forged", " Routes naming a flow sift did not record: %lld\n",
		json_integer_value(json_object_get(p, "flows_forged")));
	out_s64("loops", "  loops answered 482: %lld,", json_integer_value(json_object_get(p, "loops")));
	out_s64("spirals", " spirals sent on: %lld;", json_integer_value(json_object_get(p, "spirals")));
	out_text(" requests answered instead of sent on:");
	daemon_show_counts(p, "not_forwarded");
	out_text("\n");
}

/* Requests to next hops by name: siftd's client transactions and its resolver. */
static void daemon_show_by_name(json_t *b)
{
	json_t *t = json_object_get(b, "transactions"), *d = json_object_get(b, "dns");

	out_open_obj("by_name");
	out_s64("requests", "  to next hops by name: %lld requests,",
		json_integer_value(json_object_get(b, "requests")));
	out_s64("responses", " %lld responses passed back,",
		json_integer_value(json_object_get(b, "responses")));
	out_s64("foreign", " %lld from another than the target dropped,",
		json_integer_value(json_object_get(b, "foreign")));
	out_s64("no_target", " %lld names without an address,",
		json_integer_value(json_object_get(b, "no_target")));
	out_s64("relay_denied", " %lld addresses the relay policy refused,",
		json_integer_value(json_object_get(b, "relay_denied")));
	out_s64("acks_sent", " %lld ACKs sent,", json_integer_value(json_object_get(b, "acks_sent")));
	out_s64("acks_absorbed", " %lld absorbed,",
		json_integer_value(json_object_get(b, "acks_absorbed")));
	out_s64("cancels", " %lld CANCELs,", json_integer_value(json_object_get(b, "cancels")));
	out_s64("timeouts", " %lld timed out (408)\n", json_integer_value(json_object_get(b, "timeouts")));
	out_open_obj("transactions");
	out_s64("in_use", "  client transactions: %lld", json_integer_value(json_object_get(t, "in_use")));
	out_s64("capacity", " of %lld in use,", json_integer_value(json_object_get(t, "capacity")));
	out_s64("created", " %lld made,", json_integer_value(json_object_get(t, "created")));
	out_s64("completed", " %lld completed,", json_integer_value(json_object_get(t, "completed")));
	out_s64("retransmitted", " %lld retransmissions,",
		json_integer_value(json_object_get(t, "retransmitted")));
	out_s64("failovers", " %lld failovers,", json_integer_value(json_object_get(t, "failovers")));
	out_s64("timed_out", " %lld timed out,", json_integer_value(json_object_get(t, "timed_out")));
	out_s64("shed", " %lld shed (table full)\n", json_integer_value(json_object_get(t, "shed")));
	out_close_obj();
	out_open_obj("dns");
	out_s64("lookups", "  DNS: %lld lookups,", json_integer_value(json_object_get(d, "lookups")));
	out_s64("cache_hits", " %lld from the cache,",
		json_integer_value(json_object_get(d, "cache_hits")));
	out_s64("queries", " %lld queries,", json_integer_value(json_object_get(d, "queries")));
	out_s64("failures", " %lld names failed,", json_integer_value(json_object_get(d, "failures")));
	out_s64("under_way", " %lld under way,", json_integer_value(json_object_get(d, "under_way")));
	out_s64("jobs_full", " %lld refused (too many under way)\n",
		json_integer_value(json_object_get(d, "jobs_full")));
	out_close_obj();
	out_close_obj();
}

/* The replies siftd made itself (reply.h), and those it did not send. */
static void daemon_show_replies(json_t *r)
{
	out_open_obj("replies");
	out_s64("sent", "  local replies sent: %lld", json_integer_value(json_object_get(r, "sent")));
	daemon_show_counts(r, "by_code");
	out_s64("stun", ", STUN answers: %lld", json_integer_value(json_object_get(r, "stun")));
	out_s64("limited", ", %lld over a source's share,",
		json_integer_value(json_object_get(r, "limited")));
	out_s64("not_built", " %lld not built (a header missing)\n",
		json_integer_value(json_object_get(r, "not_built")));
	out_close_obj();
}

/* siftd's server transactions: in use, and what their timers and ACKs did. */
static void daemon_show_txns(json_t *r)
{
	out_open_obj("transactions");
	out_s64("in_use", "  transactions: %lld", json_integer_value(json_object_get(r, "in_use")));
	out_s64("capacity", " of %lld in use,", json_integer_value(json_object_get(r, "capacity")));
	out_s64("created", " %lld made,", json_integer_value(json_object_get(r, "created")));
	out_s64("retransmitted", " %lld responses retransmitted (Timer G),",
		json_integer_value(json_object_get(r, "retransmitted")));
	out_s64("resent", " %lld resent to retransmitted requests,",
		json_integer_value(json_object_get(r, "resent")));
	out_s64("acks", " %lld ACKs", json_integer_value(json_object_get(r, "acks")));
	out_s64("absorbed", " (%lld confirming),", json_integer_value(json_object_get(r, "absorbed")));
	out_s64("timed_out", " %lld without an ACK (Timer H),",
		json_integer_value(json_object_get(r, "timed_out")));
	out_s64("shed", " %lld replies without one (table full),",
		json_integer_value(json_object_get(r, "shed")));
	out_s64("foreign", " %lld copies from another address ignored\n",
		json_integer_value(json_object_get(r, "foreign")));
	out_close_obj();
}

/*
 * Reload and say how it went: exit 0 when the new configuration runs, 1 when siftd kept
 * the running one (its errors with file:line:col).
 */
static int daemon_reload(struct cli *c, int argc, char **argv)
{
	json_t *ans, *v;
	size_t i;
	bool ok;

	(void)argv;
	if (argc) {
		out_error("daemon reload: no arguments");
		return SIFTCTL_EXIT_USAGE;
	}
	ans = cli_call(c, json_pack("{s:s}", "cmd", "reload"));
	if (!ans)
		return cli_failed(c);
	ok = json_is_true(json_object_get(ans, "ok"));
	out_open_obj(NULL);
	out_bool("ok", NULL, ok);
	out_str("config", ok ? "reloaded %s\n" : "%s: not reloaded; the running configuration stays\n",
		json_string_value(json_object_get(ans, "config")));
	out_open_arr("errors");
	json_array_foreach(json_object_get(ans, "errors"), i, v)
		out_str(NULL, "  error: %s\n", json_string_value(v));
	out_close_arr();
	out_open_arr("warnings");
	json_array_foreach(json_object_get(ans, "warnings"), i, v)
		out_str(NULL, "  warning: %s\n", json_string_value(v));
	out_close_arr();
	out_close_obj();
	json_decref(ans);
	return ok ? SIFTCTL_EXIT_OK : SIFTCTL_EXIT_FAIL;
}

static int daemon_show(struct cli *c, int argc, char **argv)
{
	json_t *ans, *p, *pr, *m, *v;
	const char *key;
	size_t i;

	(void)argv;
	if (argc) {
		out_error("daemon show: no arguments");
		return SIFTCTL_EXIT_USAGE;
	}
	ans = cli_call(c, json_pack("{s:s}", "cmd", "daemon"));
	if (!ans)
		return cli_failed(c);
	p = json_object_get(ans, "punted");
	pr = json_object_get(ans, "probes");
	out_open_obj(NULL);
	out_s64("pid", "siftd pid %lld", json_integer_value(json_object_get(ans, "pid")));
	out_str("config", ", config %s", json_string_value(json_object_get(ans, "config")));
	out_s64("live_changes", ", %lld live changes\n",
		json_integer_value(json_object_get(ans, "live_changes")));
	out_str("pin_path", NULL, json_string_value(json_object_get(ans, "pin_path")));
	out_str("run_dir", NULL, json_string_value(json_object_get(ans, "run_dir")));
	out_open_obj("punted");
	out_s64("messages", "punted to siftd: %lld messages", json_integer_value(json_object_get(p, "messages")));
	out_s64("bytes", " (%lld bytes):", json_integer_value(json_object_get(p, "bytes")));
	out_s64("requests", " %lld requests,", json_integer_value(json_object_get(p, "requests")));
	out_s64("responses", " %lld responses,", json_integer_value(json_object_get(p, "responses")));
	out_s64("malformed", " %lld malformed\n", json_integer_value(json_object_get(p, "malformed")));
	daemon_show_reassembled(json_object_get(p, "reassembled"));
	out_s64("responses_forwarded", "  responses sent on by siftd: %lld",
		json_integer_value(json_object_get(p, "responses_forwarded")));
	out_s64("responses_refused", " (%lld could not go,",
		json_integer_value(json_object_get(p, "responses_refused")));
	out_s64("responses_forged", " %lld of them forged)\n",
		json_integer_value(json_object_get(p, "responses_forged")));
	daemon_show_forwarded(p);
	daemon_show_by_name(json_object_get(p, "by_name"));
	daemon_show_replies(json_object_get(p, "replies"));
	daemon_show_txns(json_object_get(p, "transactions"));
	out_s64("stream_messages", "  messages read on connections: %lld",
		json_integer_value(json_object_get(p, "stream_messages")));
	out_s64("stream_shielded", " (%lld dropped by the shield",
		json_integer_value(json_object_get(p, "stream_shielded")));
	daemon_show_counts(p, "stream_shield");
	out_text(")\n");
	cli_show_connections(json_object_get(p, "connections"));
	m = json_object_get(p, "by_method");
	out_open_obj("by_method");
	json_object_foreach(m, key, v)
	{
		out_text("  %-10s", key);
		out_s64(key, " %lld\n", json_integer_value(v));
	}
	out_close_obj();
	out_close_obj();
	out_open_obj("probes");
	out_s64("interval", "backend probes: every %llds", json_integer_value(json_object_get(pr, "interval")));
	out_s64("failures", ", unreachable after %lld misses;", json_integer_value(json_object_get(pr, "failures")));
	out_s64("backends", " %lld backends:", json_integer_value(json_object_get(pr, "backends")));
	out_s64("ok", " %lld ok,", json_integer_value(json_object_get(pr, "ok")));
	out_s64("unreachable", " %lld unreachable\n", json_integer_value(json_object_get(pr, "unreachable")));
	out_close_obj();
	out_str("transit", "transit: %s\n", json_string_value(json_object_get(ans, "transit")));
	out_open_arr("sysctls");
	json_array_foreach(json_object_get(ans, "sysctls"), i, v)
	{
		out_open_obj(NULL);
		out_str("sysctl", "  %s", json_string_value(json_object_get(v, "sysctl")));
		out_str("now", " = %s", json_string_value(json_object_get(v, "now")));
		out_str("was", " (was %s; put back when sift detaches)\n",
			json_string_value(json_object_get(v, "was")));
		out_close_obj();
	}
	out_close_arr();
	out_close_obj();
	json_decref(ans);
	return SIFTCTL_EXIT_OK;
}

const struct cmd route_cmds[] = {
	CMD("show", route_show, "routes: prefix, domain, group, Record-Route, where from"),
	CMD("add", route_add, "PREFIX|default [domain D] group G [record-route on|off]"),
	CMD("set", route_set, "PREFIX|default [domain D] [group G] [record-route on|off]"),
	CMD("del", route_del, "PREFIX|default [domain D]"),
	{},
};

const struct cmd group_cmds[] = {
	CMD("show", group_show, "[NAME]: groups and their backends"),
	CMD("add", group_add, "NAME"),
	CMD("del", group_del, "NAME (no route may use it)"),
	{},
};

const struct cmd backend_cmds[] = {
	CMD("show", backend_show, "[GROUP]: state, health, table share, probe RTT"),
	CMD("add", backend_add, "GROUP ADDR[:PORT] [weight W] [state up|drain|down]"),
	CMD("set", backend_set, "GROUP ADDR[:PORT] [weight W] [state up|drain|down]"),
	CMD("del", backend_del, "GROUP ADDR[:PORT]"),
	{},
};

const struct cmd live_cmds[] = {
	CMD("show", live_show, "the live changes siftd keeps on top of its file"),
	CMD("clear", live_clear, "drop them: the file's routing again"),
	{},
};

const struct cmd daemon_cmds[] = {
	CMD("show", daemon_show, "siftd: punted messages, backend probes"),
	CMD("reload", daemon_reload, ": read the configuration again; errors with file:line:col"),
	{},
};
