// SPDX-License-Identifier: GPL-2.0
/* The live trace's userspace: its filter from the command line, frames, HEP v3. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sift/fwd.h>
#include <sift/sip.h>
#include <sift/trace.h>

#include "frame.h"
#include "hep.h"
#include "maps.h"
#include "out.h"
#include "suites.h"
#include "trace_cmd.h"

static int parse(struct trace_args *a, const char *arg, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	va_start(ap, arg);
	for (const char *s = arg; s && argc < 31; s = va_arg(ap, const char *))
		argv[argc++] = (char *)s;
	va_end(ap);
	out_init(stdout, false, false);
	return trace_args_parse(argc, argv, a);
}

START_TEST(filter_from_args)
{
	struct trace_args a;

	ck_assert_int_eq(parse(&a, "src", "198.18.4.0/22", "callid", "abc@x", "method", "invite",
			       "verdict", "drop", "reason", "shield.banned", "count", "5",
			       "duration", "9", "rate", "50", "--pcap", "f.pcap", "--hep",
			       "127.0.0.1:9060", NULL),
			 0);
	ck_assert_uint_eq(a.cfg.match, SIFT_TM_SRC | SIFT_TM_CALLID | SIFT_TM_METHOD |
						SIFT_TM_VERDICT | SIFT_TM_REASON);
	ck_assert_uint_eq(a.cfg.src.family, SIFT_AF_INET);
	ck_assert_uint_eq(a.cfg.src.v4, inet_addr("198.18.4.0"));
	ck_assert_uint_eq(a.cfg.mask[0], htonl(0xfffffc00u));
	ck_assert_uint_eq(a.cfg.mask[1] | a.cfg.mask[2] | a.cfg.mask[3], 0);
	ck_assert_uint_eq(a.cfg.callid_len, 5);
	ck_assert_mem_eq(a.cfg.callid, "abc@x", 5);
	ck_assert_uint_eq(a.cfg.method, SIFT_METHOD_INVITE);
	ck_assert_uint_eq(a.cfg.verdict, SIFT_TV_DROP);
	ck_assert_uint_eq(a.cfg.reason, SIFT_STAT_SHIELD_BANNED);
	ck_assert_uint_eq(a.count, 5);
	ck_assert_uint_eq(a.duration, 9);
	ck_assert_uint_eq(a.cfg.rate, 50);
	ck_assert_str_eq(a.pcap, "f.pcap");
	ck_assert_str_eq(a.hep, "127.0.0.1:9060");

	/* IPv6: the mask spans the words it covers */
	ck_assert_int_eq(parse(&a, "src", "2001:db8:0:1::/72", NULL), 0);
	ck_assert_uint_eq(a.cfg.mask[0], 0xffffffffu);
	ck_assert_uint_eq(a.cfg.mask[1], 0xffffffffu);
	ck_assert_uint_eq(a.cfg.mask[2], htonl(0xff000000u));
	ck_assert_uint_eq(a.cfg.mask[3], 0);
	/* a name only one reason group has needs no group; the rest do */
	ck_assert_int_eq(parse(&a, "reason", "banned", NULL), 0);
	ck_assert_uint_eq(a.cfg.reason, SIFT_STAT_SHIELD_BANNED);
	ck_assert_int_eq(parse(&a, "reason", "sip_punt.max_forwards_zero", NULL), 0);
	ck_assert_uint_eq(a.cfg.reason, SIFT_STAT_PUNT_MAX_FORWARDS_ZERO);
	/* nothing given: everything, at the default rate */
	ck_assert_int_eq(parse(&a, NULL), 0);
	ck_assert_uint_eq(a.cfg.match, 0);
	ck_assert_uint_eq(a.cfg.rate, SIFT_TRACE_RATE_DEFAULT);
}
END_TEST

