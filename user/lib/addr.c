// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
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

bool sift_addr_eq(const struct sift_addr *a, const struct sift_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}
