// SPDX-License-Identifier: GPL-2.0
/*
 * siftctl trace [src PREFIX] [callid ID] [method M] [verdict V] [reason R]
 *               [count N] [duration S] [rate N] [--pcap FILE] [--hep HOST:PORT]
 *
 * The messages the fast path sees, as it sees them, one line each (or one
 * JSON object per line with -j): time, source -> destination, method or
 * status, Call-ID, verdict, reason, next hop.  The filter runs in XDP
 * (include/sift/trace.h); this reads the ring buffer it fills.  --pcap writes
 * the frames as they came (libpcap), --hep sends each message as HEP v3 to
 * Homer, heplify-server or sngrep -L.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>
#include <sift/fwd.h>
#include <sift/trace.h>

#include "addr.h"
#include "cli_priv.h"
#include "frame.h"
#include "hep.h"
#include "maps.h"
#include "out.h"
#include "pcapfile.h"
#include "sip_native.h"
#include "trace_cmd.h"

static const char *const verdicts[] = {
	"?",
#define SIFT_TV_NAME_(id, name) #name,
	SIFT_TRACE_VERDICT_LIST(SIFT_TV_NAME_)
#undef SIFT_TV_NAME_
};

/* The groups whose counters say why a message was dropped or passed. */
static const char *const reason_groups[] = { "sip_punt", "sip_drop", "shield", "forward" };

static int reason_group(unsigned int i)
{
	for (size_t g = 0; g < sizeof(reason_groups) / sizeof(reason_groups[0]); g++)
		if (!strcmp(sift_stat_group(i), reason_groups[g]))
			return 1;
	return 0;
}

/* "group.name", or a name only one reason group has.  The counter, or -1. */
static int reason_lookup(const char *r)
{
	const char *dot = strchr(r, '.');
	int hit = -1;

	for (unsigned int i = 0; i < SIFT_STAT__MAX; i++) {
		const char *g = sift_stat_group(i), *n = sift_stat_name(i);

		if (!reason_group(i))
			continue;
		if (dot ? (size_t)(dot - r) == strlen(g) && !strncmp(r, g, dot - r) && !strcmp(dot + 1, n)
			: !strcmp(r, n)) {
			if (hit >= 0)
				return -2; /* ambiguous without its group */
			hit = i;
		}
	}
	return hit;
}

