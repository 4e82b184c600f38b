/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SIFT_ADDR_H
#define SIFT_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sift/common.h>

/* Longest text sift_addr_fmt() writes, with the terminating NUL. */
#define SIFT_ADDRSTRLEN 46

/* Parse an IPv4 or IPv6 literal (brackets allowed around IPv6). 0 or -EINVAL. */
int sift_addr_parse(const char *s, struct sift_addr *out);
const char *sift_addr_fmt(const struct sift_addr *a, char *buf, size_t len);
bool sift_addr_eq(const struct sift_addr *a, const struct sift_addr *b);

#endif
