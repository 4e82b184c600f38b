// SPDX-License-Identifier: GPL-2.0
/*
 * siftctl sip parse FILE...: what sift's parser (the very code in the XDP
 * program) makes of a SIP message: every field and the verdict.  For
 * operators asking why a message was punted or dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_priv.h"
#include "out.h"
#include "sip_native.h"

static const char *const kinds[] = { "none", "request", "response", "keepalive" };
static const char *const schemes[] = { "-", "sip", "sips", "tel", "other" };
static const char *const transports[] = { "-", "UDP", "TCP", "TLS", "SCTP", "WS", "WSS", "other" };

/* A span as text: printable bytes as they are, others as \xHH; NULL if empty. */
static const char *span(const struct sift_scratch *s, struct sift_span sp, char *buf, size_t len)
{
	size_t o = 0;

	if (!sp.len)
		return NULL;
	for (unsigned int i = 0; i < sp.len && o + 5 < len; i++) {
		unsigned char c = s->buf[(sp.off + i) & SIFT_SCRATCH_MASK];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = c;
		else
			o += snprintf(buf + o, len - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

/* Absent spans are null in JSON and left out of the text. */
#define SPAN(key, fmt, sp) out_str(key, (sp).len ? fmt : NULL, span(s, sp, buf, sizeof(buf)))

static void print_uri(const struct sift_scratch *s, const char *key, const struct sift_uri *u)
{
	char buf[1024];

	out_open_obj(key);
	out_text("  %s:", key);
	SPAN("uri", " %s", u->all);
	out_str("scheme", " scheme=%s", schemes[u->scheme < 5 ? u->scheme : 0]);
	SPAN("user", " user=%s", u->user);
	SPAN("host", " host=%s", u->host);
	out_u64("port", u->port ? " port=%llu" : NULL, u->port);
	out_bool("lr", u->flags & SIFT_URI_LR ? " lr" : NULL, u->flags & SIFT_URI_LR);
	out_text("\n");
	out_close_obj();
}

static void print_via(const struct sift_scratch *s, const struct sift_via *v)
{
	char buf[1024];

	out_open_obj(NULL);
	out_text("  via:");
	/* another protocol or version: kept for siftd's 505, not valid */
	out_bool("bad_protocol", v->flags & SIFT_VIA_BAD_PROTO ? " (not SIP/2.0)" : NULL,
		 v->flags & SIFT_VIA_BAD_PROTO);
	out_str("transport", " %s", transports[v->transport < 8 ? v->transport : 0]);
	SPAN("host", " %s", v->host);
	out_u64("port", v->port ? ":%llu" : NULL, v->port);
	SPAN("branch", " branch=%s", v->branch);
	out_bool("cookie", NULL, v->flags & SIFT_VIA_COOKIE);
	SPAN("received", " received=%s", v->received);
	out_bool("rport", v->flags & SIFT_VIA_RPORT ? " rport" : NULL, v->flags & SIFT_VIA_RPORT);
	out_u64("rport_value", v->rport ? "=%llu" : NULL, v->rport);
	SPAN("maddr", " maddr=%s", v->maddr);
	out_u64("ttl", v->flags & SIFT_VIA_TTL ? " ttl=%llu" : NULL, v->ttl);
	out_text("\n");
	out_close_obj();
}

static void print_msg(const char *file, const struct sift_scratch *s)
{
	const struct sift_sip_msg *m = &s->msg;
	char buf[1024];

	out_open_obj(NULL);
	out_str("file", "%s:\n", file);
	out_str("verdict", "  verdict: %s", sift_action_name(m->action));
	out_str("reason", " (%s)\n", sift_reason_name(m->reason));
	out_str("kind", "  %s", kinds[m->kind < 4 ? m->kind : 0]);
	if (m->kind == SIFT_KIND_REQUEST) {
		out_str("method", " %s", sift_method_name(m->method));
		SPAN("method_token", " (%s)", m->method_tok);
	} else if (m->kind == SIFT_KIND_RESPONSE) {
		out_u64("status", " %llu", m->status);
	}
	out_text(" SIP/%u.%u\n", m->version_major, m->version_minor);
	out_u64("version_major", NULL, m->version_major);
	out_u64("version_minor", NULL, m->version_minor);
	if (m->kind == SIFT_KIND_REQUEST)
		print_uri(s, "ruri", &m->ruri);
	out_u64("via_count", "  vias: %llu\n", m->n_via);
	out_open_arr("via");
	for (unsigned int i = 0; i < 2 && i < m->n_via; i++)
		print_via(s, &m->via[i]);
	out_close_arr();
	SPAN("call_id", "  call-id: %s\n", m->call_id);
	out_u64("cseq", "  cseq: %llu", m->cseq);
	SPAN("cseq_method", " %s\n", m->cseq_method_tok);
	SPAN("from_tag", "  from-tag: %s", m->from_tag);
	SPAN("to_tag", "  to-tag: %s\n", m->to_tag);
	out_bool("max_forwards_present", NULL, m->present & SIFT_HDR_MAX_FORWARDS);
	out_u64("max_forwards", m->present & SIFT_HDR_MAX_FORWARDS ? "  max-forwards: %llu\n" : NULL,
		m->max_forwards);
	if (m->n_route)
		print_uri(s, "route", &m->route);
	out_u64("routes", NULL, m->n_route);
	out_u64("record_routes", "  record-route: %llu", m->n_record_route);
	out_u64("contacts", "  contact: %llu\n", m->n_contact);
	SPAN("user_agent", "  user-agent: %s\n", m->user_agent);
	out_u64("content_length", m->present & SIFT_HDR_CONTENT_LENGTH ? "  content-length: %llu" : NULL,
		m->content_length);
	out_u64("header_end", "  headers end at %llu,", m->eoh);
	out_u64("body_length", " body %llu bytes", m->body_len);
	out_u64("length", " of %llu\n", m->len);
	out_close_obj();
}

static int sip_parse(struct cli *c, int argc, char **argv)
{
	struct sift_scratch *s;
	static char raw[65536];
	int ret = 0;

	(void)c;
	if (argc < 1) {
		out_error("sip parse: give one or more files, each holding one SIP message");
		return SIFTCTL_EXIT_USAGE;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return SIFTCTL_EXIT_FAIL;
	out_open_arr(NULL);
	for (int i = 0; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;

		if (!f) {
			out_error("%s: %s", argv[i], strerror(errno));
			ret = SIFTCTL_EXIT_FAIL;
			break;
		}
		n = fread(raw, 1, sizeof(raw), f);
		fclose(f);
		memset(s, 0, sizeof(*s));
		sift_sip_parse_bytes(s, raw, n);
		print_msg(argv[i], s);
	}
	out_close_arr();
	free(s);
	return ret;
}

const struct cmd sip_cmds[] = {
	CMD("parse", sip_parse, "FILE...: what sift's parser makes of each message"),
	{},
};
