/* SPDX-License-Identifier: GPL-2.0 */
/* A captured Ethernet frame's UDP datagram: addresses, ports, payload. */
#ifndef SIFT_LIB_FRAME_H
#define SIFT_LIB_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sift/common.h>

struct sift_frame {
	struct sift_addr src, dst;
	unsigned int sport, dport; /* host order */
	size_t payload_off, payload_len;
};

/*
 * Ethernet (up to two VLAN tags), IPv4 or IPv6 without extension headers,
 * UDP.  The payload is cut to what @len holds.  0, or -1 when the frame is
 * something else or too short for its headers.
 */
int sift_frame_decode(const uint8_t *f, size_t len, struct sift_frame *out);

#endif
