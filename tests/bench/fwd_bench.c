// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarding benchmark's tools, driven by tests/bench/fwd.sh.  Each
 * subcommand first enters the network namespace it is given.
 *
 *   fwd_bench gen NS IF MSG DMAC SMAC SRC DST THREADS SECONDS [RATE]
 *       In-kernel generator: BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES
 *       sends MSG (a SIP file whose Call-ID holds 16 zeros) out of IF as
 *       fast as THREADS threads can (or RATE frames a second in all), each
 *       frame with its own Call-ID, for SECONDS (bounded).  Prints
 *       "sent N seconds S".
 *   fwd_bench blast NS MSG SRC DST THREADS SECONDS
 *       Userspace generator for peers that read sockets: sendmmsg() of MSG
 *       from SRC to DST:5060, Call-IDs varied, bounded in time.
 *   fwd_bench sink NS IF PIN      attach the counting sink to IF, pin its counter
 *   fwd_bench scan NS IN OUT      attach the scan-and-redirect reference to IN
 *   fwd_bench drop NS IF          attach the bare XDP_DROP reference to IF
 *   fwd_bench count PIN           print the sink's count
 *   fwd_bench detach NS IF        remove the XDP program from IF
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fwdbench.skel.h"
#include "pkt.h"

#define STAMP "bench-0000000000000000"
#define MAX_THREADS 8

static void die(const char *what)
{
	fprintf(stderr, "fwd_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void enter_ns(const char *ns)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(path);
	close(fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int ifindex(const char *name)
{
	int i = if_nametoindex(name);

	if (!i)
		die(name);
	return i;
}

static void parse_mac(const char *s, __u8 *mac)
{
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		   &mac[4], &mac[5]) != 6) {
		fprintf(stderr, "fwd_bench: bad MAC '%s'\n", s);
		exit(2);
	}
}

static size_t read_msg(const char *file, char *buf, size_t len, size_t *stamp)
{
	long n = pkt_read_file(file, buf, len);
	char *p;

	if (n < 0)
		die(file);
	p = memmem(buf, n, STAMP, strlen(STAMP));
	if (!p) {
		fprintf(stderr, "fwd_bench: %s has no Call-ID '%s...'\n", file, STAMP);
		exit(2);
	}
	*stamp = p - buf + strlen("bench-");
	return n;
}

/* ---- generator threads ------------------------------------------------------------ */

/* What every generator thread has first: its CPU, its deadline, what it sent. */
struct worker {
	pthread_t t;
	int cpu;
	double until;
	unsigned long long sent;
};

static void pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* Run @n workers (elements of @size bytes starting with a struct worker), print the total. */
static void run_workers(void *w, size_t size, int n, void *(*fn)(void *), double t0)
{
	unsigned long long sent = 0;

	for (int i = 0; i < n; i++)
		if (pthread_create(&((struct worker *)((char *)w + i * size))->t, NULL, fn,
				   (char *)w + i * size))
			die("pthread_create");
	for (int i = 0; i < n; i++) {
		struct worker *k = (void *)((char *)w + i * size);

		pthread_join(k->t, NULL);
		sent += k->sent;
	}
	printf("sent %llu seconds %.3f\n", sent, now() - t0);
}

static int bad_load(const char *cmd, int threads, double seconds)
{
	if (threads >= 1 && threads <= MAX_THREADS && seconds > 0 && seconds <= 120)
		return 0;
	fprintf(stderr, "fwd_bench %s: 1-%d threads, 0-120 seconds\n", cmd, MAX_THREADS);
	return 1;
}

/* ---- the in-kernel generator ----------------------------------------------------- */

struct gen_thread {
	struct worker w;
	int prog, ifindex;
	const __u8 *frame;
	size_t len;
	double rate; /* frames a second for this thread; 0: as fast as it goes */
};

static void *gen_run(void *arg)
{
	struct gen_thread *g = arg;
	/* paced: batches of about a hundredth of a second */
	__u32 batch = g->rate ? (g->rate / 100 < 64 ? 64 : g->rate / 100 > 65536 ? 65536 : g->rate / 100) :
				65536;
	double t0 = now();

	pin_self(g->w.cpu);
	while (now() < g->w.until) {
		struct xdp_md ctx = { .data_end = g->len, .ingress_ifindex = g->ifindex };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g->frame, .data_size_in = g->len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = batch,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);

		if (bpf_prog_test_run_opts(g->prog, &opts))
			die("BPF_PROG_RUN (live frames)");
		g->w.sent += batch;
		if (g->rate) {
			double due = t0 + g->w.sent / g->rate, left = due - now();

			if (left > 0)
				usleep(left * 1e6);
		}
	}
	return NULL;
}

