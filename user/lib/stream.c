// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stream.h"

int sift_stream_init(struct sift_stream *s, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->max = max;
	return 0; /* the buffer comes with the first bytes: an idle connection holds none */
}

void sift_stream_free(struct sift_stream *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/* Drop the message handed out last. */
static void settle(struct sift_stream *s)
{
	if (!s->skip)
		return;
	memmove(s->buf, s->buf + s->skip, s->len - s->skip);
	s->len -= s->skip;
	s->skip = 0;
	if (!s->len) {
		free(s->buf);
		s->buf = NULL;
		s->cap = 0;
	}
}

int sift_stream_feed(struct sift_stream *s, const void *data, size_t n)
{
	settle(s);
	/* the maximum message, and a keep-alive's 4 bytes before it */
	if (s->len + n > s->max + 4)
		return -E2BIG;
	if (s->len + n > s->cap) {
		size_t cap = s->cap * 2 > s->len + n ? s->cap * 2 : s->len + n;

		cap = cap < 512 ? 512 : cap;
		uint8_t *b;

		if (cap > s->max + 4)
			cap = s->max + 4;
		b = realloc(s->buf, cap);
		if (!b)
			return -ENOMEM;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return 0;
}

/* Where the header block ends (the first body byte), or 0 if not yet in @len bytes. */
static size_t headers_end(const uint8_t *b, size_t len)
{
	for (size_t i = 1; i < len; i++) {
		if (b[i] != '\n')
			continue;
		if (b[i - 1] == '\n')
			return i + 1; /* LF LF: tolerated */
		if (i >= 3 && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r')
			return i + 1;
	}
	return 0;
}

/*
 * The Content-Length of the header block [0, end): "Content-Length" or its
 * compact form "l", any case, whitespace before the colon and around the
 * value.  Returns 1 with *@cl, 0 when there is none, -1 when one is no number
 * or two disagree.
 */
static int content_length(const uint8_t *b, size_t end, size_t *cl)
{
	int found = 0;

	for (size_t i = 0; i < end;) {
		size_t eol = i, j, nlen;
		unsigned long long v = 0;
		int digits = 0;

		while (eol < end && b[eol] != '\n')
			eol++;
		/* the name */
		for (j = i; j < eol && b[j] != ':' && b[j] != ' ' && b[j] != '\t'; j++)
			;
		nlen = j - i;
		if ((nlen == 14 && !strncasecmp((const char *)b + i, "content-length", 14)) ||
		    (nlen == 1 && (b[i] == 'l' || b[i] == 'L'))) {
			while (j < eol && (b[j] == ' ' || b[j] == '\t'))
				j++;
			if (j < eol && b[j] == ':') {
				for (j++; j < eol && (b[j] == ' ' || b[j] == '\t'); j++)
					;
				for (; j < eol && b[j] >= '0' && b[j] <= '9' && digits < 12; j++, digits++)
					v = v * 10 + (b[j] - '0');
				while (j < eol && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r'))
					j++;
				if (!digits || j != eol || (found && v != *cl))
					return -1;
				*cl = v;
				found = 1;
			}
		}
		i = eol + 1;
	}
	return found;
}

enum sift_stream_result sift_stream_next(struct sift_stream *s, const uint8_t **msg, size_t *len)
{
	size_t end, cl = 0;
	int r;

	settle(s);
	/* CRLFs before a start line: a keep-alive ping (CRLFCRLF), a pong (CRLF), or padding */
	while (s->len >= 2 && s->buf[0] == '\r' && s->buf[1] == '\n') {
		if (s->len >= 4 && s->buf[2] == '\r' && s->buf[3] == '\n') {
			s->skip = 4;
			return SIFT_STREAM_PING;
		}
		if (s->len == 2)
			return SIFT_STREAM_MORE; /* a pong, or half a ping: the next bytes say */
		if (s->len == 3 && s->buf[2] == '\r')
			return SIFT_STREAM_MORE;
		s->skip = 2;
		settle(s);
	}
	end = headers_end(s->buf, s->len);
	if (!end)
		return s->len > s->max ? SIFT_STREAM_TOO_BIG : SIFT_STREAM_MORE;
	r = content_length(s->buf, end, &cl);
	if (r < 0)
		return SIFT_STREAM_BAD_LENGTH;
	if (r == 0)
		return SIFT_STREAM_NO_LENGTH;
	if (end + cl > s->max)
		return SIFT_STREAM_TOO_BIG;
	if (s->len < end + cl)
		return SIFT_STREAM_MORE;
	*msg = s->buf;
	*len = end + cl;
	s->skip = end + cl;
	return SIFT_STREAM_MSG;
}

const char *sift_stream_result_name(enum sift_stream_result r)
{
	static const char *const names[] = { "more", "message", "ping", "too_big", "no_length",
					     "bad_length" };

	return (unsigned int)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}
