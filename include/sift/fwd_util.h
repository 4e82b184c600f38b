/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Pieces of the forwarding decision that need no maps: hashing, IP literals,
 * sift's branch, the Max-Forwards decrement.  Like the parser, one source
 * compiled into the XDP program and natively (and unit-tested natively).
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

/* A hex digit's value plus one; 0 for anything else. */
static const __u8 sift_hexval1[256] SIFT_RODATA = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
	['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* Dotted quad at [p, p + len) into @out (network order). 0 or -1. */
SIFT_SUBPROG int sift_ip4_parse(struct sift_scratch *s, __u32 p, __u32 len, struct sift_addr *out)
{
	__u32 v = 0, part = 0, digits = 0, dots = 0;

	if (!s || !out || !len || len > 15)
		return -1;
	for (int i = 0; i < 15; i++) {
		__u8 c;

		if ((__u32)i >= len)
			break;
		c = SIFT_B(s, p + i);
		if (c == '.') {
			if (!digits || dots == 3)
				return -1;
			v = v << 8 | part;
			part = digits = 0;
			dots++;
		} else if (c >= '0' && c <= '9') {
			part = part * 10 + c - '0';
			if (++digits > 3 || part > 255)
				return -1;
		} else {
			return -1;
		}
	}
	if (dots != 3 || !digits)
		return -1;
	v = v << 8 | part;
	__builtin_memset(out, 0, sizeof(*out));
	out->family = SIFT_AF_INET;
	out->v4 = __builtin_bswap32(v);
	return 0;
}

/*
 * One group of hex digits at @p: its value, how many digits (up to 5, so
 * that too many shows), and the character after them, packed as
 * value | digits << 16 | next << 24.
 */
SIFT_SUBPROG __u32 sift_ip6_group(struct sift_scratch *s, __u32 p, __u32 end)
{
	__u32 v = 0, i;

	if (!s)
		return 0;
	for (i = 0; i < 5; i++) {
		__u8 h;

		if (p + i >= end)
			break;
		h = sift_hexval1[SIFT_B(s, p + i)];
		if (!h)
			break;
		v = (v << 4 | (h - 1)) & 0xffff;
	}
	return v | i << 16 | (__u32)(p + i < end ? SIFT_B(s, p + i) : 0) << 24;
}

/*
 * IPv6 text at [p, p + len), brackets allowed, "::" and a trailing dotted
 * quad too (RFC 4291 2.2).  0 or -1.  verifier: one step per group, the
 * digits of a group read by a subprogram.
 */
SIFT_SUBPROG int sift_ip6_parse(struct sift_scratch *s, __u32 p, __u32 len, struct sift_addr *out)
{
	__u16 g[8] = {};
	__u32 n = 0, gap = 8, end;

	if (!s || !out || len < 2)
		return -1;
	if (SIFT_B(s, p) == '[') {
		if (len < 4 || SIFT_B(s, p + len - 1) != ']')
			return -1;
		p++;
		len -= 2;
	}
	if (len > 45)
		return -1;
	end = p + len;
	for (int k = 0; k < 9; k++) {
		__u32 r, digits, next;

		if (p >= end)
			break;
		if (SIFT_B(s, p) == ':' && p + 1 < end && SIFT_B(s, p + 1) == ':') {
			if (gap != 8)
				return -1; /* "::" once only */
			gap = n;
			p += 2;
			continue;
		}
		r = sift_ip6_group(s, p, end);
		digits = (r >> 16) & 0xff;
		next = r >> 24;
		if (next == '.') {
			struct sift_addr v4;
			__u32 a;

			/* a dotted quad as the last 32 bits */
			if (n > 6 || sift_ip4_parse(s, p, end - p, &v4))
				return -1;
			a = __builtin_bswap32(v4.v4);
			g[n & 7] = a >> 16;
			n++;
			g[n & 7] = a & 0xffff;
			n++;
			p = end;
			break;
		}
		if (!digits || digits > 4 || n > 7)
			return -1;
		g[n & 7] = r & 0xffff;
		n++;
		p += digits;
		if (p >= end)
			break;
		if (next != ':')
			return -1;
		if (p + 1 < end && SIFT_B(s, p + 1) == ':')
			continue;
		p++;
		if (p >= end)
			return -1; /* a trailing ':' */
	}
	if (p < end || (gap == 8 ? n != 8 : n > 7))
		return -1;
	__builtin_memset(out, 0, sizeof(*out));
	out->family = SIFT_AF_INET6;
	/* groups before the gap at the front, after it at the back */
	for (int k = 0; k < 8; k++) {
		__u32 src;
		__u16 v;

		if (gap == 8 || (__u32)k < gap)
			src = k;
		else if ((__u32)k >= 8 - (n - gap))
			src = k - (8 - n);
		else
			continue;
		v = g[src & 7];
		out->v6[(2 * k) & 15] = v >> 8;
		out->v6[(2 * k + 1) & 15] = v & 0xff;
	}
	return 0;
}

/* An IP literal in either family. 0 or -1. */
SIFT_INLINE int sift_ip_parse(struct sift_scratch *s, __u32 p, __u32 len, struct sift_addr *out)
{
	if (len && SIFT_B(s, p) == '[')
		return sift_ip6_parse(s, p, len, out);
	if (!sift_ip4_parse(s, p, len, out))
		return 0;
	return sift_find(s, p, p + len, ':') < p + len ? sift_ip6_parse(s, p, len, out) : -1;
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
