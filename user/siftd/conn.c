// SPDX-License-Identifier: GPL-2.0
/* siftd's connections over TCP and TLS (conn.h says what they do). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "conn.h"
#include "log.h"

#define SWEEP_NS (250 * 1000000ULL)
#define TAG_LISTENER (1ULL << 32)
#define READ_CHUNK 16384

static const char *const refusal_names[] = {
#define N_(id, name) #name,
	SIFT_CONN_REFUSALS(N_)
#undef N_
};
static const char *const close_names[] = {
	"none",
#define N_(id, name) #name,
	SIFT_CONN_CLOSES(N_)
#undef N_
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint32_t addr_hash(const struct sift_addr *a, unsigned int port)
{
	const uint8_t *b = (const uint8_t *)a;
	uint64_t h = 0xcbf29ce484222325ULL ^ port;

	for (size_t i = 0; i < offsetof(struct sift_addr, pad); i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return (uint32_t)(h ^ h >> 31);
}

static const char *conn_fmt(const struct sift_conn *c, char *buf, size_t len)
{
	char a[64];

	sift_addr_fmt(&c->peer, a, sizeof(a));
	snprintf(buf, len, "%s %s%s%s:%u", c->transport == SIFT_TRANSPORT_TLS ? "tls" : "tcp",
		 c->peer.family == SIFT_AF_INET6 ? "[" : "", a,
		 c->peer.family == SIFT_AF_INET6 ? "]" : "", c->peer_port);
	return buf;
}

/* ---- the tables ----------------------------------------------------------------- */

static void chain_del(uint32_t *head, struct sift_conns *cs, uint32_t slot1, bool alias)
{
	for (uint32_t *p = head; *p; p = alias ? &cs->c[*p - 1].next_alias : &cs->c[*p - 1].next_peer) {
		if (*p == slot1) {
			*p = alias ? cs->c[slot1 - 1].next_alias : cs->c[slot1 - 1].next_peer;
			return;
		}
	}
}

/* The source slot of @a, taken if new (a slot with no connection and no debt is free). */
static struct sift_conn_source *source_of(struct sift_conns *cs, const struct sift_addr *a,
					  uint64_t now, uint32_t *slot)
{
	uint32_t h = addr_hash(a, 0), spare = 0;

	for (uint32_t i = 0; i < 16; i++) {
		uint32_t k = (h + i) & cs->smask;
		struct sift_conn_source *s = &cs->src[k];

		if (s->a.family && sift_addr_eq(&s->a, a)) {
			*slot = k + 1;
			return s;
		}
		if (!spare && (!s->a.family || (!s->conns && s->tat <= now)))
			spare = k + 1;
	}
	if (!spare)
		return NULL;
	*slot = spare;
	cs->src[spare - 1] = (struct sift_conn_source){ .a = *a, .tat = now };
	return &cs->src[spare - 1];
}

/* GCRA: one more at @now within @rate a second and @burst? */
static bool gcra(uint64_t *tat, uint64_t now, unsigned int rate, unsigned int burst)
{
	uint64_t t = 1000000000ULL / (rate ? rate : 1), tau = t * (burst ? burst - 1 : 0);

	if (*tat > now + tau)
		return false;
	*tat = (*tat > now ? *tat : now) + t;
	return true;
}

static int epoll_set(struct sift_conns *cs, struct sift_conn *c, bool add)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLRDHUP | (c->out_len || c->state == SIFT_CONN_CONNECTING ?
							  EPOLLOUT : 0),
		.data.u64 = c - cs->c,
	};

	return epoll_ctl(cs->ep, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &ev);
}

static void refused_add(struct sift_conns *cs, const struct sift_addr *a, unsigned int port)
{
	unsigned int i = cs->n_refused++ % SIFT_CONN_REFUSED_N;

	cs->refused[i].a = *a;
	cs->refused[i].port = port;
	cs->refused[i].until = now_ns() + SIFT_CONN_REFUSED_S * 1000000000ULL;
}

bool sift_conn_refused(struct sift_conns *cs, const struct sift_addr *a, unsigned int port)
{
	uint64_t now = now_ns();

	for (unsigned int i = 0; i < SIFT_CONN_REFUSED_N; i++)
		if (cs->refused[i].until > now && cs->refused[i].port == port &&
		    sift_addr_eq(&cs->refused[i].a, a))
			return true;
	return false;
}