int trace_args_parse(int argc, char **argv, struct trace_args *a)
{
	memset(a, 0, sizeof(*a));
	a->cfg.rate = SIFT_TRACE_RATE_DEFAULT;
	for (int i = 0; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		struct sift_trace_cfg *c = &a->cfg;

		if (!v) {
			out_error("trace: '%s' needs a value", k);
			return -1;
		}
		i++;
		if (!strcmp(k, "--pcap")) {
			a->pcap = v;
		} else if (!strcmp(k, "--hep")) {
			a->hep = v;
		} else if (!strcmp(k, "src")) {
			struct sift_prefix p;

			if (sift_prefix_parse(v, &p)) {
				out_error("trace: src '%s' is not an address or prefix "
					  "(198.18.0.0/24, 2001:db8::/32)", v);
				return -1;
			}
			c->match |= SIFT_TM_SRC;
			c->src = p.addr;
			for (unsigned int w = 0; w < 4; w++) {
				unsigned int bits = p.len > 32 * w ? p.len - 32 * w : 0;

				if (p.addr.family == SIFT_AF_INET && w)
					bits = 0;
				c->mask[w] = bits >= 32 ? 0xffffffffu : bits ? htonl(~0u << (32 - bits)) : 0;
			}
		} else if (!strcmp(k, "callid")) {
			size_t n = strlen(v);

			if (!n || n > SIFT_TRACE_CALLID_MAX) {
				out_error("trace: a callid has 1 to %d bytes", SIFT_TRACE_CALLID_MAX);
				return -1;
			}
			c->match |= SIFT_TM_CALLID;
			memcpy(c->callid, v, n);
			c->callid_len = n;
		} else if (!strcmp(k, "method")) {
			unsigned int m;

			for (m = 1; m < SIFT_METHOD_OTHER; m++)
				if (!strcasecmp(v, sift_method_name(m)))
					break;
			if (m >= SIFT_METHOD_OTHER) {
				out_error("trace: unknown method '%s' (INVITE, ACK, BYE, CANCEL, REGISTER, "
					  "OPTIONS, ...)", v);
				return -1;
			}
			c->match |= SIFT_TM_METHOD;
			c->method = m;
		} else if (!strcmp(k, "verdict")) {
			unsigned int t;

			for (t = 1; t < SIFT_TV__MAX; t++)
				if (!strcmp(v, verdicts[t]))
					break;
			if (t >= SIFT_TV__MAX) {
				out_error("trace: verdict is forward, drop, punt, pass or abort, not '%s'", v);
				return -1;
			}
			c->match |= SIFT_TM_VERDICT;
			c->verdict = t;
		} else if (!strcmp(k, "reason")) {
			int r = reason_lookup(v);

			if (r < 0) {
				out_error("trace: %s reason '%s' (a counter of sip_punt, sip_drop, shield "
					  "or forward, as 'siftctl stats show' names it: "
					  "shield.banned, sip_drop.max_forwards_zero)",
					  r == -2 ? "ambiguous" : "unknown", v);
				return -1;
			}
			c->match |= SIFT_TM_REASON;
			c->reason = r;
		} else if (!strcmp(k, "count") || !strcmp(k, "duration") || !strcmp(k, "rate")) {
			unsigned int n;

			if (cli_uint(v, 1000000, &n) || !n) {
				out_error("trace: %s is a number from 1 to 1000000, not '%s'", k, v);
				return -1;
			}
			if (k[0] == 'c')
				a->count = n;
			else if (k[0] == 'd')
				a->duration = n;
			else
				c->rate = n;
		} else {
			out_error("trace: unknown argument '%s'; try 'siftctl trace help'", k);
			return -1;
		}
	}
	return 0;
}

/* --- while it runs --------------------------------------------------------------- */

struct tracer {
	struct trace_args *a;
	int json;
	unsigned long long n;
	long long real_off; /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	struct sift_pcap *pcap;
	int hep_fd;
	struct sift_maps m;
	int failed; /* an output failed (a closed pipe, a full disk): its errno */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void fmt_endpoint(const struct sift_addr *a, unsigned int port, char *buf, size_t len)
{
	char s[SIFT_ADDRSTRLEN];

	sift_addr_fmt(a, s, sizeof(s));
	snprintf(buf, len, a->family == SIFT_AF_INET6 ? "[%s]:%u" : "%s:%u", s, port);
}

/* Printable bytes of a span, at most @max. */
static void span_text(const struct sift_scratch *s, struct sift_span sp, char *buf, size_t len)
{
	size_t o = 0;

	for (unsigned int i = 0; i < sp.len && o + 1 < len; i++) {
		unsigned char ch = s->buf[(sp.off + i) & SIFT_SCRATCH_MASK];

		buf[o++] = ch >= 0x21 && ch < 0x7f ? ch : '?';
	}
	buf[o] = '\0';
}

static void send_hep(struct tracer *t, const struct sift_frame *fr, const uint8_t *frame,
		     long long real, const char *callid)
{
	static uint8_t pkt[SIFT_TRACE_SNAP + 512];
	struct sift_hep_msg h = {
		.family = fr->src.family == SIFT_AF_INET6 ? AF_INET6 : AF_INET,
		.sport = fr->sport,
		.dport = fr->dport,
		.sec = real / 1000000000ll,
		.usec = real % 1000000000ll / 1000,
		.agent_id = 1,
		.correlation = callid,
		.correlation_len = strlen(callid),
		.payload = frame + fr->payload_off,
		.payload_len = fr->payload_len,
	};
	size_t n;

	memcpy(h.src, fr->src.family == SIFT_AF_INET6 ? (void *)fr->src.v6 : (void *)&fr->src.v4,
	       h.family == AF_INET6 ? 16 : 4);
	memcpy(h.dst, fr->dst.family == SIFT_AF_INET6 ? (void *)fr->dst.v6 : (void *)&fr->dst.v4,
	       h.family == AF_INET6 ? 16 : 4);
	n = sift_hep_encode(&h, pkt, sizeof(pkt));
	/* a collector that is down refuses (ECONNREFUSED): the trace goes on */
	if (n)
		(void)send(t->hep_fd, pkt, n, MSG_DONTWAIT);
}

int trace_line_of(const struct sift_trace_event *ev, const uint8_t *frame, long long real_off,
		  struct trace_line *l, struct sift_frame *fr)
{
	static struct sift_scratch s;

