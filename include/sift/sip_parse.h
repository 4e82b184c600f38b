/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The SIP parser: one source, compiled into the XDP program (bpf/sift.bpf.c)
 * and natively into libsift (user/lib/sip_native.c) for siftd and the tests.  The
 * two builds must agree byte for byte on struct sift_sip_msg; the
 * differential test checks that they do.
 *
 * Design, for the verifier and for speed:
 *  - The message sits in a per-CPU scratch buffer whose size is a power of
 *    two; every index is masked into it, so no read needs a bounds proof
 *    and no read can leave the buffer.  The parser never lets a byte beyond
 *    the message length decide anything (the differential test fills that
 *    space differently on each side to catch it).
 *  - One pass, eight bytes at a time, indexes the start of every line up to
 *    the blank line; the body is never scanned.
 *  - Header names are matched as lower-cased 64-bit words by length.
 *  - Work is split into SIFT_SUBPROG functions: in BPF they are global
 *    subprograms, verified once each with unknown arguments.  Each holds at
 *    most one loop and little code after it, so the verifier never multiplies
 *    a loop's iterations by the rest of the parse.
 *  - Little-endian only (x86-64, arm64 little-endian; BPF on those).
 */
#ifndef SIFT_SIP_PARSE_H
#define SIFT_SIP_PARSE_H

#include <linux/types.h>
#include <sift/sip.h>

#ifdef __bpf__
/* verifier: a global subprogram is verified once, whatever its callers. */
#define SIFT_SUBPROG __attribute__((noinline))
#define SIFT_INLINE static __always_inline
/*
 * One 8-byte load.  A plain *(__u64 *) of a byte pointer is split by clang
 * into eight byte loads (it knows the pointer is only byte-aligned); x86 and
 * arm64 load unaligned words natively and the verifier allows it there.
 */
static __always_inline __u64 sift_ld64_(const void *p)
{
	__u64 v;

	asm volatile("%0 = *(u64 *)(%1 + 0)" : "=r"(v) : "r"(p));
	return v;
}
#define SIFT_LD64(p) sift_ld64_(p)
/* verifier: hide @x's value from clang, so a mask after it is not optimised away */
#define SIFT_OPAQUE(x) asm volatile("" : "+r"(x))
/*
 * Constant tables stay in .rodata: clang would put some sizes in mergeable
 * sections (.rodata.cst16, .rodata.str1.1) that its BTF describes wrongly.
 */
#define SIFT_RODATA __attribute__((section(".rodata")))
#else
#ifdef SIFT_NATIVE_PROFILE
/* Profiling the native build like the BPF one: subprograms stay out of line. */
#define SIFT_SUBPROG static __attribute__((noinline, unused))
#else
/* Each user includes what it needs; the rest is dropped without a warning. */
#define SIFT_SUBPROG static __attribute__((unused))
#endif
#define SIFT_INLINE static inline __attribute__((always_inline))
SIFT_INLINE __u64 sift_ld64_(const void *p)
{
	__u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}
#define SIFT_LD64(p) sift_ld64_(p)
#define SIFT_OPAQUE(x) ((void)(x))
#define SIFT_RODATA
#endif

#define SIFT_B(s, o) ((s)->buf[(o) & SIFT_SCRATCH_MASK])
#define SIFT_W(s, o) SIFT_LD64(&(s)->buf[(o) & SIFT_SCRATCH_MASK])
/*
 * Bounds on byte-at-a-time scans: the longest token, quoted string or host
 * the fast path will walk, and the longest run of LWS.  Anything longer is
 * treated as malformed (and punted or dropped), never guessed at.
 * verifier: every step is simulated, so these bounds are its budget too.
 */
#define SIFT_SCAN_MAX 1024
#define SIFT_LWS_MAX 256
#define SIFT_WORDS_MAX (SIFT_SCRATCH_SIZE / 8)

/* Eight characters as the little-endian word SIFT_W() reads. */
#define SIFT_C8(a, b, c, d, e, f, g, h)                                                            \
	((__u64)(__u8)(a) | (__u64)(__u8)(b) << 8 | (__u64)(__u8)(c) << 16 |                      \
	 (__u64)(__u8)(d) << 24 | (__u64)(__u8)(e) << 32 | (__u64)(__u8)(f) << 40 |               \
	 (__u64)(__u8)(g) << 48 | (__u64)(__u8)(h) << 56)
#define SIFT_LOWER8 0x2020202020202020ULL
#define SIFT_REP8(c) (0x0101010101010101ULL * (__u8)(c))

/* Character classes. */
enum {
	SIFT_CT_TOKEN = 1 << 0, /* RFC 3261 token */
	SIFT_CT_DIGIT = 1 << 1,
	SIFT_CT_LWS = 1 << 2,   /* SP HT CR LF: folding makes CR LF part of LWS */
	SIFT_CT_HOST = 1 << 3,  /* hostname and IPv4 characters */
	SIFT_CT_WORD = 1 << 4,  /* RFC 3261 word (Call-ID) */
	SIFT_CT_HEX = 1 << 5,
	SIFT_CT_ALPHA = 1 << 6, /* a letter, which starts a hostname's last label */
	SIFT_CT_COLON = 1 << 7, /* ':', in unbracketed IPv6 received= values */
};

static const __u8 sift_ctype[256] SIFT_RODATA = {
	['0' ... '9'] = SIFT_CT_TOKEN | SIFT_CT_DIGIT | SIFT_CT_HOST | SIFT_CT_WORD | SIFT_CT_HEX,
	['a' ... 'f'] = SIFT_CT_TOKEN | SIFT_CT_HOST | SIFT_CT_WORD | SIFT_CT_HEX | SIFT_CT_ALPHA,
	['A' ... 'F'] = SIFT_CT_TOKEN | SIFT_CT_HOST | SIFT_CT_WORD | SIFT_CT_HEX | SIFT_CT_ALPHA,
	['g' ... 'z'] = SIFT_CT_TOKEN | SIFT_CT_HOST | SIFT_CT_WORD | SIFT_CT_ALPHA,
	['G' ... 'Z'] = SIFT_CT_TOKEN | SIFT_CT_HOST | SIFT_CT_WORD | SIFT_CT_ALPHA,
	['-'] = SIFT_CT_TOKEN | SIFT_CT_HOST | SIFT_CT_WORD,
	['.'] = SIFT_CT_TOKEN | SIFT_CT_HOST | SIFT_CT_WORD,
	['!'] = SIFT_CT_TOKEN | SIFT_CT_WORD,
	['%'] = SIFT_CT_TOKEN | SIFT_CT_WORD,
	['*'] = SIFT_CT_TOKEN | SIFT_CT_WORD,
	['_'] = SIFT_CT_TOKEN | SIFT_CT_WORD,
	['+'] = SIFT_CT_TOKEN | SIFT_CT_WORD,
	['`'] = SIFT_CT_TOKEN | SIFT_CT_WORD,
	['\''] = SIFT_CT_TOKEN | SIFT_CT_WORD,
	['~'] = SIFT_CT_TOKEN | SIFT_CT_WORD,
	['('] = SIFT_CT_WORD,
	[')'] = SIFT_CT_WORD,
	['<'] = SIFT_CT_WORD,
	['>'] = SIFT_CT_WORD,
	[':'] = SIFT_CT_WORD | SIFT_CT_COLON,
	['\\'] = SIFT_CT_WORD,
	['"'] = SIFT_CT_WORD,
	['/'] = SIFT_CT_WORD,
	['['] = SIFT_CT_WORD,
	[']'] = SIFT_CT_WORD,
	['?'] = SIFT_CT_WORD,
	['{'] = SIFT_CT_WORD,
	['}'] = SIFT_CT_WORD,
	[' '] = SIFT_CT_LWS,
	['\t'] = SIFT_CT_LWS,
	['\r'] = SIFT_CT_LWS,
	['\n'] = SIFT_CT_LWS,
};

#define SIFT_REASON_CLASS_(X, A, B, id, name, cls) [SIFT_REASON_##id] = SIFT_RCLASS_##cls,
enum {
	SIFT_RCLASS_ok,
	SIFT_RCLASS_bound,
	SIFT_RCLASS_policy,
	SIFT_RCLASS_syntax,
	SIFT_RCLASS_silent,
	SIFT_RCLASS_route,
	SIFT_RCLASS_reject,
};
/*
 * verifier: a power of two so that a masked index is always inside.  Not 32:
 * clang 14 moves 32-byte constants to .rodata.cst32 but describes them in
 * .rodata's BTF, which the kernel then rejects (and with the BTF go the
 * global subprograms).
 */
#define SIFT_REASON_CLASS_SLOTS 64
_Static_assert(SIFT_REASON__MAX <= SIFT_REASON_CLASS_SLOTS, "reason class table too small");
static const __u8 sift_reason_class[SIFT_REASON_CLASS_SLOTS] SIFT_RODATA = {
	SIFT_REASON_LIST(SIFT_REASON_CLASS_, _, _, _)
};
#undef SIFT_REASON_CLASS_

SIFT_INLINE __u8 sift_ct(__u8 c)
{
	return sift_ctype[c];
}

/* High bit set in exactly the bytes of @x that are zero (no false positives). */
SIFT_INLINE __u64 sift_zero_bytes(__u64 x)
{
	__u64 y = (x & 0x7f7f7f7f7f7f7f7fULL) + 0x7f7f7f7f7f7f7f7fULL;

	return ~(y | x | 0x7f7f7f7f7f7f7f7fULL);
}

SIFT_INLINE __u64 sift_match(__u64 w, __u8 c)
{
	return sift_zero_bytes(w ^ SIFT_REP8(c));
}

/*
 * Like sift_match(), in three operations, but only its lowest marked byte is
 * sure: a borrow can mark bytes above a true match (never below one).  For
 * finding the first occurrence, which is all the scans below need.
 */
SIFT_INLINE __u64 sift_match_first(__u64 w, __u8 c)
{
	__u64 x = w ^ SIFT_REP8(c);

	return (x - SIFT_REP8(1)) & ~x & SIFT_REP8(0x80);
}

/* High bit set in exactly the bytes of @x below @n (n <= 0x80). */
SIFT_INLINE __u64 sift_less_bytes(__u64 x, __u8 n)
{
	return ~(((x & 0x7f7f7f7f7f7f7f7fULL) + SIFT_REP8(0x80 - n)) | x) & SIFT_REP8(0x80);
}

/* Index of the lowest marked byte of a non-zero sift_zero_bytes() result. */
SIFT_INLINE __u32 sift_first_byte(__u64 t)
{
	__u64 lsb = t & (~t + 1);

	return ((lsb >> 7) * 0x0001020304050607ULL) >> 56;
}

/*
 * The low @n bytes of a word (all of them for n >= 8), from a table.
 */
static const __u64 sift_bytes_masks[16] SIFT_RODATA = {
	0, 0xff, 0xffff, 0xffffff, 0xffffffffULL, 0xffffffffffULL, 0xffffffffffffULL,
	0xffffffffffffffULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL,
};

SIFT_INLINE __u64 sift_bytes_mask(__u32 n)
{
	/* verifier: branch-free clamp; masked words often become precise, and a
	 * branch here would split each into two states that never merge */
	__u32 big = (__u32)((__s32)(15 - n) >> 31); /* all ones when n > 15 */
	__u32 idx = (n & ~big) | (15 & big);

	SIFT_OPAQUE(idx);
	return sift_bytes_masks[idx & 15];
}

