// SPDX-License-Identifier: GPL-2.0
/* The Path sift adds to REGISTERs, and the flow it names (path.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sift/fwd.h>
#include <sift/fwd_util.h>
#include <sift/siphash.h>

#include "addr.h"
#include "path.h"

/* The MAC over a flow: its family, address and port, under sift's key. */
static __u32 flow_mac(const __u64 key[2], const struct sift_addr *a, unsigned int port)
{
	__u64 w[4] = { 0x736966742d666c6fULL /* "sift-flo" */, 0, 0, (__u64)a->family << 16 | port };

	if (a->family == SIFT_AF_INET)
		w[1] = a->v4;
	else
		memcpy(&w[1], a->v6, 16);
	return (__u32)sift_siphash(key[0], key[1], w, 4);
}

int sift_path_line(const __u64 key[2], const char *host, size_t host_len, unsigned int port,
		   const struct sift_addr *flow, unsigned int flow_port, char *out, size_t len)
{
	char a[64];
	int n;

	if (!sift_addr_fmt(flow, a, sizeof(a)))
		return -1;
	n = snprintf(out, len, "Path: <sip:%.*s:%u;lr%s%s%s%s:%u;sft=%08x>\r\n", (int)host_len, host,
		     port, SIFT_FLOW_PARAM, flow->family == SIFT_AF_INET6 ? "[" : "", a,
		     flow->family == SIFT_AF_INET6 ? "]" : "", flow_port,
		     flow_mac(key, flow, flow_port));
	return n > 0 && (size_t)n < len ? n : -1;
}

int sift_path_flow(struct sift_scratch *s, const struct sift_uri *u, const __u64 key[2],
		   struct sift_addr *flow, unsigned int *flow_port)
{
	const char *b = (const char *)s->buf;
	__u32 at = sift_uri_flow(s, u), end = u->all.off + u->all.len, e, colon;
	__u32 mac;
	char txt[64], *stop;
	unsigned long port;

	if (!at)
		return -1;
	for (e = at; e < end && b[e] != ';' && b[e] != '>'; e++)
		;
	/* ADDR:PORT or [V6]:PORT */
	for (colon = e; colon > at && b[colon - 1] != ':'; colon--)
		;
	if (colon <= at + 1 || e - colon > 5 || colon - 1 - at >= sizeof(txt))
		return -1;
	if (sift_ip_parse(s, at, colon - 1 - at, flow))
		return -1;
	memcpy(txt, b + colon, e - colon);
	txt[e - colon] = '\0';
	port = strtoul(txt, &stop, 10);
	if (*stop || !port || port > 65535)
		return -1;
	*flow_port = port;
	/* and sift's MAC for it */
	if (sift_uri_vouch(s, u, &mac))
		return -1;
	return mac == flow_mac(key, flow, port) ? 0 : -1;
}
