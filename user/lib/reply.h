/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slow path's local replies (RFC 3261 8.2, 16.3): which one the parser's
 * verdict on a request calls for, and its bytes.  Stateless: the same
 * request (a retransmission) gets the same reply, To tag included.
 */
#ifndef SIFT_LIB_REPLY_H
#define SIFT_LIB_REPLY_H

#include <stddef.h>
#include <sys/types.h>
#include <sift/common.h>
#include <sift/sip.h>

/* The longest reply sift builds (it copies the request's Vias, From, To, Call-ID, CSeq). */
#define SIFT_REPLY_MAX (SIFT_MSG_MAX + 512)

struct sift_reply {
	unsigned int code; /* 0: none (not a request, or nothing to answer) */
	const char *phrase;
	unsigned int retry_after; /* a 503's Retry-After, seconds (0: none) */
};

/* The codes siftd answers with, for counting (0 ends the list: any other). */
static const unsigned int sift_reply_codes[] = { 200, 400, 404, 416, 420, 482, 483, 484, 503, 505, 0 };
#define SIFT_REPLY_CODES (sizeof(sift_reply_codes) / sizeof(sift_reply_codes[0]))

/* What sift says it does, in a 200 to an OPTIONS addressed to it (RFC 3261 11.2). */
#define SIFT_REPLY_ALLOW                                                                           \
	"INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, UPDATE, INFO, MESSAGE, REFER, SUBSCRIBE, "      \
	"NOTIFY, REGISTER"
#define SIFT_REPLY_ACCEPT "application/sdp"
#define SIFT_REPLY_SUPPORTED "path"

/*
 * The reply the parser's verdict on the request in @s calls for, checked in
 * this order (as Kamailio's REQINIT route does): the version (505), then
 * syntax with a usable top Via (400, the phrase naming the problem), the
 * Request-URI's scheme (416), Proxy-Require (420), Max-Forwards 0 (483).
 * A message without a usable top Via, a response, an ACK, or anything the
 * parser passed, gets none (code 0).
 */
struct sift_reply sift_reply_for(const struct sift_scratch *s);

/*
 * The reply the forwarding decision's @reason on the request in @s calls
 * for, after the parser's (sift_reply_for) found nothing to answer:
 *   FOR_US             an OPTIONS: 200 (a keepalive), with Allow, Accept
 *                      and Supported; another method: 484 (no user part);
 *   LOOP               482;
 *   NO_ROUTE           404;
 *   NO_BACKEND         503 with Retry-After @retry_after (0: none);
 *   MAX_FORWARDS_ZERO  483;
 *   a next hop siftd could not reach or send to: 503 without Retry-After.
 * An ACK gets none; nor do reasons that drop (RELAY_DENIED, forged
 * responses), which are never answered.
 */
struct sift_reply sift_reply_for_decision(const struct sift_scratch *s, unsigned int reason,
					  unsigned int retry_after);

/*
 * Build the reply @r to the request parsed in @s (@n bytes), which came
 * from @src:@sport, into @out (@cap bytes): the status line, the request's
 * Vias (the top one with received and rport as RFC 3261 18.2.1 and RFC 3581
 * ask), From, To (with a tag of sift's when it has none, a MAC of the
 * request's identifiers under @key, the same for a retransmission),
 * Call-ID, CSeq, Unsupported for a 420, Retry-After for a 503 that has
 * one, Allow, Accept and Supported for a 200, Server and Content-Length: 0.
 * Returns its length, or -1 when the request lacks one of those headers or
 * the reply would not fit.  *@to_port gets where it goes on @src (the
 * rport, or the top Via's port, RFC 3261 18.2.2): never another address.
 */
ssize_t sift_reply_build(struct sift_scratch *s, size_t n, const struct sift_addr *src,
			 unsigned int sport, const __u64 key[2], struct sift_reply r, char *out,
			 size_t cap, unsigned int *to_port);

/*
 * The Binding success response (RFC 5389 7.3.1) to the STUN Binding request
 * in @s (SIFT_KIND_STUN, @n bytes) from @src:@sport: its transaction ID and
 * an XOR-MAPPED-ADDRESS naming that source.  Attributes of the request are
 * not read (RFC 5626 4.4.2's keep-alive has none).  Its length, or -1.
 */
ssize_t sift_stun_answer(const struct sift_scratch *s, size_t n, const struct sift_addr *src,
			 unsigned int sport, unsigned char *out, size_t cap);

#endif
