// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "addr.h"
#include "fwd_native.h"
#include "log.h"
#include "loop.h"
#include "path.h"
#include "punt.h"
#include "reply.h"
#include "sip_native.h"

static void stream_msg(void *arg, struct sift_conn *c, const uint8_t *msg, size_t len);

/* Log the first punted messages, then one in every LOG_EVERY. */
#define LOG_FIRST 20
#define LOG_EVERY 1000

static int bind_port(int family, unsigned int port)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_storage ss = {};
	socklen_t len;

	if (fd < 0)
		return -errno;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	/* the address each datagram came to, and the interface: the decision needs them */
	if (setsockopt(fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
		       family == AF_INET ? IP_PKTINFO : IPV6_RECVPKTINFO, &one, sizeof(one))) {
		int e = errno;

		close(fd);
		return -e;
	}
	/* the kernel says which datagrams it reassembled: the fast path never saw them whole */
	if (setsockopt(fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
		       family == AF_INET ? IP_RECVFRAGSIZE : IPV6_RECVFRAGSIZE, &one, sizeof(one))) {
		int e = errno;

		close(fd);
		return -e;
	}
	/*
	 * and which came behind IPv6 extension headers: XDP classifies those,
	 * checks their source and passes them without reading the SIP
	 */
	if (family == AF_INET6 &&
	    (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPOPTS, &one, sizeof(one)) ||
	     setsockopt(fd, IPPROTO_IPV6, IPV6_RECVDSTOPTS, &one, sizeof(one)) ||
	     setsockopt(fd, IPPROTO_IPV6, IPV6_RECVRTHDR, &one, sizeof(one)))) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static int open_port(struct sift_punt *p, unsigned int port)
{
	static const int fams[] = { AF_INET, AF_INET6 };

	for (int f = 0; f < 2; f++) {
		int fd = bind_port(fams[f], port);

		if (fd == -EADDRINUSE) {
			pr_info("UDP port %u (%s) is served by another process: messages sift "
				"punts there go to it",
				port, f ? "IPv6" : "IPv4");
			continue;
		}
		if (fd == -EAFNOSUPPORT)
			continue;
		if (fd < 0) {
			pr_err("bind UDP port %u: %s", port, strerror(-fd));
			return fd;
		}
		p->fds[p->n_fds] = fd;
		p->ports[p->n_fds] = port;
		p->n_fds++;
	}
	return 0;
}

int sift_punt_open(struct sift_punt *p, const struct sift_conf *c, const struct sift_maps *m,
		   int buckets_fd, const struct sift_fwd_state *fwd)
{
	memset(p, 0, sizeof(*p));
	p->scratch = calloc(1, sizeof(*p->scratch));
	p->replies = calloc(SIFT_REPLY_SOURCES, sizeof(*p->replies));
	p->shield = malloc(sizeof(*p->shield));
	p->stream_shield = malloc(sizeof(*p->stream_shield));
	if (!p->scratch || !p->shield || !p->stream_shield || !p->replies)
		return -ENOMEM;
	sift_shield_tables_init(p->shield, m, buckets_fd);
	/* the same maps, counted apart: what came over connections */
	sift_shield_tables_init(p->stream_shield, m, buckets_fd);
	sift_fwd_tables_init(&p->fwd.tables, m, fwd);
	/* the table's size is set at start (a reload keeps it: transactions live in it) */
	if (sift_txns_init(&p->txns, c->transactions) || sift_client_open(p, c))
		return -ENOMEM;
	{
		char err[400];
		int ret = sift_conns_open(&p->conns, c, p->stream_shield, stream_msg, p, err,
					  sizeof(err));

		if (ret) {
			pr_err("%s", err);
			return ret;
		}
	}
	p->fwd.conns = &p->conns;
	return sift_punt_update(p, c);
}

