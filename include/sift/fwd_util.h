/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Pieces of the forwarding decision that need no maps: hashing, sift's
 * branch, the Max-Forwards decrement (IP literals are parsed by the
 * parser's own sift_ip_parse()).  Like the parser, one source compiled into
 * the XDP program and natively (and unit-tested natively).
 */
#ifndef SIFT_FWD_UTIL_H
#define SIFT_FWD_UTIL_H

#include <sift/fwd.h>
#include <sift/sip_parse.h>

/*
 * A 64-bit hash of [p, p + len), eight bytes at a time; only the first 256
 * bytes count (Call-IDs and branches are shorter; the length always counts).
 */
SIFT_SUBPROG __u64 sift_hash(struct sift_scratch *s, __u32 p, __u32 len, __u64 seed)
{
	__u64 h = seed ^ ((__u64)len * 0x9e3779b97f4a7c15ULL);

	if (!s)
		return h;
	for (int i = 0; i < 32; i++) {
		__u64 w;

		if (!len)
			break;
		w = SIFT_W(s, p);
		if (len < 8) {
			w &= sift_bytes_mask(len);
			len = 8;
		}
		h = (h ^ w) * 0x9fb21c651e98df25ULL;
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	return sift_mix64(h);
}

/* The hash that picks a dialog's backend: its Call-ID's. */
SIFT_INLINE __u64 sift_callid_hash(struct sift_scratch *s)
{
	return sift_hash(s, s->msg.call_id.off, s->msg.call_id.len, 0x5349465443414c4cULL);
}

/* The MAC that shows a branch hash was made by this sift. */
SIFT_INLINE __u32 sift_branch_mac(__u64 h, __u64 secret)
{
	return (__u32)sift_mix64(h ^ secret);
}

/*
 * The first part of the branch of the request sift sends on (RFC 3261
 * 16.11): a hash of the incoming top Via's branch when it carries the magic
 * cookie; otherwise of the top Via, the To and From tags, the Call-ID, the
 * CSeq number and the Request-URI.  CANCEL and ACK for a non-2xx match their
 * INVITE in all of these, so they get its branch, without any state.
 */
SIFT_INLINE __u64 sift_branch_hash(struct sift_scratch *s, __u64 secret)
{
	struct sift_sip_msg *m = &s->msg;
	__u64 h;

	if (m->via[0].flags & SIFT_VIA_COOKIE)
		return sift_hash(s, m->via[0].branch.off, m->via[0].branch.len, secret);
	h = sift_hash(s, m->via[0].value.off, m->via[0].value.len, secret);
	h = sift_hash(s, m->to_tag.off, m->to_tag.len, h);
	h = sift_hash(s, m->from_tag.off, m->from_tag.len, h);
	h = sift_hash(s, m->call_id.off, m->call_id.len, h);
	h = sift_hash(s, m->ruri.all.off, m->ruri.all.len, h ^ m->cseq);
	return h;
}

/*
 * Eight lower-case hex digits of @x, most significant first, as the word
 * that stores them (little-endian): nibbles spread one per byte, byte
 * order reversed, then '0'..'9' or 'a'..'f' all at once.
 */
SIFT_INLINE __u64 sift_hex8(__u32 x)
{
	__u64 v = x, ten;

	v = (v | v << 16) & 0x0000ffff0000ffffULL;
	v = (v | v << 8) & 0x00ff00ff00ff00ffULL;
	v = (v | v << 4) & 0x0f0f0f0f0f0f0f0fULL;
	v = __builtin_bswap64(v);
	ten = ((v + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
	return v + 0x3030303030303030ULL + ten * ('a' - '0' - 10);
}

/* sift's branch after its prefix at ins[@off]: 16 hex digits of @h, 8 of its MAC. */
SIFT_INLINE void sift_branch_put(struct sift_scratch *s, __u32 off, __u64 h, __u32 mac)
{
	__u64 w[3] = { sift_hex8(h >> 32), sift_hex8((__u32)h), sift_hex8(mac) };

	/* verifier: masked; ins has 8 bytes past its 512 for word stores */
	__builtin_memcpy(&s->ins[off & 511], &w[0], 8);
	__builtin_memcpy(&s->ins[(off + 8) & 511], &w[1], 8);
	__builtin_memcpy(&s->ins[(off + 16) & 511], &w[2], 8);
}

/* @n hex digits at @off as a number; -1 in *@ok if one is not hex. */
SIFT_SUBPROG __u64 sift_hex_get(struct sift_scratch *s, __u32 off, __u32 n, int *ok)
{
	__u64 v = 0;

	if (!s || !ok)
		return 0;
	for (int i = 0; i < 16; i++) {
		__u8 h;

		if ((__u32)i >= n)
			break;
		h = sift_hexval1[SIFT_B(s, off + i)];
		if (!h)
			*ok = -1;
		v = v << 4 | ((h - 1) & 15);
	}
	return v;
}

/* Is the branch at [off, off + len) one this sift made (right form, right MAC)? */
SIFT_INLINE int sift_branch_ours(struct sift_scratch *s, __u32 off, __u32 len, __u64 secret)
{
	__u64 h;
	__u32 mac;
	int ok = 0;

	if (len != SIFT_BRANCH_LEN ||
	    SIFT_W(s, off) != SIFT_C8('z', '9', 'h', 'G', '4', 'b', 'K', '-') ||
	    (SIFT_W(s, off + 8) & sift_bytes_mask(3)) != SIFT_C8('s', 'f', 't', 0, 0, 0, 0, 0))
		return 0;
	h = sift_hex_get(s, off + SIFT_BRANCH_PREFIX_LEN, 16, &ok);
	mac = sift_hex_get(s, off + SIFT_BRANCH_PREFIX_LEN + 16, 8, &ok);
	return !ok && mac == sift_branch_mac(h, secret);
}

/* The one's complement sum of @len (<= 16) bytes at @off, unfolded: odd offsets are the high byte. */
SIFT_INLINE __u32 sift_digits_sum(struct sift_scratch *s, __u32 off, __u32 len)
{
	__u32 sum = 0;

	for (int i = 0; i < 16; i++) {
		if ((__u32)i >= len)
			break;
		sum += (__u32)SIFT_B(s, off + i) << ((off + i) & 1) * 8;
	}
	return sum;
}

/*
 * Max-Forwards minus one, in place and in the same number of characters:
 * leading zeros stay zeros, a lost digit becomes a space before the value
 * (LWS after the colon).  The value must be at least 1.  Only the text
 * changes: the parsed message keeps the value that came in.  What the new
 * digits change in the payload's checksum goes to plan.mf_delta.
 */
SIFT_SUBPROG int sift_mf_decrement(struct sift_scratch *s)
{
	struct sift_sip_msg *m;
	__u32 v, off, len, delta = 0;
	__u8 pad;

	if (!s)
		return -1;
	m = &s->msg;
	v = m->max_forwards;
	off = m->mf_digits.off;
	len = m->mf_digits.len;
	if (!v || !len || len > 16)
		return -1;
	v--;
	pad = SIFT_B(s, off) == '0' ? '0' : ' ';
	/* one's complement: - old + new (16 * 0xffff is zero, and more than old can be) */
	delta = 16 * 0xffff - sift_digits_sum(s, off, len);
	for (int i = 0; i < 16; i++) {
		__u32 at;

		if ((__u32)i >= len)
			break;
		at = off + len - 1 - i;
		if (i == 0 || v)
			SIFT_B(s, at) = '0' + v % 10;
		else
			SIFT_B(s, at) = pad;
		v /= 10;
	}
	s->plan.mf_delta = delta + sift_digits_sum(s, off, len);
	return 0;
}

/*
 * Where a response goes once sift's Via is off (RFC 3261 16.11, 18.2.2,
 * RFC 3581): the next Via's received and rport first, else its sent-by
 * (default port 5060); never a broadcast or multicast address (a response
 * there would be an amplifier).  Fills s->plan's dst, dport and the cut
 * that removes sift's Via (its line, or its value from a shared header).
 * Returns a reason, 0 when the response can go.
 */
SIFT_SUBPROG int sift_response_hop(struct sift_scratch *s)
{
	struct sift_sip_msg *m;
	struct sift_fwd_plan *pl;
	struct sift_via *v0, *v1;

	if (!s)
		return SIFT_REASON_NOT_OUR_VIA;
	m = &s->msg;
	pl = &s->plan;
	v0 = &m->via[0];
	v1 = &m->via[1];
	if (m->n_via < 2)
		return SIFT_REASON_FOR_US;
	if (v1->transport != SIFT_TRANSPORT_UDP)
		return SIFT_REASON_NEXT_HOP_TRANSPORT;
	if (v1->flags & SIFT_VIA_MADDR)
		return SIFT_REASON_NEXT_HOP_NAME;
	if (v1->flags & SIFT_VIA_RECEIVED) {
		if (sift_ip_parse(s, v1->received.off, v1->received.len, &pl->dst))
			return SIFT_REASON_NEXT_HOP_NAME;
	} else if (sift_ip_parse(s, v1->host.off, v1->host.len, &pl->dst)) {
		return SIFT_REASON_NEXT_HOP_NAME;
	}
	pl->dport = v1->rport ? v1->rport : v1->port ? v1->port : SIFT_SIP_PORT_DEFAULT;
	if (pl->dst.family == SIFT_AF_INET) {
		__u32 a = __builtin_bswap32(pl->dst.v4);

		if (!a || a == 0xffffffff || (a >> 28) == 0xe)
			return SIFT_REASON_BAD_NEXT_HOP;
	} else if (pl->dst.v6[0] == 0xff) {
		return SIFT_REASON_BAD_NEXT_HOP;
	}
	if (!m->via_next) {
		pl->cut_off = m->via_hdr.off;
		pl->cut_len = m->via_hdr.len;
	} else {
		pl->cut_off = v0->value.off;
		pl->cut_len = m->via_next - v0->value.off;
	}
	return 0;
}

/* A host as a lower-case, NUL-padded key, for sift_domains.  0 or -1 (too long). */
SIFT_SUBPROG int sift_host_key(struct sift_scratch *s, __u32 p, __u32 len,
			       struct sift_domain_key *key)
{
	if (!s || !key || !len || len >= SIFT_NAME_MAX)
		return -1;
	for (int i = 0; i < SIFT_NAME_MAX / 8; i++) {
		__u64 w, up;
		__u32 k = i * 8;

		w = k < len ? SIFT_W(s, p + k) & sift_bytes_mask(len - k) : 0;
		/* 'A'..'Z' -> 'a'..'z', nothing else */
		up = sift_less_bytes(w, 'Z' + 1) & ~sift_less_bytes(w, 'A');
		w += up >> 2;
		__builtin_memcpy(&key->name[k & (SIFT_NAME_MAX - 8)], &w, 8);
	}
	return 0;
}

/*
 * Where the first value of the Route header at @hdr starts, given its URI at
 * @uri: the '<' before it, when only LWS separates it from the colon (no
 * display name).  0 otherwise.
 */
SIFT_SUBPROG __u32 sift_route_lt(struct sift_scratch *s, __u32 hdr, __u32 uri)
{
	__u32 colon;

	if (!s || uri <= hdr + 1 || SIFT_B(s, uri - 1) != '<')
		return 0;
	colon = sift_find(s, hdr, uri, ':');
	if (colon >= uri || sift_skip_lws(s, colon + 1, uri) != uri - 1)
		return 0;
	return uri - 1;
}

/*
 * Is the line at @p (before @end) a Route header?  Its first URI goes to
 * @u.  Returns 1 if that is its only value, 2 if more follow, 0 if the line
 * is something else or spelt in a way only the general parser knows.
 */
SIFT_SUBPROG int sift_route_line(struct sift_scratch *s, __u32 p, __u32 end, struct sift_uri *u)
{
	__u32 len, eol, colon, q;

	if (!s || !u)
		return 0;
	len = sift_line_len(s, p, end);
	if (len < 4)
		return 0;
	eol = p + len - 2;
	if (sift_header_fast(s, p, eol, &colon) != SIFT_H_ROUTE)
		return 0;
	q = sift_route_uri(s, colon + 1, eol, u);
	if (!q)
		return 0;
	return q < eol ? 2 : 1;
}

#endif /* SIFT_FWD_UTIL_H */
