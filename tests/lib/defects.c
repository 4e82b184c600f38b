// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "defects.h"
#include "pkt.h"

/* Messages from the corpus that the fast path forwards, to be damaged one header at a time. */
const char *const sip_defect_bases[] = {
	"flows/call-01-invite-sdp.sip",
	"flows/reg-01-register-noauth.sip",
	"flows/via-01-invite-3-via-headers.sip", /* three Vias */
	"flows/call-04-200-ok-sdp-2via.sip",	 /* a response, two Vias */
};
const size_t sip_defect_n_bases = sizeof(sip_defect_bases) / sizeof(sip_defect_bases[0]);

#define VIA_BAD(v) { "Via", "SIP/2.0/UDP " v ";branch=z9hG4bK-d", SIFT_REASON_BAD_VIA, 0 }
#define VIA_PROTO(p) { "Via", p " 192.0.2.9:5060;branch=z9hG4bK-d", SIFT_REASON_BAD_VIA, 1 }
#define VIA_SYNTAX(p) { "Via", p " 192.0.2.9:5060;branch=z9hG4bK-d", SIFT_REASON_BAD_VIA, 0 }
#define CALL_ID(v) { "Call-ID", v, SIFT_REASON_BAD_CALL_ID, 0 }
#define FROM_TO(v) { "From", v, SIFT_REASON_BAD_FROM, 0 }, { "To", v, SIFT_REASON_BAD_TO, 0 }
#define CSEQ(n) { "CSeq", n " %s", SIFT_REASON_BAD_CSEQ, 0 }

static const struct sip_defect defects[] = {
	/* sent-protocol: another protocol or version, well-formed */
	VIA_PROTO("SIP/3.0/UDP"), VIA_PROTO("SIP/2.1/UDP"), VIA_PROTO("SIP/20/UDP"),
	VIA_PROTO("SIP/2.0.0/UDP"), VIA_PROTO("SIPS/2.0/UDP"), VIA_PROTO("XIP/2.0/UDP"),
	VIA_PROTO("SIP / 1.0 / UDP"), VIA_PROTO("SIP/7.0/TCP"),
	/* sent-protocol: malformed */
	VIA_SYNTAX("SIP/2.0/U@P"), VIA_SYNTAX("SIP/2.0/\"UDP\""), VIA_SYNTAX("SIP/2.0/"),
	VIA_SYNTAX("SIP/2.0"), VIA_SYNTAX("SIP\x0f" "2.0/UDP"), VIA_SYNTAX("SIP/2.0\x0f" "UDP"),
	VIA_SYNTAX("SIP//UDP"), VIA_SYNTAX("/2.0/UDP"),
	/* sent-by hosts */
	VIA_BAD("999.1.1.1"), VIA_BAD("256.0.0.1"), VIA_BAD("1.2.3"), VIA_BAD("1.2.3.4.5"),
	VIA_BAD("1.2.3.4."), VIA_BAD("1..2.3"), VIA_BAD("a..b"), VIA_BAD(".a.example"),
	VIA_BAD("-x.example"), VIA_BAD("x-.example"), VIA_BAD("x.-y.example"),
	VIA_BAD("example.123"), VIA_BAD("host_x"), VIA_BAD("ex$ample.com"), VIA_BAD("a.b-"),
	VIA_BAD("exa\"mple.com"), VIA_BAD("[1:2"), VIA_BAD("[1:2]"), VIA_BAD("[2001:db8::1::2]"),
	VIA_BAD("[2001:db8::g]"), VIA_BAD("[]"), VIA_BAD("[192.0.2.1]"), VIA_BAD("[2001:db8:::1]"),
	VIA_BAD("[12345::1]"),
	/* ports */
	VIA_BAD("192.0.2.9:0"), VIA_BAD("192.0.2.9:65536"), VIA_BAD("192.0.2.9:99999"),
	VIA_BAD("192.0.2.9:"), VIA_BAD("192.0.2.9;rport=0"), VIA_BAD("192.0.2.9;rport=65536"),
	VIA_BAD("192.0.2.9;rport=99999"),
	/* received= */
	VIA_BAD("192.0.2.9;received=notanip"), VIA_BAD("192.0.2.9;received=example.com"),
	VIA_BAD("192.0.2.9;received=1.2.3"), VIA_BAD("192.0.2.9;received=999.1.1.1"),
	VIA_BAD("192.0.2.9;received=[1:2]"), VIA_BAD("192.0.2.9;received=2001:db8::1::2"),
	VIA_BAD("192.0.2.9;received=[192.0.2.1]"),
	/* Call-ID */
	CALL_ID(""), CALL_ID("@"), CALL_ID("@x"), CALL_ID("a@"), CALL_ID("a@b@c"), CALL_ID("a@@b"),
	CALL_ID("a b"), CALL_ID("a;b"), CALL_ID("a,b"), CALL_ID("a=b"), CALL_ID("a#b@c"),
	CALL_ID("a|b"), CALL_ID("a^b"), CALL_ID("a$b"), CALL_ID("a&b"), CALL_ID("a@b c"),
	CALL_ID("a\x7f@b"),
	/* From and To */
	FROM_TO("<<<<sip:alice@example.com>;tag=1"), FROM_TO("sip:a@b@c;tag=1"),
	FROM_TO("<sip:a@b@c>;tag=1"), FROM_TO("sip:@;tag=1"), FROM_TO("<sip:>;tag=1"),
	FROM_TO("<sip:alice@>;tag=1"), FROM_TO("<alice@example.com>;tag=1"),
	FROM_TO("alice@example.com;tag=1"), FROM_TO("<:alice@example.com>"),
	FROM_TO("<1sip:alice@example.com>"), FROM_TO("<s!p:alice@example.com>"),
	FROM_TO("<sip:alice@example.com>;tag=\"quoted\""), FROM_TO("<sip:alice@example.com>;tag="),
	FROM_TO("<sip:alice@example.com>;tag"), FROM_TO("<sip:alice@example.com>;tag=a@b"),
	FROM_TO("<sip:alice@:5060>;tag=1"), FROM_TO("Alice <sip:alice@example.com"),
	/* CSeq */
	CSEQ("2147483648"), CSEQ("2147483649"), CSEQ("3000000000"), CSEQ("4294967295"),
};

