// SPDX-License-Identifier: GPL-2.0
/* Next hops by name, statefully (client.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "addr.h"
#include "client.h"
#include "fwd_native.h"
#include "log.h"
#include "punt.h"
#include "reply.h"
#include "sip_native.h"

static struct sift_client_up *up_of(struct sift_punt *p, struct sift_ctxn *x)
{
	return &p->cl.up[x - p->cl.t.tab];
}

/*
 * The host and port a URI names for RFC 3263 (maddr first), without
 * brackets; 0, or -1 when it names none.
 */
static int uri_host(const char *u, size_t len, const char **host, size_t *hlen, unsigned int *port)
{
	const char *end = u + len, *p = u, *h, *e, *q;

	if (len > 4 && !strncasecmp(u, "sip:", 4))
		p += 4;
	else
		return -1;
	for (q = p; q < end && *q != ';' && *q != '?' && *q != '@'; q++)
		;
	if (q < end && *q == '@')
		p = q + 1;
	/* maddr, when there is one, is where it goes (RFC 3261 19.1.1) */
	for (q = p; q + 7 < end; q++)
		if (*q == ';' && !strncasecmp(q + 1, "maddr=", 6)) {
			h = q + 7;
			for (e = h; e < end && *e != ';' && *e != '?' && *e != '>'; e++)
				;
			*host = h;
			*hlen = e - h;
			break;
		}
	if (q + 7 >= end) {
		h = p;
		if (h < end && *h == '[') {
			for (e = ++h; e < end && *e != ']'; e++)
				;
			p = e < end ? e + 1 : e;
		} else {
			for (e = h; e < end && *e != ':' && *e != ';' && *e != '?'; e++)
				;
			p = e;
		}
		*host = h;
		*hlen = e - h;
	}
	*port = 0;
	for (q = p; q < end && *q != ';' && *q != '?' && *q != ':'; q++)
		;
	if (q < end && *q == ':')
		*port = (unsigned int)strtoul(q + 1, NULL, 10);
	return *hlen ? 0 : -1;
}

/* The header line (continuations and CRLF included) of the first of @names in @s; its length. */
static size_t hdr_line(const struct sift_scratch *s, const char *const *names, const char **at)
{
	const char *b = (const char *)s->buf;

	for (unsigned int i = 1; i + 1 <= s->msg.n_lines && i + 1 < SIFT_MAX_LINES; i++) {
		size_t l = s->line[i], e = s->line[i + 1], n = 0;

		if (l >= s->msg.eoh || b[l] == ' ' || b[l] == '\t')
			continue;
		while (l + n < e && b[l + n] != ':' && b[l + n] != ' ' && b[l + n] != '\t')
			n++;
		for (const char *const *nm = names; *nm; nm++) {
			if (strlen(*nm) != n || strncasecmp(b + l, *nm, n))
				continue;
			/* and its continuation lines */
			while (i + 2 <= s->msg.n_lines && i + 2 < SIFT_MAX_LINES &&
			       s->line[i + 1] < s->msg.eoh &&
			       (b[s->line[i + 1]] == ' ' || b[s->line[i + 1]] == '\t'))
				e = s->line[++i + 1];
			*at = b + l;
			return e - l;
		}
	}
	return 0;
}

static const char *const H_FROM[] = { "from", "f", NULL };
static const char *const H_TO[] = { "to", "t", NULL };
static const char *const H_CALLID[] = { "call-id", "i", NULL };

/*
 * An ACK (for a non-2xx final, RFC 3261 17.1.1.3) or a CANCEL (9.1) for
 * @x's request, to its current target: sift's Via as last sent, the
 * request's Request-URI, From, Call-ID and CSeq number, and To from @to_s
 * (the response; NULL: the request's).
 */
