// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sift/fwd.h>

#include "addr.h"
#include "log.h"
#include "probe.h"
#include "sip_native.h"

static const char *const health_names[] = { "unknown", "ok", "unreachable" };

const char *sift_health_name(int health)
{
	return health >= 0 && health <= SIFT_HEALTH_UNREACHABLE ? health_names[health] : "?";
}

static int probe_socket(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -errno;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* an ephemeral port: replies are plain UDP to the fast path, never SIP ports */
	return fd;
}

int sift_probe_open(struct sift_prober *p, unsigned int interval, unsigned int failures)
{
	memset(p, 0, sizeof(*p));
	p->fd4 = probe_socket(AF_INET);
	p->fd6 = probe_socket(AF_INET6);
	p->scratch = calloc(1, sizeof(*p->scratch));
	if (p->fd4 < 0 || !p->scratch) {
		sift_probe_close(p);
		return -ENOMEM;
	}
	if (getrandom(&p->tag, sizeof(p->tag), 0) != sizeof(p->tag))
		p->tag = getpid();
	p->watch_fd = -1;
	p->ncpus = libbpf_num_possible_cpus();
	sift_probe_config(p, interval, failures);
	return 0;
}

void sift_probe_watch(struct sift_prober *p, int watch_fd, unsigned int timeout_ms)
{
	p->watch_fd = watch_fd;
	p->invite_timeout_ms = p->ncpus > 0 && p->ncpus <= 1024 ? timeout_ms : 0;
}

/* The fast path's counts for @t, summed over the CPUs.  0, or -1 (no entry). */
static int watch_read(const struct sift_prober *p, const struct sift_probe_target *t,
		      struct sift_watch *sum)
{
	struct sift_hop_key k = { .addr = t->addr, .port = t->port };
	struct sift_watch v[p->ncpus];

	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(p->watch_fd, &k, v))
		return -1;
	for (int c = 0; c < p->ncpus; c++) {
		sum->invites += v[c].invites;
		sum->responses += v[c].responses;
	}
	return 0;
}

/*
 * The watch map holds exactly the targets' entries while watching, none
 * otherwise: the fast path counts only in entries that exist.
 */
static void watch_sync(struct sift_prober *p)
{
	struct sift_hop_key k, next, *prev = NULL;
	struct sift_watch zero[p->ncpus > 0 ? p->ncpus : 1];
	bool on = p->watch_fd >= 0 && p->invite_timeout_ms && p->interval;

	if (p->watch_fd < 0)
		return;
	memset(zero, 0, sizeof(zero));
	/* stale entries first (a deleted key restarts the walk, so collect none of its state) */
	while (!bpf_map_get_next_key(p->watch_fd, prev, &next)) {
		bool keep = false;

		for (unsigned int i = 0; on && i < p->n && !keep; i++)
			keep = p->t[i].port == next.port && sift_addr_eq(&p->t[i].addr, &next.addr);
		if (!keep && !bpf_map_delete_elem(p->watch_fd, &next)) {
			prev = NULL;
			continue;
		}
		k = next;
		prev = &k;
	}
	for (unsigned int i = 0; on && i < p->n; i++) {
		struct sift_probe_target *t = &p->t[i];
		struct sift_hop_key key = { .addr = t->addr, .port = t->port };
		struct sift_watch now;

		if (bpf_map_update_elem(p->watch_fd, &key, zero, BPF_NOEXIST) && errno != EEXIST)
			pr_warn("watch: cannot add a backend's entry: %s", strerror(errno));
		if (!watch_read(p, t, &now)) {
			t->seen_invites = now.invites;
			t->seen_responses = now.responses;
		}
		t->silent_since = 0;
	}
}

/*
 * One tick of the watch on @t: any response since the last tick means it is
 * alive; an INVITE sent since, with none, starts the clock.  True if it has
 * been silent for the timeout.
 */
/* The interval, jittered: uniformly within +-20%. */
static int64_t jittered_ms(const struct sift_prober *p)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)random();
	return (int64_t)p->interval * (800 + r % 401);
}

/*
 * @t is out on a sign from the traffic: an answer to a probe sent before it
 * proves nothing, only the next probe's does, a whole (jittered) interval
 * from now, so that a backend that answers OPTIONS but sheds calls (503)
 * gets that long to recover rather than flapping back at once.
 */
static void forget_probe(struct sift_prober *p, struct sift_probe_target *t)
{
	struct timespec ts;

	t->seq++;
	t->pending = false;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t->next_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + jittered_ms(p);
}