/*
 * @base with the value of its @nth @hdr header replaced by @value, into
 * @out; its length, 0 if there is no such header.
 */
static size_t with_header(const char *base, size_t len, const char *hdr, int nth,
			  const char *value, char *out, size_t cap)
{
	size_t hl = strlen(hdr);
	const char *p = base, *end = base + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);

		if (!eol || eol == p + 1)
			return 0; /* the blank line: no such header */
		if (!strncmp(p, hdr, hl) && p[hl] == ':' && --nth == 0) {
			const char *v = p + hl + 1 + (p[hl + 1] == ' ');
			int n = snprintf(out, cap, "%.*s%s%.*s", (int)(v - base), base, value,
					 (int)(end - (eol - 1)), eol - 1);

			return n > 0 && (size_t)n < cap ? (size_t)n : 0;
		}
		p = eol + 1;
	}
	return 0;
}

/* The CSeq method of @base (for the CSeq defects). */
static void cseq_method(const char *base, char *out, size_t cap)
{
	const char *c = strstr(base, "\r\nCSeq: ");

	c = c ? strchr(c + 8, ' ') : NULL;
	if (!c) {
		*out = 0;
		return;
	}
	c++;
	snprintf(out, cap, "%.*s", (int)strcspn(c, "\r"), c);
}

int sip_defects_each(const char *corpus_dir, void (*fn)(const struct sip_defect_msg *dm, void *arg),
		     void *arg)
{
	static char base[4096], method[32];
	static struct sip_defect_msg dm;
	int n = 0;

	for (size_t b = 0; b < sip_defect_n_bases; b++) {
		char path[512];
		long blen;

		snprintf(path, sizeof(path), "%s/%s", corpus_dir, sip_defect_bases[b]);
		blen = pkt_read_file(path, base, sizeof(base) - 1);
		if (blen < 0)
			return -1;
		base[blen] = 0;
		cseq_method(base, method, sizeof(method));
		for (size_t d = 0; d < sizeof(defects) / sizeof(defects[0]); d++) {
			for (int nth = 1; nth <= 2; nth++) {
				dm.base = sip_defect_bases[b];
				dm.defect = &defects[d];
				dm.nth = nth;
				snprintf(dm.value, sizeof(dm.value), defects[d].value, method);
				dm.len = with_header(base, blen, defects[d].hdr, nth, dm.value,
						     (char *)dm.data, sizeof(dm.data));
				if (!dm.len && nth == 1)
					return -1; /* the base lacks the header */
				if (!dm.len)
					continue; /* no second line of that header */
				fn(&dm, arg);
				n++;
			}
		}
	}
	return n;
}
