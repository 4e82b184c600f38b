/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the SIP parser extracts from one datagram, shared by the XDP program,
 * siftd and the tests.  Positions are offsets into the SIP payload (the UDP
 * payload), so the same struct means the same thing on both sides and can be
 * compared byte for byte.
 */
#ifndef SIFT_SIP_H
#define SIFT_SIP_H

#include <linux/types.h>
#include <sift/common.h>

/*
 * Bounds.  The scratch buffer is a power of two so that every offset can be
 * masked into it; messages longer than SIFT_MSG_MAX, or with SIFT_MAX_LINES
 * lines or more, are punted to siftd, never guessed at.
 * 4 KiB holds every frame XDP sees without multi-buffer support.
 */
#define SIFT_SCRATCH_SIZE 4096
#define SIFT_SCRATCH_MASK (SIFT_SCRATCH_SIZE - 1)
#define SIFT_MSG_MAX (SIFT_SCRATCH_SIZE - 64)
#define SIFT_MAX_LINES 128

struct sift_span {
	__u16 off;
	__u16 len;
};

enum sift_sip_kind {
	SIFT_KIND_NONE,
	SIFT_KIND_REQUEST,
	SIFT_KIND_RESPONSE,
	SIFT_KIND_KEEPALIVE, /* only CRLFs: a NAT keep-alive */
	SIFT_KIND_STUN,      /* a STUN Binding request (RFC 5626 4.4.2 keep-alive) */
};

/* Methods of RFC 3261, 3262, 3265, 3311, 3428, 3515, 3903 and 6086. */
#define SIFT_METHOD_LIST(X)                                                                        \
	X(INVITE)                                                                                  \
	X(ACK)                                                                                     \
	X(BYE)                                                                                     \
	X(CANCEL)                                                                                  \
	X(REGISTER)                                                                                \
	X(OPTIONS)                                                                                 \
	X(PRACK)                                                                                   \
	X(SUBSCRIBE)                                                                               \
	X(NOTIFY)                                                                                  \
	X(UPDATE)                                                                                  \
	X(MESSAGE)                                                                                 \
	X(REFER)                                                                                   \
	X(PUBLISH)                                                                                 \
	X(INFO)

#define SIFT_METHOD_ENUM_(m) SIFT_METHOD_##m,
enum sift_method {
	SIFT_METHOD_NONE,
	SIFT_METHOD_LIST(SIFT_METHOD_ENUM_) SIFT_METHOD_OTHER, /* a valid token we do not know */
	SIFT_METHOD__MAX
};
#undef SIFT_METHOD_ENUM_

enum sift_transport {
	SIFT_TRANSPORT_NONE,
	SIFT_TRANSPORT_UDP,
	SIFT_TRANSPORT_TCP,
	SIFT_TRANSPORT_TLS,
	SIFT_TRANSPORT_SCTP,
	SIFT_TRANSPORT_WS,
	SIFT_TRANSPORT_WSS,
	SIFT_TRANSPORT_OTHER,
};

enum sift_scheme {
	SIFT_SCHEME_NONE,
	SIFT_SCHEME_SIP,
	SIFT_SCHEME_SIPS,
	SIFT_SCHEME_TEL,
	SIFT_SCHEME_OTHER,
};

enum sift_uri_flags {
	SIFT_URI_LR = 1 << 0,      /* ;lr among the URI parameters */
	SIFT_URI_HOST_V6 = 1 << 1, /* host is an IPv6 reference [..] */
	SIFT_URI_TCP = 1 << 2,     /* ;transport=tcp */
	SIFT_URI_TLS = 1 << 4,     /* ;transport=tls, or a sips: URI */
	SIFT_URI_MADDR = 1 << 3,   /* ;maddr= among the URI parameters */
};

struct sift_uri {
	struct sift_span all;  /* the URI, without angle brackets */
	struct sift_span user; /* userinfo before '@', without a password */
	struct sift_span host; /* IPv6 references keep their brackets */
	__u16 port;            /* 0: none given */
	__u8 scheme;           /* enum sift_scheme */
	__u8 flags;            /* enum sift_uri_flags */
};

enum sift_via_flags {
	SIFT_VIA_RPORT = 1 << 0,    /* ;rport, with or without a value */
	SIFT_VIA_RECEIVED = 1 << 1, /* ;received= */
	SIFT_VIA_MADDR = 1 << 2,
	SIFT_VIA_TTL = 1 << 3,
	SIFT_VIA_BRANCH = 1 << 4,
	SIFT_VIA_COOKIE = 1 << 5,  /* branch starts with the RFC 3261 magic cookie z9hG4bK */
	SIFT_VIA_HOST_V6 = 1 << 6, /* sent-by host is an IPv6 reference */
	/*
	 * sent-protocol is not SIP/2.0: the Via is filled (siftd answers 505
	 * through it), and the message is not valid (BAD_VIA)
	 */
	SIFT_VIA_BAD_PROTO = 1 << 7,
};

