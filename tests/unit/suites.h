/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SIFT_TEST_SUITES_H
#define SIFT_TEST_SUITES_H

#include <check.h>

Suite *config_suite(void);
Suite *cli_suite(void);
Suite *sip_parse_suite(void);
Suite *fwd_suite(void);
Suite *routing_suite(void);
Suite *shield_suite(void);
Suite *reply_suite(void);
Suite *txn_suite(void);
Suite *txn_client_suite(void);
Suite *trace_suite(void);
Suite *stream_suite(void);

#endif