static bool watch_tick(struct sift_prober *p, struct sift_probe_target *t, int64_t now_ms)
{
	struct sift_watch w;

	if (watch_read(p, t, &w))
		return false;
	if (t->health == SIFT_HEALTH_UNREACHABLE || w.responses != t->seen_responses) {
		/* out already (the probes decide when it is back), or alive */
		t->silent_since = 0;
	} else if (w.invites != t->seen_invites && !t->silent_since) {
		t->silent_since = now_ms;
	}
	t->seen_invites = w.invites;
	t->seen_responses = w.responses;
	return t->silent_since && now_ms - t->silent_since >= (int64_t)p->invite_timeout_ms;
}

void sift_probe_close(struct sift_prober *p)
{
	if (p->fd4 >= 0)
		close(p->fd4);
	if (p->fd6 >= 0)
		close(p->fd6);
	p->fd4 = p->fd6 = -1;
	free(p->scratch);
	p->scratch = NULL;
}

void sift_probe_config(struct sift_prober *p, unsigned int interval, unsigned int failures)
{
	p->interval = interval;
	p->failures = failures ? failures : 1;
	for (unsigned int i = 0; i < p->n; i++)
		p->t[i].next_ms = 0; /* a new interval starts at the next tick */
}


/* "host:port" sift is seen as by @dst, from the kernel's own route choice. */
static int local_hostport(int fd, const struct sockaddr_storage *dst, socklen_t dlen, char *out,
			  size_t len)
{
	struct sockaddr_storage me, bound;
	socklen_t mlen = sizeof(me), blen = sizeof(bound);
	char a[INET6_ADDRSTRLEN];
	int t = socket(dst->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (t < 0)
		return -errno;
	if (connect(t, (const struct sockaddr *)dst, dlen) ||
	    getsockname(t, (struct sockaddr *)&me, &mlen)) {
		int e = errno;

		close(t);
		return -e;
	}
	close(t);
	if (getsockname(fd, (struct sockaddr *)&bound, &blen))
		return -errno;
	if (dst->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&me)->sin_addr, a, sizeof(a));
		snprintf(out, len, "%s:%u", a, ntohs(((struct sockaddr_in *)&bound)->sin_port));
	} else {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&me)->sin6_addr, a, sizeof(a));
		snprintf(out, len, "[%s]:%u", a, ntohs(((struct sockaddr_in6 *)&bound)->sin6_port));
	}
	return 0;
}

static void send_probe(struct sift_prober *p, unsigned int idx)
{
	struct sift_probe_target *t = &p->t[idx];
	struct sockaddr_storage dst;
	socklen_t dlen;
	char me[INET6_ADDRSTRLEN + 16], ruri[INET6_ADDRSTRLEN + 16], a[INET6_ADDRSTRLEN];
	char msg[768];
	int fd = t->addr.family == SIFT_AF_INET ? p->fd4 : p->fd6, n;

	if (fd < 0)
		return;
	dlen = sift_sockaddr_of(&t->addr, t->port, &dst);
	sift_addr_fmt(&t->addr, a, sizeof(a));
	snprintf(ruri, sizeof(ruri), t->addr.family == SIFT_AF_INET ? "%s:%u" : "[%s]:%u", a,
		 t->port);
	if (local_hostport(fd, &dst, dlen, me, sizeof(me)))
		return; /* no route to it now: the miss counts */
	t->seq++;
	n = snprintf(msg, sizeof(msg),
		     "OPTIONS sip:%s SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP %s;branch=" SIFT_PROBE_BRANCH "%08x%08x%08x;rport\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:sift@%s>;tag=%08x\r\n"
		     "To: <sip:%s>\r\n"
		     "Call-ID: sfp-%08x-%08x@sift\r\n"
		     "CSeq: %u OPTIONS\r\n"
		     "User-Agent: sift health probe\r\n"
		     "Content-Length: 0\r\n\r\n",
		     ruri, me, p->tag, idx, t->seq, me, p->tag, ruri, p->tag, idx, t->seq);
	if (sendto(fd, msg, n, 0, (struct sockaddr *)&dst, dlen) == n) {
		t->sent++;
		clock_gettime(CLOCK_MONOTONIC, &t->sent_at);
	}
	t->pending = true;
}