	memset(l, 0, sizeof(*l));
	if (sift_frame_decode(frame, ev->cap_len, fr))
		return -1;
	l->real_ns = (long long)ev->ts + real_off;
	snprintf(l->what, sizeof(l->what), "?");
	sift_sip_parse_bytes(&s, frame + fr->payload_off, fr->payload_len);
	if (s.msg.kind == SIFT_KIND_REQUEST)
		span_text(&s, s.msg.method_tok, l->what, sizeof(l->what));
	else if (s.msg.kind == SIFT_KIND_RESPONSE)
		snprintf(l->what, sizeof(l->what), "%u", l->status = s.msg.status);
	else if (s.msg.kind == SIFT_KIND_KEEPALIVE)
		snprintf(l->what, sizeof(l->what), "keepalive");
	else if (s.msg.kind == SIFT_KIND_STUN)
		snprintf(l->what, sizeof(l->what), "stun");
	span_text(&s, s.msg.call_id, l->callid, sizeof(l->callid));
	fmt_endpoint(&fr->src, fr->sport, l->src, sizeof(l->src));
	fmt_endpoint(&fr->dst, fr->dport, l->dst, sizeof(l->dst));
	if (ev->verdict == SIFT_TV_FORWARD && ev->nh.family) {
		fmt_endpoint(&ev->nh, ev->nh_port, l->next_hop, sizeof(l->next_hop));
		l->backend = ev->backend != SIFT_NO_BACKEND;
	}
	if (ev->reason)
		snprintf(l->reason, sizeof(l->reason), "%s.%s", sift_stat_group(ev->reason),
			 sift_stat_name(ev->reason));
	l->verdict = verdicts[ev->verdict < SIFT_TV__MAX ? ev->verdict : 0];
	l->ifindex = ev->ifindex;
	l->length = ev->wire_len;
	return 0;
}

int trace_line_text(const struct trace_line *l, char *buf, size_t len)
{
	time_t sec = l->real_ns / 1000000000ll;
	struct tm tm;

	localtime_r(&sec, &tm);
	return snprintf(buf, len, "%02d:%02d:%02d.%06lld %s -> %s %-9s %s %s %s%s%s", tm.tm_hour,
			tm.tm_min, tm.tm_sec, l->real_ns % 1000000000ll / 1000, l->src, l->dst,
			l->what, *l->callid ? l->callid : "-", l->verdict,
			*l->reason ? l->reason : "-",
			*l->next_hop ? (l->backend ? " backend " : " hop ") : "", l->next_hop);
}

char *trace_line_json(const struct trace_line *l)
{
	time_t sec = l->real_ns / 1000000000ll;
	json_t *o = json_object();
	char when[96], *line;
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 l->real_ns % 1000000000ll / 1000);
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "src", json_string(l->src));
	json_object_set_new(o, "dst", json_string(l->dst));
	if (l->status)
		json_object_set_new(o, "status", json_integer(l->status));
	else
		json_object_set_new(o, "method", json_string(l->what));
	json_object_set_new(o, "callid", *l->callid ? json_string(l->callid) : json_null());
	json_object_set_new(o, "verdict", json_string(l->verdict));
	json_object_set_new(o, "reason", *l->reason ? json_string(l->reason) : json_null());
	json_object_set_new(o, "next_hop", *l->next_hop ? json_string(l->next_hop) : json_null());
	json_object_set_new(o, "backend",
			    *l->next_hop && l->backend ? json_string(l->next_hop) : json_null());
	json_object_set_new(o, "ifindex", json_integer(l->ifindex));
	json_object_set_new(o, "length", json_integer(l->length));
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return line;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	const struct sift_trace_event *ev = data;
	const uint8_t *frame = (const uint8_t *)data + sizeof(*ev);
	struct trace_line l;
	struct sift_frame fr;
	char text[1024], *line;

	if (size < sizeof(*ev) || size < sizeof(*ev) + ev->cap_len)
		return 0;
	if (t->a->count && t->n >= t->a->count)
		return 1; /* enough: the rest is not shown */
	if (trace_line_of(ev, frame, t->real_off, &l, &fr))
		return 0;
	t->n++;
	if (t->json) {
		line = trace_line_json(&l);
		if (!line || printf("%s\n", line) < 0)
			t->failed = errno ? errno : EIO;
		free(line);
	} else {
		trace_line_text(&l, text, sizeof(text));
		if (printf("%s\n", text) < 0)
			t->failed = errno ? errno : EIO;
	}
	if (fflush(stdout))
		t->failed = errno ? errno : EIO;
	if (t->pcap && sift_pcap_write(t->pcap, l.real_ns, frame, ev->cap_len, ev->wire_len))
		t->failed = errno ? errno : EIO;
	if (t->hep_fd >= 0)
		send_hep(t, &fr, frame, l.real_ns, l.callid);
	return t->failed ? 1 : 0;
}

