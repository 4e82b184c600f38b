// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration schema is a table of fields (name, kind, where it lands,
 * limits), walked over libyaml's node tree.  libyaml keeps the position of
 * every node, so every error, including semantic ones found after the value
 * was read (a bad address, a duplicate interface), is reported as
 * file:line:col: reason.  New settings are new table rows, never new string
 * compares scattered through the code.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include <sift/fwd.h>
#include <sift/sip.h>

#include "config.h"
#include "log.h"

enum cf_kind {
	CF_STR,
	CF_UINT,
	CF_BOOL,
	CF_ENUM,
	CF_ADDR,
	CF_PREFIX, /* struct sift_prefix: ADDR or ADDR/LEN */
	CF_NUM,    /* double, 0 to max */
	CF_MAP,
	CF_SEQ,
};

enum cf_flags {
	CF_REQUIRED = 1 << 0,
	CF_UNIQUE = 1 << 1, /* CF_SEQ: no two equal elements (by their first field for maps) */
	CF_LINE = 1 << 2,   /* CF_MAP: store the node's line at line_off */
};

struct cf_field {
	const char *name;
	enum cf_kind kind;
	size_t off;
	size_t size; /* CF_STR: buffer size; CF_UINT: width in bytes */
	unsigned long long min, max;
	const char *const *names;      /* CF_ENUM: value i is names[i]; NULL ends; "" skips */
	const struct cf_field *fields; /* CF_MAP: members; CF_SEQ: the element */
	size_t count_off;              /* CF_SEQ: unsigned int count */
	size_t max_count;
	size_t elem_size;
	size_t line_off;
	unsigned int flags;
	void (*init)(void *elem); /* CF_MAP in a CF_SEQ: defaults for a new element */
	/* CF_STR: what is wrong with the value (NULL: nothing), said at its position */
	const char *(*check)(const char *value);
};

#define CF_END { .name = NULL }

struct cf_ctx {
	yaml_document_t *doc;
	const char *file;
	char *err;
	size_t errlen;
};

