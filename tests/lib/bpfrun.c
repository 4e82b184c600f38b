// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpfrun.h"
#include "maps.h"
#include "sift.skel.h"
#include <sift/sip.h>

static struct sift *load(char *log, size_t log_len)
{
	struct sift *skel = sift__open();
	struct bpf_map *map;

	if (!skel)
		return NULL;
	/* Tests own their maps: nothing is pinned or reused. */
	bpf_object__for_each_map(map, skel->obj)
		bpf_map__set_pin_path(map, NULL);
	if (log) {
		bpf_program__set_log_buf(skel->progs.sift_xdp, log, log_len);
		bpf_program__set_log_level(skel->progs.sift_xdp, 1);
	}
	if (sift__load(skel)) {
		sift__destroy(skel);
		return NULL;
	}
	if (bpfrun_set_port(skel, SIFT_SIP_PORT_DEFAULT, SIFT_PORT_SIP)) {
		sift__destroy(skel);
		return NULL;
	}
	return skel;
}

struct sift *bpfrun_load(void)
{
	return load(NULL, 0);
}

struct sift *bpfrun_load_report(FILE *out)
{
	size_t len = 64 << 20;
	char *log = calloc(1, len);
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	struct sift *skel;

	if (!log)
		return NULL;
	skel = load(log, len);
	if (!skel) {
		/* The tail says why: the last instructions and the verifier's complaint. */
		size_t n = strlen(log), lines = 0, i = n;

		while (i > 0 && lines < 40)
			lines += log[--i] == '\n';
		fprintf(out, "sift_xdp failed to load (%s); verifier log tail:\n%s\n",
			strerror(errno), log + i);
		free(log);
		return NULL;
	}
	free(log);
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.sift_xdp), &info, &ilen))
		fprintf(out,
			"sift_xdp: %u instructions verified (limit 1000000), %u translated, "
			"%u bytes JITed, BTF %s\n",
			info.verified_insns, info.xlated_prog_len / 8, info.jited_prog_len,
			btf__fd(bpf_object__btf(skel->obj)) >= 0 ? "loaded" : "MISSING");
	if (btf__fd(bpf_object__btf(skel->obj)) < 0) {
		/* Without BTF global subprograms silently become static ones. */
		fprintf(out, "sift_xdp: the kernel refused its BTF\n");
		sift__destroy(skel);
		return NULL;
	}
	return skel;
}

void bpfrun_free(struct sift *skel)
{
	sift__destroy(skel);
}

int bpfrun_available(char *why, size_t len)
{
	struct sift *skel;

	if (geteuid() != 0) {
		snprintf(why, len, "needs root");
		return 0;
	}
	skel = bpfrun_load();
	if (!skel) {
		snprintf(why, len, "cannot load sift_xdp: %s", strerror(errno));
		return 0;
	}
	bpfrun_free(skel);
	return 1;
}

int bpfrun_skip_status(const char *what, const char *why)
{
	const char *ci = getenv("CI");

	if (ci && !strcmp(ci, "true")) {
		fprintf(stderr, "%s: cannot run (%s), and CI=true: BPF tests must run\n", what,
			why);
		return 1;
	}
	printf("%s: SKIP (%s)\n", what, why);
	return 77;
}

int bpfrun_run(struct sift *skel, const void *frame, size_t len, __u32 repeat,
	       struct bpfrun_result *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .data_out = r->out, .data_size_out = sizeof(r->out),
		    .repeat = repeat ? repeat : 1);
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.sift_xdp), &opts);
	if (err)
		return -errno;
	r->retval = opts.retval;
	r->out_len = opts.data_size_out;
	r->duration_ns = opts.duration;
	return 0;
}

int bpfrun_run_on(struct sift *skel, int ifindex, const void *frame, size_t len,
		  struct bpfrun_result *r)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .data_out = r->out, .data_size_out = sizeof(r->out), .repeat = 1,
		    .ctx_in = ifindex ? &ctx : NULL, .ctx_size_in = ifindex ? sizeof(ctx) : 0);

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.sift_xdp), &opts))
		return -errno;
	r->retval = opts.retval;
	r->out_len = opts.data_size_out;
	r->duration_ns = opts.duration;
	return 0;
}

void bpfrun_maps(struct sift *skel, struct sift_maps *m)
{
	m->stats = bpf_map__fd(skel->maps.sift_stats);
	m->ports = bpf_map__fd(skel->maps.sift_ports);
	m->ifaces = bpf_map__fd(skel->maps.sift_ifaces);
	m->config = bpf_map__fd(skel->maps.sift_config);
	m->routes = bpf_map__fd(skel->maps.sift_routes);
	m->domains = bpf_map__fd(skel->maps.sift_domains);
	m->self = bpf_map__fd(skel->maps.sift_self);
	m->backends = bpf_map__fd(skel->maps.sift_backends);
	m->maglev = bpf_map__fd(skel->maps.sift_maglev);
	m->egress = bpf_map__fd(skel->maps.sift_egress);
	m->rr = bpf_map__fd(skel->maps.sift_rr);
	m->tx = bpf_map__fd(skel->maps.sift_tx);
	m->hops = bpf_map__fd(skel->maps.sift_hops);
	m->shield = bpf_map__fd(skel->maps.sift_shield);
	m->acl_deny = bpf_map__fd(skel->maps.sift_acl_deny);
	m->acl_allow = bpf_map__fd(skel->maps.sift_acl_allow);
	m->bans = bpf_map__fd(skel->maps.sift_bans);
	m->caps = bpf_map__fd(skel->maps.sift_caps);
	m->scanners = bpf_map__fd(skel->maps.sift_scanners);
	m->unreach = bpf_map__fd(skel->maps.sift_unreach);
}

int bpfrun_stats(struct sift *skel, struct sift_stats *sum)
{
	return sift_stats_sum(bpf_map__fd(skel->maps.sift_stats), sum);
}

int bpfrun_pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* Every CPU's copy of the scratch map, into a buffer the caller frees: NULL (errno) or it. */
static char *scratch_all(struct sift *skel, int *ncpu, size_t *vsz)
{
	__u32 key = 0;
	char *all;

	*ncpu = libbpf_num_possible_cpus();
	*vsz = (sizeof(struct sift_scratch) + 7) & ~7UL;
	if (*ncpu < 1) {
		errno = EINVAL;
		return NULL;
	}
	all = malloc(*vsz * *ncpu);
	if (all && bpf_map_lookup_elem(bpf_map__fd(skel->maps.sift_scratch), &key, all)) {
		free(all);
		return NULL;
	}
	return all;
}

int bpfrun_scratch_cpu0(struct sift *skel, struct sift_scratch *out)
{
	size_t vsz;
	int ncpu;
	char *all = scratch_all(skel, &ncpu, &vsz);

	if (!all)
		return -errno;
	memcpy(out, all, sizeof(*out));
	free(all);
	return 0;
}

int bpfrun_scratch_forget_decision(struct sift *skel)
{
	size_t vsz;
	int ncpu, err = 0;
	__u32 key = 0;
	char *all = scratch_all(skel, &ncpu, &vsz);

	if (!all)
		return -errno;
	for (int c = 0; c < ncpu; c++)
		((struct sift_scratch *)(all + c * vsz))->plan.decision = 0;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.sift_scratch), &key, all, BPF_ANY))
		err = -errno;
	free(all);
	return err;
}

int bpfrun_set_port(struct sift *skel, __u16 port, __u8 flags)
{
	__u32 key = port;

	return bpf_map_update_elem(bpf_map__fd(skel->maps.sift_ports), &key, &flags, BPF_ANY) ?
		       -errno :
		       0;
}
