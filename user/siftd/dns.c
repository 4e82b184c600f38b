// SPDX-License-Identifier: GPL-2.0
/* Next hops by name, RFC 3263 on c-ares (dns.h says how). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ares.h>
#include <arpa/nameser.h>

#include "dns.h"
#include "log.h"

#define TTL_MIN 1
#define TTL_MAX 3600
#define TTL_NEGATIVE 5
#define ADDRS_PER_TARGET 4

struct srv_rec {
	char host[SIFT_DNS_NAME_MAX];
	unsigned int prio, weight, port;
	struct sift_dns_target addr[ADDRS_PER_TARGET];
	unsigned int n_addr;
};

enum stage { ST_NAPTR, ST_SRV, ST_ADDR };

struct job {
	bool used;
	uint32_t gen;
	uint64_t tag;
	char name[SIFT_DNS_NAME_MAX]; /* as asked */
	unsigned int port;            /* given in the URI; 0: none */
	enum stage stage;
	unsigned int pending; /* queries outstanding */
	uint32_t ttl;
	struct srv_rec srv[SIFT_DNS_TARGETS];
	unsigned int n_srv;
};

struct cache_ent {
	char key[SIFT_DNS_NAME_MAX + 8]; /* name:port; "" free */
	uint64_t expires;                /* ns, CLOCK_MONOTONIC */
	struct sift_dns_target t[SIFT_DNS_TARGETS];
	unsigned int n;
};

struct sift_dns {
	ares_channel chan;
	sift_dns_done_fn done;
	void *arg;
	struct job jobs[SIFT_DNS_JOBS];
	struct cache_ent *cache; /* SIFT_DNS_CACHE, direct-mapped by hash */
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	unsigned int n_socks;
	struct sift_dns_stats st;
};

