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
/* Add @a to the @cap-entry array @set of *@n unless it is there already (or full). */
void sift_addr_set_add(struct sift_addr *set, unsigned int *n, unsigned int cap,
		       const struct sift_addr *a);

struct sockaddr_storage;
/* A socket address as sift's address and port (host order).  0, or -EAFNOSUPPORT. */
int sift_addr_of_sockaddr(const struct sockaddr_storage *ss, struct sift_addr *a,
			  unsigned int *port);
/* sift's address and port as a socket address; its length. */
unsigned int sift_sockaddr_of(const struct sift_addr *a, unsigned int port,
			      struct sockaddr_storage *ss);

/* An address and a prefix length; the bits beyond it are zero. */
struct sift_prefix {
	struct sift_addr addr;
	unsigned int len;
};

/*
 * "ADDR" or "ADDR/LEN" (IPv4 or IPv6; no LEN: the whole address).  Bits past
 * LEN must be zero, as in a route: "198.18.1.7/24" is refused.  0 or -EINVAL.
 */
int sift_prefix_parse(const char *s, struct sift_prefix *out);
const char *sift_prefix_fmt(const struct sift_prefix *p, char *buf, size_t len);
/* Zero the bits of @a past @len. */
void sift_addr_mask(struct sift_addr *a, unsigned int len);
/* Longest text sift_prefix_fmt() writes, with the terminating NUL. */
#define SIFT_PREFIXSTRLEN (SIFT_ADDRSTRLEN + 4)

#endif