int sift_punt_update(struct sift_punt *p, const struct sift_conf *c)
{
	char err[400];

	/* checked before (siftd's read_conf): a failure here leaves the old listeners and certificates */
	if (sift_conns_update(&p->conns, c, err, sizeof(err)))
		pr_err("%s", err);
	p->reply_rate = c->reply_rate ? c->reply_rate : 1;
	p->reply_burst = c->reply_burst ? c->reply_burst : 1;
	p->retry_after = c->retry_after;
	p->routing = &c->routing;
	p->cl.t.failover_ns = (uint64_t)c->failover_ms * 1000000ULL;
	if (p->cl.dns && sift_dns_servers(p->cl.dns, c->dns_servers))
		pr_err("dns.servers '%s': not taken, the resolver keeps its servers", c->dns_servers);
	/* close the ports no longer listed, open the new ones */
	for (unsigned int i = 0; i < p->n_fds;) {
		bool listed = false;

		for (unsigned int k = 0; k < c->n_sip_ports; k++)
			listed |= c->sip_ports[k] == p->ports[i];
		if (listed) {
			i++;
			continue;
		}
		close(p->fds[i]);
		p->n_fds--;
		p->fds[i] = p->fds[p->n_fds];
		p->ports[i] = p->ports[p->n_fds];
	}
	for (unsigned int k = 0; k < c->n_sip_ports; k++) {
		bool open = false;
		int err;

		for (unsigned int i = 0; i < p->n_fds; i++)
			open |= p->ports[i] == c->sip_ports[k];
		if (open)
			continue;
		err = open_port(p, c->sip_ports[k]);
		if (err)
			return err;
	}
	return 0;
}

void sift_punt_close(struct sift_punt *p)
{
	for (unsigned int i = 0; i < p->n_fds; i++)
		close(p->fds[i]);
	p->n_fds = 0;
	free(p->scratch);
	p->scratch = NULL;
	free(p->shield);
	p->shield = NULL;
	free(p->stream_shield);
	p->stream_shield = NULL;
	free(p->replies);
	p->replies = NULL;
	sift_txns_free(&p->txns);
	sift_client_close(p);
	sift_conns_close(&p->conns);
}

static const char *peer_fmt(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(sin6->sin6_port));
	}
	return buf;
}

/* A socket of @family on one of our SIP ports, to send from; -1 if none. */
int sift_punt_send_fd(const struct sift_punt *p, int family, unsigned int port)
{
	int any = -1;

	for (unsigned int i = 0; i < p->n_fds; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		if (getsockname(p->fds[i], (struct sockaddr *)&ss, &len) || ss.ss_family != family)
			continue;
		if (p->ports[i] == port)
			return p->fds[i];
		if (any < 0)
			any = p->fds[i];
	}
	return any;
}

int sift_punt_send_fd_cb(void *arg, int family, unsigned int port)
{
	return sift_punt_send_fd(arg, family, port);
}

/* May @src have one more local reply now (GCRA, sip.reply_rate a second, sip.reply_burst)? */
static bool reply_allowed(struct sift_punt *p, const struct sift_addr *src, uint64_t now)
{
	const uint64_t t = 1000000000ULL / p->reply_rate, tau = t * (p->reply_burst - 1);
	struct sift_reply_bucket *b;
	uint64_t h = 0;

	for (unsigned int i = 0; i < sizeof(*src); i++)
		h = (h ^ ((const uint8_t *)src)[i]) * 0x100000001b3ULL;
	b = &p->replies[(h ^ h >> 29) % SIFT_REPLY_SOURCES];
	if (memcmp(&b->src, src, sizeof(*src))) {
		/* a slot of another source: taken over (the table stays bounded) */
		b->src = *src;
		b->tat = now;
	}
	if (b->tat > now + tau)
		return false;
	b->tat = (b->tat > now ? b->tat : now) + t;
	return true;
}

