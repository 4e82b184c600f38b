// SPDX-License-Identifier: GPL-2.0
/* Prometheus metrics (metrics.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <microhttpd.h>

#include "addr.h"
#include "log.h"
#include "metrics.h"
#include "siftd.h"
#include "sip_native.h"

#define BAN_SLICE 4096 /* ban entries read per scrape: the table is counted over scrapes */

struct sift_metrics {
	struct siftd *d;
	struct MHD_Daemon *mhd;
	int epoll_fd;
	uint64_t scrapes;
	/* the ban table, counted a slice a scrape */
	__u32 ban_cursor;
	int ban_scanning;
	uint64_t bans_counting, bans_active;
};

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += n;
			return;
		}
		char *nb = realloc(b->p, b->cap * 2 + n);

		if (!nb) {
			b->oom = 1;
			return;
		}
		b->p = nb;
		b->cap = b->cap * 2 + n;
	}
}

/* The fast path's counter groups: the family each becomes, and the label that names the counter. */
static const struct {
	const char *group, *family, *label, *help;
} families[] = {
	{ "class", "sift_packets", "class", "Packets the fast path saw, by traffic class" },
	{ "verdict", "sift_sip_verdicts", "verdict", "SIP messages by the parser's verdict" },
	{ "forward", "sift_forward", "outcome", "Forward-eligible SIP messages by outcome" },
	{ "sip_punt", "sift_punted", "reason", "SIP messages passed to siftd, by reason" },
	{ "sip_drop", "sift_dropped", "reason", "SIP messages dropped, by reason" },
	{ "transit", "sift_transit", "outcome", "IP neither to sift nor to the host" },
	{ "method", "sift_sip_messages", "method", "SIP messages by method class" },
	{ "shield", "sift_shield_drops", "reason", "Messages the shield dropped, by reason" },
	{ "action", "sift_xdp_actions", "action", "XDP verdicts returned" },
	{ "health", "sift_backend_signals", "signal", "Signs in the traffic that a backend is gone" },
	{ "trace", "sift_trace_events", "outcome", "Messages the live trace matched, by what became of them" },
};

static void fast_path(struct sift_metrics *m, struct buf *b)
{
	struct sift_stats st;

	if (sift_stats_sum(m->d->loader.maps.stats, &st))
		return;
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		for (int bytes = 0; bytes < 2; bytes++) {
			put(b, "# HELP %s%s_total %s%s.\n# TYPE %s%s_total counter\n", families[f].family,
			    bytes ? "_bytes" : "", families[f].help, bytes ? " (bytes)" : "",
			    families[f].family, bytes ? "_bytes" : "");
			for (unsigned int i = 0; i < SIFT_STAT__MAX; i++) {
				if (strcmp(sift_stat_group(i), families[f].group) ||
				    i == SIFT_STAT_SHIELD_BAN_IMPOSED)
					continue;
				put(b, "%s%s_total{%s=\"%s\"} %llu\n", families[f].family,
				    bytes ? "_bytes" : "", families[f].label, sift_stat_name(i),
				    (unsigned long long)(bytes ? st.c[i].bytes : st.c[i].packets));
			}
		}
	}
	put(b, "# HELP sift_shield_bans_imposed_total Bans the shield imposed.\n"
	       "# TYPE sift_shield_bans_imposed_total counter\nsift_shield_bans_imposed_total %llu\n",
	    (unsigned long long)st.c[SIFT_STAT_SHIELD_BAN_IMPOSED].packets);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Count the bans in force, BAN_SLICE entries a scrape; the gauge is the last complete count. */
static void bans(struct sift_metrics *m, struct buf *b)
{
	static struct sift_addr keys[BAN_SLICE];
	static struct sift_ban vals[BAN_SLICE];
	int fd = m->d->loader.maps.bans;
	__u32 out, count = BAN_SLICE;
	uint64_t now = now_ns();
	int r;

	if (fd >= 0) {
		r = bpf_map_lookup_batch(fd, m->ban_scanning ? &m->ban_cursor : NULL, &out, keys, vals,
					 &count, NULL);
		for (__u32 i = 0; (r == 0 || errno == ENOENT) && i < count; i++)
			m->bans_counting += vals[i].expires > now;
		if (r == 0) {
			m->ban_cursor = out;
			m->ban_scanning = 1;
		} else {
			/* the end (ENOENT), or an error: start over next time */
			if (errno == ENOENT)
				m->bans_active = m->bans_counting;
			m->bans_counting = 0;
			m->ban_scanning = 0;
		}
	}
	put(b, "# HELP sift_bans_active Sources banned now (counted over scrapes, %d a scrape).\n"
	       "# TYPE sift_bans_active gauge\nsift_bans_active %llu\n",
	    BAN_SLICE, (unsigned long long)m->bans_active);
}