SIFT_INLINE int sift_is_lws(__u8 c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

SIFT_INLINE void sift_set_reason(struct sift_sip_msg *m, __u8 reason)
{
	if (!m->reason)
		m->reason = reason;
}

/* ---- scanning primitives --------------------------------------------------- */

/*
 * The word scan every search below shares: from @p, eight bytes at a time,
 * the first byte that @mask (an expression of the word w) marks, or @end.
 * Marks beyond @end are ignored.  _UPTO gives up after @words words, with
 * @end: its callers bound what they scan first.
 */
#define SIFT_SCAN_WORDS_UPTO(s, p, end, words, mask)                                               \
	do {                                                                                       \
		if (!(s))                                                                          \
			return end;                                                                \
		for (int i_ = 0; i_ < (words); i_++) {                                             \
			__u64 w, t;                                                                \
                                                                                                   \
			if (p >= end)                                                              \
				return end;                                                        \
			w = SIFT_W(s, p);                                                          \
			t = (mask);                                                                \
			if (t) {                                                                   \
				__u32 q_ = p + sift_first_byte(t);                                 \
                                                                                                   \
				return q_ < end ? q_ : end;                                        \
			}                                                                          \
			p += 8;                                                                    \
		}                                                                                  \
		return end;                                                                        \
	} while (0)
#define SIFT_SCAN_WORDS(s, p, end, mask) SIFT_SCAN_WORDS_UPTO(s, p, end, SIFT_WORDS_MAX, mask)

/* First offset in [p, end) holding @c, or @end. */
SIFT_SUBPROG __u32 sift_find(struct sift_scratch *s, __u32 p, __u32 end, __u32 c)
{
	SIFT_SCAN_WORDS(s, p, end, sift_match_first(w, c));
}

/* First offset in [p, end) holding @a or @b, or @end. */
SIFT_SUBPROG __u32 sift_find2(struct sift_scratch *s, __u32 p, __u32 end, __u32 a, __u32 b)
{
	SIFT_SCAN_WORDS(s, p, end, sift_match_first(w, a) | sift_match_first(w, b));
}

/* Skip LWS (SP, HT and the CRLF of folded lines) from @p. */
SIFT_SUBPROG __u32 sift_skip_lws_slow(struct sift_scratch *s, __u32 p, __u32 end)
{
	if (!s)
		return end;
	for (int i = 0; i < SIFT_LWS_MAX; i++) {
		if (p >= end || !(sift_ct(SIFT_B(s, p)) & SIFT_CT_LWS))
			return p;
		p++;
	}
	return p;
}

/* The common case, no LWS at all, without a call. */
SIFT_INLINE __u32 sift_skip_lws(struct sift_scratch *s, __u32 p, __u32 end)
{
	if (p >= end || !(sift_ct(SIFT_B(s, p)) & SIFT_CT_LWS))
		return p;
	return sift_skip_lws_slow(s, p + 1, end);
}

/*
 * Skip the CRs and LFs that start the message.  verifier: a subprogram, so
 * that its result is one unknown value and not one precise value per step
 * carried into the whole parse.
 */
SIFT_SUBPROG __u32 sift_skip_crlf(struct sift_scratch *s, __u32 len)
{
	__u32 p = 0;

	if (!s)
		return len;
	for (int i = 0; i < SIFT_LWS_MAX; i++) {
		__u8 c;

		if (p >= len)
			return p;
		c = SIFT_B(s, p);
		if (c != '\r' && c != '\n')
			return p;
		p++;
	}
	return p;
}

/* Skip characters of class @ct from @p. */
SIFT_SUBPROG __u32 sift_skip_ct(struct sift_scratch *s, __u32 p, __u32 end, __u32 ct)
{
	if (!s)
		return end;
	for (int i = 0; i < SIFT_SCAN_MAX; i++) {
		if (p >= end || !(sift_ct(SIFT_B(s, p)) & ct))
			return p;
		p++;
	}
	return p;
}

/* @end trimmed of trailing LWS, not below @p. */
SIFT_SUBPROG __u32 sift_trim_end(struct sift_scratch *s, __u32 p, __u32 end)
{
	if (!s)
		return p;
	for (int i = 0; i < SIFT_LWS_MAX; i++) {
		if (end <= p || !(sift_ct(SIFT_B(s, end - 1)) & SIFT_CT_LWS))
			return end;
		end--;
	}
	return end;
}

/*
 * @p is at an opening quote: the offset after the closing one, or 0 when the
 * string does not end before @end.  A backslash escapes the next octet.
 */
SIFT_SUBPROG __u32 sift_skip_quoted(struct sift_scratch *s, __u32 p, __u32 end)
{
	if (!s)
		return 0;
	p++;
	for (int i = 0; i < SIFT_SCAN_MAX; i++) {
		__u8 c;

		if (p >= end)
			return 0;
		c = SIFT_B(s, p);
		if (c == '"')
			return p + 1;
		/*
		 * verifier: branch-free step (2 after a backslash, else 1).  A branch
		 * would split the state every step, and p, which indexes memory, is
		 * precise, so the variants would never merge.
		 */
		p += 1 + (((__u32)(c ^ '\\') - 1) >> 31);
	}
	return 0;
}

/*
 * Decimal number at [p, end): 1..10 digits, leading zeros allowed (so up to
 * 16 characters with them).  Stores the value and returns the offset after
 * the digits, or 0 if there are none, more follow, or it exceeds 2^32 - 1.
 */
SIFT_SUBPROG __u32 sift_number_slow(struct sift_scratch *s, __u32 p, __u32 end, __u32 *out)
{
	__u64 v = 0;
	__u32 start = p;

	if (!s || !out)
		return 0;
	for (int i = 0; i < 16; i++) {
		__u32 d;

		if (p >= end)
			break;
		d = (__u32)SIFT_B(s, p) - '0';
		if (d > 9)
			break;
		v = v * 10 + d;
		p++;
	}
	/* 16 characters, at most ten of them significant: v cannot wrap a u64 */
	if (p == start || v > 0xffffffffULL || (p < end && (__u32)SIFT_B(s, p) - '0' <= 9))
		return 0;
	*out = (__u32)v;
	return p;
}

/*
 * The same for the usual case, up to seven digits followed by something else
 * in the same word, without a loop: the digits are found and converted as a
 * word (SWAR, after Lemire's eight-digit conversion).
 */
SIFT_INLINE __u32 sift_number(struct sift_scratch *s, __u32 p, __u32 end, __u32 *out)
{
	__u64 w = SIFT_W(s, p), d, nd;
	__u32 n;

	/* bytes that are not digits: below '0', or not below ':' */
	nd = sift_less_bytes(w, '0') | (~sift_less_bytes(w, ':') & SIFT_REP8(0x80));
	if (!nd || end - p > 0x7fff || end <= p)
		return sift_number_slow(s, p, end, out);
	n = sift_first_byte(nd);
	if (!n)
		return 0;
	if (p + n > end)
		return sift_number_slow(s, p, end, out);
	/* the n digits to the top of the word, zero digits below them */
	d = (w - SIFT_REP8('0')) << ((8 - n) * 8);
	d = (d * 10 + (d >> 8)) & 0x00ff00ff00ff00ffULL;
	d = (d * 100 + (d >> 16)) & 0x0000ffff0000ffffULL;
	d = (d * 10000 + (d >> 32)) & 0xffffffffULL;
	*out = (__u32)d;
	return p + n;
}

/* Equal spans, byte for byte (case-sensitive). */
SIFT_SUBPROG int sift_span_eq(struct sift_scratch *s, __u32 a, __u32 b, __u32 len)
{
	if (!s)
		return 0;
	for (int i = 0; i < SIFT_WORDS_MAX; i++) {
		if (len >= 8) {
			if (SIFT_W(s, a) != SIFT_W(s, b))
				return 0;
			a += 8, b += 8, len -= 8;
		} else {
			return !((SIFT_W(s, a) ^ SIFT_W(s, b)) & sift_bytes_mask(len));
		}
	}
	return 0;
}

/*
 * First offset in [p, end) holding a control character, SP, or one of the
 * three bytes of @set (SIFT_DELIM); or @end.  What ends a host, a parameter
 * or a token, a word at a time.
 */
#define SIFT_DELIM(a, b, c) ((__u32)(__u8)(a) | (__u32)(__u8)(b) << 8 | (__u32)(__u8)(c) << 16)
SIFT_SUBPROG __u32 sift_find_delim(struct sift_scratch *s, __u32 p, __u32 end, __u32 set)
{
	__u8 a = set, b = set >> 8, c = set >> 16;

	SIFT_SCAN_WORDS(s, p, end,
			sift_less_bytes(w, 0x21) | sift_match_first(w, a) | sift_match_first(w, b) |
				sift_match_first(w, c));
}

/* First control character, SP or @a in [p, end), or @end. */
SIFT_SUBPROG __u32 sift_find_delim1(struct sift_scratch *s, __u32 p, __u32 end, __u32 a)
{
	SIFT_SCAN_WORDS(s, p, end, sift_less_bytes(w, 0x21) | sift_match_first(w, a));
}

/* First control character, SP, @a or @b in [p, end), or @end. */
SIFT_SUBPROG __u32 sift_find_delim2(struct sift_scratch *s, __u32 p, __u32 end, __u32 a, __u32 b)
{
	SIFT_SCAN_WORDS(s, p, end,
			sift_less_bytes(w, 0x21) | sift_match_first(w, a) | sift_match_first(w, b));
}

/*
 * First byte in [p, end) that is no RFC 3261 word character, or @end: a
 * control character, SP, DEL, a non-ASCII byte, or one of the nine other
 * printable characters a word leaves out (# $ & , ; = @ ^ |).  More than
 * SIFT_SCAN_MAX bytes are too long a word: @p.  verifier: that bound keeps
 * its long loop body to 128 steps.
 */
SIFT_SUBPROG __u32 sift_find_nonword(struct sift_scratch *s, __u32 p, __u32 end)
{
	if (end > p && end - p > SIFT_SCAN_MAX)
		return p;
	SIFT_SCAN_WORDS_UPTO(s, p, end, SIFT_SCAN_MAX / 8,
			sift_less_bytes(w, 0x21) | (w & SIFT_REP8(0x80)) | sift_match_first(w, 0x7f) |
				sift_match_first(w, '#') | sift_match_first(w, '$') |
				sift_match_first(w, '&') | sift_match_first(w, ',') |
				sift_match_first(w, ';') | sift_match_first(w, '=') |
				sift_match_first(w, '@') | sift_match_first(w, '^') |
				sift_match_first(w, '|'));
}

/* Lower-cased word at @p with only its first @n bytes kept. */
SIFT_INLINE __u64 sift_lword(struct sift_scratch *s, __u32 p, __u32 n)
{
	return (SIFT_W(s, p) | SIFT_LOWER8) & sift_bytes_mask(n);
}

/* ---- line index ------------------------------------------------------------ */

/*
 * Index the start of every line from @start to the blank line that ends the
 * headers: line[0] is the start line, line[n] the blank line, and the body
 * starts at msg.eoh.  Returns n, or -reason.  Lines must end in CRLF.  One
 * pass, eight bytes at a time; the body is never looked at.
 *
 * The caller has written "\r\n\r\n" just past the message, so the scan needs
 * no length checks: a blank line at or past @len means there was none.  Then
 * the complete lines are still indexed (msg.n_lines of them), so that siftd
 * can read the Via it needs to answer.
 *
 * Callers pass 0 for @n, the line count so far.  verifier: as an argument
 * it is unknown, so the count is never a precise constant per step (it
 * indexes the table), and the loop's states still merge.
 */
SIFT_SUBPROG int sift_scan_lines(struct sift_scratch *s, __u32 start, __u32 len, __u32 n)
{
	__u32 pos = start, ls = start;
	__u64 t;

	if (!s || start >= len)
		return -SIFT_REASON_NOT_SIP;
	s->line[0] = start;
	t = sift_match(SIFT_W(s, pos), '\n');

	/* One step per word and one per line: verifier-bounded, never more. */
	for (int i = 0; i < SIFT_WORDS_MAX + SIFT_MAX_LINES; i++) {
		__u32 lf;

		if (!t) {
			pos += 8;
			t = sift_match(SIFT_W(s, pos), '\n');
			continue;
		}
		lf = pos + sift_first_byte(t);
		t &= t - 1;
		if (lf == 0 || SIFT_B(s, lf - 1) != '\r')
			return -SIFT_REASON_BAD_LINE_END;
		if (lf > len) {
			/* in the sentinel: no blank line; the last line was not complete */
			s->msg.n_lines = n;
			return -SIFT_REASON_NO_END_OF_HEADERS;
		}
		if (lf - 1 == ls) {
			s->msg.eoh = lf + 1;
			if (lf + 1 > len) {
				s->msg.n_lines = n;
				return -SIFT_REASON_NO_END_OF_HEADERS;
			}
			return n;
		}
		n++;
		if (n >= SIFT_MAX_LINES)
			return -SIFT_REASON_TOO_MANY_LINES;
		s->line[n & (SIFT_MAX_LINES - 1)] = lf + 1;
		ls = lf + 1;
	}
	return -SIFT_REASON_TOO_MANY_LINES;
}

SIFT_INLINE __u32 sift_line(struct sift_scratch *s, __u32 i)
{
	return s->line[i & (SIFT_MAX_LINES - 1)];
}

/* ---- URIs -------------------------------------------------------------------- */

/* After the host of a URI: [":" port] then ';' params, '?' headers or the end. */
SIFT_SUBPROG int sift_uri_params(struct sift_scratch *s, __u32 p, __u32 end, struct sift_uri *u)
{
	if (!s || !u)
		return -1;
	if (p < end && SIFT_B(s, p) == ':') {
		__u32 port;

		p = sift_number(s, p + 1, end, &port);
		if (!p || port > 65535 || port == 0)
			return -1;
		u->port = port;
	}
	/* Parameters: ";name[=value]" until '?' or the end. */
	for (int i = 0; i < 64; i++) {
		__u32 name, next, nlen;

		if (p >= end)
			return 0;
		if (SIFT_B(s, p) == '?')
			return 1;
		if (SIFT_B(s, p) != ';')
			return -1;
		name = p + 1;
		next = sift_find2(s, name, end, ';', '?');
		nlen = sift_find(s, name, next, '=') - name;
		if (nlen == 2 && sift_lword(s, name, 2) == SIFT_C8('l', 'r', 0, 0, 0, 0, 0, 0))
			u->flags |= SIFT_URI_LR;
		else if (nlen == 5 &&
			 sift_lword(s, name, 5) == SIFT_C8('m', 'a', 'd', 'd', 'r', 0, 0, 0))
			u->flags |= SIFT_URI_MADDR;
		else if (nlen == 9 && next - name == 13 &&
			 sift_lword(s, name, 8) == SIFT_C8('t', 'r', 'a', 'n', 's', 'p', 'o', 'r')) {
			/* "t=tcp", "t=tls": the hop wants a connection (siftd's) */
			__u64 v = sift_lword(s, name + 8, 5);

			if (v == SIFT_C8('t', '=', 't', 'c', 'p', 0, 0, 0))
				u->flags |= SIFT_URI_TCP;
			else if (v == SIFT_C8('t', '=', 't', 'l', 's', 0, 0, 0))
				u->flags |= SIFT_URI_TLS;
		}
		p = next;
	}
	return -1;
}

/* Does [p, end) spell a scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )? */
SIFT_SUBPROG int sift_scheme_ok(struct sift_scratch *s, __u32 p, __u32 end)
{
	if (!s || p >= end || !(sift_ct(SIFT_B(s, p)) & SIFT_CT_ALPHA))
		return 0;
	for (int i = 0; i < 64; i++) {
		__u8 c;

		p++;
		if (p >= end)
			return 1;
		c = SIFT_B(s, p);
		if (!(sift_ct(c) & SIFT_CT_HOST) && c != '+')
			return 0;
	}
	return 0;
}

/*
 * The scheme of the URI at [p, end) (enum sift_scheme), and in *@rest where
 * what follows its colon starts; SIFT_SCHEME_NONE if it has none.
 */
SIFT_INLINE __u32 sift_uri_scheme(struct sift_scratch *s, __u32 p, __u32 end, __u32 *rest)
{
	__u32 colon, slen;

	/* the usual "sip:" (the case of the letters only folded) */
	if (end - p > 4 && ((SIFT_W(s, p) | SIFT_C8(0x20, 0x20, 0x20, 0, 0, 0, 0, 0)) &
			    sift_bytes_mask(4)) == SIFT_C8('s', 'i', 'p', ':', 0, 0, 0, 0)) {
		*rest = p + 4;
		return SIFT_SCHEME_SIP;
	}
	colon = sift_find(s, p, end, ':');
	slen = colon - p;
	if (colon == end || !slen || slen > 64 || !sift_scheme_ok(s, p, colon))
		return SIFT_SCHEME_NONE;
	*rest = colon + 1;
	if (slen == 3 && sift_lword(s, p, 3) == SIFT_C8('s', 'i', 'p', 0, 0, 0, 0, 0))
		return SIFT_SCHEME_SIP;
	if (slen == 4 && sift_lword(s, p, 4) == SIFT_C8('s', 'i', 'p', 's', 0, 0, 0, 0))
		return SIFT_SCHEME_SIPS;
	if (slen == 3 && sift_lword(s, p, 3) == SIFT_C8('t', 'e', 'l', 0, 0, 0, 0, 0))
		return SIFT_SCHEME_TEL;
	return SIFT_SCHEME_OTHER;
}

/*
 * Where the host of a sip or sips URI starts, @p being where its userinfo
 * would: after the first '@' (an '@' in the user part is escaped), or @p
 * without one; *@at is that '@' or @end.  0 when another '@' follows: then
 * the host would hold it ("sip:a@b@c").
 */
SIFT_INLINE __u32 sift_uri_host(struct sift_scratch *s, __u32 p, __u32 end, __u32 *at)
{
	*at = sift_find(s, p, end, '@');
	if (*at == end)
		return p;
	return sift_find(s, *at + 1, end, '@') < end ? 0 : *at + 1;
}

/*
 * A URI at [p, end) with no LWS in it.  sip/sips: user, host, port and the
 * lr/maddr parameters; tel: the number as user; other schemes: only the
 * scheme.  Returns 0, 1 if it carries headers ('?'), -1 if malformed.
 */
SIFT_SUBPROG int sift_parse_uri(struct sift_scratch *s, __u32 p, __u32 end, struct sift_uri *u)
{
	__u32 at, h, hend;

	if (!s || !u || p >= end)
		return -1;
	u->all.off = p;
	u->all.len = end - p;
	u->scheme = sift_uri_scheme(s, p, end, &p);
	if (u->scheme == SIFT_SCHEME_NONE)
		return -1;
	if (u->scheme == SIFT_SCHEME_OTHER)
		return 0;
	if (u->scheme == SIFT_SCHEME_TEL) {
		u->user.off = p;
		u->user.len = sift_find(s, p, end, ';') - p;
		return u->user.len ? 0 : -1;
	}

	h = sift_uri_host(s, p, end, &at);
	if (!h || h >= end)
		return -1;
	if (at < end) {
		u->user.off = p;
		u->user.len = sift_find(s, p, at, ':') - p;
	}
	if (SIFT_B(s, h) == '[') {
		hend = sift_find(s, h, end, ']');
		if (hend == end || hend - h < 3)
			return -1;
		if (sift_skip_ct(s, h + 1, hend, SIFT_CT_HEX) == hend)
			return -1; /* no ':' at all: not an IPv6 reference */
		hend++;
		u->flags |= SIFT_URI_HOST_V6;
	} else {
		hend = sift_find_delim(s, h, end, SIFT_DELIM(':', ';', '?'));
		if (hend == h || (hend < end && sift_ct(SIFT_B(s, hend)) & SIFT_CT_LWS))
			return -1;
	}
	u->host.off = h;
	u->host.len = hend - h;
	return sift_uri_params(s, hend, end, u);
}

/*
 * What From and To need of their URI, which sift does not route by: a
 * scheme; for sip and sips a host, after one '@' at most; for tel a number.
 * Port and parameters are not read (sift_parse_uri() does, at a cost).
 * 0 or -1.
 */
SIFT_SUBPROG int sift_uri_check(struct sift_scratch *s, __u32 p, __u32 end)
{
	__u32 scheme, at, h;
	__u8 c;

	if (!s || p >= end)
		return -1;
	scheme = sift_uri_scheme(s, p, end, &p);
	if (scheme == SIFT_SCHEME_NONE)
		return -1;
	if (scheme == SIFT_SCHEME_OTHER)
		return 0;
	if (scheme == SIFT_SCHEME_TEL)
		return p < end && SIFT_B(s, p) != ';' ? 0 : -1;
	h = sift_uri_host(s, p, end, &at);
	if (!h || h >= end)
		return -1;
	c = SIFT_B(s, h);
	return c == ':' || c == ';' || c == '?' ? -1 : 0;
}

/* ---- IP literals ------------------------------------------------------------- */

/*
 * Shared with the forwarding decision (fwd_util.h), which turns the
 * Request-URI's host and a response's next Via into addresses.
 */

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
 *
 * RFC 3261's ABNF (hexpart ":" IPv4address, where hexpart may end in "::")
 * lets "::" be followed by one more ':' before a dotted quad, as in
 * "2001:db8:::192.0.2.1"; RFC 5118 4.10 asks that it be tolerated, so it
 * reads as "2001:db8::192.0.2.1".
 */
SIFT_SUBPROG int sift_ip6_parse(struct sift_scratch *s, __u32 p, __u32 len, struct sift_addr *out)
{
	__u16 g[8] = {};
	__u32 n = 0, gap = 8, end, quad_only = 0;

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
			/* the third colon of "::" ":" IPv4address: only a dotted quad may follow */
			if (p + 1 < end && SIFT_B(s, p) == ':') {
				p++;
				quad_only = 1;
			}
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
		if (!digits || digits > 4 || n > 7 || quad_only)
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

/* ---- start line -------------------------------------------------------------- */

/* Known methods, compared as words: name, length. Methods are case-sensitive. */
SIFT_SUBPROG int sift_method(struct sift_scratch *s, __u32 p, __u32 len)
{
	__u64 w, w8;

	if (!s || !len || len > 9)
		return SIFT_METHOD_OTHER;
	w = SIFT_W(s, p) & sift_bytes_mask(len);
	switch (len) {
	case 3:
		if (w == SIFT_C8('A', 'C', 'K', 0, 0, 0, 0, 0))
			return SIFT_METHOD_ACK;
		if (w == SIFT_C8('B', 'Y', 'E', 0, 0, 0, 0, 0))
			return SIFT_METHOD_BYE;
		break;
	case 4:
		if (w == SIFT_C8('I', 'N', 'F', 'O', 0, 0, 0, 0))
			return SIFT_METHOD_INFO;
		break;
	case 5:
		if (w == SIFT_C8('P', 'R', 'A', 'C', 'K', 0, 0, 0))
			return SIFT_METHOD_PRACK;
		if (w == SIFT_C8('R', 'E', 'F', 'E', 'R', 0, 0, 0))
			return SIFT_METHOD_REFER;
		break;
	case 6:
		if (w == SIFT_C8('I', 'N', 'V', 'I', 'T', 'E', 0, 0))
			return SIFT_METHOD_INVITE;
		if (w == SIFT_C8('C', 'A', 'N', 'C', 'E', 'L', 0, 0))
			return SIFT_METHOD_CANCEL;
		if (w == SIFT_C8('N', 'O', 'T', 'I', 'F', 'Y', 0, 0))
			return SIFT_METHOD_NOTIFY;
		if (w == SIFT_C8('U', 'P', 'D', 'A', 'T', 'E', 0, 0))
			return SIFT_METHOD_UPDATE;
		break;
	case 7:
		if (w == SIFT_C8('O', 'P', 'T', 'I', 'O', 'N', 'S', 0))
			return SIFT_METHOD_OPTIONS;
		if (w == SIFT_C8('M', 'E', 'S', 'S', 'A', 'G', 'E', 0))
			return SIFT_METHOD_MESSAGE;
		if (w == SIFT_C8('P', 'U', 'B', 'L', 'I', 'S', 'H', 0))
			return SIFT_METHOD_PUBLISH;
		break;
	case 8:
		if (w == SIFT_C8('R', 'E', 'G', 'I', 'S', 'T', 'E', 'R'))
			return SIFT_METHOD_REGISTER;
		break;
	case 9:
		w8 = SIFT_B(s, p + 8);
		if (w == SIFT_C8('S', 'U', 'B', 'S', 'C', 'R', 'I', 'B') && w8 == 'E')
			return SIFT_METHOD_SUBSCRIBE;
		break;
	}
	return SIFT_METHOD_OTHER;
}

/* "SIP/" 1*DIGIT "." 1*DIGIT filling [p, end) exactly; 0 or -1. */
SIFT_SUBPROG int sift_version(struct sift_scratch *s, __u32 p, __u32 end)
{
	__u32 major, minor, q;

	if (!s || end - p < 7 || end <= p)
		return -1;
	if (end - p == 7 && ((SIFT_W(s, p) | SIFT_C8(0x20, 0x20, 0x20, 0, 0, 0, 0, 0)) &
			     sift_bytes_mask(7)) == SIFT_C8('s', 'i', 'p', '/', '2', '.', '0', 0)) {
		s->msg.version_major = 2;
		s->msg.version_minor = 0;
		return 0;
	}
	if (sift_lword(s, p, 4) != SIFT_C8('s', 'i', 'p', '/', 0, 0, 0, 0))
		return -1;
	q = sift_number(s, p + 4, end, &major);
	if (!q || q >= end || SIFT_B(s, q) != '.')
		return -1;
	q = sift_number(s, q + 1, end, &minor);
	if (q != end || major > 255 || minor > 255)
		return -1;
	s->msg.version_major = major;
	s->msg.version_minor = minor;
	return 0;
}

/* The start line [p, end): request or status line.  Returns a reason. */
SIFT_SUBPROG int sift_parse_start(struct sift_scratch *s, __u32 p, __u32 end)
{
	struct sift_sip_msg *m;
	__u32 sp1, sp2, code;
	int r;

	if (!s)
		return SIFT_REASON_NOT_SIP;
	m = &s->msg;
	sp1 = sift_find(s, p, end, ' ');
	if (sp1 == end || sp1 == p)
		return SIFT_REASON_NOT_SIP;

	if (sp1 - p >= 7 && sift_lword(s, p, 4) == SIFT_C8('s', 'i', 'p', '/', 0, 0, 0, 0)) {
		/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
		m->kind = SIFT_KIND_RESPONSE;
		if (sift_version(s, p, sp1))
			return SIFT_REASON_BAD_START_LINE;
		sp2 = sift_number(s, sp1 + 1, end, &code);
		if (sp2 != sp1 + 4 || code < 100 || code > 699)
			return SIFT_REASON_BAD_STATUS;
		if (sp2 < end && SIFT_B(s, sp2) != ' ')
			return SIFT_REASON_BAD_STATUS;
		m->status = code;
		if (m->version_major != 2 || m->version_minor != 0)
			return SIFT_REASON_BAD_VERSION;
		return SIFT_REASON_OK;
	}

	/* Request-Line = Method SP Request-URI SP SIP-Version, single spaces. */
	m->kind = SIFT_KIND_REQUEST;
	m->method_tok.off = p;
	m->method_tok.len = sp1 - p;
	m->method = sift_method(s, p, sp1 - p);
	if (m->method == SIFT_METHOD_OTHER && sift_skip_ct(s, p, sp1, SIFT_CT_TOKEN) != sp1)
		return SIFT_REASON_BAD_START_LINE;
	sp2 = sift_find(s, sp1 + 1, end, ' ');
	if (sp2 == end || sp2 == sp1 + 1)
		return SIFT_REASON_BAD_START_LINE;
	if (sift_version(s, sp2 + 1, end))
		return SIFT_REASON_BAD_START_LINE;
	r = sift_parse_uri(s, sp1 + 1, sp2, &m->ruri);
	if (r < 0)
		return SIFT_REASON_BAD_RURI;
	if (r > 0) {
		m->ruri_q = 1;
		return SIFT_REASON_BAD_RURI; /* headers have no place in a Request-URI */
	}
	if (m->version_major != 2 || m->version_minor != 0)
		return SIFT_REASON_BAD_VERSION;
	return SIFT_REASON_OK;
}

/* ---- Via --------------------------------------------------------------------- */

SIFT_INLINE __u8 sift_transport(struct sift_scratch *s, __u32 p, __u32 len)
{
	__u64 w;

	if (len > 4)
		return SIFT_TRANSPORT_OTHER;
	w = sift_lword(s, p, len);
	if (w == SIFT_C8('u', 'd', 'p', 0, 0, 0, 0, 0))
		return SIFT_TRANSPORT_UDP;
	if (w == SIFT_C8('t', 'c', 'p', 0, 0, 0, 0, 0))
		return SIFT_TRANSPORT_TCP;
	if (w == SIFT_C8('t', 'l', 's', 0, 0, 0, 0, 0))
		return SIFT_TRANSPORT_TLS;
	if (w == SIFT_C8('s', 'c', 't', 'p', 0, 0, 0, 0))
		return SIFT_TRANSPORT_SCTP;
	if (w == SIFT_C8('w', 's', 0, 0, 0, 0, 0, 0))
		return SIFT_TRANSPORT_WS;
	if (w == SIFT_C8('w', 's', 's', 0, 0, 0, 0, 0))
		return SIFT_TRANSPORT_WSS;
	return SIFT_TRANSPORT_OTHER;
}

/*
 * sent-protocol LWS sent-by: "SIP / 2.0 / UDP host[:port]", LWS allowed
 * around the slashes and the colon.  Returns the offset after sent-by, or 0.
 * Where the host ends is found here; what it holds is checked by
 * sift_via_addrs().
 */
SIFT_SUBPROG __u32 sift_via_sent_by(struct sift_scratch *s, __u32 p, __u32 end, struct sift_via *v)
{
	__u32 t, h;

	if (!s || !v)
		return 0;
	/* Fast path: "SIP/2.0/" written plainly (the case of the letters only folded). */
	if (end - p >= 12 && p < end &&
	    (SIFT_W(s, p) | SIFT_C8(0x20, 0x20, 0x20, 0, 0, 0, 0, 0)) ==
		    SIFT_C8('s', 'i', 'p', '/', '2', '.', '0', '/')) {
		p += 8;
	} else {
		/* protocol-name SLASH protocol-version SLASH: tokens, SIP and 2.0 expected */
		for (int k = 0; k < 2; k++) {
			__u64 w;

			t = sift_skip_ct(s, p, end, SIFT_CT_TOKEN);
			if (t == p)
				return 0;
			/*
			 * Another protocol or version is well-formed but not ours: the
			 * Via is kept, marked (siftd answers 505 through it).
			 */
			w = k ? SIFT_W(s, p) & sift_bytes_mask(3) : sift_lword(s, p, 3);
			if (t - p != 3 || w != (k ? SIFT_C8('2', '.', '0', 0, 0, 0, 0, 0) :
						    SIFT_C8('s', 'i', 'p', 0, 0, 0, 0, 0)))
				v->flags |= SIFT_VIA_BAD_PROTO;
			p = sift_skip_lws(s, t, end);
			if (p >= end || SIFT_B(s, p) != '/')
				return 0;
			p = sift_skip_lws(s, p + 1, end);
		}
	}
	t = sift_find_delim(s, p, end, SIFT_DELIM(';', ',', '/'));
	if (t == p)
		return 0;
	v->transport = sift_transport(s, p, t - p);
	/* the known transports are tokens as matched; other-transport = token */
	if (v->transport == SIFT_TRANSPORT_OTHER && sift_skip_ct(s, p, t, SIFT_CT_TOKEN) != t)
		return 0;
	h = sift_skip_lws(s, t, end);
	if (h == t || h >= end)
		return 0;

	if (SIFT_B(s, h) == '[') {
		t = sift_find(s, h, end, ']');
		if (t == end)
			return 0;
		t++;
		v->flags |= SIFT_VIA_HOST_V6;
	} else {
		t = sift_find_delim(s, h, end, SIFT_DELIM(':', ';', ','));
		if (t == h)
			return 0;
	}
	v->host.off = h;
	v->host.len = t - h;
	p = sift_skip_lws(s, t, end);
	if (p < end && SIFT_B(s, p) == ':') {
		__u32 port;

		p = sift_number(s, sift_skip_lws(s, p + 1, end), end, &port);
		if (!p || !port || port > 65535)
			return 0;
		v->port = port;
	}
	return p;
}

/* A via-param value: token, host (IPv6 reference included) or quoted string. */
SIFT_SUBPROG __u32 sift_gen_value(struct sift_scratch *s, __u32 p, __u32 end)
{
	if (!s || p >= end)
		return p;
	if (SIFT_B(s, p) == '"')
		return sift_skip_quoted(s, p, end);
	if (SIFT_B(s, p) == '[') {
		__u32 q = sift_find(s, p, end, ']');

		return q == end || sift_skip_ct(s, p + 1, q, SIFT_CT_HOST | SIFT_CT_COLON) != q ?
			       0 :
			       q + 1;
	}
	/* token, host or unbracketed IPv6 (RFC 5118 4.5): up to the next separator */
	return sift_find_delim(s, p, end, SIFT_DELIM(';', ',', '"'));
}

/* One via-param at @p (after ';'): the offset after it, or 0 if malformed. */
SIFT_SUBPROG __u32 sift_via_param(struct sift_scratch *s, __u32 p, __u32 end, struct sift_via *v)
{
	__u32 name, nlen, val = 0, vend = 0;
	__u64 w;

	if (!s || !v)
		return 0;
	name = sift_skip_lws(s, p, end);
	p = sift_find_delim(s, name, end, SIFT_DELIM('=', ';', ','));
	nlen = p - name;
	if (!nlen)
		return 0;
	p = sift_skip_lws(s, p, end);
	if (p < end && SIFT_B(s, p) == '=') {
		val = sift_skip_lws(s, p + 1, end);
		vend = sift_gen_value(s, val, end);
		if (!vend || vend == val)
			return 0;
		p = sift_skip_lws(s, vend, end);
	}
	w = sift_lword(s, name, nlen);
	if (nlen == 6 && w == SIFT_C8('b', 'r', 'a', 'n', 'c', 'h', 0, 0)) {
		if (!val)
			return 0;
		v->flags |= SIFT_VIA_BRANCH;
		v->branch.off = val;
		v->branch.len = vend - val;
		if (vend - val >= 7 &&
		    (SIFT_W(s, val) & sift_bytes_mask(7)) ==
			    SIFT_C8('z', '9', 'h', 'G', '4', 'b', 'K', 0))
			v->flags |= SIFT_VIA_COOKIE;
	} else if (nlen == 8 && w == SIFT_C8('r', 'e', 'c', 'e', 'i', 'v', 'e', 'd')) {
		if (!val)
			return 0;
		v->flags |= SIFT_VIA_RECEIVED;
		v->received.off = val;
		v->received.len = vend - val;
	} else if (nlen == 5 && w == SIFT_C8('r', 'p', 'o', 'r', 't', 0, 0, 0)) {
		v->flags |= SIFT_VIA_RPORT;
		if (val) {
			__u32 port;

			if (sift_number(s, val, vend, &port) != vend || !port || port > 65535)
				return 0;
			v->rport = port;
		}
	} else if (nlen == 5 && w == SIFT_C8('m', 'a', 'd', 'd', 'r', 0, 0, 0)) {
		if (!val)
			return 0;
		v->flags |= SIFT_VIA_MADDR;
		v->maddr.off = val;
		v->maddr.len = vend - val;
	} else if (nlen == 3 && w == SIFT_C8('t', 't', 'l', 0, 0, 0, 0, 0)) {
		__u32 ttl;

		if (!val || sift_number(s, val, vend, &ttl) != vend || ttl > 255)
			return 0;
		v->flags |= SIFT_VIA_TTL;
		v->ttl = ttl;
	}
	return p;
}

/*
 * Count the via-parms from @p to @end (beyond the top two only the count
 * matters).  Quotes may hide commas.  Returns the count, or -1 if a value is
 * empty or a quote does not end.
 */
SIFT_SUBPROG int sift_via_count(struct sift_scratch *s, __u32 p, __u32 end)
{
	int n = 0;

	if (!s)
		return -1;
	for (int i = 0; i < 64; i++) {
		__u32 q;

		p = sift_skip_lws(s, p, end);
		if (p >= end || SIFT_B(s, p) == ',')
			return -1;
		q = sift_find2(s, p, end, ',', '"');
		if (q < end && SIFT_B(s, q) == '"') {
			q = sift_skip_quoted(s, q, end);
			if (!q)
				return -1;
			q = sift_find(s, q, end, ',');
		}
		n++;
		if (q >= end)
			return n;
		p = q + 1;
	}
	return -1;
}

/*
 * One via-parm at @p: sent-protocol, sent-by, parameters.  Fills @v and
 * returns the offset of the ',' after it or @end; 0 if malformed.
 */
SIFT_SUBPROG __u32 sift_via(struct sift_scratch *s, __u32 p, __u32 end, struct sift_via *v)
{
	__u32 start;

	if (!s || !v)
		return 0;
	start = sift_skip_lws(s, p, end);
	p = sift_via_sent_by(s, start, end, v);
	if (!p)
		return 0;
	for (int i = 0; i < 32; i++) {
		__u8 c;

		p = sift_skip_lws(s, p, end);
		if (p >= end)
			break;
		c = SIFT_B(s, p);
		if (c == ',')
			break;
		if (c != ';')
			return 0;
		/* the usual ";branch=value" */
		if (end - p > 8 && (sift_lword(s, p, 8) | 0x20) == SIFT_C8(';', 'b', 'r', 'a', 'n', 'c', 'h', '=') &&
		    sift_ct(SIFT_B(s, p + 8)) & SIFT_CT_TOKEN && !(v->flags & SIFT_VIA_BRANCH)) {
			__u32 val = p + 8, vend = sift_find_delim2(s, val, end, ';', ',');

			v->flags |= SIFT_VIA_BRANCH;
			v->branch.off = val;
			v->branch.len = vend - val;
			if (vend - val >= 7 && (SIFT_W(s, val) & sift_bytes_mask(7)) ==
						       SIFT_C8('z', '9', 'h', 'G', '4', 'b', 'K', 0))
				v->flags |= SIFT_VIA_COOKIE;
			p = vend;
			continue;
		}
		p = sift_via_param(s, p + 1, end, v);
		if (!p)
			return 0;
	}
	if (p < end && SIFT_B(s, p) != ',')
		return 0;
	/*
	 * A quote outside a quoted value (in the transport, the host, a branch)
	 * must fail here as it does where lower Vias are only counted: sift
	 * pushes this Via down when it forwards.
	 */
	if (sift_find(s, start, p, '"') != p && sift_via_count(s, start, p) != 1)
		return 0;
	v->value.off = start;
	v->value.len = sift_trim_end(s, start, p) - start;
	return p;
}

/*
 * hostname = *( domainlabel "." ) toplabel [ "." ] (RFC 3261 25.1): labels
 * of letters and digits with '-' inside them, the last one starting with a
 * letter, filling [p, end).  At most 255 characters, as in DNS (RFC 1035
 * 2.3.4).  0 or -1.  verifier: the bound is its budget too, several states
 * a step (after a '.', after a '-', after the rest).
 */
#define SIFT_HOSTNAME_MAX 255
SIFT_SUBPROG int sift_hostname_check(struct sift_scratch *s, __u32 p, __u32 end)
{
	__u32 prev = '.', top = 0;

	if (!s || p >= end || end - p > SIFT_HOSTNAME_MAX)
		return -1;
	for (int i = 0; i < SIFT_HOSTNAME_MAX; i++) {
		__u8 c, ct;

		if (p >= end)
			break;
		c = SIFT_B(s, p);
		ct = sift_ct(c);
		if (c == '.' || c == '-') {
			/* a label is not empty and neither starts nor ends with '-' */
			if (prev == '.' || (c == '.' && prev == '-'))
				return -1;
		} else if (!(ct & (SIFT_CT_ALPHA | SIFT_CT_DIGIT))) {
			return -1;
		} else if (prev == '.') {
			top = ct & SIFT_CT_ALPHA; /* how the latest label starts */
		}
		prev = c;
		p++;
	}
	return !top || prev == '-' ? -1 : 0;
}

/*
 * What a Via's addresses hold, once sift_via() has found them: the sent-by
 * host is an IPv6 reference, an IPv4 address or a hostname, and received=
 * an IPv4 or IPv6 address (bracketed or not, RFC 5118 4.5), since responses
 * are sent there (RFC 3261 18.2.2).  0 or -1.  verifier: called from the
 * inlined sift_via_top(), so the address parsers' calls stay within eight
 * frames.
 */
SIFT_SUBPROG int sift_via_addrs(struct sift_scratch *s, struct sift_via *v)
{
	struct sift_addr a = {};
	__u32 h, len;

	if (!s || !v)
		return -1;
	h = v->host.off;
	len = v->host.len;
	__builtin_memset(&v->addr, 0, sizeof(v->addr));
	if (!len)
		return -1;
	if (SIFT_B(s, h) == '[') {
		if (sift_ip6_parse(s, h, len, &v->addr))
			return -1;
	} else if (!(sift_ct(SIFT_B(s, h)) & SIFT_CT_DIGIT) || sift_ip4_parse(s, h, len, &v->addr)) {
		/* not a dotted quad: a name (whose last label starts with a letter) */
		__builtin_memset(&v->addr, 0, sizeof(v->addr));
		if (sift_hostname_check(s, h, h + len))
			return -1;
	}
	if ((v->flags & SIFT_VIA_RECEIVED) &&
	    sift_ip_parse(s, v->received.off, v->received.len, &a))
		return -1;
	return 0;
}

/*
 * The next via-parm at @p into msg.via[msg.n_via] (one of the top two).
 * Returns the offset of the ',' after it or @end; 0 if malformed.
 * verifier: inline, because the calls below it already nest eight deep.
 */
SIFT_INLINE __u32 sift_via_top(struct sift_scratch *s, __u32 p, __u32 end, __u32 hdr_off,
				__u32 hdr_len)
{
	struct sift_sip_msg *m;
	struct sift_via *v;
	__u32 q;

	if (!s)
		return 0;
	m = &s->msg;
	/* verifier: a choice, not an index clang may prove in range and drop */
	v = m->n_via ? &m->via[1] : &m->via[0];
	q = sift_via(s, p, end, v);
	if (!q || sift_via_addrs(s, v)) {
		/*
		 * Its place stays taken, empty: a Via in a later header must not
		 * pass for the top one, which siftd would answer through.
		 */
		__builtin_memset(v, 0, sizeof(*v));
		m->n_via++;
		return 0;
	}
	if (!m->n_via) {
		m->via_hdr.off = hdr_off;
		m->via_hdr.len = hdr_len;
		if (q < end)
			m->via_next = sift_skip_lws(s, q + 1, end);
	}
	m->n_via++;
	return q;
}

/*
 * A top Via of another protocol or version is kept for siftd to answer
 * through (505), yet it is not valid.
 */
SIFT_INLINE int sift_via_reason(const struct sift_sip_msg *m)
{
	if ((m->via[0].flags | m->via[1].flags) & SIFT_VIA_BAD_PROTO)
		return SIFT_REASON_BAD_VIA;
	return SIFT_REASON_OK;
}

/*
 * The values of one Via header [p, end) (@hdr_off/@hdr_len: its lines).
 * The top two of the message are parsed in full, the rest counted.
 */
SIFT_SUBPROG int sift_parse_via_hdr(struct sift_scratch *s, __u32 p, __u32 end, __u32 hdr_off,
				    __u32 hdr_len)
{
	struct sift_sip_msg *m;
	int n;

	if (!s)
		return SIFT_REASON_BAD_VIA;
	m = &s->msg;
	/* Straight-line for the top two: verifier-cheap and what routing needs. */
	for (int k = 0; k < 2; k++) {
		__u32 q;

		if (m->n_via >= 2)
			break;
		p = sift_skip_lws(s, p, end);
		if (p >= end || SIFT_B(s, p) == ',')
			return SIFT_REASON_BAD_VIA;
		q = sift_via_top(s, p, end, hdr_off, hdr_len);
		if (!q)
			return SIFT_REASON_BAD_VIA;
		if (q >= end)
			return sift_via_reason(m);
		p = q + 1;
	}
	n = sift_via_count(s, p, end);
	if (n < 0)
		return SIFT_REASON_BAD_VIA;
	m->n_via += n;
	return sift_via_reason(m);
}

/* ---- name-addr headers ------------------------------------------------------ */

/*
 * From, To: ( name-addr / addr-spec ) *( SEMI param ), keeping the tag.
 * Display names are a quoted string or tokens; no LWS inside <...>.  The
 * URI passes sift_uri_check(); tag-param = "tag" EQUAL token.
 */
SIFT_SUBPROG int sift_parse_fromto(struct sift_scratch *s, __u32 p, __u32 end, struct sift_span *tag)
{
	__u32 lt, gt, ue;

	if (!s || !tag)
		return -1;
	p = sift_skip_lws(s, p, end);
	if (p >= end)
		return -1;
	if (SIFT_B(s, p) == '"') {
		p = sift_skip_quoted(s, p, end);
		if (!p)
			return -1;
		lt = sift_skip_lws(s, p, end);
		if (lt >= end || SIFT_B(s, lt) != '<')
			return -1;
	} else {
		lt = sift_find(s, p, end, '<');
		/* display-name = *(token LWS) */
		if (lt < end && sift_skip_ct(s, p, lt, SIFT_CT_TOKEN | SIFT_CT_LWS) != lt)
			return -1;
	}
	if (lt < end) {
		/* the first of '>' or LWS must be '>': no LWS inside <...> */
		gt = sift_find_delim1(s, lt + 1, end, '>');
		if (gt == end || gt == lt + 1 || SIFT_B(s, gt) != '>' || sift_uri_check(s, lt + 1, gt))
			return -1;
		p = gt + 1;
		/*
		 * The usual ";tag=value" straight after it (the case of the letters
		 * only folded); the parameter loop below checks what follows.
		 */
		if (end - p > 5 &&
		    ((SIFT_W(s, p) | SIFT_C8(0, 0x20, 0x20, 0x20, 0, 0, 0, 0)) & sift_bytes_mask(5)) ==
			    SIFT_C8(';', 't', 'a', 'g', '=', 0, 0, 0) &&
		    sift_ct(SIFT_B(s, p + 5)) & SIFT_CT_TOKEN) {
			__u32 vend = sift_skip_ct(s, p + 5, end, SIFT_CT_TOKEN);

			tag->off = p + 5;
			tag->len = vend - p - 5;
			p = vend;
		}
	} else {
		/* addr-spec: the URI runs to the first ';' and holds no LWS */
		gt = sift_find(s, p, end, ';');
		ue = sift_trim_end(s, p, gt);
		if (ue == p || sift_find2(s, p, ue, ' ', '\t') < ue || sift_uri_check(s, p, ue))
			return -1;
		p = gt;
	}
	for (int i = 0; i < 32; i++) {
		__u32 name, nlen, val, vend, is_tag;

		p = sift_skip_lws(s, p, end);
		if (p >= end)
			return 0;
		if (SIFT_B(s, p) != ';')
			return -1;
		name = sift_skip_lws(s, p + 1, end);
		p = sift_skip_ct(s, name, end, SIFT_CT_TOKEN);
		nlen = p - name;
		if (!nlen)
			return -1;
		is_tag = nlen == 3 && sift_lword(s, name, 3) == SIFT_C8('t', 'a', 'g', 0, 0, 0, 0, 0);
		p = sift_skip_lws(s, p, end);
		if (p >= end || SIFT_B(s, p) != '=') {
			if (is_tag)
				return -1; /* a tag without its value */
			continue;
		}
		val = sift_skip_lws(s, p + 1, end);
		vend = sift_gen_value(s, val, end);
		if (!vend || vend == val)
			return -1;
		if (is_tag) {
			if (sift_skip_ct(s, val, vend, SIFT_CT_TOKEN) != vend)
				return -1; /* not a token: a quoted string, an IPv6 reference */
			tag->off = val;
			tag->len = vend - val;
		}
		p = vend;
	}
	return -1;
}

/*
 * One route-param at @p: "<uri>" with an optional display name and
 * parameters.  Fills @u; returns where the next route-param starts (past the
 * comma and LWS), @end if this was the last, or 0 if it is malformed.
 */
SIFT_SUBPROG __u32 sift_route_uri(struct sift_scratch *s, __u32 p, __u32 end, struct sift_uri *u)
{
	__u32 lt, gt, q;

	if (!s || !u)
		return 0;
	p = sift_skip_lws(s, p, end);
	if (p < end && SIFT_B(s, p) == '"') {
		p = sift_skip_quoted(s, p, end);
		if (!p)
			return 0;
	}
	lt = sift_find(s, p, end, '<');
	if (lt == end)
		return 0;
	gt = sift_find_delim1(s, lt + 1, end, '>');
	if (gt == end || SIFT_B(s, gt) != '>')
		return 0;
	if (sift_parse_uri(s, lt + 1, gt, u) != 0)
		return 0;
	q = sift_find2(s, gt, end, ',', '"');
	if (q < end && SIFT_B(s, q) == '"')
		return 0;
	return q < end ? sift_skip_lws(s, q + 1, end) : end;
}

/* The first route-param of a Route header into msg.route; where a second one starts. */
SIFT_SUBPROG int sift_parse_route(struct sift_scratch *s, __u32 p, __u32 end)
{
	__u32 q;

	if (!s)
		return -1;
	q = sift_route_uri(s, p, end, &s->msg.route);
	if (!q)
		return -1;
	if (q < end)
		s->msg.route_next = q;
	return 0;
}

/* The length of the line at @p, CRLF included; 0 if it does not end before @end. */
SIFT_SUBPROG __u32 sift_line_len(struct sift_scratch *s, __u32 p, __u32 end)
{
	__u32 q;

	if (!s)
		return 0;
	q = sift_find(s, p, end, '\n');
	return q < end ? q - p + 1 : 0;
}

/* Contact: '*', or a name-addr, or an addr-spec that may not carry '?' headers. */
SIFT_SUBPROG int sift_check_contact(struct sift_scratch *s, __u32 p, __u32 end)
{
	__u32 lt, q;

	if (!s)
		return -1;
	p = sift_skip_lws(s, p, end);
	if (p >= end)
		return -1;
	lt = sift_find2(s, p, end, '<', '"');
	q = sift_find(s, p, lt, '?');
	return q < lt ? -1 : 0;
}

/* ---- one header -------------------------------------------------------------- */

enum sift_hid {
	SIFT_H_OTHER,
	SIFT_H_VIA,
	SIFT_H_FROM,
	SIFT_H_TO,
	SIFT_H_CALL_ID,
	SIFT_H_CSEQ,
	SIFT_H_MAX_FORWARDS,
	SIFT_H_CONTENT_LENGTH,
	SIFT_H_CONTACT,
	SIFT_H_ROUTE,
	SIFT_H_RECORD_ROUTE,
	SIFT_H_USER_AGENT,
	SIFT_H_PROXY_REQUIRE,
	SIFT_H_DATE,
	SIFT_H_SKIP, /* a header the parser does not read, its name already checked */
};

/* Header name at @p, @len bytes, compact forms included; case-insensitive. */
SIFT_INLINE int sift_header_id(struct sift_scratch *s, __u32 p, __u32 len)
{
	__u64 w0, w1;

	if (len > 16)
		return SIFT_H_OTHER;
	w0 = sift_lword(s, p, len);
	w1 = len > 8 ? sift_lword(s, p + 8, len - 8) : 0;
	switch (len) {
	case 1:
		switch (w0) {
		case 'v':
			return SIFT_H_VIA;
		case 'f':
			return SIFT_H_FROM;
		case 't':
			return SIFT_H_TO;
		case 'i':
			return SIFT_H_CALL_ID;
		case 'l':
			return SIFT_H_CONTENT_LENGTH;
		case 'm':
			return SIFT_H_CONTACT;
		}
		break;
	case 2:
		if (w0 == SIFT_C8('t', 'o', 0, 0, 0, 0, 0, 0))
			return SIFT_H_TO;
		break;
	case 3:
		if (w0 == SIFT_C8('v', 'i', 'a', 0, 0, 0, 0, 0))
			return SIFT_H_VIA;
		break;
	case 4:
		if (w0 == SIFT_C8('c', 's', 'e', 'q', 0, 0, 0, 0))
			return SIFT_H_CSEQ;
		if (w0 == SIFT_C8('f', 'r', 'o', 'm', 0, 0, 0, 0))
			return SIFT_H_FROM;
		if (w0 == SIFT_C8('d', 'a', 't', 'e', 0, 0, 0, 0))
			return SIFT_H_DATE;
		break;
	case 5:
		if (w0 == SIFT_C8('r', 'o', 'u', 't', 'e', 0, 0, 0))
			return SIFT_H_ROUTE;
		break;
	case 7:
		if (w0 == SIFT_C8('c', 'a', 'l', 'l', '-', 'i', 'd', 0))
			return SIFT_H_CALL_ID;
		if (w0 == SIFT_C8('c', 'o', 'n', 't', 'a', 'c', 't', 0))
			return SIFT_H_CONTACT;
		break;
	case 10:
		if (w0 == SIFT_C8('u', 's', 'e', 'r', '-', 'a', 'g', 'e') &&
		    w1 == SIFT_C8('n', 't', 0, 0, 0, 0, 0, 0))
			return SIFT_H_USER_AGENT;
		break;
	case 12:
		if (w0 == SIFT_C8('m', 'a', 'x', '-', 'f', 'o', 'r', 'w') &&
		    w1 == SIFT_C8('a', 'r', 'd', 's', 0, 0, 0, 0))
			return SIFT_H_MAX_FORWARDS;
		if (w0 == SIFT_C8('r', 'e', 'c', 'o', 'r', 'd', '-', 'r') &&
		    w1 == SIFT_C8('o', 'u', 't', 'e', 0, 0, 0, 0))
			return SIFT_H_RECORD_ROUTE;
		break;
	case 13:
		if (w0 == SIFT_C8('p', 'r', 'o', 'x', 'y', '-', 'r', 'e') &&
		    w1 == SIFT_C8('q', 'u', 'i', 'r', 'e', 0, 0, 0))
			return SIFT_H_PROXY_REQUIRE;
		break;
	case 14:
		if (w0 == SIFT_C8('c', 'o', 'n', 't', 'e', 'n', 't', '-') &&
		    w1 == SIFT_C8('l', 'e', 'n', 'g', 't', 'h', 0, 0))
			return SIFT_H_CONTENT_LENGTH;
		break;
	}
	return SIFT_H_OTHER;
}

/* Is every byte of the @n-byte name in word @w printable ASCII other than SP (0x21..0x7e)? */
SIFT_INLINE int sift_name_ok(__u64 w, __u32 n)
{
	__u64 keep = sift_bytes_mask(n);
	__u64 x = (w & keep) | (SIFT_REP8('a') & ~keep);

	/* no byte below 0x21, none above 0x7e */
	return !((x - SIFT_REP8(0x21)) & ~x & SIFT_REP8(0x80)) &&
	       !(((x + SIFT_REP8(1)) | x) & SIFT_REP8(0x80));
}

/*
 * A header name and its colon as one lower-cased pattern.  Only the letters
 * are case-folded (OR 0x20 on letter positions alone), so that no other byte
 * (a bare CR is 0x0d, and 0x0d | 0x20 is '-') can pass for '-' or ':'.
 */
#define SIFT_FOLD_(c) ((c) >= 'a' && (c) <= 'z' ? 0x20 : 0)
#define SIFT_FOLD8(a, b, c, d, e, f, g, h)                                                         \
	SIFT_C8(SIFT_FOLD_(a), SIFT_FOLD_(b), SIFT_FOLD_(c), SIFT_FOLD_(d), SIFT_FOLD_(e),        \
		SIFT_FOLD_(f), SIFT_FOLD_(g), SIFT_FOLD_(h))
#define SIFT_HMATCH(w, n, a, b, c, d, e, f, g, h)                                                  \
	((((w) | SIFT_FOLD8(a, b, c, d, e, f, g, h)) & sift_bytes_masks[n]) ==                     \
	 SIFT_C8(a, b, c, d, e, f, g, h))

/*
 * Recognise the usual spellings of the headers the parser reads: the name in
 * any case, directly followed by ':'.  Returns the header id and sets the
 * colon; SIFT_H_SKIP for the commonest headers it does not read (their names
 * are valid as matched, so there is nothing left to check); or 0 for
 * everything else (other spellings, other headers), which the general path
 * then handles.
 */
SIFT_INLINE int sift_header_fast(struct sift_scratch *s, __u32 ls, __u32 eol, __u32 *colon)
{
	__u64 w = SIFT_W(s, ls), w8;

	if (eol - ls < 3)
		return 0;
	switch (SIFT_B(s, ls) | 0x20) {
	case 'v':
		if (SIFT_HMATCH(w, 2, 'v', ':', 0, 0, 0, 0, 0, 0))
			return *colon = ls + 1, SIFT_H_VIA;
		if (SIFT_HMATCH(w, 4, 'v', 'i', 'a', ':', 0, 0, 0, 0))
			return *colon = ls + 3, SIFT_H_VIA;
		return 0;
	case 'f':
		if (SIFT_HMATCH(w, 2, 'f', ':', 0, 0, 0, 0, 0, 0))
			return *colon = ls + 1, SIFT_H_FROM;
		if (SIFT_HMATCH(w, 5, 'f', 'r', 'o', 'm', ':', 0, 0, 0))
			return *colon = ls + 4, SIFT_H_FROM;
		return 0;
	case 't':
		if (SIFT_HMATCH(w, 2, 't', ':', 0, 0, 0, 0, 0, 0))
			return *colon = ls + 1, SIFT_H_TO;
		if (SIFT_HMATCH(w, 3, 't', 'o', ':', 0, 0, 0, 0, 0))
			return *colon = ls + 2, SIFT_H_TO;
		return 0;
	case 'i':
		if (SIFT_HMATCH(w, 2, 'i', ':', 0, 0, 0, 0, 0, 0))
			return *colon = ls + 1, SIFT_H_CALL_ID;
		return 0;
	case 'l':
		if (SIFT_HMATCH(w, 2, 'l', ':', 0, 0, 0, 0, 0, 0))
			return *colon = ls + 1, SIFT_H_CONTENT_LENGTH;
		return 0;
	case 'm':
		if (SIFT_HMATCH(w, 2, 'm', ':', 0, 0, 0, 0, 0, 0))
			return *colon = ls + 1, SIFT_H_CONTACT;
		if (eol - ls < 13 || !SIFT_HMATCH(w, 8, 'm', 'a', 'x', '-', 'f', 'o', 'r', 'w'))
			return 0;
		w8 = SIFT_W(s, ls + 8);
		if (SIFT_HMATCH(w8, 5, 'a', 'r', 'd', 's', ':', 0, 0, 0))
			return *colon = ls + 12, SIFT_H_MAX_FORWARDS;
		return 0;
	case 'c':
		if (SIFT_HMATCH(w, 5, 'c', 's', 'e', 'q', ':', 0, 0, 0))
			return *colon = ls + 4, SIFT_H_CSEQ;
		if (SIFT_HMATCH(w, 8, 'c', 'a', 'l', 'l', '-', 'i', 'd', ':'))
			return *colon = ls + 7, SIFT_H_CALL_ID;
		if (SIFT_HMATCH(w, 8, 'c', 'o', 'n', 't', 'a', 'c', 't', ':'))
			return *colon = ls + 7, SIFT_H_CONTACT;
		if (eol - ls < 15 || !SIFT_HMATCH(w, 8, 'c', 'o', 'n', 't', 'e', 'n', 't', '-'))
			return 0;
		w8 = SIFT_W(s, ls + 8);
		if (SIFT_HMATCH(w8, 7, 'l', 'e', 'n', 'g', 't', 'h', ':', 0))
			return *colon = ls + 14, SIFT_H_CONTENT_LENGTH;
		if (SIFT_HMATCH(w8, 5, 't', 'y', 'p', 'e', ':', 0, 0, 0))
			return SIFT_H_SKIP;
		return 0;
	case 'a':
		if (SIFT_HMATCH(w, 6, 'a', 'l', 'l', 'o', 'w', ':', 0, 0) ||
		    SIFT_HMATCH(w, 7, 'a', 'c', 'c', 'e', 'p', 't', ':', 0))
			return SIFT_H_SKIP;
		return 0;
	case 's':
		if (eol - ls >= 10 && SIFT_HMATCH(w, 8, 's', 'u', 'p', 'p', 'o', 'r', 't', 'e') &&
		    SIFT_HMATCH(SIFT_W(s, ls + 8), 2, 'd', ':', 0, 0, 0, 0, 0, 0))
			return SIFT_H_SKIP;
		return 0;
	case 'r':
		if (SIFT_HMATCH(w, 6, 'r', 'o', 'u', 't', 'e', ':', 0, 0))
			return *colon = ls + 5, SIFT_H_ROUTE;
		if (eol - ls < 13 || !SIFT_HMATCH(w, 8, 'r', 'e', 'c', 'o', 'r', 'd', '-', 'r'))
			return 0;
		w8 = SIFT_W(s, ls + 8);
		if (SIFT_HMATCH(w8, 5, 'o', 'u', 't', 'e', ':', 0, 0, 0))
			return *colon = ls + 12, SIFT_H_RECORD_ROUTE;
		return 0;
	case 'u':
		if (eol - ls < 11 || !SIFT_HMATCH(w, 8, 'u', 's', 'e', 'r', '-', 'a', 'g', 'e'))
			return 0;
		w8 = SIFT_W(s, ls + 8);
		if (SIFT_HMATCH(w8, 3, 'n', 't', ':', 0, 0, 0, 0, 0))
			return *colon = ls + 10, SIFT_H_USER_AGENT;
		return 0;
	}
	return 0;
}

/* A number filling the value [p, end) but for LWS around it; 0 or -1. */
SIFT_SUBPROG int sift_value_number(struct sift_scratch *s, __u32 p, __u32 end, __u32 *out,
				   struct sift_span *digits)
{
	__u32 q;

	if (!s || !out || !digits)
		return -1;
	p = sift_skip_lws(s, p, end);
	q = sift_number(s, p, end, out);
	if (!q || sift_skip_lws(s, q, end) != end)
		return -1;
	digits->off = p;
	digits->len = q - p;
	return 0;
}

/* The first ':' in [p, end): the first two words inline (names are short), then a scan. */
SIFT_INLINE __u32 sift_colon(struct sift_scratch *s, __u32 p, __u32 end)
{
	__u64 t = sift_match_first(SIFT_W(s, p), ':');
	__u32 q;

	if (t) {
		q = p + sift_first_byte(t);
		return q < end ? q : end;
	}
	t = sift_match_first(SIFT_W(s, p + 8), ':');
	if (t) {
		q = p + 8 + sift_first_byte(t);
		return q < end ? q : end;
	}
	return sift_find(s, p + 16, end, ':');
}

/*
 * The header [ls, ve) whose first line ends at @eol (ve: the CR of its last
 * line).  Returns a reason.
 */
SIFT_SUBPROG int sift_header(struct sift_scratch *s, __u32 ls, __u32 eol, __u32 ve)
{
	struct sift_sip_msg *m;
	struct sift_span dummy;
	__u32 colon, ne, vs, id, bit, v32;

	if (!s)
		return 0;
	m = &s->msg;
	/* The usual spellings ("Via:", "v:", "Call-ID:"...) without a search. */
	id = sift_header_fast(s, ls, eol, &colon);
	if (id == SIFT_H_SKIP)
		return 0;
	if (id)
		goto known;

	/* A header starts with its name: a line of LWS here continues the start line. */
	if (SIFT_B(s, ls) == ' ' || SIFT_B(s, ls) == '\t')
		return SIFT_REASON_BAD_HEADER;
	colon = sift_colon(s, ls, eol);
	if (colon >= eol)
		return SIFT_REASON_BAD_HEADER;
	ne = colon;
	for (int k = 0; k < 16; k++) {
		if (ne <= ls || (SIFT_B(s, ne - 1) != ' ' && SIFT_B(s, ne - 1) != '\t'))
			break;
		ne--;
	}
	if (ne == ls)
		return SIFT_REASON_BAD_HEADER;
	/* Names are printable ASCII without spaces; longer ones are unknown to us anyway. */
	if (ne - ls <= 16 &&
	    !(sift_name_ok(SIFT_W(s, ls), ne - ls < 8 ? ne - ls : 8) &&
	      (ne - ls <= 8 || sift_name_ok(SIFT_W(s, ls + 8), ne - ls - 8))))
		return SIFT_REASON_BAD_HEADER;
	id = sift_header_id(s, ls, ne - ls);
known:
	vs = colon + 1;

	bit = 0;
	switch (id) {
	case SIFT_H_VIA:
		bit = SIFT_HDR_VIA;
		break;
	case SIFT_H_FROM:
		bit = SIFT_HDR_FROM;
		break;
	case SIFT_H_TO:
		bit = SIFT_HDR_TO;
		break;
	case SIFT_H_CALL_ID:
		bit = SIFT_HDR_CALL_ID;
		break;
	case SIFT_H_CSEQ:
		bit = SIFT_HDR_CSEQ;
		break;
	case SIFT_H_MAX_FORWARDS:
		bit = SIFT_HDR_MAX_FORWARDS;
		break;
	case SIFT_H_CONTENT_LENGTH:
		bit = SIFT_HDR_CONTENT_LENGTH;
		break;
	case SIFT_H_CONTACT:
		bit = SIFT_HDR_CONTACT;
		break;
	case SIFT_H_ROUTE:
		bit = SIFT_HDR_ROUTE;
		break;
	case SIFT_H_RECORD_ROUTE:
		bit = SIFT_HDR_RECORD_ROUTE;
		break;
	case SIFT_H_USER_AGENT:
		bit = SIFT_HDR_USER_AGENT;
		break;
	case SIFT_H_PROXY_REQUIRE:
		bit = SIFT_HDR_PROXY_REQUIRE;
		break;
	case SIFT_H_DATE:
		bit = SIFT_HDR_DATE;
		break;
	default:
		return 0; /* unknown headers are skipped */
	}
	if ((bit & SIFT_HDR_SINGLE) && (m->present & bit))
		return SIFT_REASON_DUP_HEADER;
	m->present |= bit;

	switch (id) {
	case SIFT_H_VIA: {
		return sift_parse_via_hdr(s, vs, ve, ls, ve + 2 - ls);
	}
	case SIFT_H_FROM:
		return sift_parse_fromto(s, vs, ve, &m->from_tag) ?
						SIFT_REASON_BAD_FROM : 0;
	case SIFT_H_TO:
		return sift_parse_fromto(s, vs, ve, &m->to_tag) ?
						SIFT_REASON_BAD_TO : 0;
	case SIFT_H_CALL_ID: {
		__u32 at;

		vs = sift_skip_lws(s, vs, ve);
		ve = sift_trim_end(s, vs, ve);
		/* callid = word [ "@" word ]: dialogs are told apart, and hashed, by it */
		at = sift_find_nonword(s, vs, ve);
		if (at == vs || (at < ve && (SIFT_B(s, at) != '@' || at + 1 == ve ||
					     sift_find_nonword(s, at + 1, ve) != ve)))
			return SIFT_REASON_BAD_CALL_ID;
		m->call_id.off = vs;
		m->call_id.len = ve - vs;
		return 0;
	}
	case SIFT_H_CSEQ: {
		__u32 q, me;

		vs = sift_skip_lws(s, vs, ve);
		q = sift_number(s, vs, ve, &v32);
		/* RFC 3261 8.1.1.5: the sequence number is less than 2**31 */
		if (!q || v32 > 0x7fffffff)
			return SIFT_REASON_BAD_CSEQ;
		m->cseq = v32;
		vs = sift_skip_lws(s, q, ve);
		if (vs == q)
			return SIFT_REASON_BAD_CSEQ;
		me = sift_find_delim1(s, vs, ve, 0);
		if (me == vs || sift_skip_lws(s, me, ve) != ve)
			return SIFT_REASON_BAD_CSEQ;
		m->cseq_method_tok.off = vs;
		m->cseq_method_tok.len = me - vs;
		m->cseq_method = sift_method(s, vs, me - vs);
		/* known methods are tokens by construction; others are checked */
		if (m->cseq_method == SIFT_METHOD_OTHER &&
		    sift_skip_ct(s, vs, me, SIFT_CT_TOKEN) != me)
			return SIFT_REASON_BAD_CSEQ;
		return 0;
	}
	case SIFT_H_MAX_FORWARDS:
		if (sift_value_number(s, vs, ve, &v32, &m->mf_digits) || v32 > 255)
			return SIFT_REASON_BAD_MAX_FORWARDS;
		m->max_forwards = v32;
		return 0;
	case SIFT_H_CONTENT_LENGTH:
		if (sift_value_number(s, vs, ve, &v32, &dummy))
			return SIFT_REASON_BAD_CONTENT_LENGTH;
		m->content_length = v32;
		return 0;
	case SIFT_H_CONTACT:
		m->n_contact++;
		return sift_check_contact(s, vs, ve) ? SIFT_REASON_BAD_CONTACT : 0;
	case SIFT_H_ROUTE:
		if (!m->n_route++) {
			if (sift_parse_route(s, vs, ve))
				return SIFT_REASON_BAD_ROUTE;
			m->route_hdr.off = ls;
			m->route_hdr.len = ve + 2 - ls;
		}
		return 0;
	case SIFT_H_RECORD_ROUTE:
		m->n_record_route++;
		return 0;
	case SIFT_H_USER_AGENT:
		if (!m->user_agent.len) {
			vs = sift_skip_lws(s, vs, ve);
			m->user_agent.off = vs;
			m->user_agent.len = sift_trim_end(s, vs, ve) - vs;
		}
		return 0;
	case SIFT_H_DATE:
		/* rfc1123-date ends in "GMT"; no other zone is legal. */
		ve = sift_trim_end(s, vs, ve);
		if (ve - vs < 4 || (SIFT_W(s, ve - 3) & sift_bytes_mask(3)) !=
					   SIFT_C8('G', 'M', 'T', 0, 0, 0, 0, 0))
			return SIFT_REASON_BAD_DATE;
		return 0;
	default:
		return 0;
	}
}

/* The line after header @i's continuation lines (those starting with LWS). */
SIFT_SUBPROG __u32 sift_next_header(struct sift_scratch *s, __u32 i, __u32 n)
{
	__u32 j = i + 1;

	if (!s)
		return SIFT_MAX_LINES;
	for (int k = 0; k < SIFT_MAX_LINES; k++) {
		__u8 c;

		if (j >= n)
			break;
		c = SIFT_B(s, sift_line(s, j));
		if (c != ' ' && c != '\t')
			break;
		j++;
	}
	return j;
}

/* ---- the message --------------------------------------------------------------- */

SIFT_INLINE __u8 sift_action_of(const struct sift_sip_msg *m)
{
	switch (sift_reason_class[m->reason & (SIFT_REASON_CLASS_SLOTS - 1)]) {
	case SIFT_RCLASS_ok:
		return SIFT_ACTION_FORWARD;
	case SIFT_RCLASS_bound:
		return SIFT_ACTION_PUNT;
	case SIFT_RCLASS_policy:
		return m->kind == SIFT_KIND_REQUEST ? SIFT_ACTION_PUNT : SIFT_ACTION_DROP;
	case SIFT_RCLASS_syntax:
		/* siftd can answer a request only through its top Via. */
		return m->kind == SIFT_KIND_REQUEST && m->via[0].host.len ? SIFT_ACTION_PUNT :
									    SIFT_ACTION_DROP;
	case SIFT_RCLASS_route:
		return SIFT_ACTION_PUNT;
	default:
		return SIFT_ACTION_DROP;
	}
}

/* Checks that need the whole message, in the order their answers matter. */
SIFT_SUBPROG int sift_finish(struct sift_scratch *s, __u32 len)
{
	struct sift_sip_msg *m;

	if (!s)
		return SIFT_REASON_NOT_SIP;
	m = &s->msg;
	if ((m->present & SIFT_HDR_MANDATORY) != SIFT_HDR_MANDATORY)
		return SIFT_REASON_MISSING_HEADER;
	if (m->present & SIFT_HDR_CONTENT_LENGTH) {
		if (m->content_length > len - m->eoh)
			return SIFT_REASON_BAD_CONTENT_LENGTH;
		m->body_len = m->content_length;
	}
	if (m->kind != SIFT_KIND_REQUEST)
		return SIFT_REASON_OK;
	if (m->cseq_method != m->method ||
	    (m->method == SIFT_METHOD_OTHER &&
	     (m->cseq_method_tok.len != m->method_tok.len ||
	      !sift_span_eq(s, m->cseq_method_tok.off, m->method_tok.off, m->method_tok.len))))
		return SIFT_REASON_CSEQ_MISMATCH;
	if (m->ruri.scheme == SIFT_SCHEME_OTHER)
		return SIFT_REASON_UNSUPPORTED_SCHEME;
	if (m->present & SIFT_HDR_PROXY_REQUIRE)
		return SIFT_REASON_PROXY_REQUIRE;
	/* none at all (RFC 2543 peers): forwarded with 70 (RFC 3261 16.6 step 3) */
	if ((m->present & SIFT_HDR_MAX_FORWARDS) && !m->max_forwards)
		return SIFT_REASON_MAX_FORWARDS_ZERO;
	return SIFT_REASON_OK;
}

/*
 * Parse the @len-byte message at the start of @s->buf into @s->msg.
 * Returns the reason (SIFT_REASON_OK: forward-eligible); msg.action says
 * what to do with it.
 */
SIFT_SUBPROG int sift_sip_parse(struct sift_scratch *s, __u32 len)
{
	struct sift_sip_msg *m;
	__u32 start, framing = 0;
	int n;

	if (!s)
		return SIFT_REASON_NOT_SIP;
	m = &s->msg;
	__builtin_memset(m, 0, sizeof(*m));
	if (len > SIFT_MSG_MAX) {
		m->len = len > 0xffff ? 0xffff : len;
		m->reason = SIFT_REASON_TOO_LONG;
		m->action = SIFT_ACTION_PUNT;
		return m->reason;
	}
	m->len = len;

	/*
	 * A STUN Binding request on a SIP port, RFC 5626 4.4.2's keep-alive (RFC
	 * 5389 6: type 0x0001, the magic cookie, a length that is the rest of
	 * the datagram, in whole words): siftd answers it.
	 */
	if (len >= 20 && len <= 548 && SIFT_B(s, 0) == 0x00 && SIFT_B(s, 1) == 0x01 &&
	    SIFT_B(s, 4) == 0x21 && SIFT_B(s, 5) == 0x12 && SIFT_B(s, 6) == 0xa4 &&
	    SIFT_B(s, 7) == 0x42 && ((__u32)SIFT_B(s, 2) << 8 | SIFT_B(s, 3)) + 20 == len &&
	    !(SIFT_B(s, 3) & 3)) {
		m->kind = SIFT_KIND_STUN;
		m->reason = SIFT_REASON_STUN;
		m->action = SIFT_ACTION_PUNT;
		return m->reason;
	}
	/*
	 * CRLFs before the start line are ignored (RFC 3261 7.5); only CRLFs is a
	 * keep-alive.  More than SIFT_LWS_MAX of them is not SIP.
	 */
	start = sift_skip_crlf(s, len);
	if (start >= len) {
		m->kind = SIFT_KIND_KEEPALIVE;
		m->reason = SIFT_REASON_KEEPALIVE;
		m->action = SIFT_ACTION_DROP;
		return m->reason;
	}
	if (start >= SIFT_LWS_MAX) {
		m->reason = SIFT_REASON_NOT_SIP;
		goto out;
	}

	/* The sentinel that ends the line scan (the buffer has room past SIFT_MSG_MAX). */
	SIFT_B(s, len) = '\r';
	SIFT_B(s, len + 1) = '\n';
	SIFT_B(s, len + 2) = '\r';
	SIFT_B(s, len + 3) = '\n';
	n = sift_scan_lines(s, start, len, 0);
	if (n < 0 && n != -SIFT_REASON_NO_END_OF_HEADERS) {
		m->reason = -n;
		goto out;
	}
	if (n < 0) {
		framing = SIFT_REASON_NO_END_OF_HEADERS;
		n = m->n_lines;
		if (n < 1) {
			m->reason = framing;
			goto out;
		}
	} else {
		m->n_lines = n;
		m->body_len = len - m->eoh;
	}

	m->reason = sift_parse_start(s, start, sift_line(s, 1) - 2);
	if (m->reason == SIFT_REASON_NOT_SIP)
		goto out;
	/* Every header is parsed even after a problem: siftd needs the Via to answer. */
	for (__u32 i = 1, k = 0; k < SIFT_MAX_LINES; k++) {
		__u32 j;
		__u8 c;

		if (i >= (__u32)n)
			break;
		/* a continuation line starts with SP or HT; most headers have none */
		c = SIFT_B(s, sift_line(s, i + 1));
		j = c == ' ' || c == '\t' ? sift_next_header(s, i, n) : i + 1;
		sift_set_reason(m, sift_header(s, sift_line(s, i), sift_line(s, i + 1) - 2,
					       sift_line(s, j) - 2));
		i = j;
	}
	sift_set_reason(m, framing);
	if (!m->reason)
		m->reason = sift_finish(s, len);
out:
	m->action = sift_action_of(m);
	return m->reason;
}

#endif /* SIFT_SIP_PARSE_H */
