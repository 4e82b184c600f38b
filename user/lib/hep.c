// SPDX-License-Identifier: GPL-2.0
/*
 * HEP v3: "HEP3", the total length, then chunks of (vendor 0, type, length
 * including this 6-byte header, data), integers in network order.  The
 * chunk types are the generic ones of the HEP v3 specification.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "hep.h"

enum {
	HEP_IP_FAMILY = 0x01,
	HEP_IP_PROTO = 0x02,
	HEP_SRC_IP4 = 0x03,
	HEP_DST_IP4 = 0x04,
	HEP_SRC_IP6 = 0x05,
	HEP_DST_IP6 = 0x06,
	HEP_SRC_PORT = 0x07,
	HEP_DST_PORT = 0x08,
	HEP_TIME_SEC = 0x09,
	HEP_TIME_USEC = 0x0a,
	HEP_PROTO_TYPE = 0x0b, /* 1: SIP */
	HEP_AGENT_ID = 0x0c,
	HEP_PAYLOAD = 0x0f,
	HEP_CORRELATION = 0x11,
};

struct enc {
	uint8_t *p;
	size_t len, cap;
	int full;
};

static void chunk(struct enc *e, uint16_t type, const void *data, size_t n)
{
	uint16_t hdr[3] = { 0, htons(type), htons((uint16_t)(n + 6)) };

	if (e->full || n > 0xffff - 6 || e->len + 6 + n > e->cap) {
		e->full = 1;
		return;
	}
	memcpy(e->p + e->len, hdr, 6);
	memcpy(e->p + e->len + 6, data, n);
	e->len += 6 + n;
}

static void chunk8(struct enc *e, uint16_t type, uint8_t v)
{
	chunk(e, type, &v, 1);
}

static void chunk16(struct enc *e, uint16_t type, uint16_t v)
{
	v = htons(v);
	chunk(e, type, &v, 2);
}

static void chunk32(struct enc *e, uint16_t type, uint32_t v)
{
	v = htonl(v);
	chunk(e, type, &v, 4);
}

size_t sift_hep_encode(const struct sift_hep_msg *m, uint8_t *out, size_t cap)
{
	struct enc e = { .p = out, .len = 6, .cap = cap };
	int v6 = m->family == AF_INET6;
	uint16_t total;

	if (cap < 6)
		return 0;
	chunk8(&e, HEP_IP_FAMILY, v6 ? AF_INET6 : AF_INET);
	chunk8(&e, HEP_IP_PROTO, IPPROTO_UDP);
	chunk(&e, v6 ? HEP_SRC_IP6 : HEP_SRC_IP4, m->src, v6 ? 16 : 4);
	chunk(&e, v6 ? HEP_DST_IP6 : HEP_DST_IP4, m->dst, v6 ? 16 : 4);
	chunk16(&e, HEP_SRC_PORT, m->sport);
	chunk16(&e, HEP_DST_PORT, m->dport);
	chunk32(&e, HEP_TIME_SEC, m->sec);
	chunk32(&e, HEP_TIME_USEC, m->usec);
	chunk8(&e, HEP_PROTO_TYPE, 1);
	chunk32(&e, HEP_AGENT_ID, m->agent_id);
	if (m->correlation && m->correlation_len)
		chunk(&e, HEP_CORRELATION, m->correlation, m->correlation_len);
	chunk(&e, HEP_PAYLOAD, m->payload, m->payload_len);
	if (e.full || e.len > 0xffff)
		return 0;
	memcpy(out, "HEP3", 4);
	total = htons((uint16_t)e.len);
	memcpy(out + 4, &total, 2);
	return e.len;
}