static void siftd_counters(struct sift_metrics *m, struct buf *b)
{
	const struct sift_punt *p = &m->d->punt;

	put(b, "# HELP sift_siftd_punted_total Datagrams the fast path passed to siftd.\n"
	       "# TYPE sift_siftd_punted_total counter\n"
	       "sift_siftd_punted_total{kind=\"request\"} %llu\n"
	       "sift_siftd_punted_total{kind=\"response\"} %llu\n"
	       "sift_siftd_punted_total{kind=\"reassembled\"} %llu\n",
	    (unsigned long long)p->st.requests, (unsigned long long)p->st.responses,
	    (unsigned long long)p->st.reassembled);
	put(b, "# HELP sift_siftd_replies_total Answers siftd sent, by status code.\n"
	       "# TYPE sift_siftd_replies_total counter\n");
	for (unsigned int k = 0; k < SIFT_REPLY_CODES; k++)
		put(b, "sift_siftd_replies_total{code=\"%s%u\"} %llu\n",
		    sift_reply_codes[k] ? "" : "other", sift_reply_codes[k] ? sift_reply_codes[k] : 0,
		    (unsigned long long)p->st.by_code[k]);
	put(b, "# HELP sift_siftd_not_forwarded_total Requests siftd answered instead of sending on, by "
	       "reason.\n# TYPE sift_siftd_not_forwarded_total counter\n");
	for (unsigned int r = 1; r < SIFT_REASON__MAX; r++)
		if (p->st.by_reason[r])
			put(b, "sift_siftd_not_forwarded_total{reason=\"%s\"} %llu\n",
			    sift_reason_name(r), (unsigned long long)p->st.by_reason[r]);
	put(b, "# HELP sift_siftd_forwarded_total Messages siftd sent on.\n"
	       "# TYPE sift_siftd_forwarded_total counter\n"
	       "sift_siftd_forwarded_total{kind=\"request\"} %llu\n"
	       "sift_siftd_forwarded_total{kind=\"response\"} %llu\n",
	    (unsigned long long)p->fwd.st.requests, (unsigned long long)p->fwd.st.responses);
	put(b, "# HELP sift_siftd_transactions Transactions held.\n# TYPE sift_siftd_transactions gauge\n"
	       "sift_siftd_transactions{table=\"server\"} %u\n"
	       "sift_siftd_transactions{table=\"client\"} %u\n"
	       "# HELP sift_siftd_transactions_capacity Transactions the tables hold at most.\n"
	       "# TYPE sift_siftd_transactions_capacity gauge\n"
	       "sift_siftd_transactions_capacity{table=\"server\"} %u\n"
	       "sift_siftd_transactions_capacity{table=\"client\"} %u\n",
	    p->txns.n, p->cl.t.n, p->txns.cap, p->cl.t.cap);
	put(b, "# HELP sift_siftd_transactions_shed_total Answers or requests without a transaction "
	       "(table full).\n# TYPE sift_siftd_transactions_shed_total counter\n"
	       "sift_siftd_transactions_shed_total{table=\"server\"} %llu\n"
	       "sift_siftd_transactions_shed_total{table=\"client\"} %llu\n",
	    (unsigned long long)p->txns.st.shed, (unsigned long long)p->cl.t.st.shed);
}

