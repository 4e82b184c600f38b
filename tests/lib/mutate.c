// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "mutate.h"
#include "pkt.h"

void mutator_seed(struct mutator *mu, uint64_t seed)
{
	mu->state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

uint64_t mutator_next(struct mutator *mu)
{
	uint64_t x = mu->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	mu->state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static size_t below(struct mutator *mu, size_t n)
{
	return n ? mutator_next(mu) % n : 0;
}

/* Start of the @k-th line of @p (or @len when there are fewer). */
static size_t line_start(const uint8_t *p, size_t len, size_t k)
{
	size_t off = 0;

	while (k-- && off < len) {
		const uint8_t *nl = memchr(p + off, '\n', len - off);

		if (!nl)
			return len;
		off = nl - p + 1;
	}
	return off;
}

static size_t count_lines(const uint8_t *p, size_t len)
{
	size_t n = 1;

	for (size_t i = 0; i < len; i++)
		n += p[i] == '\n';
	return n;
}

size_t mutate(struct mutator *mu, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
	      uint8_t *out, size_t cap, const char **what)
{
	static const char seps[] = "\r\n \t:;,\"<>[]=@/?\\%0";
	size_t n = alen < cap ? alen : cap, i, j, k;

	memcpy(out, a, n);
	switch (below(mu, 8)) {
	case 0: /* flip some bytes */
		*what = "byte flips";
		for (k = 1 + below(mu, 4); k-- && n;) {
			i = below(mu, n);
			out[i] = below(mu, 2) ? (uint8_t)mutator_next(mu) : out[i] ^ (1u << below(mu, 8));
		}
		return n;
	case 1: /* truncate */
		*what = "truncation";
		return below(mu, n + 1);
	case 2: { /* duplicate a line of @a at another line start */
		size_t lines = count_lines(a, alen), from, len, to;

		*what = "header duplication";
		from = line_start(a, alen, 1 + below(mu, lines));
		if (from >= alen)
			return n;
		len = line_start(a + from, alen - from, 1);
		to = line_start(out, n, 1 + below(mu, lines));
		if (n + len > cap)
			return n;
		memmove(out + to + len, out + to, n - to);
		memcpy(out + to, a + from, len);
		return n + len;
	}
	case 3: /* splice: a prefix of @a, a suffix of @b, cut at line starts */
		*what = "splice";
		i = line_start(a, alen, below(mu, count_lines(a, alen)));
		j = line_start(b, blen, below(mu, count_lines(b, blen)));
		if (i > cap)
			i = cap;
		k = blen - j < cap - i ? blen - j : cap - i;
		memcpy(out + i, b + j, k);
		return i + k;
	case 4: /* insert separators */
		*what = "separator insertion";
		for (k = 1 + below(mu, 3); k-- && n < cap;) {
			i = below(mu, n + 1);
			memmove(out + i + 1, out + i, n - i);
			out[i] = seps[below(mu, sizeof(seps) - 1)];
			n++;
		}
		return n;
	case 5: /* delete a range */
		*what = "range deletion";
		i = below(mu, n + 1);
		j = i + below(mu, 1 + (n - i < 40 ? n - i : 40));
		memmove(out + i, out + j, n - j);
		return n - (j - i);
	case 6: /* swap two lines' case: header names are case-insensitive */
		*what = "case change";
		for (k = 0; k < 6 && n; k++) {
			i = below(mu, n);
			if ((out[i] | 0x20) >= 'a' && (out[i] | 0x20) <= 'z')
				out[i] ^= 0x20;
		}
		return n;
	default: /* replace a digit run: numbers at their limits */
		*what = "number change";
		for (k = 0; k < 32 && n; k++) {
			static const char *const nums[] = { "0", "255", "256", "65535", "65536",
							    "4294967295", "4294967296", "00000070",
							    "-1", "99999999999999999999" };
			const char *s = nums[below(mu, 10)];
			size_t sl = strlen(s), e;

			i = below(mu, n);
			if (out[i] < '0' || out[i] > '9')
				continue;
			for (e = i; e < n && out[e] >= '0' && out[e] <= '9'; e++)
				;
			if (n - (e - i) + sl > cap)
				return n;
			memmove(out + i + sl, out + e, n - e);
			memcpy(out + i, s, sl);
			return n - (e - i) + sl;
		}
		return n;
	}
}

int corpus_load(const char *dir, struct corpus_msg *msgs, int max)
{
	char path[512], line[4096];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	while (n < max && fgets(line, sizeof(line), f)) {
		char *name = strtok(line, "\t");
		long len;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		len = pkt_read_file(path, msgs[n].data, sizeof(msgs[n].data));
		if (len < 0)
			continue;
		snprintf(msgs[n].name, sizeof(msgs[n].name), "%s", name);
		msgs[n].len = len;
		n++;
	}
	fclose(f);
	return n;
}
