/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The parser's verdict reasons: enum, counter names and classes from one list. */
#ifndef SIFT_REASONS_H
#define SIFT_REASONS_H

/*
 * Why a message is not simply forwarded.  One list gives the enum, the
 * counter names and the class that decides the action:
 *   bound   beyond the parser's bounds, or not SIP but siftd's (STUN): punt
 *   policy  well-formed, but siftd must handle it (483, 505, 416, 420...)
 *   syntax  malformed: a request siftd can answer (usable top Via) is punted
 *           for a 4xx, anything else is dropped
 *   silent  dropped without an answer
 * and, from the forwarding decision that follows a clean parse:
 *   route   the fast path cannot finish it (REGISTER, for sift itself, no
 *           route, a next hop it cannot reach in XDP): punt to siftd
 *   reject  dropped: RFC 3261 says so (a response whose top Via is not
 *           sift's, a broadcast next hop), or the edge's rules do (an
 *           untrusted source's request to a hop sift may not relay to, a
 *           response whose branch MAC does not verify for its source)
 */
#define SIFT_REASON_LIST(R, X, A, B)                                                               \
	R(X, A, B, TOO_LONG, too_long, bound)                                                      \
	R(X, A, B, TOO_MANY_LINES, too_many_lines, bound)                                          \
	R(X, A, B, MAX_FORWARDS_ZERO, max_forwards_zero, policy)                                   \
	R(X, A, B, BAD_VERSION, bad_version, policy)                                               \
	R(X, A, B, UNSUPPORTED_SCHEME, unsupported_scheme, policy)                                 \
	R(X, A, B, PROXY_REQUIRE, proxy_require, policy)                                           \
	R(X, A, B, BAD_START_LINE, bad_start_line, syntax)                                         \
	R(X, A, B, BAD_STATUS, bad_status, syntax)                                                 \
	R(X, A, B, BAD_RURI, bad_ruri, syntax)                                                     \
	R(X, A, B, BAD_LINE_END, bad_line_end, syntax)                                             \
	R(X, A, B, NO_END_OF_HEADERS, no_end_of_headers, syntax)                                   \
	R(X, A, B, BAD_HEADER, bad_header, syntax)                                                 \
	R(X, A, B, MISSING_HEADER, missing_header, syntax)                                         \
	R(X, A, B, DUP_HEADER, dup_header, syntax)                                                 \
	R(X, A, B, BAD_VIA, bad_via, syntax)                                                       \
	R(X, A, B, BAD_CSEQ, bad_cseq, syntax)                                                     \
	R(X, A, B, CSEQ_MISMATCH, cseq_mismatch, syntax)                                           \
	R(X, A, B, BAD_CALL_ID, bad_call_id, syntax)                                               \
	R(X, A, B, BAD_FROM, bad_from, syntax)                                                     \
	R(X, A, B, BAD_TO, bad_to, syntax)                                                         \
	R(X, A, B, BAD_CONTACT, bad_contact, syntax)                                               \
	R(X, A, B, BAD_ROUTE, bad_route, syntax)                                                   \
	R(X, A, B, BAD_MAX_FORWARDS, bad_max_forwards, syntax)                                     \
	R(X, A, B, BAD_CONTENT_LENGTH, bad_content_length, syntax)                                 \
	R(X, A, B, BAD_DATE, bad_date, syntax)                                                     \
	R(X, A, B, KEEPALIVE, keepalive, silent)                                                   \
	R(X, A, B, STUN, stun, bound)                                                              \
	R(X, A, B, NOT_SIP, not_sip, silent)                                                       \
	R(X, A, B, REGISTER, register, route)                                                      \
	R(X, A, B, FOR_US, for_us, route)                                                          \
	R(X, A, B, NO_ROUTE, no_route, route)                                                      \
	R(X, A, B, NO_BACKEND, no_backend, route)                                                  \
	R(X, A, B, NEXT_HOP_NAME, next_hop_name, route)                                            \
	R(X, A, B, NEXT_HOP_TRANSPORT, next_hop_transport, route)                                  \
	R(X, A, B, FIB_MISS, fib_miss, route)                                                      \
	R(X, A, B, FORWARDING_OFF, forwarding_off, route)                                          \
	R(X, A, B, NO_NEIGH, no_neigh, route)                                                      \
	R(X, A, B, MTU, mtu, route)                                                                \
	R(X, A, B, NO_HEADROOM, no_headroom, route)                                                \
	R(X, A, B, NOT_SIFT_IFACE, not_sift_iface, route)                                          \
	R(X, A, B, VIA_RECEIVED, via_received, route)                                              \
	R(X, A, B, LOOP, loop, route)                                                              \
	R(X, A, B, FLOW, flow, route)                                                              \
	R(X, A, B, NOT_OUR_VIA, not_our_via, reject)                                               \
	R(X, A, B, BAD_NEXT_HOP, bad_next_hop, reject)                                             \
	R(X, A, B, RELAY_DENIED, relay_denied, reject)                                             \
	R(X, A, B, FORGED_RESPONSE, forged_response, reject)

#define SIFT_REASON_ENUM_(X, A, B, id, name, cls) SIFT_REASON_##id,
enum sift_reason {
	SIFT_REASON_OK,
	SIFT_REASON_LIST(SIFT_REASON_ENUM_, _, _, _) SIFT_REASON__MAX
};
#undef SIFT_REASON_ENUM_

/* The forwarding decision's reasons (route, reject) follow the parser's in the list. */
#define SIFT_REASON_FIRST_FWD SIFT_REASON_REGISTER

#endif /* SIFT_REASONS_H */