uint64_t sift_punt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The server transaction key of the request parsed in @s (RFC 3261 17.2.3). */
uint64_t sift_punt_txn_key(const struct sift_scratch *s)
{
	const struct sift_via *v = &s->msg.via[0];
	char sentby[300];
	int n;

	n = snprintf(sentby, sizeof(sentby), "%.*s:%u", (int)v->host.len,
		     (const char *)s->buf + v->host.off, v->port ? v->port : SIFT_SIP_PORT_DEFAULT);
	return sift_txn_key(s->buf + v->branch.off, v->branch.len, sentby,
			    n > 0 && (size_t)n < sizeof(sentby) ? (size_t)n : 0,
			    s->msg.method == SIFT_METHOD_INVITE || s->msg.method == SIFT_METHOD_ACK);
}

/*
 * A transaction's response out again, from the socket and to the address it
 * went to.  @arg: NULL for Timer G (paced by itself), the punt state for a
 * resend to a retransmitted request, which takes from that address's share
 * of replies like a new one (a copied branch cannot make sift repeat itself
 * faster).
 */
static bool txn_send(const struct sift_txn *x, void *arg)
{
	struct sift_punt *p = arg;
	struct sockaddr_storage to;
	socklen_t len = sift_sockaddr_of(&x->to, x->port, &to);

	if (p && !reply_allowed(p, &x->to, sift_punt_now())) {
		p->st.reply_limited++;
		return false;
	}
	return sendto(x->fd, x->resp, x->len, 0, (struct sockaddr *)&to, len) == x->len;
}

int sift_punt_timeout_ms(struct sift_punt *p)
{
	uint64_t next = sift_txn_next(&p->txns), now;
	int ms = -1, cl = sift_client_timeout_ms(p);

	if (next) {
		now = sift_punt_now();
		ms = next <= now ? 0 : (int)((next - now + 999999) / 1000000);
	}
	ms = cl >= 0 && (ms < 0 || cl < ms) ? cl : ms;
	cl = sift_conns_timeout_ms(&p->conns);
	return cl >= 0 && (ms < 0 || cl < ms) ? cl : ms;
}

void sift_punt_tick(struct sift_punt *p)
{
	sift_txn_tick(&p->txns, sift_punt_now(), txn_send, NULL);
	sift_client_tick(p);
	sift_conns_tick(&p->conns);
}

/* A reply's code among sift_reply_codes, counted. */
static void count_reply(struct sift_punt *p, unsigned int code)
{
	unsigned int k = 0;

	p->st.replied++;
	while (sift_reply_codes[k] && sift_reply_codes[k] != code)
		k++;
	p->st.by_code[k]++;
}

/*
 * The same on the connection the request came on (RFC 3261 18.2.2): no
 * transaction kept, a reliable transport retransmits nothing.
 */
static int stream_reply(struct sift_punt *p, size_t n, uint64_t now, struct sift_reply r)
{
	static char out[SIFT_REPLY_MAX];
	struct sift_conn *c = sift_conn_get(&p->conns, p->conn_in);
	unsigned int port;
	ssize_t l;

	if (!c)
		return 1;
	if (!reply_allowed(p, &c->peer, now)) {
		p->st.reply_limited++;
		return 1;
	}
	l = sift_reply_build(p->scratch, n, &c->peer, c->peer_port, p->key, r, out, sizeof(out),
			     &port);
	if (l < 0 || (size_t)l > 3 * n) {
		p->st.reply_unbuilt++;
		return 1;
	}
	if (!sift_conn_send(&p->conns, c, out, l))
		count_reply(p, r.code);
	return 1;
}

/*
 * Answer the request parsed in @s (@n bytes, from @from on @fd) with @r,
 * when there is one (code 0: none).  Sent back to the
 * address it came from, never elsewhere, and never larger than three times
 * the request.  1 when it called for one (sent or not), else 0.
 */
