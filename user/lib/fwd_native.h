/* SPDX-License-Identifier: GPL-2.0 */
/* The native build of include/sift/fwd_util.h: the map-free forwarding helpers. */
#ifndef SIFT_LIB_FWD_NATIVE_H
#define SIFT_LIB_FWD_NATIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sift/fwd.h>
#include <sift/sip.h>

/* The hash the fast path picks a dialog's backend with. */
uint64_t sift_callid_hash_of(const void *callid, size_t len);
/* Parse an IP literal as SIP writes it (brackets allowed for IPv6). 0 or -1. */
int sift_ip_literal(const char *text, size_t len, struct sift_addr *out);
/* Max-Forwards minus one in s->buf, keeping the length (as the fast path does). */
int sift_mf_decrement_scratch(struct sift_scratch *s);
/*
 * sift's branch for the request in @s (hash and MAC), as the fast path
 * writes it when the request goes to @nh:@nh_port and its responses back
 * to @ph:@ph_port, as text into @out (36 bytes).
 */
void sift_branch_text(struct sift_scratch *s, const __u64 key[2], const struct sift_addr *nh,
		      unsigned int nh_port, const struct sift_addr *ph, unsigned int ph_port,
		      char out[SIFT_BRANCH_LEN + 1]);
/* The vouch sift's Record-Route carries for the dialog in @s and the hop @hop. */
uint32_t sift_vouch_of(struct sift_scratch *s, const __u64 key[2], const struct sift_addr *hop);
/*
 * The response parsed in @s came from @from:@from_port: where it goes once
 * sift's Via is off (the fast path's own rule: s->plan's dst, dport,
 * cut_off and cut_len), and whether its branch verifies for that source,
 * call and destination.  0, or the reason it may not go (FORGED_RESPONSE,
 * NOT_OUR_VIA, a next hop the rule refuses).
 */
int sift_response_check(struct sift_scratch *s, const __u64 key[2], const struct sift_addr *from,
			unsigned int from_port);
/*
 * Where the response in @s goes once the top Via (sift's) is off: the next
 * Via's received and rport (s->plan's dst, dport, cut_off, cut_len).  0 or
 * a reason.
 */
int sift_response_hop_scratch(struct sift_scratch *s);
/*
 * What the request in @s, from @from:@from_port, needs in its top Via
 * (RFC 3261 18.2.1, RFC 3581): s->plan's via_at, vpar and reply_port.  0
 * or a reason.
 */
int sift_via_received_scratch(struct sift_scratch *s, const struct sift_addr *from,
			      unsigned int from_port);

#endif
