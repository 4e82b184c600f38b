/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Pieces of the shield that need no maps, one source for the XDP program
 * and siftd (and the native tests): the method class of a datagram, the key
 * a source is limited and banned under, the User-Agent token scanners are
 * recognised by, and the GCRA step.
 */
#ifndef SIFT_SHIELD_UTIL_H
#define SIFT_SHIELD_UTIL_H

#include <sift/shield.h>
#include <sift/sip_parse.h>

/*
 * The method class from the datagram's first eight bytes (methods are case
 * sensitive, RFC 3261 7.1): cheap enough to run before the parse.
 */
SIFT_INLINE __u32 sift_msg_class(struct sift_scratch *s, __u32 len)
{
	__u64 w;

	if (len < 8)
		return SIFT_CLASS_OTHER;
	w = SIFT_W(s, 0);
	if ((w & sift_bytes_mask(7)) == SIFT_C8('I', 'N', 'V', 'I', 'T', 'E', ' ', 0))
		return SIFT_CLASS_INVITE;
	if (w == SIFT_C8('R', 'E', 'G', 'I', 'S', 'T', 'E', 'R'))
		return SIFT_CLASS_REGISTER;
	if (w == SIFT_C8('O', 'P', 'T', 'I', 'O', 'N', 'S', ' '))
		return SIFT_CLASS_OPTIONS;
	if (w == SIFT_C8('S', 'I', 'P', '/', '2', '.', '0', ' '))
		return SIFT_CLASS_RESPONSE;
	return SIFT_CLASS_OTHER;
}

/* The key a source is limited and banned under: IPv6 cut to @v6_prefix bits. */
SIFT_INLINE void sift_src_key(const struct sift_addr *src, __u32 v6_prefix, struct sift_addr *out)
{
	*out = *src;
	out->pad[0] = out->pad[1] = out->pad[2] = 0;
	if (src->family != SIFT_AF_INET6 || v6_prefix >= 128)
		return;
	for (int i = 0; i < 4; i++) {
		__u32 bits = v6_prefix > 32 * (__u32)i ? v6_prefix - 32 * i : 0;
		__u32 mask = bits >= 32 ? 0xffffffffu : bits ? ~0u << (32 - bits) : 0;

		out->v6w[i] &= __builtin_bswap32(mask); /* to network order (both targets are little-endian) */
	}
}

/*
 * The first product token of the User-Agent ("friendly-scanner",
 * "sipcli/v1.8" -> "sipcli"), lower case and NUL padded into @key.  0, or
 * -1 when there is none or it is longer than the key.
 */
SIFT_SUBPROG int sift_ua_token(struct sift_scratch *s, struct sift_scanner_key *key)
{
	struct sift_sip_msg *m;
	__u32 p, end, t, len;

	if (!s || !key)
		return -1;
	m = &s->msg;
	p = m->user_agent.off;
	end = p + m->user_agent.len;
	if (!m->user_agent.len)
		return -1;
	t = sift_find_delim(s, p, end, SIFT_DELIM('/', '(', ';'));
	len = t - p;
	if (!len || len >= SIFT_SCANNER_LEN)
		return -1;
	for (int i = 0; i < SIFT_SCANNER_LEN / 8; i++) {
		__u32 k = i * 8;
		__u64 w, up;

		w = k < len ? SIFT_W(s, p + k) & sift_bytes_mask(len - k) : 0;
		/* 'A'..'Z' -> 'a'..'z', nothing else */
		up = sift_less_bytes(w, 'Z' + 1) & ~sift_less_bytes(w, 'A');
		w += up >> 2;
		__builtin_memcpy(&key->token[k & (SIFT_SCANNER_LEN - 8)], &w, 8);
	}
	return 0;
}

/*
 * One GCRA step on a theoretical arrival time shared by all CPUs: 0 if a
 * message at @now conforms to @r (and is accounted), 1 if it is over.
 * The time moves by compare-and-exchange, so concurrent messages are each
 * counted once; a CPU that loses the race four times in a row calls its
 * message over (a source that hot is over anyway).
 */
SIFT_INLINE int sift_gcra(__u64 *tat, __u64 now, const struct sift_rate *r)
{
	for (int i = 0; i < 4; i++) {
		__u64 old = *(volatile __u64 *)tat;
		__u64 t = old > now ? old : now;

		if (t - now > r->tolerance)
			return 1;
		if (__sync_val_compare_and_swap(tat, old, t + r->interval) == old)
			return 0;
	}
	return 1;
}

#endif /* SIFT_SHIELD_UTIL_H */
