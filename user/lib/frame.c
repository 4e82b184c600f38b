// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "frame.h"

static unsigned int be16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

int sift_frame_decode(const uint8_t *f, size_t len, struct sift_frame *out)
{
	size_t off = 14, l4, ulen;
	unsigned int proto;

	memset(out, 0, sizeof(*out));
	if (len < off)
		return -1;
	proto = be16(f + 12);
	for (int tags = 0; tags < 2 && (proto == 0x8100 || proto == 0x88a8); tags++) {
		if (len < off + 4)
			return -1;
		proto = be16(f + off + 2);
		off += 4;
	}
	if (proto == 0x0800) {
		size_t ihl;

		if (len < off + 20 || f[off] >> 4 != 4 || f[off + 9] != 17)
			return -1;
		ihl = (size_t)(f[off] & 0xf) * 4;
		if (ihl < 20 || len < off + ihl)
			return -1;
		out->src.family = out->dst.family = SIFT_AF_INET;
		memcpy(&out->src.v4, f + off + 12, 4);
		memcpy(&out->dst.v4, f + off + 16, 4);
		l4 = off + ihl;
	} else if (proto == 0x86dd) {
		if (len < off + 40 || f[off] >> 4 != 6 || f[off + 6] != 17)
			return -1;
		out->src.family = out->dst.family = SIFT_AF_INET6;
		memcpy(out->src.v6, f + off + 8, 16);
		memcpy(out->dst.v6, f + off + 24, 16);
		l4 = off + 40;
	} else {
		return -1;
	}
	if (len < l4 + 8)
		return -1;
	out->sport = be16(f + l4);
	out->dport = be16(f + l4 + 2);
	ulen = be16(f + l4 + 4);
	if (ulen < 8)
		return -1;
	out->payload_off = l4 + 8;
	out->payload_len = ulen - 8;
	if (out->payload_len > len - out->payload_off)
		out->payload_len = len - out->payload_off;
	return 0;
}