int sift_punt_reply(struct sift_punt *p, int fd, size_t n, const struct sockaddr_storage *from,
		    uint64_t now, struct sift_reply r)
{
	static char out[SIFT_REPLY_MAX];
	struct sift_scratch *s = p->scratch;
	struct sockaddr_storage to;
	unsigned int sport, port;
	struct sift_addr src;
	socklen_t len;
	ssize_t l;

	if (!r.code || n > SIFT_MSG_MAX)
		return 0;
	if (p->conn_in)
		return stream_reply(p, n, now, r);
	if (sift_addr_of_sockaddr(from, &src, &sport))
		return 0;
	if (!reply_allowed(p, &src, now)) {
		p->st.reply_limited++;
		return 1;
	}
	l = sift_reply_build(s, n, &src, sport, p->key, r, out, sizeof(out), &port);
	if (l < 0 || (size_t)l > 3 * n) {
		p->st.reply_unbuilt++;
		return 1;
	}
	len = sift_sockaddr_of(&src, port, &to);
	/* kept for retransmitted requests and, a non-2xx to an INVITE, resent until the ACK */
	sift_txn_respond(&p->txns, sift_punt_txn_key(s), s->msg.method == SIFT_METHOD_INVITE, out, l, &src,
			 port, fd, now);
	if (sendto(fd, out, l, 0, (struct sockaddr *)&to, len) == l)
		count_reply(p, r.code);
	return 1;
}

/* Answer a STUN Binding request (RFC 5626 4.4.2) from @from on @fd, within its source's share. */
static void stun_answer(struct sift_punt *p, int fd, size_t n, const struct sockaddr_storage *from,
			uint64_t now)
{
	unsigned char out[64];
	struct sockaddr_storage to;
	unsigned int sport;
	struct sift_addr src;
	socklen_t len;
	ssize_t l;

	if (sift_addr_of_sockaddr(from, &src, &sport))
		return;
	if (!reply_allowed(p, &src, now)) {
		p->st.reply_limited++;
		return;
	}
	l = sift_stun_answer(p->scratch, n, &src, sport, out, sizeof(out));
	if (l < 0 || (size_t)l > 3 * n) {
		p->st.reply_unbuilt++;
		return;
	}
	len = sift_sockaddr_of(&src, sport, &to);
	if (sendto(fd, out, l, 0, (struct sockaddr *)&to, len) == l)
		p->st.stun++;
}

/* How the fast path saw the datagram @mh describes, and where it arrived (address, interface). */
enum seen { SEEN_WHOLE, SEEN_FRAGMENTS, SEEN_EXT_HEADERS };

static enum seen how_seen(struct msghdr *mh, struct sift_arrival *a)
{
	enum seen how = SEEN_WHOLE;

	/* options that did not fit: there were some, so it came behind extension headers */
	if (mh->msg_flags & MSG_CTRUNC)
		how = SEEN_EXT_HEADERS;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			a->local.family = SIFT_AF_INET;
			a->local.v4 = pi.ipi_addr.s_addr;
			a->ingress = pi.ipi_ifindex;
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			a->local.family = SIFT_AF_INET6;
			memcpy(a->local.v6, &pi.ipi6_addr, 16);
			a->ingress = pi.ipi6_ifindex;
		} else if ((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVFRAGSIZE) ||
			   (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_RECVFRAGSIZE)) {
			/* reassembled (IP_RECVFRAGSIZE and its IPv6 twin): XDP saw only fragments */
			how = SEEN_FRAGMENTS;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			   (cm->cmsg_type == IPV6_HOPOPTS || cm->cmsg_type == IPV6_DSTOPTS ||
			    cm->cmsg_type == IPV6_RTHDRDSTOPTS || cm->cmsg_type == IPV6_RTHDR)) {
			if (how == SEEN_WHOLE)
				how = SEEN_EXT_HEADERS;
		}
	}
	return how;
}

/*
 * A response: on with the fast path's decision (sift's Via off, to the
 * next Via's received and rport), when its branch verifies for where it
 * came from.  What the decision refuses is dropped and counted, never
 * answered.
 */