static int cf_error(struct cf_ctx *cx, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cf_error(struct cf_ctx *cx, const yaml_node_t *node, const char *fmt, ...)
{
	int n = snprintf(cx->err, cx->errlen, "%s:%zu:%zu: ", cx->file,
			 node ? node->start_mark.line + 1 : 0, node ? node->start_mark.column + 1 : 0);
	va_list ap;

	if (n < 0 || (size_t)n >= cx->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(cx->err + n, cx->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *scalar(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

static int cf_parse_uint(const char *s, unsigned long long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static int cf_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };

	for (int i = 0; yes[i]; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static void store_uint(void *dst, size_t size, unsigned long long v)
{
	switch (size) {
	case 1:
		*(uint8_t *)dst = v;
		break;
	case 2:
		*(uint16_t *)dst = v;
		break;
	case 4:
		*(uint32_t *)dst = v;
		break;
	default:
		*(uint64_t *)dst = v;
	}
}

static int cf_load(struct cf_ctx *cx, const struct cf_field *f, yaml_node_t *node, void *obj);

static int cf_load_scalar(struct cf_ctx *cx, const struct cf_field *f, yaml_node_t *node,
			  void *dst)
{
	const char *s;
	unsigned long long v;

	if (node->type != YAML_SCALAR_NODE)
		return cf_error(cx, node, "'%s' must be a single value", f->name);
	s = scalar(node);

	switch (f->kind) {
	case CF_STR:
		if (strlen(s) >= f->size)
			return cf_error(cx, node, "'%s' is longer than %zu characters", f->name,
					f->size - 1);
		if (f->check && f->check(s))
			return cf_error(cx, node, "%s '%s': %s", f->name, s, f->check(s));
		strcpy(dst, s);
		return 0;
	case CF_UINT:
		if (cf_parse_uint(s, &v))
			return cf_error(cx, node, "'%s' must be a non-negative integer, not '%s'",
					f->name, s);
		if (v < f->min || v > f->max)
			return cf_error(cx, node, "'%s' must be between %llu and %llu, not %llu",
					f->name, f->min, f->max, v);
		store_uint(dst, f->size, v);
		return 0;
	case CF_BOOL:
		if (cf_parse_bool(s, dst))
			return cf_error(cx, node, "'%s' must be true or false, not '%s'", f->name, s);
		return 0;
	case CF_ENUM: {
		char choices[256] = "";
		size_t used = 0;

		for (int i = 0; f->names[i]; i++) {
			if (!*f->names[i])
				continue;
			if (!strcasecmp(s, f->names[i])) {
				*(int *)dst = i;
				return 0;
			}
			used += snprintf(choices + used, sizeof(choices) - used, "%s%s",
					 used ? ", " : "", f->names[i]);
			if (used >= sizeof(choices))
				break;
		}
		return cf_error(cx, node, "'%s' must be one of %s, not '%s'", f->name, choices, s);
	}
	case CF_ADDR:
		if (sift_addr_parse(s, dst))
			return cf_error(cx, node, "'%s': '%s' is not an IPv4 or IPv6 address", f->name,
					s);
		return 0;
	case CF_PREFIX:
		if (sift_prefix_parse(s, dst))
			return cf_error(cx, node,
					"'%s': '%s' is not an address or ADDRESS/LENGTH (bits past "
					"the length must be zero)",
					f->name, s);
		return 0;
	case CF_NUM: {
		char *end;
		double d;

		errno = 0;
		d = strtod(s, &end);
		if (errno || *end || end == s || !(d >= 0) || d > (double)f->max)
			return cf_error(cx, node, "'%s' must be a number from 0 to %llu, not '%s'",
					f->name, f->max, s);
		*(double *)dst = d;
		return 0;
	}
	default:
		return cf_error(cx, node, "internal: bad scalar kind for '%s'", f->name);
	}
}

static int cf_load_map(struct cf_ctx *cx, const struct cf_field *f, yaml_node_t *node, void *obj)
{
	const struct cf_field *m;
	yaml_node_pair_t *p;

	if (node->type != YAML_MAPPING_NODE)
		return cf_error(cx, node, "'%s' must be a mapping of key: value", f->name);
	if (f->flags & CF_LINE)
		*(int *)((char *)obj + f->line_off) = node->start_mark.line + 1;

	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(cx->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(cx->doc, p->value);
		yaml_node_pair_t *q;

		if (!k || k->type != YAML_SCALAR_NODE)
			return cf_error(cx, k, "keys in '%s' must be plain names", f->name);
		for (q = node->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = yaml_document_get_node(cx->doc, q->key);

			if (k2 && k2->type == YAML_SCALAR_NODE && !strcmp(scalar(k2), scalar(k)))
				return cf_error(cx, k, "'%s' is given twice in '%s'", scalar(k),
						f->name);
		}
		for (m = f->fields; m->name; m++)
			if (!strcmp(m->name, scalar(k)))
				break;
		if (!m->name)
			return cf_error(cx, k, "unknown setting '%s' in '%s'", scalar(k), f->name);
		if (cf_load(cx, m, v, obj))
			return -EINVAL;
	}

	for (m = f->fields; m->name; m++) {
		bool found = false;

		if (!(m->flags & CF_REQUIRED))
			continue;
		for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(cx->doc, p->key);

			found |= !strcmp(scalar(k), m->name);
		}
		if (!found)
			return cf_error(cx, node, "'%s' needs a '%s'", f->name, m->name);
	}
	return 0;
}

static int cf_load_seq(struct cf_ctx *cx, const struct cf_field *f, yaml_node_t *node, void *obj)
{
	unsigned int *count = (unsigned int *)((char *)obj + f->count_off);
	char *base = (char *)obj + f->off;
	const struct cf_field *e = f->fields;
	yaml_node_item_t *it;
	unsigned int n = 0;

	/* A single value where a list is expected is a list of one. */
	if (node->type != YAML_SEQUENCE_NODE) {
		if (e->kind == CF_MAP || node->type != YAML_SCALAR_NODE)
			return cf_error(cx, node, "'%s' must be a list", f->name);
		if (cf_load_scalar(cx, e, node, base))
			return -EINVAL;
		*count = 1;
		return 0;
	}

	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(cx->doc, *it);
		char *elem = base + (size_t)n * f->elem_size;

		if (n == f->max_count)
			return cf_error(cx, v, "'%s' holds at most %zu entries", f->name,
					f->max_count);
		memset(elem, 0, f->elem_size);
		if (e->init)
			e->init(elem);
		if (e->kind == CF_MAP ? cf_load_map(cx, e, v, elem) : cf_load_scalar(cx, e, v, elem))
			return -EINVAL;
		if (f->flags & CF_UNIQUE) {
			/* Maps are keyed by their first field, scalars by their value. */
			size_t klen = e->kind == CF_MAP ? e->fields[0].size : f->elem_size;
			size_t koff = e->kind == CF_MAP ? e->fields[0].off : 0;

			for (unsigned int i = 0; i < n; i++)
				if (!memcmp(base + (size_t)i * f->elem_size + koff, elem + koff,
					    klen))
					return cf_error(cx, v, "duplicate entry in '%s'", f->name);
		}
		n++;
	}
	*count = n;
	return 0;
}

static int cf_load(struct cf_ctx *cx, const struct cf_field *f, yaml_node_t *node, void *obj)
{
	switch (f->kind) {
	case CF_MAP:
		return cf_load_map(cx, f, node, (char *)obj + f->off);
	case CF_SEQ:
		return cf_load_seq(cx, f, node, obj);
	default:
		return cf_load_scalar(cx, f, node, (char *)obj + f->off);
	}
}

/* --- the schema ---------------------------------------------------------- */

static const char *const mode_names[] = { "", "native", "skb", NULL };
static const char *const log_level_names[] = { "error", "warn", "info", "debug", NULL };
static const char *const transit_names[] = { "drop", "route", NULL };

const char *sift_mode_name(int mode)
{
	return mode == SIFT_MODE_NATIVE ? "native" : mode == SIFT_MODE_SKB ? "skb" : "?";
}

const char *sift_transit_name(int transit)
{
	return transit >= 0 && transit <= SIFT_TRANSIT_ROUTE ? transit_names[transit] : "?";
}

#define STR(n, type, member, ...)                                                                  \
	{ .name = n, .kind = CF_STR, .off = offsetof(type, member),                               \
	  .size = sizeof(((type *)0)->member), __VA_ARGS__ }
#define UINT(n, type, member, lo, hi, ...)                                                         \
	{ .name = n, .kind = CF_UINT, .off = offsetof(type, member),                              \
	  .size = sizeof(((type *)0)->member), .min = lo, .max = hi, __VA_ARGS__ }
#define BOOL(n, type, member)                                                                      \
	{ .name = n, .kind = CF_BOOL, .off = offsetof(type, member) }
#define NUM(n, type, member, hi)                                                                   \
	{ .name = n, .kind = CF_NUM, .off = offsetof(type, member), .max = hi }
#define ENUM(n, type, member, choices)                                                             \
	{ .name = n, .kind = CF_ENUM, .off = offsetof(type, member), .names = choices }
#define SEQ(n, type, member, counter, elem, ...)                                                   \
	{ .name = n, .kind = CF_SEQ, .off = offsetof(type, member),                               \
	  .count_off = offsetof(type, counter),                                                   \
	  .max_count = sizeof(((type *)0)->member) / sizeof(((type *)0)->member[0]),              \
	  .elem_size = sizeof(((type *)0)->member[0]), .fields = elem, __VA_ARGS__ }
#define MAP(n, fieldtab, ...)                                                                      \
	{ .name = n, .kind = CF_MAP, .fields = fieldtab, __VA_ARGS__ }

/* ---- what some strings must be: checked where they are written -------------- */

static const char *check_host_name(const char *s)
{
	char norm[SIFT_NAME_MAX];

	return *s && sift_domain_norm(s, norm) ? "not a host name" : NULL;
}

/* What Via and Record-Route carry: a host name or an IP address. */
static const char *check_host(const char *s)
{
	struct sift_addr a;

	if (!*s || !sift_addr_parse(s, &a))
		return NULL;
	return check_host_name(s) ? "neither an IP address nor a host name" : NULL;
}

static const char *check_scanner(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s) || *s == '/' || *s == '(' || *s == ';')
			return "one User-Agent product token, without spaces, '/', '(' or ';'";
	return NULL;
}

static const struct cf_field addr_elem[] = {
	{ .name = "address", .kind = CF_ADDR },
	CF_END,
};

static const struct cf_field iface_fields[] = {
	STR("name", struct sift_iface_conf, name, .flags = CF_REQUIRED),
	ENUM("mode", struct sift_iface_conf, mode, mode_names),
	SEQ("addresses", struct sift_iface_conf, addrs, n_addrs, addr_elem, .flags = CF_UNIQUE),
	STR("advertise", struct sift_iface_conf, advertise, .check = check_host),
	UINT("port", struct sift_iface_conf, port, 1, 65535),
	CF_END,
};

static const struct cf_field iface_elem[] = {
	MAP("interface", iface_fields, .flags = CF_LINE,
	    .line_off = offsetof(struct sift_iface_conf, line)),
	CF_END,
};

static const struct cf_field port_elem[] = {
	{ .name = "port", .kind = CF_UINT, .size = sizeof(unsigned int), .min = 1, .max = 65535 },
	CF_END,
};

static const struct cf_field sip_fields[] = {
	SEQ("ports", struct sift_conf, sip_ports, n_sip_ports, port_elem, .flags = CF_UNIQUE),
	BOOL("forward", struct sift_conf, forward),
	UINT("nh_cache_ms", struct sift_conf, nh_cache_ms, 0, 60000),
	UINT("reply_rate", struct sift_conf, reply_rate, 1, 1000000),
	UINT("reply_burst", struct sift_conf, reply_burst, 1, 1000000),
	UINT("transactions", struct sift_conf, transactions, 16, 1048576),
	UINT("retry_after", struct sift_conf, retry_after, 0, 86400),
	UINT("client_transactions", struct sift_conf, client_transactions, 16, 65536),
	UINT("failover_ms", struct sift_conf, failover_ms, 100, 32000),
	CF_END,
};

static const struct cf_field metrics_fields[] = {
	STR("listen", struct sift_conf, metrics_listen),
	CF_END,
};

static const struct cf_field dns_fields[] = {
	STR("servers", struct sift_conf, dns_servers),
	CF_END,
};

static const struct cf_field health_fields[] = {
	UINT("interval", struct sift_conf, probe_interval, 0, 3600),
	UINT("failures", struct sift_conf, probe_failures, 1, 100),
	UINT("invite_timeout_ms", struct sift_conf, probe_invite_timeout_ms, 0, 60000),
	CF_END,
};

static const char *const tls_version_names[] = { "1.2", "1.3", NULL };

static const struct cf_field tcp_fields[] = {
	BOOL("enabled", struct sift_conf, tcp.enabled),
	UINT("max_connections", struct sift_conf, tcp.max_connections, 16, 1048576),
	UINT("per_source", struct sift_conf, tcp.per_source, 1, 1048576),
	UINT("new_rate", struct sift_conf, tcp.new_rate, 1, 1000000),
	UINT("new_burst", struct sift_conf, tcp.new_burst, 1, 1000000),
	UINT("unauthenticated", struct sift_conf, tcp.unauthenticated, 1, 1048576),
	UINT("first_message_ms", struct sift_conf, tcp.first_message_ms, 100, 600000),
	UINT("idle_timeout", struct sift_conf, tcp.idle_timeout, 1, 86400),
	UINT("max_message", struct sift_conf, tcp.max_message, 512, SIFT_MSG_MAX),
	CF_END,
};

static const struct cf_field tls_sni_fields[] = {
	STR("name", struct sift_tls_cert_conf, name, .flags = CF_REQUIRED, .check = check_host_name),
	STR("certificate", struct sift_tls_cert_conf, cert, .flags = CF_REQUIRED),
	STR("key", struct sift_tls_cert_conf, key, .flags = CF_REQUIRED),
	CF_END,
};

static const struct cf_field tls_sni_elem[] = {
	MAP("certificate", tls_sni_fields, .flags = CF_LINE,
	    .line_off = offsetof(struct sift_tls_cert_conf, line)),
	CF_END,
};

static const struct cf_field tls_peer_fields[] = {
	STR("name", struct sift_tls_peer_conf, name, .flags = CF_REQUIRED),
	CF_END,
};

static const struct cf_field tls_peer_elem[] = {
	MAP("peer", tls_peer_fields, .flags = CF_LINE,
	    .line_off = offsetof(struct sift_tls_peer_conf, line)),
	CF_END,
};

static const struct cf_field tls_fields[] = {
	SEQ("ports", struct sift_conf, tls.ports, tls.n_ports, port_elem, .flags = CF_UNIQUE),
	STR("certificate", struct sift_conf, tls.cert),
	STR("key", struct sift_conf, tls.key),
	STR("ca", struct sift_conf, tls.ca),
	STR("ciphers", struct sift_conf, tls.ciphers),
	STR("ciphersuites", struct sift_conf, tls.ciphersuites),
	ENUM("min_version", struct sift_conf, tls.min_version, tls_version_names),
	BOOL("ktls", struct sift_conf, tls.ktls),
	UINT("handshake_rate", struct sift_conf, tls.handshake_rate, 0, 1000000),
	UINT("handshake_burst", struct sift_conf, tls.handshake_burst, 1, 1000000),
	SEQ("sni", struct sift_conf, tls.sni, tls.n_sni, tls_sni_elem),
	SEQ("peers", struct sift_conf, tls.peers, tls.n_peers, tls_peer_elem),
	CF_END,
};

static const struct cf_field daemon_fields[] = {
	ENUM("mode", struct sift_conf, mode, mode_names),
	BOOL("keep_attached", struct sift_conf, keep_attached),
	STR("pin_path", struct sift_conf, pin_path),
	STR("run_dir", struct sift_conf, run_dir),
	ENUM("log_level", struct sift_conf, log_level, log_level_names),
	CF_END,
};

static const char *const state_names[] = { "up", "drain", "down", NULL };
/* as enum sift_transport counts them: "" skips NONE */
static const char *const transport_names[] = { "", "udp", "tcp", "tls", NULL };


static void backend_init(void *elem)
{
	struct sift_backend_conf *b = elem;

	b->port = SIFT_SIP_PORT_DEFAULT;
	b->weight = 100;
	b->state = SIFT_BACKEND_UP;
}

static const struct cf_field backend_fields[] = {
	{ .name = "address", .kind = CF_ADDR, .off = offsetof(struct sift_backend_conf, addr),
	  .flags = CF_REQUIRED },
	UINT("port", struct sift_backend_conf, port, 1, 65535),
	UINT("weight", struct sift_backend_conf, weight, 1, 1000000),
	ENUM("state", struct sift_backend_conf, state, state_names),
	ENUM("transport", struct sift_backend_conf, transport, transport_names),
	CF_END,
};

static const struct cf_field backend_elem[] = {
	MAP("backend", backend_fields, .flags = CF_LINE,
	    .line_off = offsetof(struct sift_backend_conf, line), .init = backend_init),
	CF_END,
};

static const struct cf_field group_fields[] = {
	STR("name", struct sift_group_conf, name, .flags = CF_REQUIRED),
	SEQ("backends", struct sift_group_conf, backends, n_backends, backend_elem),
	CF_END,
};

static const struct cf_field group_elem[] = {
	MAP("group", group_fields, .flags = CF_LINE, .line_off = offsetof(struct sift_group_conf, line)),
	CF_END,
};

static const struct cf_field route_fields[] = {
	STR("prefix", struct sift_route_conf, prefix),
	STR("domain", struct sift_route_conf, domain, .check = check_host_name),
	STR("group", struct sift_route_conf, group, .flags = CF_REQUIRED),
	BOOL("record_route", struct sift_route_conf, record_route),
	CF_END,
};

static const struct cf_field route_elem[] = {
	MAP("route", route_fields, .flags = CF_LINE, .line_off = offsetof(struct sift_route_conf, line)),
	CF_END,
};

static const struct cf_field registrar_fields[] = {
	STR("domain", struct sift_registrar_conf, domain, .check = check_host_name),
	STR("group", struct sift_registrar_conf, group, .flags = CF_REQUIRED),
	CF_END,
};

static const struct cf_field registrar_elem[] = {
	MAP("registrar", registrar_fields, .flags = CF_LINE,
	    .line_off = offsetof(struct sift_registrar_conf, line)),
	CF_END,
};

static const struct cf_field domain_elem[] = {
	{ .name = "domain", .kind = CF_STR, .size = SIFT_NAME_MAX, .check = check_host_name },
	CF_END,
};

/* shield: */
static const struct cf_field limit_fields[] = {
	NUM("rate", struct sift_limit_conf, rate, 10000000),
	UINT("burst", struct sift_limit_conf, burst, 1, 10000000),
	CF_END,
};

#define CLASS_LIMIT_(id, name) MAP(#name, limit_fields, .off = offsetof(struct sift_shield_conf, limit[SIFT_CLASS_##id])),
#define CLASS_CAP_(id, name) MAP(#name, limit_fields, .off = offsetof(struct sift_shield_conf, cap[SIFT_CLASS_##id])),
static const struct cf_field limits_fields[] = { SIFT_CLASS_LIST(CLASS_LIMIT_) CF_END };
static const struct cf_field caps_fields[] = { SIFT_CLASS_LIST(CLASS_CAP_) CF_END };
#undef CLASS_LIMIT_
#undef CLASS_CAP_

static const struct cf_field deny_elem[] = {
	{ .name = "prefix", .kind = CF_PREFIX },
	CF_END,
};

static const struct cf_field allow_fields[] = {
	{ .name = "prefix", .kind = CF_PREFIX, .off = offsetof(struct sift_acl_entry, prefix),
	  .size = sizeof(struct sift_prefix), .flags = CF_REQUIRED },
	BOOL("trusted", struct sift_acl_entry, trusted),
	CF_END,
};

static const struct cf_field allow_elem[] = {
	MAP("entry", allow_fields, .flags = CF_LINE, .line_off = offsetof(struct sift_acl_entry, line)),
	CF_END,
};

static const struct cf_field scanner_elem[] = {
	{ .name = "scanner", .kind = CF_STR, .size = SIFT_SCANNER_LEN, .check = check_scanner },
	CF_END,
};

static const struct cf_field ban_fields[] = {
	NUM("after", struct sift_shield_conf, ban_after, 86400),
	NUM("time", struct sift_shield_conf, ban_time, 30 * 86400),
	CF_END,
};

static const struct cf_field shield_fields[] = {
	BOOL("enabled", struct sift_shield_conf, enabled),
	BOOL("allow_only", struct sift_shield_conf, allow_only),
	BOOL("require_user_agent", struct sift_shield_conf, require_ua),
	BOOL("trust_backends", struct sift_shield_conf, trust_backends),
	UINT("ipv6_prefix", struct sift_shield_conf, v6_prefix, 16, 128),
	UINT("buckets", struct sift_shield_conf, buckets, 1024, 16777216),
	SEQ("deny", struct sift_shield_conf, deny, n_deny, deny_elem, .flags = CF_UNIQUE),
	SEQ("allow", struct sift_shield_conf, allow, n_allow, allow_elem, .flags = CF_UNIQUE),
	MAP("limits", limits_fields),
	MAP("caps", caps_fields),
	MAP("ban", ban_fields),
	SEQ("scanners", struct sift_shield_conf, scanners, n_scanners, scanner_elem, .flags = CF_UNIQUE),
	CF_END,
};

static const struct cf_field top_fields[] = {
	SEQ("interfaces", struct sift_conf, ifaces, n_ifaces, iface_elem, .flags = CF_UNIQUE),
	MAP("sip", sip_fields),
	ENUM("transit", struct sift_conf, transit, transit_names),
	MAP("health", health_fields),
	MAP("dns", dns_fields),
	MAP("metrics", metrics_fields),
	MAP("tcp", tcp_fields),
	MAP("tls", tls_fields),
	MAP("shield", shield_fields, .off = offsetof(struct sift_conf, shield)),
	SEQ("domains", struct sift_conf, routing.domains, routing.n_domains, domain_elem),
	SEQ("groups", struct sift_conf, routing.groups, routing.n_groups, group_elem),
	SEQ("routes", struct sift_conf, routing.routes, routing.n_routes, route_elem),
	SEQ("registrars", struct sift_conf, routing.registrars, routing.n_registrars, registrar_elem),
	MAP("daemon", daemon_fields),
	CF_END,
};

static const struct cf_field top = MAP("configuration", top_fields);

/* --- loading --------------------------------------------------------------- */

void sift_conf_defaults(struct sift_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->sip_ports[0] = SIFT_SIP_PORT_DEFAULT;
	conf->n_sip_ports = 1;
	conf->forward = true;
	conf->transit = SIFT_TRANSIT_DROP;
	conf->nh_cache_ms = SIFT_NH_CACHE_MS_DEFAULT;
	conf->reply_rate = 10;
	conf->reply_burst = 20;
	conf->transactions = 4096;
	conf->retry_after = 10;
	conf->client_transactions = 1024;
	conf->failover_ms = 2000;
	conf->tcp = (struct sift_tcp_conf){
		.enabled = true,
		.max_connections = 16384,
		.per_source = 64,
		.new_rate = 20,
		.new_burst = 40,
		.unauthenticated = 4096,
		.first_message_ms = 5000,
		.idle_timeout = 600,
		.max_message = SIFT_MSG_MAX,
	};
	conf->tls.ports[0] = 5061;
	conf->tls.n_ports = 1;
	conf->tls.ktls = true;
	conf->tls.handshake_rate = 1000;
	conf->tls.handshake_burst = 2000;
	sift_shield_defaults(&conf->shield);
	conf->probe_interval = 5;
	conf->probe_failures = 3;
	conf->mode = SIFT_MODE_NATIVE;
	snprintf(conf->pin_path, sizeof(conf->pin_path), "%s", SIFT_PIN_PATH_DEFAULT);
	snprintf(conf->run_dir, sizeof(conf->run_dir), "%s", SIFT_RUN_DIR_DEFAULT);
	conf->log_level = SIFT_LOG_INFO;
}

/* Checks that need the whole file; the positions come from the saved lines. */
static int cf_validate(struct cf_ctx *cx, struct sift_conf *c)
{
	if (c->pin_path[0] != '/')
		return cf_error(cx, NULL, "daemon.pin_path must be an absolute path");
	if (c->run_dir[0] != '/')
		return cf_error(cx, NULL, "daemon.run_dir must be an absolute path");
	for (unsigned int i = 0; i < c->n_ifaces; i++) {
		struct sift_iface_conf *ic = &c->ifaces[i];

		bool listed = !ic->port;

		if (!ic->name[0]) {
			snprintf(cx->err, cx->errlen, "%s:%d:1: interface name is empty", cx->file,
				 ic->line);
			return -EINVAL;
		}
		for (unsigned int k = 0; k < c->n_sip_ports; k++)
			listed |= c->sip_ports[k] == ic->port;
		if (!listed) {
			snprintf(cx->err, cx->errlen,
				 "%s:%d:1: interface %s: port %u is not one of sip.ports", cx->file,
				 ic->line, ic->name, ic->port);
			return -EINVAL;
		}
	}
	if (sift_routing_check(&c->routing, cx->file, cx->err, cx->errlen))
		return -EINVAL;
	return sift_shield_check(&c->shield, cx->file, cx->err, cx->errlen);
}

static int cf_parse(struct sift_conf *conf, const char *name, yaml_parser_t *parser, char *err,
		    size_t errlen)
{
	struct cf_ctx cx = { .file = name, .err = err, .errlen = errlen };
	struct sift_conf *tmp;
	yaml_document_t doc;
	yaml_node_t *root;
	int ret;

	if (!yaml_parser_load(parser, &doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", name, parser->problem_mark.line + 1,
			 parser->problem_mark.column + 1, parser->problem ?: "syntax error",
			 parser->context ? " " : "", parser->context ?: "");
		return -EINVAL;
	}
	cx.doc = &doc;
	{
		/* one document: a second one (after "---") would be silently ignored */
		yaml_document_t more;

		if (!yaml_parser_load(parser, &more)) {
			snprintf(err, errlen, "%s:%zu:%zu: %s", name, parser->problem_mark.line + 1,
				 parser->problem_mark.column + 1,
				 parser->problem ?: "syntax error after the document");
			yaml_document_delete(&doc);
			return -EINVAL;
		}
		if (yaml_document_get_root_node(&more)) {
			snprintf(err, errlen,
				 "%s:%zu:%zu: a second YAML document: the configuration is one",
				 name, more.start_mark.line + 1, more.start_mark.column + 1);
			yaml_document_delete(&more);
			yaml_document_delete(&doc);
			return -EINVAL;
		}
		yaml_document_delete(&more);
	}

	tmp = malloc(sizeof(*tmp));
	if (!tmp) {
		yaml_document_delete(&doc);
		return -ENOMEM;
	}
	*tmp = *conf;
	root = yaml_document_get_root_node(&doc);
	/* An empty file is a valid configuration: all defaults. */
	if (!root || (root->type == YAML_SCALAR_NODE && !*scalar(root)))
		ret = 0;
	else
		ret = cf_load_map(&cx, &top, root, tmp);
	if (!ret)
		ret = cf_validate(&cx, tmp);
	if (!ret) {
		snprintf(tmp->path, sizeof(tmp->path), "%s", name);
		*conf = *tmp;
	}
	free(tmp);
	yaml_document_delete(&doc);
	return ret;
}

int sift_conf_load_string(struct sift_conf *conf, const char *name, const char *text,
			  size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	int ret;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	ret = cf_parse(conf, name, &parser, err, errlen);
	yaml_parser_delete(&parser);
	return ret;
}

int sift_conf_load_file(struct sift_conf *conf, const char *path, char *err, size_t errlen)
{
	yaml_parser_t parser;
	FILE *f;
	int ret;

	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&parser, f);
	ret = cf_parse(conf, path, &parser, err, errlen);
	yaml_parser_delete(&parser);
	fclose(f);
	return ret;
}
