// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

int sift_addr_parse(const char *s, struct sift_addr *out)
{
	char buf[SIFT_ADDRSTRLEN + 2];
	size_t n = strlen(s);

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, &out->v4) == 1) {
		out->family = SIFT_AF_INET;
		return 0;
	}
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof(buf)) {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		s = buf;
	}
	if (inet_pton(AF_INET6, s, out->v6) == 1) {
		out->family = SIFT_AF_INET6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

const char *sift_addr_fmt(const struct sift_addr *a, char *buf, size_t len)
{
	const void *src = a->family == SIFT_AF_INET ? (const void *)&a->v4 : (const void *)a->v6;
	int af = a->family == SIFT_AF_INET ? AF_INET : AF_INET6;

	if ((a->family != SIFT_AF_INET && a->family != SIFT_AF_INET6) ||
	    !inet_ntop(af, src, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

void sift_addr_set_add(struct sift_addr *set, unsigned int *n, unsigned int cap,
		       const struct sift_addr *a)
{
	for (unsigned int i = 0; i < *n; i++)
		if (sift_addr_eq(&set[i], a))
			return;
	if (*n < cap)
		set[(*n)++] = *a;
}

void sift_addr_mask(struct sift_addr *a, unsigned int len)
{
	unsigned int bits = a->family == SIFT_AF_INET ? 32 : 128;
	uint8_t *b = a->family == SIFT_AF_INET ? (uint8_t *)&a->v4 : a->v6;

	for (unsigned int i = 0; i < bits / 8; i++) {
		unsigned int keep = len > 8 * i ? len - 8 * i : 0;

		if (keep < 8)
			b[i] &= (uint8_t)(0xff00 >> keep);
	}
}

int sift_prefix_parse(const char *s, struct sift_prefix *out)
{
	char buf[SIFT_PREFIXSTRLEN + 2];
	const char *slash = strchr(s, '/');
	struct sift_addr masked;
	unsigned int max;
	char *end;
	unsigned long len;

	memset(out, 0, sizeof(*out));
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	if (slash)
		buf[slash - s] = '\0';
	if (sift_addr_parse(buf, &out->addr))
		return -EINVAL;
	max = out->addr.family == SIFT_AF_INET ? 32 : 128;
	out->len = max;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || slash[1] == '-' || slash[1] == '+' ||
		    len > max)
			return -EINVAL;
		out->len = len;
	}
	masked = out->addr;
	sift_addr_mask(&masked, out->len);
	if (!sift_addr_eq(&masked, &out->addr))
		return -EINVAL;
	return 0;
}

const char *sift_prefix_fmt(const struct sift_prefix *p, char *buf, size_t len)
{
	char a[SIFT_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", sift_addr_fmt(&p->addr, a, sizeof(a)), p->len);
	return buf;
}

int sift_addr_of_sockaddr(const struct sockaddr_storage *ss, struct sift_addr *a,
			  unsigned int *port)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		a->family = SIFT_AF_INET;
		a->v4 = sin->sin_addr.s_addr;
		*port = ntohs(sin->sin_port);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		a->family = SIFT_AF_INET6;
		memcpy(a->v6, &sin6->sin6_addr, 16);
		*port = ntohs(sin6->sin6_port);
		return 0;
	}
	return -EAFNOSUPPORT;
}

unsigned int sift_sockaddr_of(const struct sift_addr *a, unsigned int port,
			      struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == SIFT_AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = a->v4;
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, a->v6, 16);
	return sizeof(*sin6);
}