static void response_in(struct sift_punt *p, size_t n, const struct sift_arrival *a)
{
	struct sift_scratch *s = p->scratch;
	int reason;

	if (s->msg.action != SIFT_ACTION_FORWARD || n > SIFT_MSG_MAX)
		return;
	reason = sift_fwd_decide(&p->fwd.tables, s, a, p->key);
	if (reason == SIFT_REASON_FOR_US) {
		p->st.responses_ours++; /* to a request siftd made itself: its client transaction */
		sift_client_response(p, n, a);
		return;
	}
	if (reason == SIFT_REASON_FORGED_RESPONSE || reason == SIFT_REASON_NOT_OUR_VIA)
		p->st.forged++;
	if (!reason)
		reason = sift_forward_send(&p->fwd, s, sift_punt_send_fd_cb, p);
	if (reason)
		p->st.refused++;
	else
		p->st.forwarded++;
}

/*
 * A request the parser passed (or a Max-Forwards 0 OPTIONS, which may be
 * for sift): the fast path's decision, then sent on, or answered with what
 * the decision's reason calls for (reply.h).  Returns the reason, 0 when
 * it went on.
 */
static int request_in(struct sift_punt *p, int fd, size_t n, const struct sockaddr_storage *from,
		      struct sift_arrival *a)
{
	struct sift_scratch *s = p->scratch;
	bool mf0 = s->msg.action == SIFT_ACTION_PUNT &&
		   s->msg.reason == SIFT_REASON_MAX_FORWARDS_ZERO;
	int reason;

	reason = sift_fwd_decide(&p->fwd.tables, s, a, p->key);
	if (reason == SIFT_REASON_LOOP) {
		if (sift_loop_check(s, n, p->key)) {
			p->st.loops++;
		} else {
			p->st.spirals++;
			a->spiral = 1;
			reason = sift_fwd_decide(&p->fwd.tables, s, a, p->key);
		}
	}
	/* RFC 3261 16.3: Max-Forwards 0 goes nowhere; an OPTIONS for sift may be answered */
	if (mf0 && !(reason == SIFT_REASON_FOR_US && s->msg.method == SIFT_METHOD_OPTIONS)) {
		reason = SIFT_REASON_MAX_FORWARDS_ZERO;
	} else if (reason == SIFT_REASON_FLOW) {
		/* sift's Path, back from the registrar: to the UA's flow, if sift recorded it */
		if (sift_path_flow(s, &s->msg.route, p->key, &a->flow, &a->flow_port)) {
			p->st.flows_forged++;
			return SIFT_REASON_RELAY_DENIED; /* not answered: a Route anyone can write */
		}
		a->flow_ok = 1;
		{
			/* a flow on a connection (sift's Record-Route names those too): on it */
			struct sift_conn *fc = sift_conn_find(&p->conns, &a->flow, a->flow_port, 0);

			a->flow_stream = fc ? fc->transport : 0;
		}
		reason = sift_fwd_decide(&p->fwd.tables, s, a, p->key);
		p->fwd.st.to_flows += !reason;
	}
	if (reason == SIFT_REASON_NEXT_HOP_NAME)
		reason = sift_client_request(p, fd, n, from, a);
	else if (reason == SIFT_REASON_REGISTER)
		reason = sift_forward_register(&p->fwd, s, p->routing, p->key, sift_punt_send_fd_cb, p);
	else if (!reason)
		reason = sift_forward_send(&p->fwd, s, sift_punt_send_fd_cb, p);
	if (reason) {
		p->st.by_reason[reason < SIFT_REASON__MAX ? reason : 0]++;
		sift_punt_reply(p, fd, n, from, sift_punt_now(),
			    sift_reply_for_decision(s, reason, p->retry_after));
	}
	return reason;
}

/*
 * The message parsed in p->scratch (@n bytes from @from, on @fd or the
 * connection p->conn_in): answered, sent on, or counted and logged.
 */
static void message_in(struct sift_punt *p, int fd, size_t n, const struct sockaddr_storage *from,
		       struct sift_arrival *arr, int reason)
{
	struct sift_scratch *s = p->scratch;
	char peer[INET6_ADDRSTRLEN + 8];