static void conn_close(struct sift_conns *cs, struct sift_conn *c, int why)
{
	uint32_t slot1 = c - cs->c + 1;
	char b[96];

	if (c->fd < 0)
		return;
	cs->st.closed[why]++;
	if (why == SIFT_CONN_CLOSE_CONNECT && c->outbound)
		refused_add(cs, &c->peer, c->peer_port);
	if (why != SIFT_CONN_CLOSE_PEER && why != SIFT_CONN_CLOSE_SHUTDOWN)
		pr_debug("connection %s closed: %s", conn_fmt(c, b, sizeof(b)), close_names[why]);
	if (c->ssl) {
		if (why == SIFT_CONN_CLOSE_IDLE || why == SIFT_CONN_CLOSE_SHUTDOWN)
			SSL_shutdown(c->ssl); /* close_notify, best effort */
		SSL_free(c->ssl);
		ERR_clear_error();
	}
	sift_tls_unref(c->tls);
	if (why != SIFT_CONN_CLOSE_PEER && why != SIFT_CONN_CLOSE_IDLE &&
	    why != SIFT_CONN_CLOSE_SHUTDOWN) {
		/* a cut, not a goodbye: reset, and no TIME_WAIT kept for it */
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	close(c->fd);
	chain_del(&cs->by_peer[addr_hash(&c->peer, c->peer_port) & cs->hmask], cs, slot1, false);
	if (c->alias.family)
		chain_del(&cs->by_alias[addr_hash(&c->alias, c->alias_port) & cs->hmask], cs, slot1,
			  true);
	if (c->src && cs->src[c->src - 1].conns)
		cs->src[c->src - 1].conns--;
	if (!c->first_done)
		cs->n_unauth--;
	if (c->transport == SIFT_TRANSPORT_TLS)
		cs->n_tls--;
	sift_stream_free(&c->rx);
	free(c->out);
	*c = (struct sift_conn){ .fd = -1, .id = c->id };
	cs->free_slots[cs->n_free++] = slot1 - 1;
	cs->n--;
}

/* A slot for a new connection on @fd, in the tables; NULL when none is free. */
static struct sift_conn *conn_new(struct sift_conns *cs, int fd, int transport,
				  const struct sift_addr *peer, unsigned int peer_port, uint64_t now)
{
	struct sift_conn *c;
	uint32_t slot, h;

	if (!cs->n_free)
		return NULL;
	slot = cs->free_slots[--cs->n_free];
	c = &cs->c[slot];
	*c = (struct sift_conn){
		.fd = fd,
		/* the generation in the high bits: a stale handle finds nothing */
		.id = ((c->id >> 20) + 1) << 20 | (slot + 1),
		.transport = transport,
		.peer = *peer,
		.peer_port = peer_port,
		.born = now,
		.last = now,
	};
	sift_stream_init(&c->rx, cs->conf.max_message);
	h = addr_hash(peer, peer_port) & cs->hmask;
	c->next_peer = cs->by_peer[h];
	cs->by_peer[h] = slot + 1;
	cs->n++;
	cs->n_unauth++;
	if (transport == SIFT_TRANSPORT_TLS)
		cs->n_tls++;
	return c;
}

struct sift_conn *sift_conn_get(struct sift_conns *cs, uint32_t id)
{
	uint32_t slot = (id & 0xfffff) - 1;

	if (!id || slot >= cs->cap || cs->c[slot].fd < 0 || cs->c[slot].id != id)
		return NULL;
	return &cs->c[slot];
}

struct sift_conn *sift_conn_find(struct sift_conns *cs, const struct sift_addr *a, unsigned int port,
				 int transport)
{
	uint32_t h;

	if (!cs->cap)
		return NULL;
	h = addr_hash(a, port) & cs->hmask;
	for (uint32_t i = cs->by_peer[h]; i; i = cs->c[i - 1].next_peer) {
		struct sift_conn *c = &cs->c[i - 1];

		if (c->peer_port == port && sift_addr_eq(&c->peer, a) &&
		    (!transport || c->transport == transport))
			return c;
	}
	for (uint32_t i = cs->by_alias[h]; i; i = cs->c[i - 1].next_alias) {
		struct sift_conn *c = &cs->c[i - 1];

		if (c->alias_port == port && sift_addr_eq(&c->alias, a) &&
		    (!transport || c->transport == transport))
			return c;
	}
	return NULL;
}

void sift_conn_alias(struct sift_conns *cs, struct sift_conn *c, const struct sift_addr *a,
		     unsigned int port)
{
	uint32_t h;

	if (c->alias.family && c->alias_port == port && sift_addr_eq(&c->alias, a))
		return;
	if (c->alias.family)
		chain_del(&cs->by_alias[addr_hash(&c->alias, c->alias_port) & cs->hmask], cs,
			  c - cs->c + 1, true);
	c->alias = *a;
	c->alias_port = port;
	h = addr_hash(a, port) & cs->hmask;
	c->next_alias = cs->by_alias[h];
	cs->by_alias[h] = c - cs->c + 1;
	cs->st.aliases++;
}

void sift_conn_authenticated(struct sift_conns *cs, struct sift_conn *c)
{
	if (c->first_done)
		return;
	c->first_done = true;
	cs->n_unauth--;
}

/* ---- reading and writing ---------------------------------------------------------- */

/* Write what waits on @c.  0, or the reason it must close. */
static int conn_read(struct sift_conns *cs, struct sift_conn *c);

static int flush(struct sift_conns *cs, struct sift_conn *c)
{
	size_t done = 0;
	int ret = 0;

	while (done < c->out_len) {
		ssize_t n;

		if (c->ssl) {
			size_t w = 0;

			int r;

			ERR_clear_error();
			r = SSL_write_ex(c->ssl, c->out + done, c->out_len - done, &w);
			if (r) {
				n = w;
			} else {
				int e = SSL_get_error(c->ssl, r);

				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
					break;
				ret = e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN ?
					      SIFT_CONN_CLOSE_PEER :
					      SIFT_CONN_CLOSE_ERROR;
				break;
			}
		} else {
			n = send(c->fd, c->out + done, c->out_len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				ret = errno == EPIPE || errno == ECONNRESET ? SIFT_CONN_CLOSE_PEER :
									      SIFT_CONN_CLOSE_ERROR;
				break;
			}
		}
		done += n;
		cs->st.bytes_out += n;
	}
	if (done) {
		memmove(c->out, c->out + done, c->out_len - done);
		c->out_len -= done;
	}
	if (!c->out_len && c->out_cap > 4096) {
		/* an idle connection keeps no big buffer */
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	if (!ret)
		epoll_set(cs, c, false);
	return ret;
}

static int queue(struct sift_conn *c, const void *buf, size_t len)
{
	if (c->out_len + len > SIFT_CONN_OUT_MAX)
		return -1;
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 1024;
		uint8_t *b;

		while (cap < c->out_len + len)
			cap *= 2;
		b = realloc(c->out, cap);
		if (!b)
			return -1;
		c->out = b;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	return 0;
}

int sift_conn_send(struct sift_conns *cs, struct sift_conn *c, const void *buf, size_t len)
{
	int why;

	if (queue(c, buf, len)) {
		conn_close(cs, c, SIFT_CONN_CLOSE_WRITE_BACKLOG);
		return -1;
	}
	c->last = now_ns();
	if (c->state != SIFT_CONN_OPEN)
		return 0; /* written once it is connected, and its handshake done */
	why = flush(cs, c);
	if (why) {
		conn_close(cs, c, why);
		return -1;
	}
	return 0;
}

/* The handshake is done: who the peer is, and whether the kernel took the record layer. */
static void tls_established(struct sift_conns *cs, struct sift_conn *c)
{
	char b[96];

	c->state = SIFT_CONN_OPEN;
	cs->st.handshakes++;
	c->ktls = sift_tls_ktls(c->ssl);
	cs->st.ktls += c->ktls != 0;
	if (!c->outbound && sift_tls_peer(c->tls, c->ssl, c->peer_name, sizeof(c->peer_name))) {
		c->trusted = true;
		sift_conn_authenticated(cs, c); /* its certificate says who it is */
		pr_info("connection %s: trusted peer %s", conn_fmt(c, b, sizeof(b)), c->peer_name);
	}
}

/* Go on with the TLS handshake.  0 (done, or waiting for the peer), or a close reason. */
static int handshake(struct sift_conns *cs, struct sift_conn *c)
{
	int r, e;
	char b[96];

	ERR_clear_error();
	r = c->outbound ? SSL_connect(c->ssl) : SSL_accept(c->ssl);
	if (r == 1) {
		tls_established(cs, c);
		r = flush(cs, c);
		/* a request may have come behind the Finished message */
		return r ? r : conn_read(cs, c);
	}
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		struct epoll_event ev = {
			.events = EPOLLRDHUP | (e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT),
			.data.u64 = c - cs->c,
		};

		epoll_ctl(cs->ep, EPOLL_CTL_MOD, c->fd, &ev);
		return 0;
	}
	pr_info("connection %s: TLS handshake failed: %s", conn_fmt(c, b, sizeof(b)),
		e == SSL_ERROR_SSL ? sift_tls_error() : "connection lost");
	return SIFT_CONN_CLOSE_HANDSHAKE;
}

/* Read what @c has, and hand on every whole message.  0 or a close reason. */
static int conn_read(struct sift_conns *cs, struct sift_conn *c)
{
	static uint8_t buf[READ_CHUNK];
	const uint32_t id = c->id;

	/* a bounded amount per wake-up: the other connections get their turn */
	for (int round = 0; round < 8; round++) {
		size_t room = c->rx.max + 4 - (c->rx.len - c->rx.skip), want;
		ssize_t n;

		want = room < sizeof(buf) ? room : sizeof(buf);
		if (c->ssl) {
			size_t got = 0;

			int r;

			ERR_clear_error();
			r = SSL_read_ex(c->ssl, buf, want, &got);
			if (!r) {
				int e = SSL_get_error(c->ssl, r);

				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					return 0;
				return e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ?
					       SIFT_CONN_CLOSE_PEER :
					       SIFT_CONN_CLOSE_ERROR;
			}
			n = got;
		} else {
			n = recv(c->fd, buf, want, MSG_DONTWAIT);
			if (n < 0)
				return errno == EAGAIN || errno == EINTR ? 0 :
				       errno == ECONNRESET		 ? SIFT_CONN_CLOSE_PEER :
									   SIFT_CONN_CLOSE_ERROR;
			if (!n)
				return SIFT_CONN_CLOSE_PEER;
		}
		cs->st.bytes_in += n;
		c->last = now_ns();
		if (sift_stream_feed(&c->rx, buf, n))
			return SIFT_CONN_CLOSE_TOO_BIG;
		for (;;) {
			const uint8_t *msg;
			size_t len;
			enum sift_stream_result r = sift_stream_next(&c->rx, &msg, &len);

			if (r == SIFT_STREAM_MORE)
				break;
			if (r == SIFT_STREAM_PING) {
				/* RFC 5626 3.5.1: the pong */
				cs->st.pings++;
				if (sift_conn_send(cs, c, "\r\n", 2))
					return -1;
				continue;
			}
			if (r == SIFT_STREAM_TOO_BIG)
				return SIFT_CONN_CLOSE_TOO_BIG;
			if (r == SIFT_STREAM_NO_LENGTH)
				return SIFT_CONN_CLOSE_NO_LENGTH;
			if (r == SIFT_STREAM_BAD_LENGTH)
				return SIFT_CONN_CLOSE_BAD_LENGTH;
			cs->st.messages++;
			cs->on_msg(cs->arg, c, msg, len);
			if (sift_conn_get(cs, id) != c)
				return -1; /* the callback closed it */
		}
		if ((size_t)n < want && !(c->ssl && SSL_pending(c->ssl)))
			return 0;
	}
	return 0;
}

static void conn_event(struct sift_conns *cs, struct sift_conn *c, uint32_t events)
{
	int why = 0;

	if (c->state == SIFT_CONN_CONNECTING) {
		int err = 0;
		socklen_t l = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) || err) {
			conn_close(cs, c, SIFT_CONN_CLOSE_CONNECT);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		c->state = c->ssl ? SIFT_CONN_HANDSHAKE : SIFT_CONN_OPEN;
		why = c->ssl ? handshake(cs, c) : flush(cs, c);
	} else if (c->state == SIFT_CONN_HANDSHAKE) {
		why = handshake(cs, c);
	} else {
		if (events & EPOLLOUT)
			why = flush(cs, c);
		if (!why && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
			why = conn_read(cs, c);
	}
	if (why > 0)
		conn_close(cs, c, why);
}

/* ---- accepting ------------------------------------------------------------------------ */

static void refuse(struct sift_conns *cs, int fd, int why)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	cs->st.refused[why]++;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)); /* a reset, no TIME_WAIT */
	close(fd);
}

