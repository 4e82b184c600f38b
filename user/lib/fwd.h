/* SPDX-License-Identifier: GPL-2.0 */
/* The native build of include/sift/fwd_util.h: the map-free forwarding helpers. */
#ifndef SIFT_LIB_FWD_H
#define SIFT_LIB_FWD_H

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
/* sift's branch for the request in @s (hash and MAC), written as text into @out (36 bytes). */
void sift_branch_text(struct sift_scratch *s, uint64_t secret, char out[SIFT_BRANCH_LEN + 1]);
/*
 * Where the response parsed in @s goes once sift's Via is off (the fast
 * path's own rule): s->plan's dst, dport, cut_off and cut_len.  A reason,
 * or 0.
 */
int sift_response_next_hop(struct sift_scratch *s);
/* Does the text at @branch (@len bytes) carry a MAC made with @secret? */
int sift_branch_valid(const char *branch, size_t len, uint64_t secret);

#endif