	if (s->msg.kind == SIFT_KIND_STUN && !p->conn_in) {
		stun_answer(p, fd, n, from, sift_punt_now());
		return;
	}
	if (s->msg.kind == SIFT_KIND_RESPONSE) {
		p->st.responses++;
		response_in(p, n, arr);
		return;
	}
	if (s->msg.kind == SIFT_KIND_REQUEST) {
		struct sift_reply r;

		p->st.requests++;
		p->st.by_method[s->msg.method < SIFT_METHOD__MAX ? s->msg.method : 0]++;
		/*
		 * a retransmission of what siftd answered gets that answer
		 * again (a reliable transport has none: no transaction kept)
		 */
		if (!p->conn_in && s->msg.via[0].branch.len &&
		    sift_txn_request(&p->txns, sift_punt_txn_key(s), s->msg.method == SIFT_METHOD_ACK,
				     &arr->peer, sift_punt_now(), txn_send, p) != SIFT_TXN_NEW)
			return;
		r = sift_reply_for(s);
		if (r.code && !(r.code == 483 && s->msg.method == SIFT_METHOD_OPTIONS)) {
			sift_punt_reply(p, fd, n, from, sift_punt_now(), r);
			return;
		}
		if ((s->msg.action == SIFT_ACTION_FORWARD || r.code == 483) && n <= SIFT_MSG_MAX) {
			request_in(p, fd, n, from, arr);
			return;
		}
	}
	if (s->msg.action == SIFT_ACTION_DROP)
		p->st.malformed++;
	if (p->logged < LOG_FIRST || p->st.messages % LOG_EVERY == 0) {
		p->logged++;
		peer_fmt(from, peer, sizeof(peer));
		pr_info("punted %s from %s (%zu bytes, %s): not SIP siftd can finish",
			p->conn_in ? "message" : "datagram", peer, n, sift_reason_name(reason));
		if (p->logged == LOG_FIRST)
			pr_info("punted messages: logging one in %d from now on", LOG_EVERY);
	}
}

/*
 * RFC 5923: a request whose top Via carries ;alias over TLS makes its
 * connection reachable as the Via's sent-by, when that is the address the
 * connection comes from (only its port may differ: a client's listening
 * port).  Anything else could make sift send where an outsider asks.
 */
static void alias_check(struct sift_punt *p, struct sift_conn *c)
{
	struct sift_scratch *s = p->scratch;
	const struct sift_via *v = &s->msg.via[0];
	const char *val = (const char *)s->buf + v->value.off, *a;

	a = memmem(val, v->value.len, ";alias", 6);
	if (!a || (a + 6 < val + v->value.len && a[6] != ';' && a[6] != ' ' && a[6] != '\t'))
		return;
	if (v->addr.family && sift_addr_eq(&v->addr, &c->peer))
		sift_conn_alias(&p->conns, c, &v->addr, v->port ? v->port : 5061);
}

void sift_punt_input(struct sift_punt *p, int fd)
{
	/* a bounded batch per wake-up: the control socket and signals get their turn */
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		struct sift_scratch *s = p->scratch;
		/* responses back over connections, and requests to TCP and TLS hops, are siftd's */
		struct sift_arrival arr = { .streams = SIFT_STREAMS_KEPT };
		union {
			/* where it came to, the fragment size, or room for the usual extension headers */
			char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int)) +
				 CMSG_SPACE(256)];
			struct cmsghdr align;
		} ctl;
		enum seen how;
		struct iovec iov = { .iov_base = s->buf, .iov_len = SIFT_MSG_MAX + 1 };
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = ctl.buf,
			.msg_controllen = sizeof(ctl.buf),
		};
		ssize_t n;
		int reason;

		n = recvmsg(fd, &mh, MSG_TRUNC);
		if (n < 0)
			return;
		p->st.messages++;
		p->st.bytes += n;
		how = how_seen(&mh, &arr);
		if (sift_addr_of_sockaddr(&from, &arr.peer, &arr.peer_port))
			continue;
		if (how != SEEN_WHOLE) {
			/*
			 * The fast path saw only its fragments, or not past its
			 * IPv6 extension headers (and checked its source): the rest
			 * of its shield runs here, on the whole.  What it drops goes
			 * no further, silently, as in XDP.
			 */
			if (how == SEEN_FRAGMENTS)
				p->st.reassembled++;
			else
				p->st.ext_headers++;
			if (sift_shield_native(p->shield, s, n, &arr.peer, sift_punt_now()))
				continue;
			reason = s->msg.reason;
		} else {
			reason = sift_sip_parse_scratch(s, n);
		}
		message_in(p, fd, n, &from, &arr, reason);
	}
}

