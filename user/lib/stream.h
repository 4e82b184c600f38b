/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIP over a stream (RFC 3261 18.3): messages framed by their Content-Length,
 * across partial reads and pipelined one after another, with RFC 5626's
 * CRLF keep-alives.  A connection feeds what it reads; the framer hands back
 * whole messages.  Bounded: a message (headers and body) may not exceed the
 * maximum it was set up with.  No sockets here: transport code drives it.
 */
#ifndef SIFT_LIB_STREAM_H
#define SIFT_LIB_STREAM_H

#include <stddef.h>
#include <stdint.h>

struct sift_stream {
	uint8_t *buf;
	size_t len;  /* bytes held */
	size_t cap;  /* allocated */
	size_t max;  /* the largest message accepted */
	size_t skip; /* a message handed out: consumed on the next call */
};

enum sift_stream_result {
	SIFT_STREAM_MORE,      /* nothing whole yet: read more */
	SIFT_STREAM_MSG,       /* a message: *msg, *len, valid until the next call */
	SIFT_STREAM_PING,      /* a CRLFCRLF keep-alive: answer with CRLF (RFC 5626 3.5.1) */
	SIFT_STREAM_TOO_BIG,   /* over the maximum: close the connection */
	SIFT_STREAM_NO_LENGTH, /* no Content-Length, which a stream needs (18.3): 400, close */
	SIFT_STREAM_BAD_LENGTH, /* a Content-Length that is no number, or two that differ */
};

/* @max: the largest message; 0 or -ENOMEM. */
int sift_stream_init(struct sift_stream *s, size_t max);
void sift_stream_free(struct sift_stream *s);
/* Append what was read.  0; -E2BIG when it could never fit (the connection goes). */
int sift_stream_feed(struct sift_stream *s, const void *data, size_t n);
/* The next whole message or keep-alive in what was fed (see the enum). */
enum sift_stream_result sift_stream_next(struct sift_stream *s, const uint8_t **msg, size_t *len);
const char *sift_stream_result_name(enum sift_stream_result r);

#endif
