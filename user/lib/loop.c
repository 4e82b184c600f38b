// SPDX-License-Identifier: GPL-2.0
/* Loop or spiral (loop.h). */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sift/fwd_util.h>

#include "loop.h"

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Where the via-parm after via[1] starts: after a comma in the same header,
 * or in the next Via header.  0 when there is none.
 */
static size_t third_via(const struct sift_scratch *s, size_t n)
{
	const char *b = (const char *)s->buf;
	size_t p = s->msg.via[1].value.off + s->msg.via[1].value.len;

	while (p < n && is_ws(b[p]) && !(b[p] == '\r' && p + 2 < n && !is_ws(b[p + 2])))
		p++;
	if (p < n && b[p] == ',')
		return p + 1;
	for (unsigned int i = 1; i + 1 < s->msg.n_lines && i < SIFT_MAX_LINES; i++) {
		size_t at = s->line[i], c = at;

		if (at <= p || at >= s->msg.eoh)
			continue;
		while (c < n && b[c] != ':' && !is_ws(b[c]))
			c++;
		if ((c - at == 3 && !strncasecmp(b + at, "via", 3)) ||
		    (c - at == 1 && (b[at] == 'v' || b[at] == 'V'))) {
			while (c < n && b[c] != ':')
				c++;
			return c + 1;
		}
	}
	return 0;
}

int sift_loop_check(struct sift_scratch *s, size_t n, const __u64 key[2])
{
	const struct sift_via *v1 = &s->msg.via[1];
	const char *b = (const char *)s->buf;
	size_t p, e, end;
	__u64 h, mine;
	__u32 mac;

	if (s->msg.n_via < 3 || n > SIFT_MSG_MAX ||
	    !sift_branch_form(s, v1->branch.off, v1->branch.len, &h, &mac))
		return 0;
	p = third_via(s, n);
	if (!p)
		return 0;
	/* that via-parm's branch, up to the next parameter, value or line */
	end = p;
	while (end < s->msg.eoh && b[end] != ',' && !(b[end] == '\r' && !is_ws(b[end + 2])))
		end++;
	for (; p + 8 < end; p++)
		if (b[p] == ';' && !strncasecmp(b + p + 1, "branch", 6))
			break;
	if (p + 8 >= end)
		return 0;
	p += 7;
	while (p < end && (is_ws(b[p]) || b[p] == '='))
		p++;
	e = p;
	while (e < end && b[e] != ';' && b[e] != ',' && !is_ws(b[e]))
		e++;
	if (e - p < 7 || strncmp(b + p, "z9hG4bK", 7))
		return 0; /* RFC 2543's: a spiral, as far as sift can tell */
	/* sift_branch_hash() as it ran when sift forwarded the request from there */
	mine = sift_hash(s, s->msg.ruri.all.off, s->msg.ruri.all.len,
			 sift_hash(s, p, e - p, key[0]));
	return mine == h;
}