static void accept_on(struct sift_conns *cs, struct sift_conn_listener *l)
{
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct sift_conn_source *src;
		struct sift_addr peer;
		struct sift_conn *c;
		unsigned int port;
		uint64_t now;
		uint32_t sslot;
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC),
		    trusted = 0, one = 1;

		if (fd < 0)
			return;
		if (sift_addr_of_sockaddr(&ss, &peer, &port)) {
			close(fd);
			continue;
		}
		now = now_ns();
		/* banned since its SYN passed, denied, or not allowed: never a handshake */
		if (cs->shield && sift_shield_native_source(cs->shield, &peer, now, &trusted)) {
			refuse(cs, fd, SIFT_CONN_REFUSE_BANNED);
			continue;
		}
		if (cs->n >= cs->conf.max_connections || !cs->n_free) {
			refuse(cs, fd, SIFT_CONN_REFUSE_MAX_CONNECTIONS);
			continue;
		}
		src = source_of(cs, &peer, now, &sslot);
		if (!src) {
			refuse(cs, fd, SIFT_CONN_REFUSE_SOURCES_FULL);
			continue;
		}
		if (!trusted && src->conns >= cs->conf.per_source) {
			refuse(cs, fd, SIFT_CONN_REFUSE_PER_SOURCE);
			continue;
		}
		if (!trusted && !gcra(&src->tat, now, cs->conf.new_rate, cs->conf.new_burst)) {
			refuse(cs, fd, SIFT_CONN_REFUSE_NEW_RATE);
			continue;
		}
		if (!trusted && cs->n_unauth >= cs->conf.unauthenticated) {
			refuse(cs, fd, SIFT_CONN_REFUSE_UNAUTHENTICATED);
			continue;
		}
		if (l->transport == SIFT_TRANSPORT_TLS && cs->tls_conf.handshake_rate &&
		    !gcra(&cs->hs_tat, now, cs->tls_conf.handshake_rate, cs->tls_conf.handshake_burst)) {
			refuse(cs, fd, SIFT_CONN_REFUSE_HANDSHAKE_RATE);
			continue;
		}
		c = conn_new(cs, fd, l->transport, &peer, port, now);
		if (!c) {
			refuse(cs, fd, SIFT_CONN_REFUSE_MAX_CONNECTIONS);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		src->conns++;
		c->src = sslot;
		len = sizeof(ss);
		if (!getsockname(fd, (struct sockaddr *)&ss, &len))
			sift_addr_of_sockaddr(&ss, &c->local, &c->local_port);
		cs->st.accepted++;
		if (trusted)
			sift_conn_authenticated(cs, c); /* the allow list trusts the source */
		if (l->transport == SIFT_TRANSPORT_TLS) {
			c->tls = sift_tls_ref(cs->tls);
			c->ssl = c->tls ? sift_tls_server(c->tls, fd) : NULL;
			if (!c->ssl) {
				conn_close(cs, c, SIFT_CONN_CLOSE_HANDSHAKE);
				continue;
			}
			c->state = SIFT_CONN_HANDSHAKE;
		} else {
			c->state = SIFT_CONN_OPEN;
		}
		if (epoll_set(cs, c, true)) {
			conn_close(cs, c, SIFT_CONN_CLOSE_ERROR);
			continue;
		}
		/* a client speaks first: its ClientHello or its request may be here already */
		conn_event(cs, c, EPOLLIN);
	}
}

