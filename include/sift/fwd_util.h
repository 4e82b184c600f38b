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
#include <sift/siphash.h>
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

/* ---- MACs: what sift vouches for in the messages it sends -------------------------- */

/* What a MAC is of, mixed into its input: one can never stand for another. */
enum { SIFT_MAC_BRANCH = 1, SIFT_MAC_VOUCH = 2 };

/* An address as two words of MAC input (its family goes in with the ports). */
SIFT_INLINE void sift_addr_words(const struct sift_addr *a, __u64 *w)
{
	if (a->family == SIFT_AF_INET) {
		w[0] = a->v4;
		w[1] = 0;
		return;
	}
	__builtin_memcpy(&w[0], &a->v6[0], 8);
	__builtin_memcpy(&w[1], &a->v6[8], 8);
}

/* The Call-ID under the MAC key: what the MACs bind a message to. */
SIFT_INLINE __u64 sift_callid_keyed(struct sift_scratch *s)
{
	return sift_hash(s, s->msg.call_id.off, s->msg.call_id.len, s->plan.key[1]);
}

/*
 * The MAC in sift's branch (SipHash-2-4, 32 bits of it): over the branch
 * hash, the Call-ID, the next hop the request goes to and the hop its
 * responses go back to (address and port each; the words are laid out
 * per family, and SipHash's length and the last word's tag keep every
 * layout apart).  A response is accepted
 * only from that next hop, for that call, towards that previous hop: a
 * branch replayed from another source, moved onto another call, or with
 * the Via below sift's changed to name someone else, does not verify.
 */
SIFT_INLINE __u32 sift_branch_mac(const __u64 key[2], __u64 h, __u64 callid_h,
				  const struct sift_addr *nh, __u32 nh_port,
				  const struct sift_addr *ph, __u32 ph_port)
{
	__u64 m[7];

	m[0] = h;
	m[1] = callid_h;
	if (nh->family == SIFT_AF_INET && ph->family == SIFT_AF_INET) {
		/* both IPv4: an address and its port fit one word (4 words, 12 rounds, not 18) */
		m[2] = (__u64)nh->v4 | (__u64)(nh_port & 0xffff) << 32;
		m[3] = (__u64)ph->v4 | (__u64)(ph_port & 0xffff) << 32 | (__u64)SIFT_MAC_BRANCH << 56;
		return (__u32)sift_siphash(key[0], key[1], m, 4);
	}
	sift_addr_words(nh, &m[2]);
	sift_addr_words(ph, &m[4]);
	m[6] = (__u64)(nh_port & 0xffff) | (__u64)(ph_port & 0xffff) << 16 |
	       (__u64)nh->family << 32 | (__u64)ph->family << 40 | (__u64)SIFT_MAC_BRANCH << 56;
	return (__u32)sift_siphash(key[0], key[1], m, 7);
}

/*
 * The vouch in sift's Record-Route (";sft="): a MAC over the dialog's
 * Call-ID and the address of the hop the dialog-forming request came from.
 * An in-dialog request from an untrusted source may go to that address
 * (the caller, reached again from the callee's side), and nowhere else the
 * vouch could be made to name: the caller cannot choose another address
 * than its own.
 */
SIFT_INLINE __u32 sift_vouch_mac(const __u64 key[2], __u64 callid_h, const struct sift_addr *hop)
{
	__u64 m[4];

	m[0] = callid_h;
	if (hop->family == SIFT_AF_INET) {
		m[1] = (__u64)hop->v4 | (__u64)SIFT_MAC_VOUCH << 56;
		return (__u32)sift_siphash(key[0], key[1], m, 2);
	}
	sift_addr_words(hop, &m[1]);
	m[3] = (__u64)hop->family | (__u64)SIFT_MAC_VOUCH << 56;
	return (__u32)sift_siphash(key[0], key[1], m, 4);
}

/*
 * The first part of the branch of the request sift sends on (RFC 3261
 * 16.11): a hash of the incoming top Via's branch when it carries the magic
 * cookie; otherwise of the top Via, the To and From tags, the Call-ID, the
 * CSeq number and the Request-URI.  CANCEL and ACK for a non-2xx match their
 * INVITE in all of these, so they get its branch, without any state.
 */
