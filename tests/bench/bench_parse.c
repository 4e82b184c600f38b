// SPDX-License-Identifier: GPL-2.0
/*
 * make bench-parse: sift_xdp (L2-L4, copy, full SIP parse, counters) on four
 * messages through BPF_PROG_TEST_RUN, and reference programs in the same run;
 * then what forwarding the INVITE adds (route, FIB, rewrite, checksum).
 * Prints "BENCH name value unit" lines.  BENCH_REPEAT sets the repetitions
 * (default 1,000,000); each figure is the best of BENCH_ROUNDS (default 5)
 * rounds, the kernel's own per-repetition average.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "bpfrun.h"
#include "fwd_fixture.h"
#include "log.h"
#include "maps.h"
#include "pkt.h"
#include "scan.skel.h"
#include "stages.skel.h"
#include "sift.skel.h"
#include "sip_native.h"

static __u32 repeat = 1000000, rounds = 5;

static double run(int prog_fd, const void *frame, size_t len)
{
	static __u8 out[PKT_MAX];
	double best = 1e12;

	for (__u32 r = 0; r < rounds; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);

		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			perror("BPF_PROG_TEST_RUN");
			exit(1);
		}
		if (opts.duration < best)
			best = opts.duration;
	}
	return best;
}

static size_t frame_of(const char *file, __u8 *frame, struct sift_scratch *s)
{
	static char msg[4096];
	long n = pkt_read_file(file, msg, sizeof(msg));
	struct pkt_spec spec = { .payload = msg };

	if (n < 0) {
		fprintf(stderr, "%s: cannot read\n", file);
		exit(1);
	}
	spec.payload_len = n;
	/* the message must be one the fast path forwards, or we time the wrong path */
	sift_sip_parse_bytes(s, msg, n);
	if (s->msg.action != SIFT_ACTION_FORWARD) {
		fprintf(stderr, "%s: %s, not forward-eligible\n", file,
			sift_reason_name(s->msg.reason));
		exit(1);
	}
	return pkt_build(&spec, frame, PKT_MAX);
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* The best of the rounds of @frame through sift_xdp as if it came in on @ifindex. */
static double run_on(struct sift *skel, int ifindex, const void *frame, size_t len, __u32 want)
{
	static __u8 out[PKT_MAX];
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	double best = 1e12;

	for (__u32 r = 0; r < rounds; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.sift_xdp), &opts) ||
		    opts.retval != want) {
			fprintf(stderr, "bench_parse: run failed or action %u, not %u\n", opts.retval,
				want);
			exit(1);
		}
		if (opts.duration < best)
			best = opts.duration;
	}
	return best;
}

/*
 * What IP that is not SIP costs on the way in (the test network forwards, as
 * siftd makes it): to sift's address (one sift_self lookup), to the host's
 * other address (and a FIB lookup: local), to a host behind sift (transit,
 * dropped after a FIB lookup).
 */
static void bench_transit(struct fwd_fixture *f)
{
	static const char data[200] = "not SIP";
	static const struct {
		const char *name, *dst;
		__u32 action;
	} to[] = {
		{ "ip_to_sift_ns", "198.18.1.1", XDP_PASS },
		{ "ip_to_host_ns", "198.18.9.1", XDP_PASS },
		{ "ip_transit_drop_ns", "198.18.2.2", XDP_DROP },
	};
	static __u8 frame[PKT_MAX];

	for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++) {
		struct pkt_spec spec = { .dst = to[i].dst, .dport = 9999, .payload = data,
					 .payload_len = sizeof(data) };
		size_t len = pkt_build(&spec, frame, sizeof(frame));

		printf("BENCH %s %.0f ns\n", to[i].name,
		       run_on(f->skel, fix_net.in_ifindex, frame, len, to[i].action));
	}
}

/*
 * The forwarding stage's own cost: a forwarded frame cannot be repeated in
 * place (the program rewrites it), so each run is one BPF_PROG_TEST_RUN;
 * the median with forwarding on, minus the median with it off, leaves out
 * the harness.  Needs the test network (a namespace of our own).
 */