static int discard(void *ctx, void *data, size_t size)
{
	(void)ctx, (void)data, (void)size;
	return 0;
}

static int hep_open(const char *where)
{
	char host[256], *port;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	int fd, err;

	if (snprintf(host, sizeof(host), "%s", where) >= (int)sizeof(host))
		return -1;
	port = strrchr(host, ':');
	if (!port || port == host)
		return -1;
	*port++ = '\0';
	if (host[0] == '[' && port - host >= 3 && port[-2] == ']') {
		port[-2] = '\0';
		memmove(host, host + 1, strlen(host + 1) + 1);
	}
	if ((err = getaddrinfo(host, port, &hints, &res))) {
		out_error("trace: --hep %s: %s", where, gai_strerror(err));
		return -2;
	}
	fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen)) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		out_error("trace: --hep %s: %s", where, strerror(errno));
	return fd < 0 ? -2 : fd;
}

/* Take the trace: refuse while another siftctl holds a live lease.  0, or an exit status. */
static int claim(struct tracer *t, struct sift_trace_cfg *want)
{
	struct sift_trace_cfg cur;
	__u32 key = 0;

	if (bpf_map_lookup_elem(t->m.trace_cfg, &key, &cur)) {
		out_error("trace: cannot read the filter: %s", strerror(errno));
		return SIFTCTL_EXIT_FAIL;
	}
	if (cur.on && cur.owner != (__u32)getpid() &&
	    (__u64)clock_ns(CLOCK_MONOTONIC_COARSE) < cur.until &&
	    (kill(cur.owner, 0) == 0 || errno == EPERM)) {
		out_error("trace: siftctl (pid %u) is tracing already; one trace at a time",
			  cur.owner);
		return SIFTCTL_EXIT_FAIL;
	}
	want->on = 1;
	want->owner = getpid();
	want->until = clock_ns(CLOCK_MONOTONIC_COARSE) + SIFT_TRACE_LEASE_NS;
	if (bpf_map_update_elem(t->m.trace_cfg, &key, want, BPF_ANY)) {
		out_error("trace: cannot set the filter: %s", strerror(errno));
		return SIFTCTL_EXIT_FAIL;
	}
	return 0;
}

static void release(struct tracer *t)
{
	struct sift_trace_cfg off = {};
	__u32 key = 0;

	bpf_map_update_elem(t->m.trace_cfg, &key, &off, BPF_ANY);
}