/*
 * A whole message read on connection @c: the shield's checks as for a
 * datagram (its source, its rate, the message: the fast path never saw
 * it), unless its certificate names a trusted peer, then the same
 * pipeline.  Replies and responses go back on @c.
 */
static void stream_msg(void *arg, struct sift_conn *c, const uint8_t *msg, size_t len)
{
	struct sift_punt *p = arg;
	struct sift_scratch *s = p->scratch;
	struct sift_arrival arr = {
		.peer = c->peer,
		.peer_port = c->peer_port,
		.local = c->local,
		.trusted = c->trusted,
		.streams = SIFT_STREAMS_KEPT | SIFT_STREAMS_IN,
	};
	struct sockaddr_storage from;
	int reason;

	p->st.messages++;
	p->st.stream_messages++;
	p->st.bytes += len;
	if (len > SIFT_MSG_MAX)
		return;
	memcpy(s->buf, msg, len);
	sift_sockaddr_of(&c->peer, c->peer_port, &from);
	arr.ingress = sift_forward_face(&p->fwd, &c->local);
	if (c->trusted) {
		reason = sift_sip_parse_scratch(s, len);
	} else if (sift_shield_native(p->stream_shield, s, len, &c->peer, sift_punt_now())) {
		p->st.stream_shielded++;
		return;
	} else {
		reason = s->msg.reason;
	}
	if (s->msg.kind == SIFT_KIND_REQUEST || s->msg.kind == SIFT_KIND_RESPONSE)
		sift_conn_authenticated(&p->conns, c);
	if (s->msg.kind == SIFT_KIND_REQUEST && c->transport == SIFT_TRANSPORT_TLS)
		alias_check(p, c);
	p->conn_in = c->id;
	p->fwd.in_transport = c->transport;
	p->fwd.in_port = c->local_port;
	p->fwd.in_peer = c->peer;
	p->fwd.in_peer_port = c->peer_port;
	p->fwd.path_mac_key = p->key;
	message_in(p, -1, len, &from, &arr, reason);
	p->conn_in = 0;
	p->fwd.in_transport = 0;
}

/*
 * What the fast path could not read whole (reassembled; IPv6 behind extension
 * headers), and what the shield dropped of it here, by reason.
 */
static json_t *shield_counts(const struct sift_shield_tables *t, __u64 *dropped)
{
	json_t *why = json_object();

	*dropped = 0;
	for (unsigned int i = 0; i < SIFT_STAT__MAX; i++) {
		if (strcmp(sift_stat_group(i), "shield"))
			continue;
		json_object_set_new(why, sift_stat_name(i), json_integer(t->counts[i]));
		if (i != SIFT_STAT_SHIELD_BAN_IMPOSED)
			*dropped += t->counts[i];
	}
	return why;
}

static json_t *reassembled_json(const struct sift_punt *p)
{
	__u64 dropped;
	json_t *why = shield_counts(p->shield, &dropped);

	return json_pack("{s:I, s:I, s:I, s:o}", "messages", (json_int_t)p->st.reassembled,
			 "ip6_ext_headers", (json_int_t)p->st.ext_headers, "dropped", (json_int_t)dropped,
			 "shield", why);
}