static void bench_forward(int idle)
{
	static struct fwd_fixture f;
	static __u8 frame[PKT_MAX];
	static struct sift_scratch s;
	static __u32 d[2][20001];
	const int N = 20001;
	struct sift_config cfg;
	__u32 key = 0;
	size_t len;

	if (testnet_up(&fix_net) || fix_load(&f)) {
		fprintf(stderr, "bench_parse: no test network: forwarding not measured\n");
		return;
	}
	len = frame_of("tests/bench/msgs/fwd_invite600.sip", frame, &s);
	for (int i = 0; i < N; i++) {
		for (int on = 0; on < 2; on++) {
			struct bpfrun_result r;

			bpf_map_lookup_elem(f.maps.config, &key, &cfg);
			cfg.flags = on ? SIFT_CFG_FORWARD : 0;
			bpf_map_update_elem(f.maps.config, &key, &cfg, BPF_ANY);
			if (bpfrun_run_on(f.skel, fix_net.in_ifindex, frame, len, &r) ||
			    r.retval != (on ? XDP_REDIRECT : XDP_PASS)) {
				fprintf(stderr, "bench_parse: the INVITE was not forwarded\n");
				exit(1);
			}
			d[on][i] = r.duration_ns;
		}
	}
	qsort(d[0], N, sizeof(d[0][0]), cmp_u32);
	qsort(d[1], N, sizeof(d[1][0]), cmp_u32);
	printf("BENCH fwd_stage_invite600_ns %d ns\n", (int)d[1][N / 2] - (int)d[0][N / 2]);
	/* a whole run that forwards, harness included: what the two builds of make bench-trace differ by */
	printf("BENCH fwd_run_invite600_ns %d ns\n", (int)d[1][N / 2]);
	if (!idle)
		bench_transit(&f);
	fix_free(&f);
}

/*
 * The messages are addressed to 198.18.1.1: make it sift's, as siftd would,
 * so that they are timed on the path of what sift forwards, not as transit.
 */
static void own_address(struct sift *skel)
{
	struct sift_addr a;
	struct sift_maps m;
	__u32 flags = SIFT_DOMAIN_OURS;

	bpfrun_maps(skel, &m);
	sift_addr_parse("198.18.1.1", &a);
	if (bpf_map_update_elem(m.self, &a, &flags, BPF_ANY)) {
		perror("bench_parse: sift_self");
		exit(1);
	}
}

/* bench_parse FILE...: time sift_xdp on each message given (for investigations). */
static int time_files(struct sift *skel, int argc, char **argv)
{
	static __u8 frame[PKT_MAX];
	static struct sift_scratch s;

	for (int i = 1; i < argc; i++) {
		size_t len = frame_of(argv[i], frame, &s);

		printf("%s %.0f ns\n", argv[i], run(bpf_program__fd(skel->progs.sift_xdp), frame, len));
	}
	return 0;
}

struct job {
	char name[64];
	int fd;
	__u8 frame[PKT_MAX];
	size_t len;
	double best;
};

/* Run every job once per round, round after round; keep each job's best. */
static void run_all(struct job *jobs, int n)
{
	for (int i = 0; i < n; i++)
		jobs[i].best = 1e12;
	for (__u32 r = 0; r < rounds; r++) {
		for (int i = 0; i < n; i++) {
			static __u8 out[PKT_MAX];
			LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = jobs[i].frame,
				    .data_size_in = jobs[i].len, .data_out = out,
				    .data_size_out = sizeof(out), .repeat = repeat);

			if (bpf_prog_test_run_opts(jobs[i].fd, &opts)) {
				perror("BPF_PROG_TEST_RUN");
				exit(1);
			}
			if (opts.duration < jobs[i].best)
				jobs[i].best = opts.duration;
		}
	}
}

static struct job *job_add(struct job *jobs, int *n, const char *name, int fd, const __u8 *frame,
			   size_t len)
{
	struct job *j = &jobs[(*n)++];

	snprintf(j->name, sizeof(j->name), "%s", name);
	j->fd = fd;
	memcpy(j->frame, frame, len);
	j->len = len;
	return j;
}

