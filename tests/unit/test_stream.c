// SPDX-License-Identifier: GPL-2.0
/*
 * The stream framer (RFC 3261 18.3): the flows corpus pipelined on one
 * connection, with keep-alives between, cut into two reads at every byte
 * offset and fed a byte at a time, must come out as the same messages.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"
#include "suites.h"

#define FLOWS "tests/corpus/flows/"

static uint8_t wire[1 << 17];
static size_t wire_len;
static size_t msg_off[64], msg_len[64];
static int n_msgs, n_pings;

/* Every flow message with a Content-Length, one after another, a ping after every third. */
static void build_wire(void)
{
	struct dirent **names;
	int n = scandir(FLOWS, &names, NULL, alphasort);

	wire_len = 0;
	n_msgs = n_pings = 0;
	ck_assert_int_gt(n, 0);
	for (int i = 0; i < n; i++) {
		char path[512];
		FILE *f;
		size_t len;

		snprintf(path, sizeof(path), FLOWS "%s", names[i]->d_name);
		free(names[i]);
		if (!strstr(path, ".sip") || n_msgs >= 64)
			continue;
		f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		len = fread(wire + wire_len, 1, sizeof(wire) - wire_len - 8, f);
		fclose(f);
		if (!strcasestr((char *)wire + wire_len, "\ncontent-length") &&
		    !strstr((char *)wire + wire_len, "\nl:"))
			continue; /* fine over UDP, not on a stream */
		msg_off[n_msgs] = wire_len;
		msg_len[n_msgs] = len;
		wire_len += len;
		if (++n_msgs % 3 == 0) {
			memcpy(wire + wire_len, "\r\n\r\n", 4);
			wire_len += 4;
			n_pings++;
		}
	}
	free(names);
	ck_assert_int_ge(n_msgs, 20);
}

/* Drain @s; check each message against the next expected one.  Updates *@next and *@pings. */
static void drain(struct sift_stream *s, int *next, int *pings)
{
	const uint8_t *m;
	size_t len;
	enum sift_stream_result r;

	while ((r = sift_stream_next(s, &m, &len)) != SIFT_STREAM_MORE) {
		if (r == SIFT_STREAM_PING) {
			(*pings)++;
			continue;
		}
		ck_assert_msg(r == SIFT_STREAM_MSG, "message %d: %s", *next, sift_stream_result_name(r));
		ck_assert_int_lt(*next, n_msgs);
		ck_assert_uint_eq(len, msg_len[*next]);
		ck_assert_mem_eq(m, wire + msg_off[*next], len);
		(*next)++;
	}
}

START_TEST(stream_every_split)
{
	build_wire();
	for (size_t cut = 0; cut <= wire_len; cut++) {
		struct sift_stream s;
		int next = 0, pings = 0;

		ck_assert_int_eq(sift_stream_init(&s, 65536), 0);
		ck_assert_int_eq(sift_stream_feed(&s, wire, cut), 0);
		drain(&s, &next, &pings);
		ck_assert_int_eq(sift_stream_feed(&s, wire + cut, wire_len - cut), 0);
		drain(&s, &next, &pings);
		ck_assert_msg(next == n_msgs, "cut at %zu: %d of %d messages", cut, next, n_msgs);
		ck_assert_int_eq(pings, n_pings);
		sift_stream_free(&s);
	}
}
END_TEST

START_TEST(stream_byte_by_byte)
{
	struct sift_stream s;
	int next = 0, pings = 0;

	build_wire();
	ck_assert_int_eq(sift_stream_init(&s, 65536), 0);
	for (size_t i = 0; i < wire_len; i++) {
		ck_assert_int_eq(sift_stream_feed(&s, wire + i, 1), 0);
		drain(&s, &next, &pings);
	}
	ck_assert_int_eq(next, n_msgs);
	ck_assert_int_eq(pings, n_pings);
	sift_stream_free(&s);
}
END_TEST

static enum sift_stream_result one(const char *text, size_t max)
{
	struct sift_stream s;
	const uint8_t *m;
	size_t len;
	enum sift_stream_result r;

	ck_assert_int_eq(sift_stream_init(&s, max), 0);
	if (sift_stream_feed(&s, text, strlen(text))) {
		sift_stream_free(&s);
		return SIFT_STREAM_TOO_BIG;
	}
	r = sift_stream_next(&s, &m, &len);
	sift_stream_free(&s);
	return r;
}

START_TEST(stream_refused)
{
	const char *ok = "OPTIONS sip:a SIP/2.0\r\nl: 2\r\n\r\nhi";

	ck_assert_int_eq(one(ok, 1000), SIFT_STREAM_MSG);
	ck_assert_int_eq(one("OPTIONS sip:a SIP/2.0\r\nContent-Length : 0\r\n\r\n", 1000),
			 SIFT_STREAM_MSG);
	ck_assert_int_eq(one("OPTIONS sip:a SIP/2.0\r\nVia: x\r\n\r\n", 1000), SIFT_STREAM_NO_LENGTH);
	ck_assert_int_eq(one("OPTIONS sip:a SIP/2.0\r\nContent-Length: x\r\n\r\n", 1000),
			 SIFT_STREAM_BAD_LENGTH);
	ck_assert_int_eq(one("OPTIONS sip:a SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab", 1000),
			 SIFT_STREAM_BAD_LENGTH);
	/* a body that would take it past the maximum is refused before it is read */
	ck_assert_int_eq(one("OPTIONS sip:a SIP/2.0\r\nl: 5000\r\n\r\n", 1000), SIFT_STREAM_TOO_BIG);
	/* headers that never end: refused once past the maximum */
	ck_assert_int_eq(one(ok, 20), SIFT_STREAM_TOO_BIG);
	/* a lone CRLF (a pong) waits for what follows; CRLF then a message is the message */
	ck_assert_int_eq(one("\r\n", 1000), SIFT_STREAM_MORE);
	ck_assert_int_eq(one("\r\nOPTIONS sip:a SIP/2.0\r\nl: 0\r\n\r\n", 1000), SIFT_STREAM_MSG);
	ck_assert_int_eq(one("\r\n\r\n", 1000), SIFT_STREAM_PING);
}
END_TEST

Suite *stream_suite(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = tcase_create("stream");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stream_every_split);
	tcase_add_test(tc, stream_byte_by_byte);
	tcase_add_test(tc, stream_refused);
	suite_add_tcase(s, tc);
	return s;
}
