// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfrun.h"
#include "maps.h"
#include "sift.skel.h"

struct sift *bpfrun_load(void)
{
	struct sift *skel = sift__open();
	struct bpf_map *map;

	if (!skel)
		return NULL;
	/* Tests own their maps: nothing is pinned or reused. */
	bpf_object__for_each_map(map, skel->obj)
		bpf_map__set_pin_path(map, NULL);
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

int bpfrun_stats(struct sift *skel, struct sift_stats *sum)
{
	return sift_stats_sum(bpf_map__fd(skel->maps.sift_stats), sum);
}

int bpfrun_set_port(struct sift *skel, __u16 port, __u8 flags)
{
	__u32 key = port;

	return bpf_map_update_elem(bpf_map__fd(skel->maps.sift_ports), &key, &flags, BPF_ANY) ?
		       -errno :
		       0;
}