struct sift_conn *sift_conn_connect(struct sift_conns *cs, const struct sift_addr *a,
				    unsigned int port, int transport)
{
	struct sockaddr_storage ss;
	socklen_t len = sift_sockaddr_of(a, port, &ss);
	struct sift_conn *c;
	char host[64];
	int fd, one = 1;

	if (!cs->cap || cs->n >= cs->conf.max_connections ||
	    (transport == SIFT_TRANSPORT_TLS && !cs->tls)) {
		errno = ENOBUFS;
		return NULL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		refused_add(cs, a, port);
		errno = e;
		return NULL;
	}
	c = conn_new(cs, fd, transport, a, port, now_ns());
	if (!c) {
		close(fd);
		errno = ENOBUFS;
		return NULL;
	}
	c->outbound = true;
	c->state = SIFT_CONN_CONNECTING;
	sift_conn_authenticated(cs, c); /* siftd's own: no first-message deadline */
	if (transport == SIFT_TRANSPORT_TLS) {
		sift_addr_fmt(a, host, sizeof(host));
		c->tls = sift_tls_ref(cs->tls);
		c->ssl = sift_tls_client(c->tls, fd, host);
	}
	if ((transport == SIFT_TRANSPORT_TLS && !c->ssl) || epoll_set(cs, c, true)) {
		conn_close(cs, c, SIFT_CONN_CLOSE_ERROR);
		errno = EIO;
		return NULL;
	}
	cs->st.opened++;
	return c;
}