/* Bind the probe sockets to an ephemeral port once, so the Via can name it. */
static void bind_any(int fd, int family)
{
	struct sockaddr_storage ss = { .ss_family = family };
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	struct sockaddr_storage cur;
	socklen_t clen = sizeof(cur);

	if (fd < 0)
		return;
	if (!getsockname(fd, (struct sockaddr *)&cur, &clen) &&
	    ((family == AF_INET && ((struct sockaddr_in *)&cur)->sin_port) ||
	     (family == AF_INET6 && ((struct sockaddr_in6 *)&cur)->sin6_port)))
		return;
	bind(fd, (struct sockaddr *)&ss, len);
}

const struct sift_probe_target *sift_probe_find(const struct sift_prober *p, const char *group,
						 const struct sift_addr *a, unsigned int port)
{
	for (unsigned int i = 0; i < p->n; i++)
		if (!strcmp(p->t[i].group, group) && p->t[i].port == port &&
		    sift_addr_eq(&p->t[i].addr, a))
			return &p->t[i];
	return NULL;
}

void sift_probe_sync(struct sift_prober *p, const struct sift_routing *r)
{
	struct sift_probe_target *old = malloc(sizeof(p->t));
	unsigned int n_old = p->n, n = 0;
	bool fresh[SIFT_MAX_BACKENDS] = { false };

	if (!old)
		return;
	memcpy(old, p->t, sizeof(p->t[0]) * n_old);
	bind_any(p->fd4, AF_INET);
	bind_any(p->fd6, AF_INET6);
	for (unsigned int g = 0; g < r->n_groups; g++) {
		const struct sift_group_conf *gc = &r->groups[g];

		for (unsigned int b = 0; b < gc->n_backends && n < SIFT_MAX_BACKENDS; b++) {
			const struct sift_backend_conf *bc = &gc->backends[b];
			struct sift_probe_target *t = &p->t[n];
			bool found = false;

			for (unsigned int k = 0; k < n_old && !found; k++)
				if (!strcmp(old[k].group, gc->name) && old[k].port == bc->port &&
				    sift_addr_eq(&old[k].addr, &bc->addr)) {
					*t = old[k];
					found = true;
				}
			if (!found) {
				memset(t, 0, sizeof(*t));
				snprintf(t->group, sizeof(t->group), "%s", gc->name);
				t->addr = bc->addr;
				t->port = bc->port;
				fresh[n] = true;
			}
			n++;
		}
	}
	p->n = n;
	free(old);
	/* a new backend is probed now: its neighbour entry is resolved before the first call */
	if (p->interval)
		for (unsigned int i = 0; i < n; i++)
			if (fresh[i])
				send_probe(p, i);
	watch_sync(p);
}

bool sift_probe_tick(struct sift_prober *p, int64_t now_ms)
{
	bool changed = false;
	char a[SIFT_ADDRSTRLEN];

	if (!p->interval)
		return false;
	for (unsigned int i = 0; i < p->n; i++) {
		struct sift_probe_target *t = &p->t[i];

		if (p->invite_timeout_ms && p->watch_fd >= 0 && watch_tick(p, t, now_ms) &&
		    t->health != SIFT_HEALTH_UNREACHABLE) {
			pr_warn("backend %s:%u of group '%s' is unreachable: INVITEs without any "
				"response for %u ms; out of the table until a probe is answered",
				sift_addr_fmt(&t->addr, a, sizeof(a)), t->port, t->group,
				p->invite_timeout_ms);
			t->health = SIFT_HEALTH_UNREACHABLE;
			t->misses = p->failures;
			t->out_silent++;
			t->out_why = "unanswered";
			t->silent_since = 0;
			forget_probe(p, t);
			changed = true;
		}
		if (!t->next_ms) {
			/* first tick with this interval: spread the backends over it */
			t->next_ms = now_ms + jittered_ms(p) / 2;
			continue;
		}
		if (now_ms < t->next_ms)
			continue;
		t->next_ms = now_ms + jittered_ms(p);
		if (t->pending && ++t->misses >= p->failures &&
		    t->health != SIFT_HEALTH_UNREACHABLE) {
			pr_warn("backend %s:%u of group '%s' is unreachable: %u probes unanswered",
				sift_addr_fmt(&t->addr, a, sizeof(a)), t->port, t->group, t->misses);
			t->health = SIFT_HEALTH_UNREACHABLE;
			t->out_why = "probes";
			changed = true;
		}
		send_probe(p, i);
	}
	return changed;
}