static void send_ack_or_cancel(struct sift_punt *p, struct sift_ctxn *x, const char *method,
			       const struct sift_scratch *to_s)
{
	static struct sift_scratch req;
	struct sift_client_up *u = up_of(p, x);
	const struct sift_ctxn_target *t = &x->t[x->cur];
	char out[2048];
	const char *from, *to, *cid;
	size_t fl, tl, cl;
	struct sockaddr_storage ss;
	socklen_t sl;
	int n, fd;

	sift_sip_parse_bytes(&req, x->req, x->req_len);
	fl = hdr_line(&req, H_FROM, &from);
	cl = hdr_line(&req, H_CALLID, &cid);
	tl = hdr_line(to_s ? to_s : &req, H_TO, &to);
	if (!fl || !cl || !tl || !u->via[0])
		return;
	n = snprintf(out, sizeof(out),
		     "%s %.*s SIP/2.0\r\n%sMax-Forwards: 70\r\n%.*s%.*s%.*sCSeq: %u %s\r\n"
		     "Content-Length: 0\r\n\r\n",
		     method, req.msg.ruri.all.len, (const char *)req.buf + req.msg.ruri.all.off, u->via,
		     (int)fl, from, (int)tl, to, (int)cl, cid, req.msg.cseq, method);
	if (n <= 0 || (size_t)n >= sizeof(out))
		return;
	sl = sift_sockaddr_of(&t->addr, t->port, &ss);
	fd = sift_punt_send_fd(p, ss.ss_family, SIFT_SIP_PORT_DEFAULT);
	if (fd >= 0 && sendto(fd, out, n, 0, (struct sockaddr *)&ss, sl) == n && method[0] == 'A')
		p->cl.st.acks_sent++;
}

/* Answer @x's request with @code, as a local reply to where it came from. */
static void answer(struct sift_punt *p, struct sift_ctxn *x, unsigned int code, const char *phrase)
{
	struct sift_client_up *u = up_of(p, x);

	if (x->oneshot)
		return;
	sift_sip_parse_bytes(p->scratch, x->req, x->req_len);
	p->conn_in = u->conn; /* it came over a connection: the answer goes back on it */
	sift_punt_reply(p, u->fd, x->req_len, &u->from, sift_punt_now(),
			(struct sift_reply){ code, phrase, 0 });
	p->conn_in = 0;
}

/*
 * Send @x's request to its current target, or the next ones when the
 * relay policy refuses a target or it cannot be sent to: the fast path's
 * decision on the request as it came, the target as the next hop, and the
 * transaction's branch in sift's Via.  false when no target is left.
 */
static bool send_current(struct sift_punt *p, struct sift_ctxn *x)
{
	struct sift_scratch *s = p->scratch;
	struct sift_client_up *u = up_of(p, x);
	char branch[SIFT_CTXN_BRANCH_LEN + 1];

	for (;;) {
		int r;

		sift_sip_parse_bytes(s, x->req, x->req_len);
		r = sift_fwd_decide(&p->fwd.tables, s, &u->a, p->key);
		if (r != SIFT_REASON_NEXT_HOP_NAME || x->cur >= x->n_t)
			return false;
		s->plan.dst = x->t[x->cur].addr;
		s->plan.dport = x->t[x->cur].port;
		r = sift_fwd_relay_check(&p->fwd.tables, s);
		if (r) {
			p->cl.st.relay_denied++;
		} else {
			sift_ctxn_branch(&p->cl.t, x, branch);
			p->fwd.branch = branch;
			r = sift_forward_send(&p->fwd, s, sift_punt_send_fd_cb, p);
			p->fwd.branch = NULL;
		}
		if (!r) {
			/* sift's Via as it went, for a CANCEL */
			const char *v = memmem(p->fwd.last, p->fwd.last_len, "\r\nVia:", 6);
			const char *e = v ? memmem(v + 2, p->fwd.last + p->fwd.last_len - v - 2, "\r\n", 2) :
					    NULL;

			u->via[0] = '\0';
			if (v && e && (size_t)(e - v) < sizeof(u->via))
				snprintf(u->via, sizeof(u->via), "%.*s\r\n", (int)(e - v - 2), v + 2);
			if (x->oneshot)
				sift_ctxn_free(&p->cl.t, x);
			else
				sift_ctxn_sent(&p->cl.t, x, sift_punt_now());
			return true;
		}
		if (!sift_ctxn_next(&p->cl.t, x))
			return false;
	}
}

/* Targets for @x: send to the first, or answer when there are none. */
static void targets_ready(struct sift_punt *p, struct sift_ctxn *x, const struct sift_dns_target *t,
			  unsigned int n)
{
	x->n_t = n < SIFT_CTXN_TARGETS ? n : SIFT_CTXN_TARGETS;
	for (unsigned int i = 0; i < x->n_t; i++) {
		x->t[i].addr = t[i].addr;
		x->t[i].port = t[i].port;
	}
	if (!n)
		p->cl.st.no_target++;
	if (!send_current(p, x)) {
		answer(p, x, 503, "Service Unavailable");
		sift_ctxn_free(&p->cl.t, x);
	}
}

static void dns_done(void *arg, uint64_t tag, const struct sift_dns_target *t, unsigned int n)
{
	struct sift_punt *p = arg;
	uint32_t slot = tag & 0xffffffff, gen = tag >> 32;
	struct sift_ctxn *x;

	if (!p->cl.t.tab || slot >= p->cl.t.cap)
		return;
	x = &p->cl.t.tab[slot];
	if (x->state != SIFT_CTXN_RESOLVING || x->gen != gen)
		return; /* it ended meanwhile */
	targets_ready(p, x, t, n);
}