/* One query under way: its job (by index and generation: the job may be gone) and target. */
struct query {
	struct sift_dns *d;
	unsigned int job;
	uint32_t gen;
	int srv; /* the SRV target an address query is for; -1: the name itself */
	int type;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void cache_key(char *key, size_t len, const char *name, unsigned int port)
{
	snprintf(key, len, "%s:%u", name, port);
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

static struct cache_ent *cache_slot(struct sift_dns *d, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	return &d->cache[h % SIFT_DNS_CACHE];
}

/* The shortest TTL among the answer records of a DNS message (RFC 1035 4.1). */
static uint32_t answer_ttl(const unsigned char *m, int len)
{
	uint32_t ttl = TTL_MAX;
	int p = 12, qd, an;

	if (len < 12)
		return TTL_MIN;
	qd = m[4] << 8 | m[5];
	an = m[6] << 8 | m[7];
	for (int i = 0; i < qd + an && p < len; i++) {
		/* the owner name: labels, or a pointer that ends it */
		while (p < len && m[p] && (m[p] & 0xc0) != 0xc0)
			p += m[p] + 1;
		p += p < len && m[p] ? 2 : 1;
		if (i < qd) {
			p += 4;
			continue;
		}
		if (p + 10 > len)
			break;
		uint32_t t = (uint32_t)m[p + 4] << 24 | m[p + 5] << 16 | m[p + 6] << 8 | m[p + 7];
		if (t < ttl)
			ttl = t;
		p += 10 + (m[p + 8] << 8 | m[p + 9]);
	}
	return ttl < TTL_MIN ? TTL_MIN : ttl;
}

static void query(struct sift_dns *d, unsigned int j, const char *name, int type, int srv);

/* The job's targets, in SRV order, into the cache and to its caller; the job ends. */
static void finish(struct sift_dns *d, unsigned int j)
{
	struct job *jb = &d->jobs[j];
	struct cache_ent *c;
	char key[sizeof(c->key)];
	struct sift_dns_target t[SIFT_DNS_TARGETS];
	unsigned int n = 0;

	for (unsigned int i = 0; i < jb->n_srv; i++)
		for (unsigned int k = 0; k < jb->srv[i].n_addr && n < SIFT_DNS_TARGETS; k++)
			t[n++] = jb->srv[i].addr[k];
	if (!n)
		d->st.failures++;
	cache_key(key, sizeof(key), jb->name, jb->port);
	c = cache_slot(d, key);
	snprintf(c->key, sizeof(c->key), "%s", key);
	c->expires = now_ns() + (uint64_t)(n ? jb->ttl : TTL_NEGATIVE) * 1000000000ULL;
	memcpy(c->t, t, sizeof(t));
	c->n = n;
	jb->used = false;
	d->done(d->arg, jb->tag, t, n);
}

/* RFC 2782: by priority, and within one at random in proportion to the weights. */
static void srv_order(struct srv_rec *s, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		unsigned int best = i, sum = 0, pick;

		for (unsigned int k = i; k < n; k++)
			if (s[k].prio < s[best].prio)
				best = k;
		for (unsigned int k = i; k < n; k++)
			if (s[k].prio == s[best].prio)
				sum += s[k].weight + 1;
		pick = (unsigned int)random() % sum;
		for (unsigned int k = i; k < n; k++) {
			if (s[k].prio != s[best].prio)
				continue;
			if (pick < s[k].weight + 1) {
				best = k;
				break;
			}
			pick -= s[k].weight + 1;
		}
		if (best != i) {
			struct srv_rec tmp = s[i];

			s[i] = s[best];
			s[best] = tmp;
		}
	}
}

/* Ask for every target's addresses (A and AAAA). */
static void resolve_targets(struct sift_dns *d, unsigned int j)
{
	struct job *jb = &d->jobs[j];

	jb->stage = ST_ADDR;
	if (!jb->n_srv) {
		finish(d, j);
		return;
	}
	for (unsigned int i = 0; i < jb->n_srv; i++) {
		query(d, j, jb->srv[i].host, ns_t_a, (int)i);
		query(d, j, jb->srv[i].host, ns_t_aaaa, (int)i);
	}
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct query *q = arg;
	struct sift_dns *d = q->d;
	struct job *jb = &d->jobs[q->job];

	(void)timeouts;
	if (!jb->used || jb->gen != q->gen) {
		free(q); /* the job ended (the channel was destroyed) */
		return;
	}
	jb->pending--;
	if (status == ARES_SUCCESS) {
		uint32_t ttl = answer_ttl(abuf, alen);

		if (ttl < jb->ttl)
			jb->ttl = ttl;
	}
	if (q->type == ns_t_naptr) {
		struct ares_naptr_reply *nr = NULL, *best = NULL;

		if (status == ARES_SUCCESS && !ares_parse_naptr_reply(abuf, alen, &nr))
			for (struct ares_naptr_reply *r = nr; r; r = r->next)
				if (!strcasecmp((const char *)r->service, "SIP+D2U") &&
				    !strcasecmp((const char *)r->flags, "s") &&
				    (!best || r->order < best->order ||
				     (r->order == best->order && r->preference < best->preference)))
					best = r;
		if (best) {
			query(d, q->job, best->replacement, ns_t_srv, -1);
		} else {
			char srv[SIFT_DNS_NAME_MAX + 16];

			snprintf(srv, sizeof(srv), "_sip._udp.%s", jb->name);
			query(d, q->job, srv, ns_t_srv, -1);
		}
		jb->stage = ST_SRV;
		if (nr)
			ares_free_data(nr);
	} else if (q->type == ns_t_srv) {
		struct ares_srv_reply *sr = NULL;

		if (status == ARES_SUCCESS && !ares_parse_srv_reply(abuf, alen, &sr))
			for (struct ares_srv_reply *r = sr; r && jb->n_srv < SIFT_DNS_TARGETS; r = r->next) {
				struct srv_rec *s = &jb->srv[jb->n_srv++];

				snprintf(s->host, sizeof(s->host), "%s", r->host);
				s->prio = r->priority;
				s->weight = r->weight;
				s->port = r->port;
				s->n_addr = 0;
			}
		if (sr)
			ares_free_data(sr);
		if (!jb->n_srv) {
			/* no SRV: the name itself, at 5060 */
			struct srv_rec *s = &jb->srv[jb->n_srv++];

			memcpy(s->host, jb->name, sizeof(s->host)); /* the same size */
			s->prio = s->weight = 0;
			s->port = SIFT_SIP_PORT_DEFAULT;
			s->n_addr = 0;
		}
		srv_order(jb->srv, jb->n_srv);
		resolve_targets(d, q->job);
	} else if (status == ARES_SUCCESS && q->srv >= 0) {
		struct srv_rec *s = &jb->srv[q->srv];
		struct ares_addrttl a4[ADDRS_PER_TARGET];
		struct ares_addr6ttl a6[ADDRS_PER_TARGET];
		int n = ADDRS_PER_TARGET;

		if (q->type == ns_t_a && !ares_parse_a_reply(abuf, alen, NULL, a4, &n)) {
			for (int i = 0; i < n && s->n_addr < ADDRS_PER_TARGET; i++) {
				struct sift_dns_target *t = &s->addr[s->n_addr++];

				memset(t, 0, sizeof(*t));
				t->addr.family = SIFT_AF_INET;
				t->addr.v4 = a4[i].ipaddr.s_addr;
				t->port = s->port;
			}
		} else if (q->type == ns_t_aaaa && !ares_parse_aaaa_reply(abuf, alen, NULL, a6, &n)) {
			for (int i = 0; i < n && s->n_addr < ADDRS_PER_TARGET; i++) {
				struct sift_dns_target *t = &s->addr[s->n_addr++];

				memset(t, 0, sizeof(*t));
				t->addr.family = SIFT_AF_INET6;
				memcpy(t->addr.v6, &a6[i].ip6addr, 16);
				t->port = s->port;
			}
		}
	}
	free(q);
	if (!jb->pending && jb->stage == ST_ADDR)
		finish(d, (unsigned int)(jb - d->jobs));
}

static void query(struct sift_dns *d, unsigned int j, const char *name, int type, int srv)
{
	struct query *q = malloc(sizeof(*q));

	if (!q)
		return;
	*q = (struct query){ d, j, d->jobs[j].gen, srv, type };
	d->jobs[j].pending++;
	d->st.queries++;
	ares_query(d->chan, name, ns_c_in, type, on_answer, q);
}

struct sift_dns *sift_dns_new(const char *servers, sift_dns_done_fn done, void *arg)
{
	struct sift_dns *d = calloc(1, sizeof(*d));
	struct ares_options o = { .timeout = 1000, .tries = 2 };