SIFT_INLINE __u64 sift_branch_hash(struct sift_scratch *s, __u64 seed)
{
	struct sift_sip_msg *m = &s->msg;
	__u64 h;

	/*
	 * RFC 3261's branch names the transaction; with the Request-URI as it
	 * came, a request that comes back unchanged is told from one that
	 * spirals (16.3 step 4; siftd checks it, user/lib/loop.c)
	 */
	if (m->via[0].flags & SIFT_VIA_COOKIE)
		return sift_hash(s, m->ruri.all.off, m->ruri.all.len,
				 sift_hash(s, m->via[0].branch.off, m->via[0].branch.len, seed));
	h = sift_hash(s, m->via[0].value.off, m->via[0].value.len, seed);
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

	/* verifier: masked; ins has room past SIFT_INS_MAX for word stores */
	__builtin_memcpy(&s->ins[off & (SIFT_INS_MAX - 1)], &w[0], 8);
	__builtin_memcpy(&s->ins[(off + 8) & (SIFT_INS_MAX - 1)], &w[1], 8);
	__builtin_memcpy(&s->ins[(off + 16) & (SIFT_INS_MAX - 1)], &w[2], 8);
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

/* Has the branch at [off, off + len) sift's form?  Then its hash and MAC go to @h and @mac. */
SIFT_INLINE int sift_branch_form(struct sift_scratch *s, __u32 off, __u32 len, __u64 *h,
				 __u32 *mac)
{
	int ok = 0;

	if (len != SIFT_BRANCH_LEN ||
	    SIFT_W(s, off) != SIFT_C8('z', '9', 'h', 'G', '4', 'b', 'K', '-') ||
	    (SIFT_W(s, off + 8) & sift_bytes_mask(3)) != SIFT_C8('s', 'f', 't', 0, 0, 0, 0, 0))
		return 0;
	*h = sift_hex_get(s, off + SIFT_BRANCH_PREFIX_LEN, 16, &ok);
	*mac = sift_hex_get(s, off + SIFT_BRANCH_PREFIX_LEN + 16, 8, &ok);
	return !ok;
}

/*
 * Is the response in @s, which came from plan.peer:plan.peer_port, the
 * answer to a request sift sent there, for its call, going back where that
 * request came from?  plan.key is set and sift_response_hop() has filled
 * plan.dst/dport.  Returns 0, or a reason: NOT_OUR_VIA when the top branch
 * is not of sift's form at all, FORGED_RESPONSE when its MAC does not
 * verify for this source, call and destination.
 */
SIFT_SUBPROG int sift_response_verify(struct sift_scratch *s)
{
	struct sift_fwd_plan *pl;
	struct sift_via *v0;
	__u64 h;
	__u32 mac;

	if (!s)
		return SIFT_REASON_NOT_OUR_VIA;
	pl = &s->plan;
	v0 = &s->msg.via[0];
	if (!sift_branch_form(s, v0->branch.off, v0->branch.len, &h, &mac))
		return SIFT_REASON_NOT_OUR_VIA;
	pl->callid_h = sift_callid_keyed(s);
	if (mac != sift_branch_mac(pl->key, h, pl->callid_h, &pl->peer, pl->peer_port, &pl->dst,
				   pl->dport))
		return SIFT_REASON_FORGED_RESPONSE;
	return 0;
}

/* ---- received and rport (RFC 3261 18.2.1, RFC 3581) -------------------------------- */

/* Decimal digits of @v (< 100000) at vpar[@at]; the new end. */
SIFT_INLINE __u32 sift_put_dec(struct sift_fwd_plan *pl, __u32 at, __u32 v)
{
	__u32 d = v >= 10000 ? 5 : v >= 1000 ? 4 : v >= 100 ? 3 : v >= 10 ? 2 : 1;

	for (int i = 4; i >= 0; i--) {
		if ((__u32)i < d) {
			pl->vpar[(at + i) & (SIFT_VIA_PARAMS_MAX - 1)] = '0' + v % 10;
			v /= 10;
		}
	}
	return at + d;
}

/* Lower-case hex of a 16-bit group without leading zeros at vpar[@at]; the new end. */
SIFT_INLINE __u32 sift_put_hex16(struct sift_fwd_plan *pl, __u32 at, __u32 g)
{
	__u32 d = g >= 0x1000 ? 4 : g >= 0x100 ? 3 : g >= 0x10 ? 2 : 1;

	for (int i = 3; i >= 0; i--) {
		if ((__u32)i < d) {
			__u32 x = g & 15;

			pl->vpar[(at + i) & (SIFT_VIA_PARAMS_MAX - 1)] = x < 10 ? '0' + x : 'a' + x - 10;
			g >>= 4;
		}
	}
	return at + d;
}

/*
 * @a as text at vpar[@at], as received= carries it: dotted quad, or IPv6
 * in RFC 5952's form (lower case, no leading zeros, the longest run of
 * two or more zero groups as "::"), without brackets (RFC 3261's grammar).
 * Returns the new end.
 */
SIFT_SUBPROG __u32 sift_put_addr(struct sift_scratch *s, __u32 at, const struct sift_addr *a)
{
	struct sift_fwd_plan *pl;
	__u32 g[8], best = 8, best_len = 0, run = 0;

	if (!s || !a)
		return at;
	pl = &s->plan;
	if (a->family == SIFT_AF_INET) {
		__u32 v = __builtin_bswap32(a->v4);

		for (int i = 3; i >= 0; i--) {
			at = sift_put_dec(pl, at, (v >> (8 * i)) & 0xff);
			if (i)
				pl->vpar[at++ & (SIFT_VIA_PARAMS_MAX - 1)] = '.';
		}
		return at;
	}
	for (int i = 0; i < 8; i++) {
		g[i] = (__u32)a->v6[2 * i] << 8 | a->v6[2 * i + 1];
		run = g[i] ? 0 : run + 1;
		if (run > best_len) {
			best_len = run;
			best = i + 1 - run;
		}
	}
	if (best_len < 2)
		best = 8;
	for (int i = 0; i < 8; i++) {
		if ((__u32)i == best) {
			pl->vpar[at++ & (SIFT_VIA_PARAMS_MAX - 1)] = ':';
			pl->vpar[at++ & (SIFT_VIA_PARAMS_MAX - 1)] = ':';
			continue;
		}
		if ((__u32)i > best && (__u32)i < best + best_len)
			continue;
		if (i && (__u32)i != best + best_len)
			pl->vpar[at++ & (SIFT_VIA_PARAMS_MAX - 1)] = ':';
		at = sift_put_hex16(pl, at, g[i]);
	}
	return at;
}

/*
 * Where in [p, end) (a via-parm) the name of its rport parameter ends; 0
 * if it has none.  Quoted values are skipped: a ";rport" inside one is
 * not a parameter.
 */
SIFT_SUBPROG __u32 sift_rport_end(struct sift_scratch *s, __u32 p, __u32 end)
{
	if (!s)
		return 0;
	for (int i = 0; i < 32; i++) {
		__u32 q, name;
		__u8 c;

		q = sift_find2(s, p, end, ';', '"');
		if (q >= end)
			return 0;
		if (SIFT_B(s, q) == '"') {
			p = sift_skip_quoted(s, q, end);
			if (!p)
				return 0;
			continue;
		}
		name = sift_skip_lws(s, q + 1, end);
		if (end - name >= 5 && name < end &&
		    sift_lword(s, name, 5) == SIFT_C8('r', 'p', 'o', 'r', 't', 0, 0, 0)) {
			c = name + 5 < end ? SIFT_B(s, name + 5) : ';';
			if (!(sift_ct(c) & SIFT_CT_TOKEN))
				return name + 5;
		}
		p = q + 1;
	}
	return 0;
}

/*
 * The request's top Via as RFC 3261 18.2.1 and RFC 3581 want it once sift
 * has received it from plan.peer:plan.peer_port: "received" with that
 * address when the sent-by host is another (a name, a NAT's inside
 * address, a bystander someone wrote there), or when rport asks; rport's
 * value filled with the source port.  Responses then go back only where
 * the request came from.  Sets plan.via_at (0 when the Via needs nothing)
 * and vpar, and plan.reply_port: the port its responses will go to.
 * Returns 0, or VIA_RECEIVED when the Via carries a received of its own
 * that is not the source (only siftd rewrites that).
 */
SIFT_SUBPROG int sift_via_received(struct sift_scratch *s)
{
	struct sift_fwd_plan *pl;
	struct sift_via *v;
	struct sift_addr a;
	__u32 at = 0, vend, need_received;

	if (!s)
		return SIFT_REASON_VIA_RECEIVED;
	pl = &s->plan;
	v = &s->msg.via[0];
	pl->via_at = 0;
	pl->vpar_len = 0;
	vend = v->value.off + v->value.len;
	if (v->flags & SIFT_VIA_RECEIVED) {
		if (sift_ip_parse(s, v->received.off, v->received.len, &a) ||
		    !sift_addr_eq(&a, &pl->peer))
			return SIFT_REASON_VIA_RECEIVED;
		need_received = 0;
	} else if (v->flags & SIFT_VIA_RPORT && !v->rport) {
		need_received = 1; /* RFC 3581 4: even when sent-by is the source */
	} else {
		/* the parser keeps the sent-by host it read as an address */
		need_received = !v->addr.family || !sift_addr_eq(&v->addr, &pl->peer);
	}
	if (v->flags & SIFT_VIA_RPORT && !v->rport) {
		pl->via_at = sift_rport_end(s, v->value.off, vend);
		if (!pl->via_at)
			return SIFT_REASON_VIA_RECEIVED; /* spelt in a way only siftd would sort out */
		pl->vpar[0] = '=';
		at = sift_put_dec(pl, 1, pl->peer_port);
		pl->reply_port = pl->peer_port;
	} else {
		pl->reply_port = v->rport ? v->rport : v->port ? v->port : SIFT_SIP_PORT_DEFAULT;
		if (need_received)
			pl->via_at = vend;
		if ((pl->streams & SIFT_STREAMS_IN) && !(v->flags & SIFT_VIA_RPORT)) {
			/*
			 * It came on a connection: a stateless proxy finds it
			 * again by the port it came from, so that is named
			 * (as RFC 3581's rport; Kamailio's ;i= does the same)
			 */
			pl->via_at = vend;
			__builtin_memcpy(&pl->vpar[0], ";rport=\0", 8);
			at = sift_put_dec(pl, 7, pl->peer_port);
			pl->reply_port = pl->peer_port;
		}
	}
	if (need_received) {
		__builtin_memcpy(&pl->vpar[at & (SIFT_VIA_PARAMS_MAX - 1)], ";receive", 8);
		pl->vpar[(at + 8) & (SIFT_VIA_PARAMS_MAX - 1)] = 'd';
		pl->vpar[(at + 9) & (SIFT_VIA_PARAMS_MAX - 1)] = '=';
		at = sift_put_addr(s, at + 10, &pl->peer);
	}
	pl->vpar_len = at;
	return 0;
}

/* ---- the relay policy's vouch ---------------------------------------------------- */

/*
 * The vouch a URI of sift's carries (";sft=" and 8 hex digits among its
 * parameters) into *@mac.  0, or -1 when it has none.
 */
SIFT_SUBPROG int sift_uri_vouch(struct sift_scratch *s, const struct sift_uri *u, __u32 *mac)
{
	__u32 p, end;
	int ok = 0;

	if (!s || !u || !mac)
		return -1;
	p = u->host.off + u->host.len;
	end = u->all.off + u->all.len;
	for (int i = 0; i < 16; i++) {
		p = sift_find(s, p, end, ';');
		if (p + SIFT_VOUCH_PARAM_LEN + 8 > end)
			return -1;
		if (((SIFT_W(s, p) | SIFT_C8(0, 0x20, 0x20, 0x20, 0, 0, 0, 0)) & sift_bytes_mask(5)) ==
		    SIFT_C8(';', 's', 'f', 't', '=', 0, 0, 0)) {
			*mac = sift_hex_get(s, p + SIFT_VOUCH_PARAM_LEN, 8, &ok);
			return ok;
		}
		p++;
	}
	return -1;
}

/*
 * Where a URI of sift's names a UA's flow (";flow=" among its parameters:
 * the Path sift added to the UA's REGISTER, RFC 3327): the offset of the
 * value, or 0 when it has none.
 */
#define SIFT_FLOW_PARAM ";flow="
#define SIFT_FLOW_PARAM_LEN 6
SIFT_SUBPROG __u32 sift_uri_flow(struct sift_scratch *s, const struct sift_uri *u)
{
	__u32 p, end;

	if (!s || !u)
		return 0;
	p = u->host.off + u->host.len;
	end = u->all.off + u->all.len;
	for (int i = 0; i < 16; i++) {
		p = sift_find(s, p, end, ';');
		if (p + SIFT_FLOW_PARAM_LEN + 1 > end)
			return 0;
		if (((SIFT_W(s, p) | SIFT_C8(0, 0x20, 0x20, 0x20, 0x20, 0, 0, 0)) & sift_bytes_mask(6)) ==
		    SIFT_C8(';', 'f', 'l', 'o', 'w', '=', 0, 0))
			return p + SIFT_FLOW_PARAM_LEN;
		p++;
	}
	return 0;
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
	if (v1->transport != SIFT_TRANSPORT_UDP) {
		/* the previous hop's connection: siftd's, when it keeps them */
		if (!pl->streams ||
		    (v1->transport != SIFT_TRANSPORT_TCP && v1->transport != SIFT_TRANSPORT_TLS))
			return SIFT_REASON_NEXT_HOP_TRANSPORT;
		pl->hop_stream = v1->transport;
	}
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