static int cmd_gen(char **argv)
{
	static char msg[4096];
	static __u8 frame[PKT_MAX];
	struct gen_thread th[MAX_THREADS];
	__u8 dmac[6], smac[6];
	size_t stamp, n;
	int threads = atoi(argv[7]), ncpu = libbpf_num_possible_cpus();
	double seconds = atof(argv[8]), rate = argv[9] ? atof(argv[9]) : 0, t0;
	struct pkt_spec spec = { .src = argv[5], .dst = argv[6], .sport = 5060, .dport = 5060 };
	struct fwdbench *skel;

	enter_ns(argv[0]);
	if (bad_load("gen", threads, seconds))
		return 2;
	n = read_msg(argv[2], msg, sizeof(msg), &stamp);
	parse_mac(argv[3], dmac);
	parse_mac(argv[4], smac);
	spec.dmac = dmac;
	spec.smac = smac;
	spec.payload = msg;
	spec.payload_len = n;
	spec.ip_version = strchr(argv[5], ':') ? 6 : 4;
	n = pkt_build(&spec, frame, sizeof(frame));

	skel = fwdbench__open();
	if (!skel)
		die("open fwdbench");
	skel->rodata->stamp_off = n - spec.payload_len + stamp;
	/* a valid UDP checksum, as senders' stacks send: the generator keeps it right */
	skel->rodata->udp_off = n - spec.payload_len - 8;
	skel->rodata->csum_off = n - spec.payload_len - 2;
	/* GEN_SOURCES=N: spread the frames over N sources (IPv4, the last 16 bits varied) */
	if (getenv("GEN_SOURCES") && spec.ip_version == 4) {
		skel->rodata->sources = strtoul(getenv("GEN_SOURCES"), NULL, 0);
		skel->rodata->ip_off = n - spec.payload_len - 8 - 20;
	}
	if (n > sizeof(skel->rodata->frame)) {
		fprintf(stderr, "fwd_bench gen: frame too long\n");
		return 2;
	}
	memcpy((void *)skel->rodata->frame, frame, n);
	skel->rodata->frame_len = n;
	if (fwdbench__load(skel))
		die("load fwdbench");
	t0 = now();
	for (int i = 0; i < threads; i++)
		th[i] = (struct gen_thread){
			.w = { .cpu = i % ncpu, .until = t0 + seconds },
			.prog = bpf_program__fd(skel->progs.bench_gen),
			.ifindex = ifindex(argv[1]),
			.frame = frame,
			.len = n,
			.rate = rate / threads,
		};
	run_workers(th, sizeof(th[0]), threads, gen_run, t0);
	fwdbench__destroy(skel);
	return 0;
}

/* ---- the userspace blaster ---------------------------------------------------------- */

struct blast_thread {
	struct worker w;
	int id;
	const char *msg;
	size_t len, stamp;
	struct sockaddr_storage src, dst;
	socklen_t alen;
};

#define BATCH 64

static void *blast_run(void *arg)
{
	struct blast_thread *b = arg;
	static __thread char bufs[BATCH][4096];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	unsigned long long seq = (unsigned long long)b->id << 56;
	int fd;

	pin_self(b->w.cpu);
	fd = socket(b->dst.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&b->src, b->alen))
		die("blaster socket");
	for (int i = 0; i < BATCH; i++) {
		memcpy(bufs[i], b->msg, b->len);
		iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = b->len };
		mm[i].msg_hdr = (struct msghdr){ .msg_name = &b->dst, .msg_namelen = b->alen,
						 .msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	while (now() < b->w.until) {
		int r;

		for (int i = 0; i < BATCH; i++) {
			unsigned long long v = ++seq;

			for (int k = 15; k >= 0; k--, v >>= 4)
				bufs[i][b->stamp + k] = "0123456789abcdef"[v & 15];
		}
		r = sendmmsg(fd, mm, BATCH, 0);
		if (r > 0)
			b->w.sent += r;
	}
	close(fd);
	return NULL;
}

static void sockaddr_of(const char *ip, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, ip, &s4->sin_addr);
		*len = sizeof(*s4);
	}
}