	if (!d)
		return NULL;
	d->cache = calloc(SIFT_DNS_CACHE, sizeof(*d->cache));
	d->done = done;
	d->arg = arg;
	if (!d->cache || ares_library_init(ARES_LIB_INIT_ALL) ||
	    ares_init_options(&d->chan, &o, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES)) {
		free(d->cache);
		free(d);
		return NULL;
	}
	if (servers && *servers && ares_set_servers_ports_csv(d->chan, servers)) {
		pr_err("dns: bad servers '%s'", servers);
		ares_destroy(d->chan);
		free(d->cache);
		free(d);
		return NULL;
	}
	return d;
}

int sift_dns_servers(struct sift_dns *d, const char *servers)
{
	if (!servers || !*servers)
		return 0; /* the system's, as read when the resolver was made */
	return ares_set_servers_ports_csv(d->chan, servers) ? -1 : 0;
}

void sift_dns_free(struct sift_dns *d)
{
	if (!d)
		return;
	ares_destroy(d->chan); /* the callbacks run now, with ARES_EDESTRUCTION */
	free(d->cache);
	free(d);
}

int sift_dns_resolve(struct sift_dns *d, const char *host, size_t len, unsigned int port,
		     uint64_t tag, struct sift_dns_target out[SIFT_DNS_TARGETS])
{
	char name[SIFT_DNS_NAME_MAX], key[SIFT_DNS_NAME_MAX + 8];
	struct cache_ent *c;
	unsigned int j;

	if (!len || len >= sizeof(name))
		return 0;
	memcpy(name, host, len);
	name[len] = '\0';
	d->st.lookups++;
	cache_key(key, sizeof(key), name, port);
	c = cache_slot(d, key);
	if (!strcmp(c->key, key) && c->expires > now_ns()) {
		d->st.cache_hits++;
		memcpy(out, c->t, sizeof(c->t));
		return (int)c->n;
	}
	for (j = 0; j < SIFT_DNS_JOBS && d->jobs[j].used; j++)
		;
	if (j == SIFT_DNS_JOBS) {
		d->st.jobs_full++;
		return -2;
	}
	d->jobs[j] = (struct job){ .used = true, .gen = d->jobs[j].gen + 1, .tag = tag, .port = port,
				   .ttl = TTL_MAX };
	snprintf(d->jobs[j].name, sizeof(d->jobs[j].name), "%s", name);
	if (port) {
		/* a port given: no NAPTR nor SRV (RFC 3263 4.2) */
		struct srv_rec *s = &d->jobs[j].srv[d->jobs[j].n_srv++];

		snprintf(s->host, sizeof(s->host), "%s", name);
		s->port = port;
		resolve_targets(d, j);
	} else {
		d->jobs[j].stage = ST_NAPTR;
		query(d, j, name, ns_t_naptr, -1);
	}
	return -1;
}

unsigned int sift_dns_pollfds(struct sift_dns *d, struct pollfd *pfd, unsigned int max)
{
	int bits = ares_getsock(d->chan, d->socks, ARES_GETSOCK_MAXNUM);
	unsigned int n = 0;

	for (unsigned int i = 0; i < ARES_GETSOCK_MAXNUM && n < max; i++) {
		short ev = 0;

		if (ARES_GETSOCK_READABLE(bits, i))
			ev |= POLLIN;
		if (ARES_GETSOCK_WRITABLE(bits, i))
			ev |= POLLOUT;
		if (!ev)
			continue;
		pfd[n++] = (struct pollfd){ .fd = d->socks[i], .events = ev };
	}
	d->n_socks = n;
	return n;
}

int sift_dns_timeout_ms(struct sift_dns *d)
{
	struct timeval tv, *t = ares_timeout(d->chan, NULL, &tv);

	return t ? (int)(t->tv_sec * 1000 + (t->tv_usec + 999) / 1000) : -1;
}

void sift_dns_process(struct sift_dns *d, const struct pollfd *pfd, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (pfd[i].revents)
			ares_process_fd(d->chan,
					pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd :
											ARES_SOCKET_BAD,
					pfd[i].revents & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
	ares_process_fd(d->chan, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
}

json_t *sift_dns_json(const struct sift_dns *d)
{
	unsigned int busy = 0;

	for (unsigned int j = 0; j < SIFT_DNS_JOBS; j++)
		busy += d->jobs[j].used;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:i}", "lookups", (json_int_t)d->st.lookups,
			 "cache_hits", (json_int_t)d->st.cache_hits, "queries",
			 (json_int_t)d->st.queries, "failures", (json_int_t)d->st.failures,
			 "jobs_full", (json_int_t)d->st.jobs_full, "under_way", busy);
}
