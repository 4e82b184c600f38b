/* SPDX-License-Identifier: GPL-2.0 */
/*
 * REGISTER at the edge (RFC 3327): the Path sift adds names sift and the
 * UA's flow, the address and port the REGISTER came from (through NAT,
 * as Kamailio's add_path_received records it), with a MAC:
 *   Path: <sip:198.18.1.1:5060;lr;flow=198.18.0.9:5070;sft=1a2b3c4d>
 * A request the registrar sends back along that Path (as its Route) is
 * sent to the flow, not to the UA's Contact, which behind NAT is not
 * reachable.  The MAC makes the flow sift's word: a Route anyone writes
 * with a flow sift did not record is refused, or sift would be a relay.
 */
#ifndef SIFT_LIB_PATH_H
#define SIFT_LIB_PATH_H

#include <stddef.h>
#include <sift/common.h>
#include <sift/sip.h>

/*
 * The Path header line (CRLF included) for sift at @host (as its Via
 * writes it, brackets included for IPv6) and @port, recording the flow
 * @flow:@flow_port.  Its length, or -1 if it does not fit @len.
 */
int sift_path_line(const __u64 key[2], const char *host, size_t host_len, unsigned int port,
		   const struct sift_addr *flow, unsigned int flow_port, char *out, size_t len);

/*
 * The flow in sift's Route value @u of the message in @s (the one the
 * decision popped), when its MAC verifies.  0, or -1 (no flow, malformed,
 * or not sift's).
 */
int sift_path_flow(struct sift_scratch *s, const struct sift_uri *u, const __u64 key[2],
		   struct sift_addr *flow, unsigned int *flow_port);

#endif
