// SPDX-License-Identifier: GPL-2.0
/* Unit tests: every Check suite of the userspace modules, in one runner. */
#include <stdlib.h>

#include "log.h"
#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	sift_log_init("unit", SIFT_LOG_ERR);
	srunner_add_suite(sr, cli_suite());
	srunner_add_suite(sr, sip_parse_suite());
	srunner_add_suite(sr, fwd_suite());
	srunner_add_suite(sr, routing_suite());
	srunner_add_suite(sr, shield_suite());
	srunner_add_suite(sr, reply_suite());
	srunner_add_suite(sr, txn_suite());
	srunner_add_suite(sr, txn_client_suite());
	srunner_add_suite(sr, trace_suite());
	srunner_add_suite(sr, stream_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