static double best_of(struct job *jobs, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(jobs[i].name, name))
			return jobs[i].best;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name, *file;
	} msgs[] = {
		{ "invite600", "tests/bench/msgs/invite600.sip" },
		{ "200ok", "tests/bench/msgs/200ok.sip" },
		{ "register", "tests/bench/msgs/register.sip" },
		{ "invite1400", "tests/bench/msgs/invite1400.sip" },
	};
	static struct job jobs[16];
	static __u8 frame[PKT_MAX];
	static struct sift_scratch s;
	char name[64];
	struct sift *skel;
	struct scan *ref;
	struct stages *st;
	int n = 0, idle;
	size_t len;

	if (getenv("BENCH_REPEAT"))
		repeat = strtoul(getenv("BENCH_REPEAT"), NULL, 0);
	if (getenv("BENCH_ROUNDS"))
		rounds = strtoul(getenv("BENCH_ROUNDS"), NULL, 0);
	sift_log_init("bench_parse", SIFT_LOG_WARN);
	if (bpfrun_pin_cpu0())
		perror("pin to CPU 0");
	skel = bpfrun_load();
	ref = scan__open_and_load();
	st = stages__open_and_load();
	if (!skel || !ref || !st) {
		fprintf(stderr, "bench_parse: cannot load the programs (root? bpffs?)\n");
		return 1;
	}
	own_address(skel);
	if (argc > 1)
		return time_files(skel, argc, argv);
	/* BENCH_IDLE: the whole program only (make bench-trace compares two builds of it) */
	idle = getenv("BENCH_IDLE") && *getenv("BENCH_IDLE") == '1';

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		len = frame_of(msgs[i].file, frame, &s);
		snprintf(name, sizeof(name), "parse_%s_ns", msgs[i].name);
		job_add(jobs, &n, name, bpf_program__fd(skel->progs.sift_xdp), frame, len);
	}
	if (idle) {
		run_all(jobs, n);
		for (int i = 0; i < n; i++)
			printf("BENCH %s %.0f ns\n", jobs[i].name, jobs[i].best);
		bpfrun_free(skel);
		bench_forward(idle);
		return 0;
	}
	/* the 600-byte INVITE again: the reference programs, and the parser stage by stage */
	len = frame_of(msgs[0].file, frame, &s);
	job_add(jobs, &n, "ref_empty_prog_ns", bpf_program__fd(ref->progs.bench_pass), frame, len);
	job_add(jobs, &n, "ref_scan_words_invite600_ns", bpf_program__fd(ref->progs.bench_scan_words),
		frame, len);
	job_add(jobs, &n, "ref_scan_bytes_invite600_ns", bpf_program__fd(ref->progs.bench_scan_bytes),
		frame, len);
	job_add(jobs, &n, "stage_copy_invite600_ns", bpf_program__fd(st->progs.stage_copy), frame, len);
	job_add(jobs, &n, "stage_lines_invite600_ns", bpf_program__fd(st->progs.stage_lines), frame,
		len);
	job_add(jobs, &n, "stage_start_invite600_ns", bpf_program__fd(st->progs.stage_start), frame,
		len);
	job_add(jobs, &n, "stage_all_invite600_ns", bpf_program__fd(st->progs.stage_all), frame, len);

	run_all(jobs, n);
	for (int i = 0; i < n; i++)
		printf("BENCH %s %.0f ns\n", jobs[i].name, jobs[i].best);
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		len = frame_of(msgs[i].file, frame, &s);
		printf("BENCH parse_%s_bytes %zu bytes\n", msgs[i].name, len - 42);
	}
	printf("BENCH parse_invite600_vs_scan_words %.2f ratio\n",
	       best_of(jobs, n, "parse_invite600_ns") / best_of(jobs, n, "ref_scan_words_invite600_ns"));
	printf("BENCH parse_invite600_vs_scan_bytes %.2f ratio\n",
	       best_of(jobs, n, "parse_invite600_ns") / best_of(jobs, n, "ref_scan_bytes_invite600_ns"));
	scan__destroy(ref);
	stages__destroy(st);
	bpfrun_free(skel);
	bench_forward(idle);
	return 0;
}