struct sift_via {
	struct sift_span value; /* the whole via-parm */
	struct sift_span host;
	struct sift_span branch;
	struct sift_span received;
	struct sift_span maddr;
	__u16 port;  /* 0: none given */
	__u16 rport; /* 0: absent or without a value */
	__u8 transport;
	__u8 ttl;
	__u8 flags; /* enum sift_via_flags */
	__u8 pad;
	struct sift_addr addr; /* the sent-by host as an address; family 0: a hostname */
};

/* Headers seen, for duplicates and mandatory checks. */
enum sift_hdr {
	SIFT_HDR_VIA = 1 << 0,
	SIFT_HDR_FROM = 1 << 1,
	SIFT_HDR_TO = 1 << 2,
	SIFT_HDR_CALL_ID = 1 << 3,
	SIFT_HDR_CSEQ = 1 << 4,
	SIFT_HDR_MAX_FORWARDS = 1 << 5,
	SIFT_HDR_CONTENT_LENGTH = 1 << 6,
	SIFT_HDR_CONTACT = 1 << 7,
	SIFT_HDR_ROUTE = 1 << 8,
	SIFT_HDR_RECORD_ROUTE = 1 << 9,
	SIFT_HDR_USER_AGENT = 1 << 10,
	SIFT_HDR_PROXY_REQUIRE = 1 << 11,
	SIFT_HDR_DATE = 1 << 12,
};

/* Headers that may appear once only (RFC 3261 7.3.1: not comma lists). */
#define SIFT_HDR_SINGLE                                                                            \
	(SIFT_HDR_FROM | SIFT_HDR_TO | SIFT_HDR_CALL_ID | SIFT_HDR_CSEQ | SIFT_HDR_MAX_FORWARDS |  \
	 SIFT_HDR_CONTENT_LENGTH)
#define SIFT_HDR_MANDATORY                                                                         \
	(SIFT_HDR_VIA | SIFT_HDR_FROM | SIFT_HDR_TO | SIFT_HDR_CALL_ID | SIFT_HDR_CSEQ)

enum sift_action {
	SIFT_ACTION_FORWARD, /* forward-eligible: the fast path may finish it */
	SIFT_ACTION_PUNT,    /* XDP_PASS to siftd, which answers or handles it */
	SIFT_ACTION_DROP,    /* counted and dropped */
};

struct sift_sip_msg {
	__u8 kind;   /* enum sift_sip_kind */
	__u8 method; /* enum sift_method (requests) */
	__u8 cseq_method;
	__u8 reason; /* enum sift_reason: the first problem found */
	__u8 action; /* enum sift_action */
	__u8 version_major;
	__u8 version_minor;
	__u8 ruri_q; /* '?' seen in the Request-URI (headers) */
	__u16 status;
	__u16 len; /* of the message */
	__u16 eoh; /* offset of the first body byte */
	__u16 body_len;
	__u16 n_lines; /* start line and header lines, continuations included */
	__u16 n_via;   /* via-parms in all Via headers */
	__u16 n_route;
	__u16 n_record_route;
	__u16 n_contact;
	__u16 max_forwards;
	__u32 present; /* enum sift_hdr */
	__u32 cseq;
	__u32 content_length;
	struct sift_span method_tok; /* as written on the start line */
	struct sift_span cseq_method_tok;
	struct sift_span mf_digits; /* Max-Forwards value, for an in-place decrement */
	struct sift_uri ruri;
	struct sift_via via[2]; /* the top two via-parms: ours, and where a response goes next */
	struct sift_span via_hdr;  /* the header line (continuations and CRLF included) of via[0] */
	__u16 via_next;            /* where the value after via[0] starts in that header; 0: none */
	__u16 route_next;          /* the same for the top Route */
	struct sift_span route_hdr;
	struct sift_uri route;     /* the top Route's URI */
	struct sift_span call_id;
	struct sift_span from_tag;
	struct sift_span to_tag;
	struct sift_span user_agent;
};
SIFT_ASSERT_SIZE(struct sift_sip_msg, 208);

/*
 * The To tag of a reply siftd makes itself: "sft-" and 16 hex digits (a MAC).
 * The fast path hands the ACK for such a reply to siftd, whose transaction
 * absorbs it.
 */
#define SIFT_LOCAL_TAG_LEN 20

/* How far a request's source is trusted (enum sift_fwd_plan.trust). */
enum sift_trust {
	SIFT_TRUST_UNKNOWN, /* not looked up yet */
	SIFT_TRUST_NONE,    /* may reach backends and hops sift vouched for only */
	SIFT_TRUST_PEER,    /* a backend or a trusted peer: may route anywhere */
};