START_TEST(filter_refused)
{
	struct trace_args a;
	char big[SIFT_TRACE_CALLID_MAX + 2];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(parse(&a, "src", "198.18.1.7/24", NULL), -1); /* host bits set */
	ck_assert_int_eq(parse(&a, "src", "nowhere", NULL), -1);
	ck_assert_int_eq(parse(&a, "method", "FROB", NULL), -1);
	ck_assert_int_eq(parse(&a, "verdict", "maybe", NULL), -1);
	ck_assert_int_eq(parse(&a, "reason", "max_forwards_zero", NULL), -1); /* punt or drop? */
	ck_assert_int_eq(parse(&a, "reason", "class.sip", NULL), -1); /* not a reason */
	ck_assert_int_eq(parse(&a, "callid", big, NULL), -1);
	ck_assert_int_eq(parse(&a, "count", "0", NULL), -1);
	ck_assert_int_eq(parse(&a, "count", NULL), -1);
	ck_assert_int_eq(parse(&a, "colour", "red", NULL), -1);
}
END_TEST

static const uint8_t frame4[] = {
	/* Ethernet, one VLAN tag */
	2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x81, 0x00, 0x00, 0x07, 0x08, 0x00,
	/* IPv4, 20 bytes, UDP, 198.18.1.2 -> 198.18.1.1 */
	0x45, 0, 0, 33, 0, 0, 0, 0, 64, 17, 0, 0, 198, 18, 1, 2, 198, 18, 1, 1,
	/* UDP 5070 -> 5060, 13 bytes */
	0x13, 0xce, 0x13, 0xc4, 0, 13, 0, 0, 'S', 'I', 'P', '!', '!',
	/* Ethernet padding past the datagram */
	0, 0, 0,
};

START_TEST(frame_decode)
{
	struct sift_frame f;
	uint8_t v6[14 + 40 + 8 + 2] = { [12] = 0x86, [13] = 0xdd, [14] = 0x60, [20] = 17 };

	ck_assert_int_eq(sift_frame_decode(frame4, sizeof(frame4), &f), 0);
	ck_assert_uint_eq(f.src.family, SIFT_AF_INET);
	ck_assert_uint_eq(f.src.v4, inet_addr("198.18.1.2"));
	ck_assert_uint_eq(f.dst.v4, inet_addr("198.18.1.1"));
	ck_assert_uint_eq(f.sport, 5070);
	ck_assert_uint_eq(f.dport, 5060);
	ck_assert_uint_eq(f.payload_off, 18 + 20 + 8);
	ck_assert_uint_eq(f.payload_len, 5); /* the UDP length, not the padding */
	/* cut short by the snap length: what is there */
	ck_assert_int_eq(sift_frame_decode(frame4, 18 + 20 + 8 + 2, &f), 0);
	ck_assert_uint_eq(f.payload_len, 2);
	ck_assert_int_eq(sift_frame_decode(frame4, 18 + 20 + 4, &f), -1);

	v6[14 + 8 + 15] = 2, v6[14 + 24 + 15] = 1;
	v6[14 + 40 + 1] = 0x01, v6[14 + 40 + 3] = 0x02, v6[14 + 40 + 5] = 10;
	ck_assert_int_eq(sift_frame_decode(v6, sizeof(v6), &f), 0);
	ck_assert_uint_eq(f.src.family, SIFT_AF_INET6);
	ck_assert_uint_eq(f.src.v6[15], 2);
	ck_assert_uint_eq(f.dst.v6[15], 1);
	ck_assert_uint_eq(f.sport, 1);
	ck_assert_uint_eq(f.dport, 2);
	ck_assert_uint_eq(f.payload_len, 2);
	v6[20] = 6; /* TCP */
	ck_assert_int_eq(sift_frame_decode(v6, sizeof(v6), &f), -1);
}
END_TEST

/* The chunk of @type in a HEP v3 packet; its data length, or -1. */
static int hep_chunk(const uint8_t *p, size_t n, unsigned int type, const uint8_t **data)
{
	for (size_t off = 6; off + 6 <= n;) {
		unsigned int t = p[off + 2] << 8 | p[off + 3], len = p[off + 4] << 8 | p[off + 5];

		if (len < 6 || off + len > n)
			return -1;
		if (t == type) {
			*data = p + off + 6;
			return len - 6;
		}
		off += len;
	}
	return -1;
}