int sift_client_open(struct sift_punt *p, const struct sift_conf *c)
{
	if (sift_ctxns_init(&p->cl.t, c->client_transactions, c->failover_ms))
		return -1;
	p->cl.up = calloc(c->client_transactions, sizeof(*p->cl.up));
	p->cl.dns = sift_dns_new(c->dns_servers[0] ? c->dns_servers : NULL, dns_done, p);
	return p->cl.up && p->cl.dns ? 0 : -1;
}

void sift_client_close(struct sift_punt *p)
{
	sift_dns_free(p->cl.dns);
	p->cl.dns = NULL;
	sift_ctxns_free(&p->cl.t);
	free(p->cl.up);
	p->cl.up = NULL;
}

int sift_client_request(struct sift_punt *p, int fd, size_t n, const struct sockaddr_storage *from,
			const struct sift_arrival *a)
{
	struct sift_scratch *s = p->scratch;
	const struct sift_sip_msg *m = &s->msg;
	struct sift_dns_target t[SIFT_DNS_TARGETS];
	const char *host;
	size_t hlen;
	unsigned int port;
	uint64_t key = sift_punt_txn_key(s);
	struct sift_ctxn *x;
	int got;

	if (m->method == SIFT_METHOD_CANCEL) {
		/* the INVITE's transaction: its key is the CANCEL's, counted as an INVITE */
		struct sift_scratch *sc = s;
		uint8_t method = sc->msg.method;

		sc->msg.method = SIFT_METHOD_INVITE;
		key = sift_punt_txn_key(sc);
		sc->msg.method = method;
		x = sift_ctxn_by_up(&p->cl.t, key);
		if (!x || !x->invite)
			return sift_punt_reply(p, fd, n, from, sift_punt_now(),
					       (struct sift_reply){ 481, "Call/Transaction Does Not Exist",
								    0 }),
			       0;
		sift_punt_reply(p, fd, n, from, sift_punt_now(), (struct sift_reply){ 200, "OK", 0 });
		p->cl.st.cancels++;
		if (x->state == SIFT_CTXN_CALLING || x->state == SIFT_CTXN_PROCEEDING)
			send_ack_or_cancel(p, x, "CANCEL", NULL);
		return 0;
	}
	/*
	 * Names are resolved for sources that may send anywhere only: anyone else would make
	 * siftd query DNS (six queries a name) at will; their Routes name hops by address
	 */
	if (!sift_fwd_source_may_resolve(&p->fwd.tables, s)) {
		p->cl.st.relay_denied++;
		return SIFT_REASON_RELAY_DENIED;
	}
	x = sift_ctxn_by_up(&p->cl.t, key);
	if (x) {
		/* a copy of a request under way (it retransmits itself), or the ACK of our non-2xx */
		if (m->method == SIFT_METHOD_ACK)
			p->cl.st.acks_absorbed++;
		return 0;
	}
	if (uri_host((const char *)s->buf + s->plan.hop_uri.off, s->plan.hop_uri.len, &host, &hlen,
		     &port))
		return SIFT_REASON_NO_ROUTE;
	x = sift_ctxn_new(&p->cl.t, key, m->method == SIFT_METHOD_INVITE, s->buf, n);
	if (!x)
		return SIFT_REASON_NEXT_HOP_NAME; /* the table is full: 503 */
	x->oneshot = m->method == SIFT_METHOD_ACK;
	p->cl.st.requests++;
	up_of(p, x)->a = *a;
	up_of(p, x)->from = *from;
	up_of(p, x)->fd = fd;
	up_of(p, x)->conn = p->conn_in;
	got = sift_dns_resolve(p->cl.dns, host, hlen, port,
			       (uint64_t)x->gen << 32 | (uint32_t)(x - p->cl.t.tab), t);
	if (got >= 0)
		targets_ready(p, x, t, got);
	else if (got == -2)
		return sift_ctxn_free(&p->cl.t, x), SIFT_REASON_NEXT_HOP_NAME;
	return 0;
}