void sift_conns_process(struct sift_conns *cs)
{
	struct epoll_event ev[64];
	int n = epoll_wait(cs->ep, ev, 64, 0);

	for (int i = 0; i < n; i++) {
		if (ev[i].data.u64 & TAG_LISTENER) {
			accept_on(cs, &cs->lis[(uint32_t)ev[i].data.u64]);
			continue;
		}
		if (ev[i].data.u64 < cs->cap && cs->c[ev[i].data.u64].fd >= 0)
			conn_event(cs, &cs->c[ev[i].data.u64], ev[i].events);
	}
}

int sift_conns_timeout_ms(struct sift_conns *cs)
{
	uint64_t now;

	if (!cs->n)
		return -1;
	now = now_ns();
	return cs->next_sweep <= now ? 0 : (int)((cs->next_sweep - now) / 1000000 + 1);
}

void sift_conns_tick(struct sift_conns *cs)
{
	uint64_t now = now_ns(), first = cs->conf.first_message_ms * 1000000ULL,
		 idle = cs->conf.idle_timeout * 1000000000ULL;

	if (now < cs->next_sweep)
		return;
	cs->next_sweep = now + SWEEP_NS;
	for (unsigned int i = 0; i < cs->cap && cs->n; i++) {
		struct sift_conn *c = &cs->c[i];

		if (c->fd < 0)
			continue;
		if (!c->first_done && now - c->born > first)
			conn_close(cs, c, c->state == SIFT_CONN_HANDSHAKE ? SIFT_CONN_CLOSE_HANDSHAKE :
									    SIFT_CONN_CLOSE_FIRST_MESSAGE);
		else if (c->state != SIFT_CONN_OPEN && now - c->born > first)
			conn_close(cs, c, c->state == SIFT_CONN_CONNECTING ? SIFT_CONN_CLOSE_CONNECT :
									     SIFT_CONN_CLOSE_HANDSHAKE);
		else if (now - c->last > idle)
			conn_close(cs, c, SIFT_CONN_CLOSE_IDLE);
	}
}