START_TEST(hep_v3)
{
	static const char sip[] = "OPTIONS sip:x SIP/2.0\r\n\r\n";
	struct sift_hep_msg m = {
		.family = AF_INET,
		.src = { 198, 18, 1, 2 },
		.dst = { 198, 18, 1, 1 },
		.sport = 5070,
		.dport = 5060,
		.sec = 1700000000,
		.usec = 123456,
		.agent_id = 7,
		.correlation = "c1@x",
		.correlation_len = 4,
		.payload = sip,
		.payload_len = sizeof(sip) - 1,
	};
	uint8_t p[512];
	const uint8_t *d;
	size_t n = sift_hep_encode(&m, p, sizeof(p));

	ck_assert_uint_gt(n, 6);
	ck_assert_mem_eq(p, "HEP3", 4);
	ck_assert_uint_eq((size_t)(p[4] << 8 | p[5]), n);
	ck_assert_int_eq(hep_chunk(p, n, 1, &d), 1);
	ck_assert_uint_eq(d[0], 2); /* AF_INET */
	ck_assert_int_eq(hep_chunk(p, n, 2, &d), 1);
	ck_assert_uint_eq(d[0], 17);
	ck_assert_int_eq(hep_chunk(p, n, 3, &d), 4);
	ck_assert_mem_eq(d, m.src, 4);
	ck_assert_int_eq(hep_chunk(p, n, 4, &d), 4);
	ck_assert_mem_eq(d, m.dst, 4);
	ck_assert_int_eq(hep_chunk(p, n, 7, &d), 2);
	ck_assert_uint_eq(d[0] << 8 | d[1], 5070);
	ck_assert_int_eq(hep_chunk(p, n, 8, &d), 2);
	ck_assert_uint_eq(d[0] << 8 | d[1], 5060);
	ck_assert_int_eq(hep_chunk(p, n, 9, &d), 4);
	ck_assert_uint_eq(ntohl(*(const uint32_t *)d), 1700000000u);
	ck_assert_int_eq(hep_chunk(p, n, 10, &d), 4);
	ck_assert_uint_eq(ntohl(*(const uint32_t *)d), 123456u);
	ck_assert_int_eq(hep_chunk(p, n, 11, &d), 1);
	ck_assert_uint_eq(d[0], 1); /* SIP */
	ck_assert_int_eq(hep_chunk(p, n, 12, &d), 4);
	ck_assert_uint_eq(ntohl(*(const uint32_t *)d), 7);
	ck_assert_int_eq(hep_chunk(p, n, 17, &d), 4);
	ck_assert_mem_eq(d, "c1@x", 4);
	ck_assert_int_eq(hep_chunk(p, n, 15, &d), (int)sizeof(sip) - 1);
	ck_assert_mem_eq(d, sip, sizeof(sip) - 1);
	/* IPv6 addresses go in their own chunks */
	m.family = AF_INET6;
	n = sift_hep_encode(&m, p, sizeof(p));
	ck_assert_int_eq(hep_chunk(p, n, 5, &d), 16);
	ck_assert_int_eq(hep_chunk(p, n, 3, &d), -1);
	/* what does not fit is not half-written */
	ck_assert_uint_eq(sift_hep_encode(&m, p, 40), 0);
}
END_TEST

/* An Ethernet/IPv4/UDP frame carrying @sip from 198.18.1.2:5090 to 198.18.1.1:5060; its length. */
static size_t udp_frame(uint8_t *f, const char *sip)
{
	size_t n = strlen(sip);
	static const uint8_t hdr[14 + 20 + 8] = {
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00,
		0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 198, 18, 1, 2, 198, 18, 1, 1,
		0x13, 0xe2, 0x13, 0xc4, 0, 0, 0, 0,
	};

	memcpy(f, hdr, sizeof(hdr));
	f[14 + 2] = (20 + 8 + n) >> 8, f[14 + 3] = (20 + 8 + n) & 0xff;
	f[34 + 4] = (8 + n) >> 8, f[34 + 5] = (8 + n) & 0xff;
	memcpy(f + sizeof(hdr), sip, n);
	return sizeof(hdr) + n;
}