void sift_client_response(struct sift_punt *p, size_t n, const struct sift_arrival *a)
{
	struct sift_scratch *s = p->scratch;
	const struct sift_via *v0 = &s->msg.via[0];
	struct sift_ctxn *x;
	unsigned int status = s->msg.status;

	(void)n;
	x = sift_ctxn_by_branch(&p->cl.t, (const char *)s->buf + v0->branch.off, v0->branch.len);
	if (!x)
		return;
	/*
	 * The branch is no secret (slot, generation, attempt): only the target the request went
	 * to may answer it, or anyone could make siftd send a response where its Vias say
	 */
	if (a->peer_port != x->t[x->cur].port || !sift_addr_eq(&a->peer, &x->t[x->cur].addr)) {
		p->cl.st.foreign++;
		return;
	}
	if (s->msg.cseq_method == SIFT_METHOD_CANCEL)
		return; /* the answer to siftd's own CANCEL: the caller had siftd's 200 already */
	switch (sift_ctxn_response(&p->cl.t, x, status, sift_punt_now())) {
	case SIFT_CTXN_NEXT:
		if (x->invite)
			send_ack_or_cancel(p, x, "ACK", s);
		sift_ctxn_next(&p->cl.t, x);
		if (!send_current(p, x)) {
			answer(p, x, 503, "Service Unavailable");
			sift_ctxn_free(&p->cl.t, x);
		}
		return;
	case SIFT_CTXN_ABSORB:
		if (x->invite && status >= 300)
			send_ack_or_cancel(p, x, "ACK", s);
		return;
	case SIFT_CTXN_PASS:
		break;
	}
	if (x->invite && status >= 300)
		send_ack_or_cancel(p, x, "ACK", s);
	/* on to the caller: sift's Via off, to the next Via's received and rport, which must be
	 * where the request came from */
	if (!sift_response_hop_scratch(s) && sift_addr_eq(&s->plan.dst, &up_of(p, x)->a.peer) &&
	    !sift_forward_send(&p->fwd, s, sift_punt_send_fd_cb, p))
		p->cl.st.responses++;
}

static void op_resend(struct sift_ctxn *x, void *arg)
{
	struct sift_punt *p = arg;
	uint64_t interval = x->interval, timer = x->timer;

	/* the same request to the same target, the same branch */
	if (send_current(p, x)) {
		x->interval = interval;
		x->timer = timer;
	}
}

static void op_failover(struct sift_ctxn *x, void *arg)
{
	struct sift_punt *p = arg;

	if (!sift_ctxn_next(&p->cl.t, x) || !send_current(p, x)) {
		/* nobody answered: as Timer B would (RFC 3261 16.7 step 6) */
		p->cl.st.timeouts++;
		answer(p, x, 408, "Request Timeout");
		sift_ctxn_free(&p->cl.t, x);
	}
}

static void op_timeout(struct sift_ctxn *x, void *arg)
{
	struct sift_punt *p = arg;

	p->cl.st.timeouts++;
	answer(p, x, 408, "Request Timeout");
}

int sift_client_timeout_ms(struct sift_punt *p)
{
	uint64_t due = sift_ctxn_next_due(&p->cl.t), now;
	int dns = sift_dns_timeout_ms(p->cl.dns), ms;

	if (!due)
		return dns;
	now = sift_punt_now();
	ms = due <= now ? 0 : (int)((due - now + 999999) / 1000000);
	return dns >= 0 && dns < ms ? dns : ms;
}

void sift_client_tick(struct sift_punt *p)
{
	static const struct sift_ctxn_ops ops = { op_resend, op_failover, op_timeout };

	sift_ctxn_tick(&p->cl.t, sift_punt_now(), &ops, p);
}

json_t *sift_client_json(const struct sift_punt *p)
{
	const struct sift_client *c = &p->cl;

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, "
			 "s:I, s:I, s:I}, s:o}",
			 "requests", (json_int_t)c->st.requests, "foreign", (json_int_t)c->st.foreign, "no_target",
			 (json_int_t)c->st.no_target, "relay_denied", (json_int_t)c->st.relay_denied,
			 "responses", (json_int_t)c->st.responses, "acks_sent",
			 (json_int_t)c->st.acks_sent, "acks_absorbed", (json_int_t)c->st.acks_absorbed,
			 "cancels", (json_int_t)c->st.cancels, "timeouts", (json_int_t)c->st.timeouts,
			 "transactions", "in_use", (json_int_t)c->t.n, "capacity",
			 (json_int_t)c->t.cap, "created", (json_int_t)c->t.st.created,
			 "retransmitted", (json_int_t)c->t.st.retransmitted, "failovers",
			 (json_int_t)c->t.st.failovers, "timed_out", (json_int_t)c->t.st.timed_out,
			 "shed", (json_int_t)c->t.st.shed, "completed", (json_int_t)c->t.st.completed,
			 "dns", sift_dns_json(c->dns));
}