/* ---- listeners ---------------------------------------------------------------------------- */

static int listen_on(int family, unsigned int port)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_storage ss = {};
	struct sift_addr any = { .family = family == AF_INET ? SIFT_AF_INET : SIFT_AF_INET6 };
	socklen_t len = sift_sockaddr_of(&any, port, &ss);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 4096)) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* The listeners @c asks for: TCP on the SIP ports, TLS on tls.ports (with a certificate). */
static unsigned int wanted(const struct sift_conf *c, unsigned int *ports, uint8_t *tr)
{
	unsigned int n = 0;

	for (unsigned int i = 0; c->tcp.enabled && i < c->n_sip_ports; i++) {
		ports[n] = c->sip_ports[i];
		tr[n++] = SIFT_TRANSPORT_TCP;
	}
	for (unsigned int i = 0; c->tls.cert[0] && i < c->tls.n_ports; i++) {
		ports[n] = c->tls.ports[i];
		tr[n++] = SIFT_TRANSPORT_TLS;
	}
	return n;
}

static int listeners_update(struct sift_conns *cs, const struct sift_conf *c, char *err,
			    size_t errlen)
{
	unsigned int ports[2 * SIFT_MAX_PORTS], n;
	uint8_t tr[2 * SIFT_MAX_PORTS];

	n = wanted(c, ports, tr);
	/* close those no longer wanted (their connections stay) */
	for (unsigned int i = 0; i < cs->n_lis;) {
		bool keep = false;

		for (unsigned int k = 0; k < n; k++)
			keep |= ports[k] == cs->lis[i].port && tr[k] == cs->lis[i].transport;
		if (keep) {
			i++;
			continue;
		}
		close(cs->lis[i].fd);
		cs->lis[i] = cs->lis[--cs->n_lis];
		if (i < cs->n_lis) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_LISTENER | i };

			epoll_ctl(cs->ep, EPOLL_CTL_MOD, cs->lis[i].fd, &ev);
		}
	}
	for (unsigned int k = 0; k < n; k++) {
		static const int fams[] = { AF_INET, AF_INET6 };

		for (int f = 0; f < 2; f++) {
			bool have = false;
			struct epoll_event ev = { .events = EPOLLIN };
			int fd;

			for (unsigned int i = 0; i < cs->n_lis; i++)
				have |= cs->lis[i].port == ports[k] && cs->lis[i].transport == tr[k] &&
					cs->lis[i].family == fams[f];
			if (have)
				continue;
			fd = listen_on(fams[f], ports[k]);
			if (fd == -EAFNOSUPPORT)
				continue;
			if (fd == -EADDRINUSE) {
				pr_info("%s port %u (%s) is served by another process",
					tr[k] == SIFT_TRANSPORT_TLS ? "TLS" : "TCP", ports[k],
					f ? "IPv6" : "IPv4");
				continue;
			}
			if (fd < 0) {
				snprintf(err, errlen, "listen on %s port %u (%s): %s",
					 tr[k] == SIFT_TRANSPORT_TLS ? "TLS" : "TCP", ports[k],
					 f ? "IPv6" : "IPv4", strerror(-fd));
				return fd;
			}
			if (cs->n_lis == SIFT_CONN_LISTENERS) {
				close(fd);
				snprintf(err, errlen, "too many listeners");
				return -E2BIG;
			}
			ev.data.u64 = TAG_LISTENER | cs->n_lis;
			if (epoll_ctl(cs->ep, EPOLL_CTL_ADD, fd, &ev)) {
				close(fd);
				return -errno;
			}
			cs->lis[cs->n_lis++] = (struct sift_conn_listener){
				.fd = fd, .port = ports[k], .transport = tr[k], .family = fams[f]
			};
		}
	}
	return 0;
}

