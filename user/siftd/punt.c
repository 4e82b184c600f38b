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
#include "punt.h"
#include "reply.h"
#include "sip_native.h"

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
		   int buckets_fd)
{
	memset(p, 0, sizeof(*p));
	p->scratch = calloc(1, sizeof(*p->scratch));
	p->replies = calloc(SIFT_REPLY_SOURCES, sizeof(*p->replies));
	p->shield = malloc(sizeof(*p->shield));
	if (!p->scratch || !p->shield || !p->replies)
		return -ENOMEM;
	sift_shield_tables_init(p->shield, m, buckets_fd);
	/* the table's size is set at start (a reload keeps it: transactions live in it) */
	if (sift_txns_init(&p->txns, c->transactions))
		return -ENOMEM;
	return sift_punt_update(p, c);
}

int sift_punt_update(struct sift_punt *p, const struct sift_conf *c)
{
	p->reply_rate = c->reply_rate ? c->reply_rate : 1;
	p->reply_burst = c->reply_burst ? c->reply_burst : 1;
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
	free(p->replies);
	p->replies = NULL;
	sift_txns_free(&p->txns);
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
static int send_fd(const struct sift_punt *p, int family, unsigned int port)
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

/*
 * A response whose top Via sift wrote (its branch has sift's form): if its
 * branch verifies for where it came from (the hop sift sent the request
 * to), its call and where it goes (the Via below sift's, with the received
 * and rport sift wrote), strip sift's Via and send the rest there, through
 * the kernel.  The fast path's own rule and MAC (include/sift/fwd_util.h).
 * 1 if it was one (sent or refused), 0 if not.
 */
static int forward_response(struct sift_punt *p, size_t n, const struct sockaddr_storage *from)
{
	struct sift_scratch *s = p->scratch;
	const struct sift_via *v0 = &s->msg.via[0];
	struct sift_fwd_plan *pl = &s->plan;
	struct sockaddr_storage to;
	struct sift_addr src;
	unsigned int sport;
	struct iovec iov[2];
	struct msghdr mh = { .msg_name = &to, .msg_iov = iov, .msg_iovlen = 2 };
	int fd, reason;

	if (s->msg.kind != SIFT_KIND_RESPONSE || s->msg.action != SIFT_ACTION_FORWARD ||
	    v0->branch.len != SIFT_BRANCH_LEN ||
	    memcmp(s->buf + v0->branch.off, SIFT_BRANCH_PREFIX, SIFT_BRANCH_PREFIX_LEN) ||
	    sift_addr_of_sockaddr(from, &src, &sport))
		return 0;
	reason = sift_response_check(s, p->key, &src, sport);
	if (reason) {
		if (reason == SIFT_REASON_FORGED_RESPONSE || reason == SIFT_REASON_NOT_OUR_VIA)
			p->st.forged++;
		p->st.refused++;
		return 1;
	}
	mh.msg_namelen = sift_sockaddr_of(&pl->dst, pl->dport, &to);
	fd = send_fd(p, to.ss_family, v0->port ? v0->port : SIFT_SIP_PORT_DEFAULT);
	if (fd < 0 || pl->cut_off + pl->cut_len > n) {
		p->st.refused++;
		return 1;
	}
	/* everything but sift's Via, and nothing past the body (RFC 3261 18.3) */
	if (s->msg.eoh + s->msg.body_len < n)
		n = s->msg.eoh + s->msg.body_len;
	iov[0] = (struct iovec){ .iov_base = s->buf, .iov_len = pl->cut_off };
	iov[1] = (struct iovec){ .iov_base = s->buf + pl->cut_off + pl->cut_len,
				 .iov_len = n - pl->cut_off - pl->cut_len };
	if (sendmsg(fd, &mh, 0) < 0)
		p->st.refused++;
	else
		p->st.forwarded++;
	return 1;
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

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns()'s clock */
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The server transaction key of the request parsed in @s (RFC 3261 17.2.3). */
static uint64_t txn_key(const struct sift_scratch *s)
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

	if (p && !reply_allowed(p, &x->to, now_ns())) {
		p->st.reply_limited++;
		return false;
	}
	return sendto(x->fd, x->resp, x->len, 0, (struct sockaddr *)&to, len) == x->len;
}

int sift_punt_timeout_ms(const struct sift_punt *p)
{
	uint64_t next = sift_txn_next(&p->txns), now;

	if (!next)
		return -1;
	now = now_ns();
	return next <= now ? 0 : (int)((next - now + 999999) / 1000000);
}

void sift_punt_tick(struct sift_punt *p)
{
	sift_txn_tick(&p->txns, now_ns(), txn_send, NULL);
}

/*
 * Answer the request parsed in @s (@n bytes, from @from on @fd) when the
 * parser's verdict calls for a local reply (reply.h).  Sent back to the
 * address it came from, never elsewhere, and never larger than three times
 * the request.  1 when it called for one (sent or not), else 0.
 */
static int local_reply(struct sift_punt *p, int fd, size_t n, const struct sockaddr_storage *from,
		       uint64_t now)
{
	static char out[SIFT_REPLY_MAX];
	struct sift_scratch *s = p->scratch;
	struct sift_reply r = sift_reply_for(s);
	struct sockaddr_storage to;
	unsigned int sport, port;
	struct sift_addr src;
	socklen_t len;
	ssize_t l;

	if (!r.code || n > SIFT_MSG_MAX || sift_addr_of_sockaddr(from, &src, &sport))
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
	sift_txn_respond(&p->txns, txn_key(s), s->msg.method == SIFT_METHOD_INVITE, out, l, &src,
			 port, fd, now);
	if (sendto(fd, out, l, 0, (struct sockaddr *)&to, len) == l) {
		p->st.replied++;
		p->st.by_code[r.code == 400 ? 0 : r.code == 416 ? 1 : r.code == 420 ? 2 :
			      r.code == 483 ? 3 : r.code == 505 ? 4 : 5]++;
	}
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

/* How the fast path saw the datagram @mh describes. */
enum seen { SEEN_WHOLE, SEEN_FRAGMENTS, SEEN_EXT_HEADERS };

static enum seen how_seen(struct msghdr *mh)
{
	enum seen how = SEEN_WHOLE;

	/* options that did not fit: there were some, so it came behind extension headers */
	if (mh->msg_flags & MSG_CTRUNC)
		how = SEEN_EXT_HEADERS;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		/* reassembled (IP_RECVFRAGSIZE and its IPv6 twin): XDP saw only fragments */
		if ((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVFRAGSIZE) ||
		    (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_RECVFRAGSIZE))
			return SEEN_FRAGMENTS;
		if (cm->cmsg_level == IPPROTO_IPV6 &&
		    (cm->cmsg_type == IPV6_HOPOPTS || cm->cmsg_type == IPV6_DSTOPTS ||
		     cm->cmsg_type == IPV6_RTHDRDSTOPTS || cm->cmsg_type == IPV6_RTHDR))
			how = SEEN_EXT_HEADERS;
	}
	return how;
}

void sift_punt_input(struct sift_punt *p, int fd)
{
	/* a bounded batch per wake-up: the control socket and signals get their turn */
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		struct sift_scratch *s = p->scratch;
		char peer[INET6_ADDRSTRLEN + 8];
		union {
			/* the fragment size, or room for the usual extension headers */
			char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(256)];
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
		how = how_seen(&mh);
		if (how != SEEN_WHOLE) {
			/*
			 * The fast path saw only its fragments, or not past its
			 * IPv6 extension headers (and checked its source): the rest
			 * of its shield runs here, on the whole.  What it drops goes
			 * no further, silently, as in XDP.
			 */
			struct sift_addr src;
			unsigned int sport;

			if (how == SEEN_FRAGMENTS)
				p->st.reassembled++;
			else
				p->st.ext_headers++;
			sift_addr_of_sockaddr(&from, &src, &sport);
			if (sift_shield_native(p->shield, s, n, &src, now_ns()))
				continue;
			reason = s->msg.reason;
		} else {
			reason = sift_sip_parse_scratch(s, n);
		}
		if (s->msg.kind == SIFT_KIND_STUN) {
			stun_answer(p, fd, n, &from, now_ns());
			continue;
		}
		if (s->msg.kind == SIFT_KIND_REQUEST) {
			p->st.requests++;
			p->st.by_method[s->msg.method < SIFT_METHOD__MAX ? s->msg.method : 0]++;
		} else if (s->msg.kind == SIFT_KIND_RESPONSE) {
			p->st.responses++;
		}
		if (n <= SIFT_MSG_MAX && forward_response(p, n, &from))
			continue;
		if (s->msg.kind == SIFT_KIND_REQUEST && s->msg.via[0].branch.len) {
			struct sift_addr src;
			unsigned int sport;

			if (!sift_addr_of_sockaddr(&from, &src, &sport) &&
			    sift_txn_request(&p->txns, txn_key(s), s->msg.method == SIFT_METHOD_ACK,
					     &src, now_ns(), txn_send, p) != SIFT_TXN_NEW)
				continue;
		}
		if (local_reply(p, fd, n, &from, now_ns()))
			continue;
		if (s->msg.action == SIFT_ACTION_DROP)
			p->st.malformed++;
		if (p->logged < LOG_FIRST || p->st.messages % LOG_EVERY == 0) {
			p->logged++;
			peer_fmt(&from, peer, sizeof(peer));
			if (s->msg.kind == SIFT_KIND_REQUEST)
				pr_info("punted %s from %s (%zd bytes%s%s): no slow path for it yet",
					sift_method_name(s->msg.method), peer, n,
					reason ? ", " : "", reason ? sift_reason_name(reason) : "");
			else if (s->msg.kind == SIFT_KIND_RESPONSE)
				pr_info("punted %u response from %s (%zd bytes%s%s): no slow path for "
					"it yet",
					s->msg.status, peer, n, reason ? ", " : "",
					reason ? sift_reason_name(reason) : "");
			else
				pr_info("punted datagram from %s (%zd bytes, %s)", peer, n,
					sift_reason_name(reason));
			if (p->logged == LOG_FIRST)
				pr_info("punted messages: logging one in %d from now on", LOG_EVERY);
		}
	}
}

