/* SPDX-License-Identifier: GPL-2.0 */
/* The reference scan the benchmarks compare sift with: line feeds counted eight bytes at a time. */
#ifndef SIFT_BENCH_SCAN_WORDS_H
#define SIFT_BENCH_SCAN_WORDS_H

#include <linux/types.h>

/* Line feeds in the words from @p to @end (whole words only), at most 512 of them. */
static __always_inline __u32 scan_words(__u8 *p, void *end)
{
	__u32 n = 0;

	for (int i = 0; i < 512; i++) {
		__u64 w, x, y;

		if ((void *)(p + 8) > end)
			break;
		w = *(__u64 *)p;
		x = w ^ 0x0a0a0a0a0a0a0a0aULL;
		y = (x & 0x7f7f7f7f7f7f7f7fULL) + 0x7f7f7f7f7f7f7f7fULL;
		n += !!(~(y | x | 0x7f7f7f7f7f7f7f7fULL));
		p += 8;
	}
	return n;
}

#endif