bool sift_probe_gone(struct sift_prober *p, const struct sift_addr *a, unsigned int port,
		     unsigned int why)
{
	bool changed = false;
	char txt[SIFT_ADDRSTRLEN];

	/* without probes nothing would bring it back: only the probes' verdicts count then */
	if (!p->interval)
		return false;
	for (unsigned int i = 0; i < p->n; i++) {
		struct sift_probe_target *t = &p->t[i];

		if (t->port != port || !sift_addr_eq(&t->addr, a) ||
		    t->health == SIFT_HEALTH_UNREACHABLE)
			continue;
		pr_warn("backend %s:%u of group '%s' is unreachable: %s from it; "
			"out of the table until a probe is answered",
			sift_addr_fmt(&t->addr, txt, sizeof(txt)), t->port, t->group,
			why == SIFT_GONE_503 ? "503 Service Unavailable" : "ICMP port unreachable");
		t->health = SIFT_HEALTH_UNREACHABLE;
		t->misses = p->failures;
		forget_probe(p, t);
		if (why == SIFT_GONE_503) {
			t->out_503++;
			t->out_why = "503";
		} else {
			t->out_icmp++;
			t->out_why = "icmp";
		}
		changed = true;
	}
	return changed;
}

/* Hex digits at @s, @n of them: the value, or -1. */
static int64_t hex(const char *s, int n)
{
	int64_t v = 0;

	for (int i = 0; i < n; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else
			return -1;
	}
	return v;
}

bool sift_probe_input(struct sift_prober *p, int fd)
{
	bool changed = false;

	for (int i = 0; i < 64; i++) {
		struct sift_scratch *s = p->scratch;
		const size_t plen = sizeof(SIFT_PROBE_BRANCH) - 1;
		struct sift_probe_target *t;
		struct timespec now;
		const char *br;
		char a[SIFT_ADDRSTRLEN];
		int64_t tag, idx, seq;
		ssize_t n = recv(fd, s->buf, SIFT_MSG_MAX, 0);

		if (n < 0)
			break;
		sift_sip_parse_scratch(s, n);
		if (s->msg.kind != SIFT_KIND_RESPONSE || s->msg.status < 200 ||
		    s->msg.via[0].branch.len != plen + 24)
			continue;
		br = (const char *)s->buf + s->msg.via[0].branch.off;
		if (memcmp(br, SIFT_PROBE_BRANCH, plen))
			continue;
		tag = hex(br + plen, 8);
		idx = hex(br + plen + 8, 8);
		seq = hex(br + plen + 16, 8);
		if (tag != p->tag || idx < 0 || idx >= p->n || seq < 0)
			continue;
		t = &p->t[idx];
		if ((uint32_t)seq != t->seq)
			continue; /* a late answer to an older probe */
		clock_gettime(CLOCK_MONOTONIC, &now);
		t->last_status = s->msg.status;
		if (s->msg.status == 503)
			continue; /* up, and says it takes nothing: a miss, as no answer */
		t->rtt_ms = (now.tv_sec - t->sent_at.tv_sec) * 1e3 +
			    (now.tv_nsec - t->sent_at.tv_nsec) / 1e6;
		t->pending = false;
		t->answered++;
		{
			static const double le[SIFT_PROBE_RTT_BUCKETS] = SIFT_PROBE_RTT_LE;
			double s = t->rtt_ms / 1e3;

			t->rtt_sum += s;
			for (int k = 0; k < SIFT_PROBE_RTT_BUCKETS; k++)
				if (s <= le[k]) {
					t->rtt_buckets[k]++;
					break;
				}
		}
		t->misses = 0;
		t->silent_since = 0; /* back: its INVITEs are timed from now */
		if (t->health == SIFT_HEALTH_UNREACHABLE) {
			pr_info("backend %s:%u of group '%s' answers again",
				sift_addr_fmt(&t->addr, a, sizeof(a)), t->port, t->group);
			changed = true;
		}
		t->health = SIFT_HEALTH_OK;
	}
	return changed;
}

void sift_probe_apply(const struct sift_prober *p, struct sift_routing *r)
{
	for (unsigned int g = 0; g < r->n_groups; g++) {
		struct sift_group_conf *gc = &r->groups[g];

		for (unsigned int b = 0; b < gc->n_backends; b++) {
			struct sift_backend_conf *bc = &gc->backends[b];
			const struct sift_probe_target *t =
				sift_probe_find(p, gc->name, &bc->addr, bc->port);

			if (t && t->health == SIFT_HEALTH_UNREACHABLE)
				bc->state = SIFT_BACKEND_DOWN;
		}
	}
}