int sift_conns_update(struct sift_conns *cs, const struct sift_conf *c, char *err, size_t errlen)
{
	struct sift_tls *tls = NULL;
	int ret;

	if (c->tls.cert[0]) {
		tls = sift_tls_new(&c->tls, err, errlen);
		if (!tls)
			return -EINVAL;
	}
	ret = listeners_update(cs, c, err, errlen);
	if (ret) {
		sift_tls_unref(tls);
		return ret;
	}
	/* connections made with the old certificates keep them: they hold a reference */
	sift_tls_unref(cs->tls);
	cs->tls = tls;
	cs->conf = c->tcp;
	if (cs->conf.max_connections > cs->cap)
		cs->conf.max_connections = cs->cap; /* the table's size is set at start */
	cs->tls_conf = c->tls;
	return 0;
}

int sift_conns_open(struct sift_conns *cs, const struct sift_conf *c,
		    struct sift_shield_tables *shield, sift_conn_msg_fn on_msg, void *arg, char *err,
		    size_t errlen)
{
	uint32_t h = 1024;

	memset(cs, 0, sizeof(*cs));
	cs->ep = epoll_create1(EPOLL_CLOEXEC);
	if (cs->ep < 0)
		return -errno;
	cs->cap = c->tcp.max_connections;
	while (h < 2 * cs->cap)
		h <<= 1;
	cs->hmask = h - 1;
	cs->smask = h - 1;
	cs->c = calloc(cs->cap, sizeof(*cs->c));
	cs->free_slots = calloc(cs->cap, sizeof(*cs->free_slots));
	cs->by_peer = calloc(h, sizeof(*cs->by_peer));
	cs->by_alias = calloc(h, sizeof(*cs->by_alias));
	cs->src = calloc(h, sizeof(*cs->src));
	if (!cs->c || !cs->free_slots || !cs->by_peer || !cs->by_alias || !cs->src) {
		snprintf(err, errlen, "connections: out of memory");
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < cs->cap; i++) {
		cs->c[i].fd = -1;
		cs->free_slots[cs->n_free++] = cs->cap - 1 - i;
	}
	cs->shield = shield;
	cs->on_msg = on_msg;
	cs->arg = arg;
	{
		/* a descriptor per connection, and room for the rest of siftd */
		struct rlimit rl;
		rlim_t want = (rlim_t)cs->cap + 512;

		if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < want) {
			rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			if (rl.rlim_cur < want)
				pr_warn("open files are limited to %llu: fewer than tcp.max_connections "
					"(%u) connections can be held (raise LimitNOFILE)",
					(unsigned long long)rl.rlim_cur, cs->cap);
		}
	}
	return sift_conns_update(cs, c, err, errlen);
}