/* The longest text sift adds to a request's top Via: ";received=" an IPv6 address, ";rport=" a port. */
#define SIFT_VIA_PARAMS_MAX 64
/* The most of a request's headers sift copies to add them (from after the start line to the top Via's end). */
#define SIFT_VIA_COPY_MAX 384

/*
 * What the forwarding decision concluded: where the message goes and how it
 * changes on the way.  Filled in the XDP program, and by siftd for what it
 * forwards itself.
 */
#define SIFT_PLAN_DECIDED 0x10000u
/* plan.streams: siftd keeps connections; the message came on one */
#define SIFT_STREAMS_KEPT 1
#define SIFT_STREAMS_IN 2

struct sift_fwd_plan {
	struct sift_addr dst;  /* next hop */
	struct sift_addr src;  /* sift's address on the way out */
	struct sift_addr peer; /* where the message came from: the previous hop */
	__u16 dport;
	__u16 sport;
	__u16 peer_port;  /* the previous hop's source port */
	__u16 reply_port; /* where responses to a request go on the previous hop (RFC 3261 18.2.2, RFC 3581) */
	__u32 egress;  /* ifindex */
	__u32 ingress; /* ifindex */
	__u8 smac[6];
	__u8 dmac[6];
	__u32 cut_off; /* bytes removed from the headers: sift's Route(s) or Via */
	__u32 cut_len;
	/*
	 * Bytes inserted after the start line: Record-Route, Max-Forwards when
	 * the request had none, sift's Via, then when the top Via gains
	 * received/rport, that Via again up to where they go (its original,
	 * [start line end, keep), is replaced) and the parameters.
	 */
	__u32 ins_len;
	__u32 keep;     /* the first original header byte kept after the insertion */
	__u32 via_at;   /* where the top Via gets received/rport; 0: it needs nothing */
	__u32 body_end; /* the message ends here (RFC 3261 18.3: bytes past Content-Length go) */
	__u32 record_route;
	__u32 backend; /* SIFT_NO_BACKEND when the next hop came from the message */
	__u32 group;   /* the route's group, when a route was found */
	struct sift_span hop_uri; /* the URI that named the next hop by name (NEXT_HOP_NAME) */
	__u32 decision; /* XDP: SIFT_PLAN_DECIDED | what the decision returned (tests read it) */
	__u32 mtu;     /* of the egress interface */
	__u16 in_family; /* the family the message came in with */
	__u8 trust;      /* enum sift_trust of the source */
	__u8 add_mf;     /* the request had no Max-Forwards: add 70 (RFC 3261 16.6 step 3) */
	__u8 spiral;     /* siftd found sift's Via under the top one a spiral, not a loop */
	__u8 flow_ok;    /* siftd verified the flow sift's popped Route names (user/lib/path.h) */
	/*
	 * siftd keeps connections (user/siftd/conn.h): a next hop over TCP or
	 * TLS is decided on, not punted (NEXT_HOP_TRANSPORT); hop_stream says
	 * which (enum sift_transport; 0: UDP)
	 */
	__u8 streams;    /* SIFT_STREAMS_* */
	__u8 hop_stream;
	__u64 branch;
	__u64 key[2];    /* the MAC key (sift_config.key) */
	__u64 callid_h;  /* the Call-ID under the key, for MACs */
	struct sift_addr local; /* the address the message came to (one of sift's) */
	/*
	 * The UDP checksum is updated, not recomputed (sift_fwd_build): the
	 * payload's one's complement sum as it came (0: not known, sum it all),
	 * and what Max-Forwards' new digits add to it.
	 */
	__u32 in_sum;
	__u32 mf_delta;
	__u32 refused; /* XDP: the counter a refusal was counted under (the trace reads it) */
	__u32 vpar_len;
	__u8 vpar[SIFT_VIA_PARAMS_MAX + 8]; /* what the top Via gains at via_at */
};

/*
 * Per-CPU scratch: the message, where its lines start, the result, and the
 * forwarding plan with the bytes it inserts.  buf is twice the message
 * bound: verifier: a helper reading [off, off + len) with both masked to the
 * bound is then provably inside; ins likewise for its 1 KiB bound.
 */
#define SIFT_INS_MAX 1024
struct sift_scratch {
	__u8 buf[2 * SIFT_SCRATCH_SIZE];
	__u16 line[SIFT_MAX_LINES]; /* line[i]: offset of line i; line[n_lines]: the blank line */
	struct sift_sip_msg msg;
	struct sift_fwd_plan plan;
	__u8 ins[2 * SIFT_INS_MAX + 8]; /* what goes after the start line (+8: word copies) */
	__u8 hdr[192];     /* new Ethernet, IP and UDP headers at 0, the pseudo header at 64 */
};

#endif /* SIFT_SIP_H */
