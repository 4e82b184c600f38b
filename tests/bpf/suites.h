/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SIFT_BPF_SUITES_H
#define SIFT_BPF_SUITES_H

#include <check.h>

Suite *bpf_l2l4_suite(void);
Suite *bpf_sip_diff_suite(void);
Suite *bpf_fwd_suite(void);
Suite *bpf_shield_suite(void);
Suite *bpf_transit_suite(void);

#endif