/*
 * What the fast path could not read whole (reassembled; IPv6 behind extension
 * headers), and what the shield dropped of it here, by reason.
 */
static json_t *reassembled_json(const struct sift_punt *p)
{
	json_t *why = json_object();
	__u64 dropped = 0;

	for (unsigned int i = 0; i < SIFT_STAT__MAX; i++) {
		if (strcmp(sift_stat_group(i), "shield"))
			continue;
		json_object_set_new(why, sift_stat_name(i), json_integer(p->shield->counts[i]));
		if (i != SIFT_STAT_SHIELD_BAN_IMPOSED)
			dropped += p->shield->counts[i];
	}
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
	json_object_set_new(o, "replies",
			    json_pack("{s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I}}", "sent",
				      (json_int_t)p->st.replied, "stun", (json_int_t)p->st.stun, "limited",
				      (json_int_t)p->st.reply_limited, "not_built",
				      (json_int_t)p->st.reply_unbuilt, "by_code", "400",
				      (json_int_t)p->st.by_code[0], "416", (json_int_t)p->st.by_code[1],
				      "420", (json_int_t)p->st.by_code[2], "483",
				      (json_int_t)p->st.by_code[3], "505", (json_int_t)p->st.by_code[4],
				      "other", (json_int_t)p->st.by_code[5]));
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
	json_object_set_new(o, "sockets", ports);
	return o;
}