json_t *sift_punt_json(const struct sift_punt *p)
{
	json_t *o = json_object(), *m = json_object(), *ports = json_array();

	for (int i = 1; i < SIFT_METHOD__MAX; i++)
		if (p->st.by_method[i])
			json_object_set_new(m, sift_method_name(i), json_integer(p->st.by_method[i]));
	for (unsigned int i = 0; i < p->n_fds; i++)
		json_array_append_new(ports, json_integer(p->ports[i]));
	json_object_set_new(o, "messages", json_integer(p->st.messages));
	json_object_set_new(o, "responses_forwarded", json_integer(p->st.forwarded));
	json_object_set_new(o, "responses_refused", json_integer(p->st.refused));
	json_object_set_new(o, "responses_forged", json_integer(p->st.forged));
	json_object_set_new(o, "bytes", json_integer(p->st.bytes));
	json_object_set_new(o, "requests", json_integer(p->st.requests));
	json_object_set_new(o, "responses", json_integer(p->st.responses));
	json_object_set_new(o, "malformed", json_integer(p->st.malformed));
	json_object_set_new(o, "reassembled", reassembled_json(p));
	{
		json_t *codes = json_object(), *why = json_object();

		for (unsigned int k = 0; k < SIFT_REPLY_CODES; k++) {
			char c[8];

			snprintf(c, sizeof(c), "%u", sift_reply_codes[k]);
			json_object_set_new(codes, sift_reply_codes[k] ? c : "other",
					    json_integer(p->st.by_code[k]));
		}
		for (unsigned int r = 1; r < SIFT_REASON__MAX; r++)
			if (p->st.by_reason[r])
				json_object_set_new(why, sift_reason_name(r),
						    json_integer(p->st.by_reason[r]));
		json_object_set_new(o, "replies",
				    json_pack("{s:I, s:I, s:I, s:I, s:o}", "sent",
					      (json_int_t)p->st.replied, "stun", (json_int_t)p->st.stun,
					      "limited", (json_int_t)p->st.reply_limited, "not_built",
					      (json_int_t)p->st.reply_unbuilt, "by_code", codes));
		json_object_set_new(o, "forwarded", sift_forward_json(&p->fwd));
		json_object_set_new(o, "by_name", sift_client_json(p));
		json_object_set_new(o, "not_forwarded", why);
		json_object_set_new(o, "loops", json_integer(p->st.loops));
		json_object_set_new(o, "spirals", json_integer(p->st.spirals));
		json_object_set_new(o, "flows_forged", json_integer(p->st.flows_forged));
		json_object_set_new(o, "responses_ours", json_integer(p->st.responses_ours));
	}
	json_object_set_new(
		o, "transactions",
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "in_use",
			  (json_int_t)p->txns.n, "capacity", (json_int_t)p->txns.cap, "created",
			  (json_int_t)p->txns.st.created, "retransmitted",
			  (json_int_t)p->txns.st.retransmitted, "resent", (json_int_t)p->txns.st.resent,
			  "acks", (json_int_t)p->txns.st.acks, "absorbed",
			  (json_int_t)p->txns.st.absorbed, "timed_out", (json_int_t)p->txns.st.timed_out,
			  "shed", (json_int_t)p->txns.st.shed, "foreign", (json_int_t)p->txns.st.foreign));
	json_object_set_new(o, "by_method", m);
	json_object_set_new(o, "stream_messages", json_integer(p->st.stream_messages));
	json_object_set_new(o, "stream_shielded", json_integer(p->st.stream_shielded));
	{
		/* what the shield dropped of what came over connections, and refused at accept */
		__u64 dropped;

		json_object_set_new(o, "stream_shield", shield_counts(p->stream_shield, &dropped));
	}
	json_object_set_new(o, "connections", sift_conns_json(&p->conns));
	json_object_set_new(o, "sockets", ports);
	return o;
}