static int trace_run(struct cli *c, int argc, char **argv)
{
	static struct trace_args a;
	struct tracer t = { .a = &a, .json = out_is_json(), .hep_fd = -1 };
	struct sift_stats before, after;
	struct ring_buffer *rb = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	long long start, renewed, now;
	int ret = SIFTCTL_EXIT_FAIL, err;

	if (argc >= 1 && !strcmp(argv[0], "help")) {
		printf("  siftctl trace [src PREFIX] [callid ID] [method M] [verdict V] [reason R]\n"
		       "                [count N] [duration S] [rate N] [--pcap FILE] [--hep HOST:PORT]\n"
		       "    the messages XDP sees, one line each: time, source -> destination,\n"
		       "    method or status, Call-ID, verdict, reason, next hop\n");
		return SIFTCTL_EXIT_OK;
	}
	if (trace_args_parse(argc, argv, &a))
		return SIFTCTL_EXIT_USAGE;
	sift_maps_init(&t.m); /* every fd -1: out: closes only what was opened */
	if (a.hep) {
		t.hep_fd = hep_open(a.hep);
		if (t.hep_fd == -1) {
			out_error("trace: --hep wants HOST:PORT, not '%s'", a.hep);
			return SIFTCTL_EXIT_USAGE;
		}
		if (t.hep_fd < 0)
			return SIFTCTL_EXIT_FAIL;
	}
	if (cli_open_maps(c, &t.m))
		goto out;
	if (a.pcap) {
		char why[256];

		t.pcap = sift_pcap_open(a.pcap, SIFT_TRACE_SNAP, why, sizeof(why));
		if (!t.pcap) {
			out_error("trace: --pcap %s: %s", a.pcap, why);
			goto out;
		}
	}
	/* what an earlier trace left unread is not this one's */
	rb = ring_buffer__new(t.m.trace, discard, NULL, NULL);
	if (rb)
		ring_buffer__consume(rb);
	ring_buffer__free(rb);
	rb = ring_buffer__new(t.m.trace, on_event, &t, NULL);
	if (!rb) {
		out_error("trace: cannot read the trace ring: %s", strerror(errno));
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sift_stats_sum(t.m.stats, &before);
	t.real_off = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	if ((ret = claim(&t, &a.cfg)))
		goto out;
	ret = SIFTCTL_EXIT_OK;
	start = renewed = clock_ns(CLOCK_MONOTONIC);
	while (!stop && !t.failed && !(a.count && t.n >= a.count)) {
		err = ring_buffer__poll(rb, 200);
		if (err < 0 && err != -EINTR) {
			out_error("trace: reading the ring: %s", strerror(-err));
			ret = SIFTCTL_EXIT_FAIL;
			break;
		}
		now = clock_ns(CLOCK_MONOTONIC);
		if (a.duration && now - start >= (long long)a.duration * 1000000000ll)
			break;
		if (now - renewed >= 1000000000ll) {
			/* renew the lease; XDP's rate window in the same element may reset: harmless */
			struct sift_trace_cfg cur;
			__u32 key = 0;

			if (!bpf_map_lookup_elem(t.m.trace_cfg, &key, &cur) && cur.owner == (__u32)getpid()) {
				cur.until = clock_ns(CLOCK_MONOTONIC_COARSE) + SIFT_TRACE_LEASE_NS;
				bpf_map_update_elem(t.m.trace_cfg, &key, &cur, BPF_ANY);
			}
			renewed = now;
		}
	}
	release(&t);
	if (!t.failed && !(a.count && t.n >= a.count))
		ring_buffer__consume(rb); /* what XDP sent before the filter went off */
	sift_stats_sum(t.m.stats, &after);
	if (t.failed && t.failed != EPIPE) {
		out_error("trace: writing: %s", strerror(t.failed));
		ret = SIFTCTL_EXIT_FAIL;
	}
	fprintf(stderr, "trace: %llu messages; %llu over the rate cap, %llu lost to a full ring\n",
		t.n,
		(unsigned long long)(after.c[SIFT_STAT_TRACE_RATE_CAPPED].packets -
				     before.c[SIFT_STAT_TRACE_RATE_CAPPED].packets),
		(unsigned long long)(after.c[SIFT_STAT_TRACE_RING_FULL].packets -
				     before.c[SIFT_STAT_TRACE_RING_FULL].packets));
out:
	ring_buffer__free(rb);
	sift_pcap_close(t.pcap);
	if (t.hep_fd >= 0)
		close(t.hep_fd);
	sift_maps_close(&t.m);
	return ret;
}

const struct cmd trace_cmd = CMD("trace", trace_run,
				 "[src P] [callid ID] [method M] [verdict V] [reason R] "
				 "[count N] [duration S] [--pcap F] [--hep H:P]");