void sift_conns_close(struct sift_conns *cs)
{
	for (unsigned int i = 0; i < cs->cap; i++)
		if (cs->c[i].fd >= 0)
			conn_close(cs, &cs->c[i], SIFT_CONN_CLOSE_SHUTDOWN);
	for (unsigned int i = 0; i < cs->n_lis; i++)
		close(cs->lis[i].fd);
	if (cs->ep >= 0)
		close(cs->ep);
	sift_tls_unref(cs->tls);
	free(cs->c);
	free(cs->free_slots);
	free(cs->by_peer);
	free(cs->by_alias);
	free(cs->src);
	memset(cs, 0, sizeof(*cs));
	cs->ep = -1;
}

const char *sift_conn_refusal_name(unsigned int why)
{
	return why < SIFT_CONN_REFUSE__MAX ? refusal_names[why] : "?";
}

const char *sift_conn_close_name(unsigned int why)
{
	return why < SIFT_CONN_CLOSE__MAX ? close_names[why] : "?";
}

json_t *sift_conns_json(const struct sift_conns *cs)
{
	json_t *o = json_object(), *r = json_object(), *cl = json_object(), *lis = json_array();
	uint64_t ktls_open = 0, trusted = 0, out = 0;

	for (unsigned int i = 0; i < SIFT_CONN_REFUSE__MAX; i++)
		json_object_set_new(r, refusal_names[i], json_integer(cs->st.refused[i]));
	for (unsigned int i = 1; i < SIFT_CONN_CLOSE__MAX; i++)
		json_object_set_new(cl, close_names[i], json_integer(cs->st.closed[i]));
	for (unsigned int i = 0; i < cs->cap; i++) {
		if (cs->c[i].fd < 0)
			continue;
		ktls_open += cs->c[i].ktls != 0;
		trusted += cs->c[i].trusted;
		out += cs->c[i].outbound;
	}
	for (unsigned int i = 0; i < cs->n_lis; i++)
		json_array_append_new(lis, json_pack("{s:s, s:i, s:s}", "transport",
						     cs->lis[i].transport == SIFT_TRANSPORT_TLS ? "tls" :
												   "tcp",
						     "port", cs->lis[i].port, "family",
						     cs->lis[i].family == AF_INET ? "ipv4" : "ipv6"));
	const struct {
		const char *name;
		uint64_t v;
	} counts[] = {
		{ "open", cs->n },
		{ "capacity", cs->conf.max_connections },
		{ "tls", cs->n_tls },
		{ "ktls", ktls_open },
		{ "trusted", trusted },
		{ "outbound", out },
		{ "unauthenticated", cs->n_unauth },
		{ "accepted", cs->st.accepted },
		{ "opened", cs->st.opened },
		{ "handshakes", cs->st.handshakes },
		{ "ktls_handshakes", cs->st.ktls },
		{ "messages", cs->st.messages },
		{ "pings", cs->st.pings },
		{ "aliases", cs->st.aliases },
		{ "bytes_in", cs->st.bytes_in },
		{ "bytes_out", cs->st.bytes_out },
	};

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		json_object_set_new(o, counts[i].name, json_integer(counts[i].v));
	json_object_set_new(o, "refused", r);
	json_object_set_new(o, "closed", cl);
	json_object_set_new(o, "listeners", lis);
	return o;
}