START_TEST(line_format)
{
	static const char invite[] = "INVITE sip:1000@198.18.1.1 SIP/2.0\r\n"
				     "Via: SIP/2.0/UDP 198.18.1.2:5090;branch=z9hG4bK1\r\n"
				     "To: <sip:1000@198.18.1.1>\r\nFrom: <sip:a@x>;tag=1\r\n"
				     "Call-ID: c1@lab\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
				     "Content-Length: 0\r\n\r\n";
	static const char ok[] = "SIP/2.0 200 OK\r\n"
				 "Via: SIP/2.0/UDP 198.18.1.2:5090;branch=z9hG4bK1\r\n"
				 "To: <sip:1000@198.18.1.1>;tag=2\r\nFrom: <sip:a@x>;tag=1\r\n"
				 "Call-ID: c1@lab\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	struct sift_trace_event ev = {
		.ts = 5000000000ull, .ifindex = 3, .verdict = SIFT_TV_FORWARD,
		.backend = 7, .nh_port = 5060, .nh = { .family = SIFT_AF_INET },
	};
	uint8_t frame[1024];
	struct trace_line l;
	struct sift_frame fr;
	char text[512], *json;

	setenv("TZ", "UTC", 1);
	tzset();
	ev.nh.v4 = inet_addr("198.18.2.2");
	ev.cap_len = ev.wire_len = udp_frame(frame, invite);
	/* 2026-12-02T15:54:21.893639Z, less the 5 s of monotonic time */
	ck_assert_int_eq(trace_line_of(&ev, frame, 1796226861893639000ll - 5000000000ll, &l, &fr), 0);
	trace_line_text(&l, text, sizeof(text));
	ck_assert_str_eq(text, "15:54:21.893639 198.18.1.2:5090 -> 198.18.1.1:5060 INVITE    c1@lab "
			       "forward - backend 198.18.2.2:5060");
	json = trace_line_json(&l);
	snprintf(text, sizeof(text),
		 "{\"time\":\"2026-12-02T15:54:21.893639Z\",\"src\":\"198.18.1.2:5090\","
		 "\"dst\":\"198.18.1.1:5060\",\"method\":\"INVITE\",\"callid\":\"c1@lab\","
		 "\"verdict\":\"forward\",\"reason\":null,\"next_hop\":\"198.18.2.2:5060\","
		 "\"backend\":\"198.18.2.2:5060\",\"ifindex\":3,\"length\":%u}",
		 (unsigned int)ev.wire_len);
	ck_assert_str_eq(json, text);
	free(json);

	/* a response forwarded to a hop the message named; a drop with its reason */
	ev.backend = SIFT_NO_BACKEND;
	ev.cap_len = ev.wire_len = udp_frame(frame, ok);
	ck_assert_int_eq(trace_line_of(&ev, frame, 0, &l, &fr), 0);
	trace_line_text(&l, text, sizeof(text));
	ck_assert_str_eq(text + 16, "198.18.1.2:5090 -> 198.18.1.1:5060 200       c1@lab forward - "
				    "hop 198.18.2.2:5060");
	ck_assert_int_eq(l.status, 200);
	ev.verdict = SIFT_TV_DROP;
	ev.reason = SIFT_STAT_SHIELD_BANNED;
	ck_assert_int_eq(trace_line_of(&ev, frame, 0, &l, &fr), 0);
	trace_line_text(&l, text, sizeof(text));
	ck_assert_str_eq(text + 16, "198.18.1.2:5090 -> 198.18.1.1:5060 200       c1@lab drop "
				    "shield.banned");
	/* not a UDP frame: no line */
	frame[23] = 6;
	ck_assert_int_eq(trace_line_of(&ev, frame, 0, &l, &fr), -1);
}
END_TEST

Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("trace");

	tcase_add_test(tc, filter_from_args);
	tcase_add_test(tc, filter_refused);
	tcase_add_test(tc, frame_decode);
	tcase_add_test(tc, hep_v3);
	tcase_add_test(tc, line_format);
	suite_add_tcase(s, tc);
	return s;
}