static int cmd_blast(char **argv)
{
	static char msg[4096];
	struct blast_thread th[MAX_THREADS];
	int threads = atoi(argv[4]), ncpu = libbpf_num_possible_cpus();
	double seconds = atof(argv[5]), t0;
	size_t stamp, n;

	enter_ns(argv[0]);
	if (bad_load("blast", threads, seconds))
		return 2;
	n = read_msg(argv[1], msg, sizeof(msg), &stamp);
	t0 = now();
	for (int i = 0; i < threads; i++) {
		th[i] = (struct blast_thread){ .w = { .cpu = i % ncpu, .until = t0 + seconds },
					       .id = i + 1, .msg = msg, .len = n, .stamp = stamp };
		sockaddr_of(argv[2], 0, &th[i].src, &th[i].alen);
		sockaddr_of(argv[3], 5060, &th[i].dst, &th[i].alen);
	}
	run_workers(th, sizeof(th[0]), threads, blast_run, t0);
	return 0;
}

/* ---- sink, reference, counters ------------------------------------------------------- */

static int attach(const char *ns, const char *ifname, struct fwdbench *skel, int prog_fd)
{
	enter_ns(ns);
	if (bpf_xdp_attach(ifindex(ifname), prog_fd, XDP_FLAGS_DRV_MODE, NULL)) {
		fprintf(stderr, "fwd_bench: attach to %s in %s (native): %s\n", ifname, ns,
			strerror(errno));
		fwdbench__destroy(skel);
		return 1;
	}
	return 0;
}

static int pin_counter(struct fwdbench *skel, const char *pin)
{
	char path[512];

	mkdir(pin, 0700);
	snprintf(path, sizeof(path), "%s/counter", pin);
	unlink(path);
	if (bpf_map__pin(skel->maps.counter, path))
		die(path);
	return 0;
}

static int cmd_sink(char **argv)
{
	struct fwdbench *skel = fwdbench__open_and_load();

	if (!skel)
		die("load fwdbench");
	if (attach(argv[0], argv[1], skel, bpf_program__fd(skel->progs.bench_sink)))
		return 1;
	pin_counter(skel, argv[2]);
	fwdbench__destroy(skel); /* the attachment and the pin keep them */
	return 0;
}

/* drop NS IF: the bare drop a banned source's cost is compared with */
static int cmd_drop(char **argv)
{
	struct fwdbench *skel = fwdbench__open_and_load();
	int ret;

	if (!skel)
		die("load fwdbench");
	ret = attach(argv[0], argv[1], skel, bpf_program__fd(skel->progs.bench_drop));
	fwdbench__destroy(skel); /* the attachment keeps it */
	return ret ? 1 : 0;
}

static int cmd_scan(char **argv)
{
	struct fwdbench *skel = fwdbench__open_and_load();
	__u32 key = 0, out;

	if (!skel)
		die("load fwdbench");
	enter_ns(argv[0]);
	out = ifindex(argv[2]);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.out), &key, &out, BPF_ANY))
		die("devmap");
	if (attach(argv[0], argv[1], skel, bpf_program__fd(skel->progs.bench_scan_redirect)))
		return 1;
	fwdbench__destroy(skel);
	return 0;
}


static int cmd_count(char **argv)
{
	char path[512];
	int ncpu = libbpf_num_possible_cpus(), fd;
	__u64 *v = calloc(ncpu, sizeof(*v)), sum = 0;
	__u32 key = 0;

	snprintf(path, sizeof(path), "%s/counter", argv[0]);
	fd = bpf_obj_get(path);
	if (fd < 0 || !v || bpf_map_lookup_elem(fd, &key, v))
		die(path);
	for (int i = 0; i < ncpu; i++)
		sum += v[i];
	printf("%llu\n", (unsigned long long)sum);
	return 0;
}

static int cmd_detach(char **argv)
{
	enter_ns(argv[0]);
	bpf_xdp_detach(ifindex(argv[1]), XDP_FLAGS_DRV_MODE, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int args;
		int (*fn)(char **argv);
	} cmds[] = {
		{ "gen", -9, cmd_gen },	   { "blast", 6, cmd_blast }, { "sink", 3, cmd_sink },
		{ "scan", 3, cmd_scan },   { "count", 1, cmd_count }, { "detach", 2, cmd_detach },
		{ "drop", 2, cmd_drop },
	};

	for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			/* a negative count: that many, and one more optional */
			if (cmds[i].args >= 0 ? argc - 2 != cmds[i].args :
						(argc - 2 < -cmds[i].args || argc - 2 > 1 - cmds[i].args)) {
				fprintf(stderr, "fwd_bench %s: %d arguments expected\n", argv[1],
					cmds[i].args < 0 ? -cmds[i].args : cmds[i].args);
				return 2;
			}
			return cmds[i].fn(argv + 2);
		}
	fprintf(stderr, "usage: fwd_bench gen|blast|sink|scan|drop|count|detach ... (see the source)\n");
	return 2;
}
