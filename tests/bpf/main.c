// SPDX-License-Identifier: GPL-2.0
/*
 * BPF tests: the real sift_xdp object, loaded into the kernel, fed crafted
 * frames through BPF_PROG_TEST_RUN.  Without root or BPF they skip (exit 77),
 * except under CI=true, where that is a failure.
 */
#include <stdlib.h>
#include <unistd.h>

#include "bpfrun.h"
#include "fwd_fixture.h"
#include "log.h"
#include "suites.h"

int main(void)
{
	char why[256];
	SRunner *sr;
	int failed;

	struct sift *skel;

	sift_log_init("bpf_tests", SIFT_LOG_ERR);
	if (geteuid() != 0)
		return bpfrun_skip_status("bpf_tests", "needs root");
	/* Load once with the verifier's report: its statistics, or why it refused. */
	skel = bpfrun_load_report(stdout);
	if (!skel)
		return EXIT_FAILURE;
	bpfrun_free(skel);
	if (!bpfrun_available(why, sizeof(why)))
		return bpfrun_skip_status("bpf_tests", why);

	/* A network namespace of our own: forwarding tests need devices, routes, neighbours. */
	if (testnet_up(&fix_net))
		return bpfrun_skip_status("bpf_tests", "cannot set up the test network");
	sr = srunner_create(bpf_l2l4_suite());
	srunner_add_suite(sr, bpf_sip_diff_suite());
	srunner_add_suite(sr, bpf_fwd_suite());
	srunner_add_suite(sr, bpf_shield_suite());
	srunner_add_suite(sr, bpf_transit_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