/* siftd's connections (conn.h) and the connection shield. */
static void connections(struct sift_metrics *m, struct buf *b)
{
	const struct sift_conns *cs = &m->d->punt.conns;

	put(b, "# HELP sift_connections Connections open, by transport.\n"
	       "# TYPE sift_connections gauge\n"
	       "sift_connections{transport=\"tcp\"} %u\nsift_connections{transport=\"tls\"} %u\n"
	       "# HELP sift_connections_unauthenticated Connections not yet past their first message.\n"
	       "# TYPE sift_connections_unauthenticated gauge\nsift_connections_unauthenticated %u\n"
	       "# HELP sift_connections_capacity Connections siftd holds at most.\n"
	       "# TYPE sift_connections_capacity gauge\nsift_connections_capacity %u\n",
	    cs->n - cs->n_tls, cs->n_tls, cs->n_unauth, cs->conf.max_connections);
	put(b, "# HELP sift_connections_opened_total Connections accepted, and opened by siftd.\n"
	       "# TYPE sift_connections_opened_total counter\n"
	       "sift_connections_opened_total{direction=\"in\"} %llu\n"
	       "sift_connections_opened_total{direction=\"out\"} %llu\n"
	       "# HELP sift_tls_handshakes_total TLS handshakes completed, and of those on kTLS.\n"
	       "# TYPE sift_tls_handshakes_total counter\n"
	       "sift_tls_handshakes_total{ktls=\"no\"} %llu\nsift_tls_handshakes_total{ktls=\"yes\"} %llu\n"
	       "# HELP sift_connection_pings_total CRLF keep-alives answered (RFC 5626).\n"
	       "# TYPE sift_connection_pings_total counter\nsift_connection_pings_total %llu\n",
	    (unsigned long long)cs->st.accepted, (unsigned long long)cs->st.opened,
	    (unsigned long long)(cs->st.handshakes - cs->st.ktls), (unsigned long long)cs->st.ktls,
	    (unsigned long long)cs->st.pings);
	put(b, "# HELP sift_connections_refused_total Connections the connection shield refused, by "
	       "reason.\n# TYPE sift_connections_refused_total counter\n");
	for (unsigned int i = 0; i < SIFT_CONN_REFUSE__MAX; i++)
		put(b, "sift_connections_refused_total{reason=\"%s\"} %llu\n", sift_conn_refusal_name(i),
		    (unsigned long long)cs->st.refused[i]);
	put(b, "# HELP sift_connections_closed_total Connections closed, by reason.\n"
	       "# TYPE sift_connections_closed_total counter\n");
	for (unsigned int i = 1; i < SIFT_CONN_CLOSE__MAX; i++)
		put(b, "sift_connections_closed_total{reason=\"%s\"} %llu\n", sift_conn_close_name(i),
		    (unsigned long long)cs->st.closed[i]);
}

static const double rtt_le[SIFT_PROBE_RTT_BUCKETS] = SIFT_PROBE_RTT_LE;

static void backends(struct sift_metrics *m, struct buf *b)
{
	const struct sift_routing *r = &m->d->eff->routing;
	static const char *const states[] = { "up", "drain", "down" };

	put(b, "# HELP sift_backend_state The backend's state (1 for the one it is in).\n"
	       "# TYPE sift_backend_state gauge\n");
	for (unsigned int g = 0; g < r->n_groups; g++)
		for (unsigned int k = 0; k < r->groups[g].n_backends; k++) {
			const struct sift_backend_conf *be = &r->groups[g].backends[k];
			const struct sift_probe_target *t = sift_probe_find(
				m->d->probe, r->groups[g].name, &be->addr, be->port);
			int eff = t && t->health == SIFT_HEALTH_UNREACHABLE ? SIFT_BACKEND_DOWN :
									       be->state;
			char a[SIFT_ADDRSTRLEN];

			sift_addr_fmt(&be->addr, a, sizeof(a));
			for (int s = 0; s < 3; s++)
				put(b, "sift_backend_state{group=\"%s\",backend=\"%s:%u\",state=\"%s\"} %d\n",
				    r->groups[g].name, a, be->port, states[s], eff == s);
		}
	put(b, "# HELP sift_probe_rtt_seconds Time an OPTIONS probe took to be answered.\n"
	       "# TYPE sift_probe_rtt_seconds histogram\n");
	for (unsigned int i = 0; i < m->d->probe->n; i++) {
		const struct sift_probe_target *t = &m->d->probe->t[i];
		char a[SIFT_ADDRSTRLEN], lbl[160];
		uint64_t cum = 0;

		sift_addr_fmt(&t->addr, a, sizeof(a));
		snprintf(lbl, sizeof(lbl), "group=\"%s\",backend=\"%s:%u\"", t->group, a, t->port);
		for (int k = 0; k < SIFT_PROBE_RTT_BUCKETS; k++) {
			cum += t->rtt_buckets[k];
			put(b, "sift_probe_rtt_seconds_bucket{%s,le=\"%g\"} %llu\n", lbl, rtt_le[k],
			    (unsigned long long)cum);
		}
		put(b, "sift_probe_rtt_seconds_bucket{%s,le=\"+Inf\"} %llu\n", lbl,
		    (unsigned long long)t->answered);
		put(b, "sift_probe_rtt_seconds_sum{%s} %.6f\n", lbl, t->rtt_sum);
		put(b, "sift_probe_rtt_seconds_count{%s} %llu\n", lbl, (unsigned long long)t->answered);
	}
	put(b, "# HELP sift_probes_sent_total OPTIONS probes sent.\n# TYPE sift_probes_sent_total "
	       "counter\n");
	for (unsigned int i = 0; i < m->d->probe->n; i++) {
		const struct sift_probe_target *t = &m->d->probe->t[i];
		char a[SIFT_ADDRSTRLEN];

		put(b, "sift_probes_sent_total{group=\"%s\",backend=\"%s:%u\"} %llu\n", t->group,
		    sift_addr_fmt(&t->addr, a, sizeof(a)), t->port, (unsigned long long)t->sent);
	}
}

