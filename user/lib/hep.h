/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HEP v3 (the Homer Encapsulation Protocol, as Homer, heplify-server,
 * sngrep -L and Kamailio's siptrace speak it): one captured SIP message with
 * its addresses, ports, time and a correlation ID, in one datagram.
 */
#ifndef SIFT_LIB_HEP_H
#define SIFT_LIB_HEP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct sift_hep_msg {
	int family; /* AF_INET or AF_INET6 */
	uint8_t src[16], dst[16]; /* network order; 4 bytes used for AF_INET */
	uint16_t sport, dport;    /* host order */
	uint32_t sec, usec;       /* the capture time */
	uint32_t agent_id;        /* the capture agent's number */
	const char *correlation;  /* the Call-ID, or NULL */
	size_t correlation_len;
	const void *payload;      /* the SIP message */
	size_t payload_len;
};

/* Encode @m into @out (@cap bytes).  The length, or 0 when it does not fit. */
size_t sift_hep_encode(const struct sift_hep_msg *m, uint8_t *out, size_t cap);

#endif