static void info(struct sift_metrics *m, struct buf *b)
{
	const struct sift_loader *l = &m->d->loader;

	put(b, "# HELP sift_interface_attached Interfaces sift_xdp is attached to, and how.\n"
	       "# TYPE sift_interface_attached gauge\n");
	for (unsigned int i = 0; i < l->n_links; i++)
		put(b, "sift_interface_attached{interface=\"%s\",mode=\"%s\"} 1\n", l->links[i].name,
		    sift_mode_name(l->links[i].mode));
	put(b, "# HELP sift_build_info The running build.\n# TYPE sift_build_info gauge\n"
	       "sift_build_info{bpf_object=\"%016llx\",prog_id=\"%u\"} 1\n",
	    (unsigned long long)l->build_id, l->prog_id);
	put(b, "# HELP sift_metrics_scrapes_total Scrapes answered.\n"
	       "# TYPE sift_metrics_scrapes_total counter\nsift_metrics_scrapes_total %llu\n",
	    (unsigned long long)++m->scrapes);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	struct sift_metrics *m = cls;
	struct MHD_Response *resp;
	struct buf b = { malloc(65536), 0, 65536, 0 };
	enum MHD_Result ret;
	unsigned int code = MHD_HTTP_OK;

	(void)version, (void)upload, (void)upload_len, (void)state;
	if (!b.p)
		return MHD_NO;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		code = MHD_HTTP_METHOD_NOT_ALLOWED;
		put(&b, "GET /metrics\n");
	} else if (strcmp(url, "/metrics")) {
		code = MHD_HTTP_NOT_FOUND;
		put(&b, "sift serves /metrics\n");
	} else {
		fast_path(m, &b);
		bans(m, &b);
		siftd_counters(m, &b);
		connections(m, &b);
		backends(m, &b);
		info(m, &b);
	}
	if (b.oom) {
		free(b.p);
		return MHD_NO;
	}
	resp = MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(b.p);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(c, code, resp);
	MHD_destroy_response(resp);
	return ret;
}

struct sift_metrics *sift_metrics_start(struct siftd *d, const char *listen)
{
	struct sift_metrics *m = calloc(1, sizeof(*m));
	struct sockaddr_storage ss;
	struct sift_addr a;
	const union MHD_DaemonInfo *di;
	char host[64];
	const char *colon = strrchr(listen, ':');
	unsigned long port = colon ? strtoul(colon + 1, NULL, 10) : 0;
	size_t hl = colon ? (size_t)(colon - listen) : 0;

	if (!m)
		return NULL;
	if (hl && listen[0] == '[' && listen[hl - 1] == ']')
		listen++, hl -= 2;
	if (!colon || !port || port > 65535 || hl >= sizeof(host)) {
		pr_err("metrics.listen '%s': give ADDRESS:PORT", listen);
		free(m);
		return NULL;
	}
	memcpy(host, listen, hl);
	host[hl] = '\0';
	if (sift_addr_parse(host, &a)) {
		pr_err("metrics.listen: '%s' is not an IP address", host);
		free(m);
		return NULL;
	}
	sift_sockaddr_of(&a, port, &ss);
	m->d = d;
	m->mhd = MHD_start_daemon(MHD_USE_EPOLL | (a.family == SIFT_AF_INET6 ? MHD_USE_IPv6 : 0),
				  (uint16_t)port, NULL, NULL, handle, m, MHD_OPTION_SOCK_ADDR,
				  (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, 16U,
				  MHD_OPTION_CONNECTION_TIMEOUT, 5U, MHD_OPTION_END);
	if (!m->mhd) {
		pr_err("metrics: cannot listen on %s", listen);
		free(m);
		return NULL;
	}
	di = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	m->epoll_fd = di ? di->epoll_fd : -1;
	pr_info("metrics: http://%s/metrics", listen);
	return m;
}

void sift_metrics_stop(struct sift_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->mhd);
	free(m);
}

unsigned int sift_metrics_pollfd(struct sift_metrics *m, struct pollfd *pfd)
{
	if (!m || m->epoll_fd < 0)
		return 0;
	*pfd = (struct pollfd){ .fd = m->epoll_fd, .events = POLLIN };
	return 1;
}

int sift_metrics_timeout_ms(struct sift_metrics *m)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (!m || MHD_get_timeout(m->mhd, &t) != MHD_YES)
		return -1;
	return t > 60000 ? 60000 : (int)t;
}

void sift_metrics_process(struct sift_metrics *m)
{
	if (m)
		MHD_run(m->mhd);
}
