// SPDX-License-Identifier: GPL-2.0
/*
 * The stateless proxy, byte for byte: each fixture goes through the loaded
 * sift_xdp (routing installed by siftd's installer, next hops from the test
 * network's FIB and neighbours) and the frame that comes out must be exactly
 * the expected one: Ethernet, IP and UDP headers with their checksums, and
 * the SIP text with sift's Via, Record-Route, Route and Max-Forwards edits.
 * What sift must not forward comes out untouched, counted under its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>

#include "bpfrun.h"
#include "fwd_native.h"
#include "fwd_fixture.h"
#include "pkt.h"
#include "sip_native.h"
#include "suites.h"

#define CRLF "\r\n"

/* ---- messages -------------------------------------------------------------------- */

#define INVITE_REST                                                                                \
	"Max-Forwards: 70" CRLF "To: Bob <sip:bob@198.18.1.1>" CRLF                                \
	"From: Alice <sip:alice@198.18.1.2>;tag=1928301774" CRLF                                   \
	"Call-ID: a84b4c76e66710@198.18.1.2" CRLF "CSeq: 314159 INVITE" CRLF                       \
	"Contact: <sip:alice@198.18.1.2:5062>" CRLF "Content-Type: application/sdp" CRLF            \
	"Content-Length: 4" CRLF CRLF "v=0\n"
#define INVITE_REST_OUT                                                                            \
	"Max-Forwards: 69" CRLF "To: Bob <sip:bob@198.18.1.1>" CRLF                                \
	"From: Alice <sip:alice@198.18.1.2>;tag=1928301774" CRLF                                   \
	"Call-ID: a84b4c76e66710@198.18.1.2" CRLF "CSeq: 314159 INVITE" CRLF                       \
	"Contact: <sip:alice@198.18.1.2:5062>" CRLF "Content-Type: application/sdp" CRLF            \
	"Content-Length: 4" CRLF CRLF "v=0\n"
#define CLIENT_VIA "Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bK776asdhds" CRLF
#define OUR_VIA4 "Via: SIP/2.0/UDP 198.18.2.1:5060;branch=@BRANCH@" CRLF
#define OUR_VIA6 "Via: SIP/2.0/UDP [2001:db8:2::1]:5060;branch=@BRANCH@" CRLF

static const char invite1[] = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA INVITE_REST;

#define BYE_DIALOG(ruri, routes)                                                                   \
	"BYE " ruri " SIP/2.0" CRLF "Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKbye1" CRLF       \
	routes "Max-Forwards: 70" CRLF "To: <sip:bob@198.18.1.1>;tag=314" CRLF                     \
	"From: <sip:alice@198.18.1.2>;tag=1928301774" CRLF "Call-ID: dlg1@198.18.1.2" CRLF          \
	"CSeq: 2 BYE" CRLF "Content-Length: 0" CRLF CRLF
#define BYE_DIALOG_OUT(ruri, via, routes)                                                          \
	"BYE " ruri " SIP/2.0" CRLF via "Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKbye1" CRLF  \
	routes "Max-Forwards: 69" CRLF "To: <sip:bob@198.18.1.1>;tag=314" CRLF                     \
	"From: <sip:alice@198.18.1.2>;tag=1928301774" CRLF "Call-ID: dlg1@198.18.1.2" CRLF          \
	"CSeq: 2 BYE" CRLF "Content-Length: 0" CRLF CRLF

/* An in-dialog request from the trusted peer. */
#define PEER_BYE(ruri, via, routes, mf)                                                            \
	"BYE " ruri " SIP/2.0" CRLF via "Via: SIP/2.0/UDP 198.18.1.3:5062;branch=z9hG4bKpeer" CRLF  \
	routes "Max-Forwards: " mf CRLF "To: <sip:carol@198.18.1.1>;tag=31" CRLF                     \
	"From: <sip:dave@198.18.1.3>;tag=77" CRLF "Call-ID: peer1@198.18.1.3" CRLF                  \
	"CSeq: 2 BYE" CRLF "Content-Length: 0" CRLF CRLF

#define RESPONSE_REST                                                                              \
	"To: Bob <sip:bob@198.18.1.1>;tag=a6c85cf" CRLF                                            \
	"From: Alice <sip:alice@198.18.1.2>;tag=1928301774" CRLF                                   \
	"Call-ID: a84b4c76e66710@198.18.1.2" CRLF "CSeq: 314159 INVITE" CRLF                       \
	"Content-Length: 0" CRLF CRLF

/* ---- fixtures ---------------------------------------------------------------------- */

enum side { IN0, OUT0 };

struct fcase {
	const char *desc;
	/* in */
	int ipv;
	enum side in_if;
	const char *src, *dst;
	unsigned int sport;
	unsigned int n_vlan;
	const char *msg;
	const char *branch_of; /* the request whose branch @BRANCH@ stands for; NULL: msg */
	/* the hops its MAC binds, when not those of this case (a replay from elsewhere) */
	const char *branch_nh, *branch_ph;
	unsigned int branch_nh_port, branch_ph_port;
	const char *vouch_hop; /* the hop @VOUCH@ names (for msg's Call-ID); NULL: src */
	/* out */
	unsigned int action;
	int out_ipv;
	enum side out_if;
	const char *out_src, *out_dst;
	unsigned int out_dport;
	const char *out_msg;
	unsigned int reason; /* XDP_PASS / XDP_DROP: the counted reason */
};

#define REQ4 .ipv = 4, .in_if = IN0, .src = "198.18.1.2", .dst = "198.18.1.1", .sport = 5062
/* A peer the allow list trusts: its requests may go anywhere. */
#define PEER4 .ipv = 4, .in_if = IN0, .src = FIX_TRUSTED_PEER, .dst = "198.18.1.1", .sport = 5062
#define TO_BE4(be)                                                                                 \
	.action = XDP_REDIRECT, .out_ipv = 4, .out_if = OUT0, .out_src = "198.18.2.1",             \
	.out_dst = be, .out_dport = 5060
/* From the backend, and back out to the caller (responses, in-dialog requests). */
#define FROM_BE4 .ipv = 4, .in_if = OUT0, .src = "198.18.2.2", .dst = "198.18.2.1", .sport = 5060
#define TO_CALLER4(port)                                                                           \
	.action = XDP_REDIRECT, .out_ipv = 4, .out_if = IN0, .out_src = "198.18.1.1",              \
	.out_dst = "198.18.1.2", .out_dport = port
#define PUNT(r) .action = XDP_PASS, .reason = SIFT_REASON_##r
#define DROP(r) .action = XDP_DROP, .reason = SIFT_REASON_##r

static const struct fcase cases[] = {
	{
		"INVITE with one Via: our Via on top, Max-Forwards 70 -> 69",
		REQ4,
		.msg = invite1,
		TO_BE4("198.18.2.2"),
		.out_msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF OUR_VIA4 CLIENT_VIA INVITE_REST_OUT,
	},
	{
		"INVITE with three Vias in two headers: all kept below ours",
		REQ4,
		.msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKa1, SIP/2.0/UDP "
		       "10.1.1.1:5060;branch=z9hG4bKb2" CRLF
		       "Via: SIP/2.0/UDP 10.2.2.2;branch=z9hG4bKc3" CRLF INVITE_REST,
		TO_BE4("198.18.2.2"),
		.out_msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF OUR_VIA4
			   "Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKa1, SIP/2.0/UDP "
			   "10.1.1.1:5060;branch=z9hG4bKb2" CRLF
			   "Via: SIP/2.0/UDP 10.2.2.2;branch=z9hG4bKc3" CRLF INVITE_REST_OUT,
	},
	{
		"compact headers: ours is written in full above the compact Via",
		REQ4,
		.msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF
		       "v: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKcmp" CRLF "Max-Forwards: 70" CRLF
		       "t: <sip:bob@198.18.1.1>" CRLF "f: <sip:alice@198.18.1.2>;tag=9" CRLF
		       "i: compact@198.18.1.2" CRLF "CSeq: 1 INVITE" CRLF "l: 0" CRLF CRLF,
		TO_BE4("198.18.2.2"),
		.out_msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF OUR_VIA4
			   "v: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKcmp" CRLF
			   "Max-Forwards: 69" CRLF "t: <sip:bob@198.18.1.1>" CRLF
			   "f: <sip:alice@198.18.1.2>;tag=9" CRLF "i: compact@198.18.1.2" CRLF
			   "CSeq: 1 INVITE" CRLF "l: 0" CRLF CRLF,
	},
	{
		"IPv6 in, IPv6 out",
		.ipv = 6,
		.in_if = IN0,
		.src = "2001:db8:1::2",
		.dst = "2001:db8:1::1",
		.sport = 5062,
		.msg = "INVITE sip:6000@[2001:db8:1::1] SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP [2001:db8:1::2]:5062;branch=z9hG4bKv6" CRLF INVITE_REST,
		.action = XDP_REDIRECT,
		.out_ipv = 6,
		.out_if = OUT0,
		.out_src = "2001:db8:2::1",
		.out_dst = "2001:db8:2::2",
		.out_dport = 5060,
		.out_msg = "INVITE sip:6000@[2001:db8:1::1] SIP/2.0" CRLF OUR_VIA6
			   "Via: SIP/2.0/UDP [2001:db8:1::2]:5062;branch=z9hG4bKv6" CRLF
			   INVITE_REST_OUT,
	},
	{
		"IPv4 in, IPv6 backend: the Via names the IPv6 face",
		REQ4,
		.msg = "INVITE sip:6000@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA INVITE_REST,
		.action = XDP_REDIRECT,
		.out_ipv = 6,
		.out_if = OUT0,
		.out_src = "2001:db8:2::1",
		.out_dst = "2001:db8:2::2",
		.out_dport = 5060,
		.out_msg = "INVITE sip:6000@198.18.1.1 SIP/2.0" CRLF OUR_VIA6 CLIENT_VIA
			   INVITE_REST_OUT,
	},
	{
		"802.1Q-tagged in: the tag is the link's, the frame out is untagged",
		REQ4,
		.n_vlan = 1,
		.msg = invite1,
		TO_BE4("198.18.2.2"),
		.out_msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF OUR_VIA4 CLIENT_VIA INVITE_REST_OUT,
	},
	{
		"Max-Forwards 10 -> 9: the lost digit becomes a space, the length stays",
		REQ4,
		.msg = "OPTIONS sip:bob@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA "Max-Forwards: 10" CRLF
		       "To: <sip:bob@198.18.1.1>" CRLF "From: <sip:a@198.18.1.2>;tag=1" CRLF
		       "Call-ID: mf10@198.18.1.2" CRLF "CSeq: 1 OPTIONS" CRLF "Content-Length: 0" CRLF
		       CRLF,
		TO_BE4("198.18.2.2"),
		.out_msg = "OPTIONS sip:bob@198.18.1.1 SIP/2.0" CRLF OUR_VIA4 CLIENT_VIA
			   "Max-Forwards:  9" CRLF "To: <sip:bob@198.18.1.1>" CRLF
			   "From: <sip:a@198.18.1.2>;tag=1" CRLF "Call-ID: mf10@198.18.1.2" CRLF
			   "CSeq: 1 OPTIONS" CRLF "Content-Length: 0" CRLF CRLF,
	},
	{
		"Max-Forwards 1 -> 0 is still forwarded (the next hop answers 483)",
		REQ4,
		.msg = "OPTIONS sip:bob@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA "Max-Forwards: 1" CRLF
		       "To: <sip:bob@198.18.1.1>" CRLF "From: <sip:a@198.18.1.2>;tag=1" CRLF
		       "Call-ID: mf1@198.18.1.2" CRLF "CSeq: 1 OPTIONS" CRLF "Content-Length: 0" CRLF
		       CRLF,
		TO_BE4("198.18.2.2"),
		.out_msg = "OPTIONS sip:bob@198.18.1.1 SIP/2.0" CRLF OUR_VIA4 CLIENT_VIA
			   "Max-Forwards: 0" CRLF "To: <sip:bob@198.18.1.1>" CRLF
			   "From: <sip:a@198.18.1.2>;tag=1" CRLF "Call-ID: mf1@198.18.1.2" CRLF
			   "CSeq: 1 OPTIONS" CRLF "Content-Length: 0" CRLF CRLF,
	},
	{
		"Max-Forwards 0 is punted (siftd answers 483)",
		REQ4,
		.msg = "OPTIONS sip:bob@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA "Max-Forwards: 0" CRLF
		       "To: <sip:bob@198.18.1.1>" CRLF "From: <sip:a@198.18.1.2>;tag=1" CRLF
		       "Call-ID: mf0@198.18.1.2" CRLF "CSeq: 1 OPTIONS" CRLF "Content-Length: 0" CRLF
		       CRLF,
		PUNT(MAX_FORWARDS_ZERO),
	},
	{
		"dialog-forming INVITE on a Record-Route route: sift's URI on both sides",
		REQ4,
		.msg = "INVITE sip:+15551234@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA INVITE_REST,
		TO_BE4("198.18.2.2"),
		.out_msg = "INVITE sip:+15551234@198.18.1.1 SIP/2.0" CRLF
			   "Record-Route: <sip:198.18.2.1:5060;lr;sft=@VOUCH@>, "
			   "<sip:198.18.1.1:5060;lr;sft=@VOUCH@>" CRLF
			   OUR_VIA4 CLIENT_VIA INVITE_REST_OUT,
	},
	{
		"Record-Route across families: each side's URI in its own family",
		REQ4,
		.msg = "INVITE sip:+6612@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA INVITE_REST,
		.action = XDP_REDIRECT,
		.out_ipv = 6,
		.out_if = OUT0,
		.out_src = "2001:db8:2::1",
		.out_dst = "2001:db8:2::2",
		.out_dport = 5060,
		.out_msg = "INVITE sip:+6612@198.18.1.1 SIP/2.0" CRLF
			   "Record-Route: <sip:[2001:db8:2::1]:5060;lr;sft=@VOUCH@>, "
			   "<sip:198.18.1.1:5060;lr;sft=@VOUCH@>" CRLF
			   OUR_VIA6 CLIENT_VIA INVITE_REST_OUT,
	},
	{
		"loose routing: our Route value goes, the next one in the header is the next hop",
		REQ4,
		.msg = BYE_DIALOG("sip:bob@198.18.2.3:5060",
				  "Route: <sip:198.18.1.1;lr>, <sip:198.18.2.4;lr>" CRLF),
		TO_BE4("198.18.2.4"),
		.out_msg = BYE_DIALOG_OUT("sip:bob@198.18.2.3:5060", OUR_VIA4,
					  "Route: <sip:198.18.2.4;lr>" CRLF),
	},
	{
		"loose routing: our Route line goes, the next line is the next hop",
		REQ4,
		.msg = BYE_DIALOG("sip:bob@198.18.2.3:5060",
				  "Route: <sip:198.18.1.1;lr>" CRLF "Route: <sip:198.18.2.4;lr>" CRLF),
		TO_BE4("198.18.2.4"),
		.out_msg = BYE_DIALOG_OUT("sip:bob@198.18.2.3:5060", OUR_VIA4,
					  "Route: <sip:198.18.2.4;lr>" CRLF),
	},
	{
		"loose routing: only our Route: the Request-URI of the dialog is the next hop",
		REQ4,
		.msg = BYE_DIALOG("sip:bob@198.18.2.3:5060", "Route: <sip:198.18.1.1;lr>" CRLF),
		TO_BE4("198.18.2.3"),
		.out_msg = BYE_DIALOG_OUT("sip:bob@198.18.2.3:5060", OUR_VIA4, ""),
	},
	{
		"both of sift's record-routed URIs are removed (callee to caller)",
		FROM_BE4,
		.msg = "BYE sip:alice@198.18.1.2:5062 SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP 198.18.2.2:5060;branch=z9hG4bKcallee" CRLF
		       "Route: <sip:198.18.2.1:5060;lr>, <sip:198.18.1.1:5060;lr>" CRLF
		       "Max-Forwards: 70" CRLF "To: <sip:alice@198.18.1.2>;tag=1928301774" CRLF
		       "From: <sip:bob@198.18.1.1>;tag=314" CRLF "Call-ID: dlg1@198.18.1.2" CRLF
		       "CSeq: 7 BYE" CRLF "Content-Length: 0" CRLF CRLF,
		TO_CALLER4(5062),
		.out_msg = "BYE sip:alice@198.18.1.2:5062 SIP/2.0" CRLF
			   "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=@BRANCH@" CRLF
			   "Via: SIP/2.0/UDP 198.18.2.2:5060;branch=z9hG4bKcallee" CRLF
			   "Max-Forwards: 69" CRLF "To: <sip:alice@198.18.1.2>;tag=1928301774" CRLF
			   "From: <sip:bob@198.18.1.1>;tag=314" CRLF "Call-ID: dlg1@198.18.1.2" CRLF
			   "CSeq: 7 BYE" CRLF "Content-Length: 0" CRLF CRLF,
	},
	{
		"back out of the interface it came in on (a trusted peer's request): XDP_TX",
		PEER4,
		.msg = PEER_BYE("sip:carol@198.18.1.2:5070", "", "Route: <sip:198.18.1.1;lr>" CRLF, "70"),
		.action = XDP_TX,
		.out_ipv = 4,
		.out_if = IN0,
		.out_src = "198.18.1.1",
		.out_dst = "198.18.1.2",
		.out_dport = 5070,
		.out_msg = PEER_BYE("sip:carol@198.18.1.2:5070",
				    "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=@BRANCH@" CRLF, "", "69"),
	},
	{
		"a domain sift serves, in any case",
		REQ4,
		.msg = "INVITE sip:bob@SIFT.Example SIP/2.0" CRLF CLIENT_VIA INVITE_REST,
		TO_BE4("198.18.2.2"),
		.out_msg = "INVITE sip:bob@SIFT.Example SIP/2.0" CRLF OUR_VIA4 CLIENT_VIA
			   INVITE_REST_OUT,
	},
	{
		"response: our Via goes, received and rport give the next hop",
		FROM_BE4,
		.msg = "SIP/2.0 180 Ringing" CRLF OUR_VIA4
		       "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK776asdhds;received=198.18.1.2;rport=5099" CRLF
		       RESPONSE_REST,
		.branch_of = invite1,
		TO_CALLER4(5099),
		.out_msg = "SIP/2.0 180 Ringing" CRLF
			   "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK776asdhds;received=198.18.1.2;rport=5099" CRLF
			   RESPONSE_REST,
	},
	{
		"response: our Via value goes from a shared header; sent-by is the next hop",
		FROM_BE4,
		.msg = "SIP/2.0 200 OK" CRLF
		       "Via: SIP/2.0/UDP 198.18.2.1:5060;branch=@BRANCH@, SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bK776asdhds" CRLF
		       RESPONSE_REST,
		.branch_of = invite1,
		TO_CALLER4(5062),
		.out_msg = "SIP/2.0 200 OK" CRLF
			   "Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bK776asdhds" CRLF
			   RESPONSE_REST,
	},
	{
		"response whose top Via is not sift's: dropped (RFC 3261 18.1.2)",
		FROM_BE4,
		.msg = "SIP/2.0 200 OK" CRLF "Via: SIP/2.0/UDP 198.18.7.7:5060;branch=z9hG4bKelse" CRLF
		       CLIENT_VIA RESPONSE_REST,
		DROP(NOT_OUR_VIA),
	},
	{
		"response to sift's address with a branch it did not make: siftd's",
		FROM_BE4,
		.msg = "SIP/2.0 200 OK" CRLF
		       "Via: SIP/2.0/UDP 198.18.2.1:5060;branch=z9hG4bK-sft00000000000000000000000000" CRLF
		       CLIENT_VIA RESPONSE_REST,
		PUNT(FOR_US),
	},
	{
		"response whose next Via is a broadcast address: dropped",
		FROM_BE4,
		.msg = "SIP/2.0 200 OK" CRLF OUR_VIA4
		       "Via: SIP/2.0/UDP 255.255.255.255:5062;branch=z9hG4bK776asdhds" CRLF RESPONSE_REST,
		.branch_of = invite1,
		DROP(BAD_NEXT_HOP),
	},
	{
		"REGISTER: punted to the registrar",
		REQ4,
		.msg = "REGISTER sip:198.18.1.1 SIP/2.0" CRLF CLIENT_VIA "Max-Forwards: 70" CRLF
		       "To: <sip:alice@198.18.1.1>" CRLF "From: <sip:alice@198.18.1.1>;tag=1" CRLF
		       "Call-ID: reg@198.18.1.2" CRLF "CSeq: 1 REGISTER" CRLF
		       "Contact: <sip:alice@198.18.1.2:5062>" CRLF "Content-Length: 0" CRLF CRLF,
		PUNT(REGISTER),
	},
	{
		"a request to sift itself (no user, no Route): punted",
		REQ4,
		.msg = "OPTIONS sip:198.18.1.1 SIP/2.0" CRLF CLIENT_VIA "Max-Forwards: 70" CRLF
		       "To: <sip:198.18.1.1>" CRLF "From: <sip:a@198.18.1.2>;tag=1" CRLF
		       "Call-ID: ping@198.18.1.2" CRLF "CSeq: 1 OPTIONS" CRLF "Content-Length: 0" CRLF
		       CRLF,
		PUNT(FOR_US),
	},
	{
		"the ACK for a reply siftd made (To tag sft-...): punted to its transaction",
		REQ4,
		.msg = "ACK sip:bob@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA "Max-Forwards: 70" CRLF
		       "To: Bob <sip:bob@198.18.1.1>;tag=sft-0123456789abcdef" CRLF
		       "From: Alice <sip:alice@198.18.1.2>;tag=1928301774" CRLF
		       "Call-ID: a84b4c76e66710@198.18.1.2" CRLF "CSeq: 314159 ACK" CRLF
		       "Content-Length: 0" CRLF CRLF,
		PUNT(FOR_US),
	},
	{
		"a domain sift neither serves nor routes: punted",
		REQ4,
		.msg = "INVITE sip:bob@elsewhere.example SIP/2.0" CRLF CLIENT_VIA INVITE_REST,
		PUNT(NO_ROUTE),
	},
	{
		"no route to the next hop in the FIB: punted",
		PEER4,
		.msg = BYE_DIALOG("sip:bob@198.19.0.9:5060", "Route: <sip:198.18.1.1;lr>" CRLF),
		PUNT(FIB_MISS),
	},
	{
		"next hop's neighbour not resolved: punted, not dropped",
		PEER4,
		.msg = BYE_DIALOG("sip:bob@198.18.2.77:5060", "Route: <sip:198.18.1.1;lr>" CRLF),
		PUNT(NO_NEIGH),
	},
	{
		"a next hop given by name: punted (no DNS in XDP)",
		REQ4,
		.msg = BYE_DIALOG("sip:bob@198.18.2.3:5060",
				  "Route: <sip:198.18.1.1;lr>, <sip:proxy.example;lr>" CRLF),
		PUNT(NEXT_HOP_NAME),
	},

	/* ---- edge security (issue 11): received and rport ---- */
	{
		"a Via naming another host: received= the source (RFC 3261 18.2.1)",
		.ipv = 4, .in_if = IN0, .src = "198.18.1.10", .dst = "198.18.1.1", .sport = 5062,
		.msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP 198.18.1.13:5060;branch=z9hG4bKrefl" CRLF INVITE_REST,
		TO_BE4("198.18.2.2"),
		.out_msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF OUR_VIA4
			   "Via: SIP/2.0/UDP 198.18.1.13:5060;branch=z9hG4bKrefl;received=198.18.1.10" CRLF
			   INVITE_REST_OUT,
	},
	{
		"rport asks: its value and received filled in (RFC 3581), Record-Route before them",
		.ipv = 4, .in_if = IN0, .src = "198.18.1.10", .dst = "198.18.1.1", .sport = 41000,
		.msg = "INVITE sip:+15551234@198.18.1.1 SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP 10.0.0.5:5062;rport;branch=z9hG4bKnat" CRLF INVITE_REST,
		TO_BE4("198.18.2.2"),
		.out_msg = "INVITE sip:+15551234@198.18.1.1 SIP/2.0" CRLF
			   "Record-Route: <sip:198.18.2.1:5060;lr;sft=@VOUCH@>, "
			   "<sip:198.18.1.1:5060;lr;sft=@VOUCH@>" CRLF OUR_VIA4
			   "Via: SIP/2.0/UDP 10.0.0.5:5062;rport=41000;received=198.18.1.10;branch=z9hG4bKnat" CRLF
			   INVITE_REST_OUT,
	},
	{
		"rport and sift's Route cut in one request: the stretch between is rewritten",
		.ipv = 4, .in_if = IN0, .src = "198.18.1.2", .dst = "198.18.1.1", .sport = 7777,
		.msg = "BYE sip:bob@198.18.2.3:5060 SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKrp;rport" CRLF
		       "Max-Forwards: 70" CRLF "Route: <sip:198.18.1.1;lr>" CRLF
		       "To: <sip:bob@198.18.1.1>;tag=314" CRLF
		       "From: <sip:alice@198.18.1.2>;tag=1928301774" CRLF "Call-ID: dlg2@198.18.1.2" CRLF
		       "CSeq: 2 BYE" CRLF "Content-Length: 0" CRLF CRLF,
		TO_BE4("198.18.2.3"),
		.out_msg = "BYE sip:bob@198.18.2.3:5060 SIP/2.0" CRLF OUR_VIA4
			   "Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKrp;rport=7777;received=198.18.1.2" CRLF
			   "Max-Forwards: 69" CRLF "To: <sip:bob@198.18.1.1>;tag=314" CRLF
			   "From: <sip:alice@198.18.1.2>;tag=1928301774" CRLF
			   "Call-ID: dlg2@198.18.1.2" CRLF "CSeq: 2 BYE" CRLF "Content-Length: 0" CRLF CRLF,
	},
	{
		"IPv6 source that is not the sent-by: received in RFC 5952's form",
		.ipv = 6, .in_if = IN0, .src = "2001:db8:1::10", .dst = "2001:db8:1::1", .sport = 5062,
		.msg = "INVITE sip:6000@[2001:db8:1::1] SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP [2001:db8:1::2]:5062;branch=z9hG4bKv6r" CRLF INVITE_REST,
		.action = XDP_REDIRECT, .out_ipv = 6, .out_if = OUT0, .out_src = "2001:db8:2::1",
		.out_dst = "2001:db8:2::2", .out_dport = 5060,
		.out_msg = "INVITE sip:6000@[2001:db8:1::1] SIP/2.0" CRLF OUR_VIA6
			   "Via: SIP/2.0/UDP [2001:db8:1::2]:5062;branch=z9hG4bKv6r;received=2001:db8:1::10" CRLF
			   INVITE_REST_OUT,
	},
	{
		"a received of the caller's own that is not its source: punted, never followed",
		REQ4,
		.msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKx;received=198.18.1.13" CRLF
		       INVITE_REST,
		PUNT(VIA_RECEIVED),
	},

	/* ---- conformance (RFC 3261 16.6, 18.3) ---- */
	{
		"no Max-Forwards (RFC 2543 peers): 70 added (16.6 step 3)",
		REQ4,
		.msg = "OPTIONS sip:bob@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA
		       "To: <sip:bob@198.18.1.1>" CRLF "From: <sip:a@198.18.1.2>;tag=1" CRLF
		       "Call-ID: nomf@198.18.1.2" CRLF "CSeq: 1 OPTIONS" CRLF "Content-Length: 0" CRLF
		       CRLF,
		TO_BE4("198.18.2.2"),
		.out_msg = "OPTIONS sip:bob@198.18.1.1 SIP/2.0" CRLF "Max-Forwards: 70" CRLF OUR_VIA4
			   CLIENT_VIA "To: <sip:bob@198.18.1.1>" CRLF "From: <sip:a@198.18.1.2>;tag=1" CRLF
			   "Call-ID: nomf@198.18.1.2" CRLF "CSeq: 1 OPTIONS" CRLF "Content-Length: 0" CRLF
			   CRLF,
	},
	{
		"bytes past Content-Length are not passed on (18.3)",
		REQ4,
		.msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA INVITE_REST "JUNKJUNK",
		TO_BE4("198.18.2.2"),
		.out_msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF OUR_VIA4 CLIENT_VIA INVITE_REST_OUT,
	},
	{
		"a response's bytes past Content-Length go too",
		FROM_BE4,
		.msg = "SIP/2.0 180 Ringing" CRLF OUR_VIA4 CLIENT_VIA RESPONSE_REST "garbage!",
		.branch_of = invite1,
		TO_CALLER4(5062),
		.out_msg = "SIP/2.0 180 Ringing" CRLF CLIENT_VIA RESPONSE_REST,
	},

	/* ---- the relay policy ---- */
	{
		"an untrusted source's Route to a host that is not a backend: dropped",
		REQ4,
		.msg = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA
		       "Route: <sip:198.18.2.77;lr>" CRLF INVITE_REST,
		DROP(RELAY_DENIED),
	},
	{
		"an untrusted source's Route past sift's to a host that is not a backend: dropped",
		REQ4,
		.msg = BYE_DIALOG("sip:bob@198.18.2.3:5060",
				  "Route: <sip:198.18.1.1;lr>, <sip:198.18.2.9;lr>" CRLF),
		DROP(RELAY_DENIED),
	},
	{
		"an untrusted source's in-dialog Request-URI naming another host: dropped",
		REQ4,
		.msg = BYE_DIALOG("sip:bob@198.18.1.13:5060", ""),
		DROP(RELAY_DENIED),
	},
	{
		"a backend named by address in the Request-URI: forwarded, also out of a dialog",
		REQ4,
		.msg = "OPTIONS sip:bob@198.18.2.4 SIP/2.0" CRLF CLIENT_VIA "Max-Forwards: 70" CRLF
		       "To: <sip:bob@198.18.2.4>" CRLF "From: <sip:a@198.18.1.2>;tag=1" CRLF
		       "Call-ID: be@198.18.1.2" CRLF "CSeq: 1 OPTIONS" CRLF "Content-Length: 0" CRLF
		       CRLF,
		TO_BE4("198.18.2.4"),
		.out_msg = "OPTIONS sip:bob@198.18.2.4 SIP/2.0" CRLF OUR_VIA4 CLIENT_VIA
			   "Max-Forwards: 69" CRLF "To: <sip:bob@198.18.2.4>" CRLF
			   "From: <sip:a@198.18.1.2>;tag=1" CRLF "Call-ID: be@198.18.1.2" CRLF
			   "CSeq: 1 OPTIONS" CRLF "Content-Length: 0" CRLF CRLF,
	},
	{
		"the callee side reaches the caller by sift's vouch in its Route",
		.ipv = 4, .in_if = OUT0, .src = "198.18.2.77", .dst = "198.18.2.1", .sport = 5060,
		.msg = "BYE sip:alice@198.18.1.2:5062 SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP 198.18.2.77:5060;branch=z9hG4bKfar" CRLF
		       "Route: <sip:198.18.2.1:5060;lr;sft=@VOUCH@>, <sip:198.18.1.1:5060;lr;sft=@VOUCH@>" CRLF
		       "Max-Forwards: 70" CRLF "To: <sip:alice@198.18.1.2>;tag=1928301774" CRLF
		       "From: <sip:bob@198.18.1.1>;tag=314" CRLF "Call-ID: dlg1@198.18.1.2" CRLF
		       "CSeq: 7 BYE" CRLF "Content-Length: 0" CRLF CRLF,
		.vouch_hop = "198.18.1.2",
		TO_CALLER4(5062),
		.out_msg = "BYE sip:alice@198.18.1.2:5062 SIP/2.0" CRLF
			   "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=@BRANCH@" CRLF
			   "Via: SIP/2.0/UDP 198.18.2.77:5060;branch=z9hG4bKfar" CRLF
			   "Max-Forwards: 69" CRLF "To: <sip:alice@198.18.1.2>;tag=1928301774" CRLF
			   "From: <sip:bob@198.18.1.1>;tag=314" CRLF "Call-ID: dlg1@198.18.1.2" CRLF
			   "CSeq: 7 BYE" CRLF "Content-Length: 0" CRLF CRLF,
	},
	{
		"a vouch made for another hop does not open the way to this one",
		.ipv = 4, .in_if = OUT0, .src = "198.18.2.77", .dst = "198.18.2.1", .sport = 5060,
		.msg = "BYE sip:alice@198.18.1.13:5062 SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP 198.18.2.77:5060;branch=z9hG4bKfar" CRLF
		       "Route: <sip:198.18.2.1:5060;lr;sft=@VOUCH@>" CRLF
		       "Max-Forwards: 70" CRLF "To: <sip:alice@198.18.1.2>;tag=1928301774" CRLF
		       "From: <sip:bob@198.18.1.1>;tag=314" CRLF "Call-ID: dlg1@198.18.1.2" CRLF
		       "CSeq: 7 BYE" CRLF "Content-Length: 0" CRLF CRLF,
		.vouch_hop = "198.18.1.2",
		DROP(RELAY_DENIED),
	},

	/* ---- responses only from the hop the request went to ---- */
	{
		"a response replaying sift's branch from another host: dropped",
		.ipv = 4, .in_if = OUT0, .src = "198.18.2.3", .dst = "198.18.2.1", .sport = 5060,
		.msg = "SIP/2.0 200 OK" CRLF OUR_VIA4 CLIENT_VIA RESPONSE_REST,
		.branch_of = invite1,
		.branch_nh = "198.18.2.2", .branch_nh_port = 5060,
		.branch_ph = "198.18.1.2", .branch_ph_port = 5062,
		DROP(FORGED_RESPONSE),
	},
	{
		"a response from the right hop with the Via below sift's turned to a bystander: dropped",
		FROM_BE4,
		.msg = "SIP/2.0 200 OK" CRLF OUR_VIA4
		       "Via: SIP/2.0/UDP 198.18.1.13:5060;branch=z9hG4bK776asdhds" CRLF RESPONSE_REST,
		.branch_of = invite1,
		.branch_nh = "198.18.2.2", .branch_nh_port = 5060,
		.branch_ph = "198.18.1.2", .branch_ph_port = 5062,
		DROP(FORGED_RESPONSE),
	},
};

/* ---- the runner ---------------------------------------------------------------------- */

static struct fwd_fixture fx;

static void setup(void)
{
	ck_assert_int_eq(fix_load(&fx), 0);
}

static void teardown(void)
{
	fix_free(&fx);
}

static int ifindex_of(enum side s)
{
	return s == IN0 ? fix_net.in_ifindex : fix_net.out_ifindex;
}

/* The message as a forwarded frame must read: the native parser forwards it too. */
static void assert_reparses(const __u8 *frame, size_t len, const char *desc)
{
	static struct sift_scratch s;
	struct pkt_view v;

	ck_assert_msg(pkt_view(frame, len, &v), "%s: output is not an IP/UDP frame", desc);
	ck_assert_msg(pkt_csum_ok(frame, len), "%s: bad IP or UDP checksum", desc);
	sift_sip_parse_bytes(&s, frame + v.payload, v.payload_len);
	/* well-formed: forwardable, or (Max-Forwards now 0) for the next hop to answer 483 */
	ck_assert_msg((s.msg.action == SIFT_ACTION_FORWARD && !s.msg.reason) ||
			      s.msg.reason == SIFT_REASON_MAX_FORWARDS_ZERO,
		      "%s: output does not parse cleanly (%s)", desc,
		      sift_reason_name(s.msg.reason));
}

static void hexdiff(const __u8 *a, size_t alen, const __u8 *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;

	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i]) {
			fprintf(stderr, "  first difference at byte %zu: got 0x%02x want 0x%02x\n", i,
				a[i], b[i]);
			break;
		}
	fprintf(stderr, "  got %zu bytes, want %zu\n", alen, blen);
}

START_TEST(test_fwd_fixture)
{
	const struct fcase *c = &cases[_i];
	static char msg[4096], out_msg[4096], branch[SIFT_BRANCH_LEN + 1], vouch[9];
	static __u8 frame[PKT_MAX], want[PKT_MAX];
	const char *req = c->branch_of ? c->branch_of : c->msg;
	const char *nh, *ph;
	unsigned int nh_port, ph_port;
	struct sift_stats before, after;
	struct bpfrun_result r;
	size_t mlen, olen, flen, wlen, ck, out_ck;
	unsigned int rs;

	/*
	 * @BRANCH@: sift's branch for the request this message belongs to,
	 * bound to where that request went and where its responses go back
	 */
	if (c->msg[0] == 'S') {
		nh = c->src, nh_port = c->sport;
		ph = c->out_dst ? c->out_dst : "198.18.1.2", ph_port = c->out_dport;
	} else {
		nh = c->out_dst ? c->out_dst : "198.18.2.2", nh_port = c->out_dport;
		ph = c->src, ph_port = fix_reply_port(req, strlen(req), c->src, c->sport);
	}
	if (c->branch_nh)
		nh = c->branch_nh, nh_port = c->branch_nh_port;
	if (c->branch_ph)
		ph = c->branch_ph, ph_port = c->branch_ph_port;
	fix_branch(req, strlen(req), nh, nh_port, ph, ph_port, branch);
	fix_vouch(c->msg, strlen(c->msg), c->vouch_hop ? c->vouch_hop : c->src, vouch);
	mlen = fix_subst(c->msg, branch, vouch, msg, sizeof(msg));
	{
		struct pkt_spec in = {
			.ip_version = c->ipv,
			.src = c->src,
			.dst = c->dst,
			.sport = c->sport,
			.dport = 5060,
			.n_vlan = c->n_vlan,
			.vlan_tci = { 100 },
			.payload = msg,
			.payload_len = mlen,
		};
		flen = pkt_build(&in, frame, sizeof(frame));
	}
	ck_assert(flen);
	ck_assert_int_eq(bpfrun_stats(fx.skel, &before), 0);
	ck_assert_int_eq(bpfrun_run_on(fx.skel, ifindex_of(c->in_if), frame, flen, &r), 0);
	ck_assert_int_eq(bpfrun_stats(fx.skel, &after), 0);
	if (r.retval != c->action) {
		for (unsigned int k = 1; k < SIFT_REASON__MAX; k++) {
			unsigned int p = SIFT_STAT_PUNT_BASE + k - 1, d = SIFT_STAT_DROP_BASE + k - 1;

			if (after.c[p].packets != before.c[p].packets ||
			    after.c[d].packets != before.c[d].packets)
				fprintf(stderr, "%s: counted %s\n", c->desc, sift_reason_name(k));
		}
	}
	ck_assert_msg(r.retval == c->action, "%s: action %u, want %u", c->desc, r.retval,
		      c->action);

	if (c->action == XDP_PASS || c->action == XDP_DROP) {
		rs = (c->action == XDP_PASS ? SIFT_STAT_PUNT_BASE : SIFT_STAT_DROP_BASE) + c->reason - 1;
		ck_assert_msg(after.c[rs].packets == before.c[rs].packets + 1,
			      "%s: reason %s not counted", c->desc, sift_reason_name(c->reason));
		/* untouched: the kernel or nobody sees what came in */
		ck_assert_msg(r.out_len == flen && !memcmp(r.out, frame, flen),
			      "%s: a punted or dropped frame was changed", c->desc);
		return;
	}

	olen = fix_subst(c->out_msg, branch, vouch, out_msg, sizeof(out_msg));
	/* a request that would grow by an odd number of bytes gets "Via:  " (two spaces) */
	if ((olen - mlen) & 1 && msg[0] != 'S') {
		char *via = strstr(out_msg, "branch=z9hG4bK-sft");

		while (via > out_msg && strncmp(via, "Via: ", 5))
			via--;
		ck_assert(via > out_msg);
		memmove(via + 5, via + 4, olen - (via + 4 - out_msg) + 1);
		olen++;
	}
	wlen = fix_frame(want, sizeof(want), c->out_ipv, c->out_src, 5060, c->out_dst,
			 c->out_dport, c->out_if == IN0 ? fix_net.in_mac : fix_net.out_mac,
			 c->out_if == IN0 ? fix_net.client_mac : fix_net.be_mac, out_msg, olen);
	if (r.out_len != wlen || memcmp(r.out, want, wlen)) {
		struct pkt_view v;

		fprintf(stderr, "%s: output differs\n", c->desc);
		hexdiff(r.out, r.out_len, want, wlen);
		if (pkt_view(r.out, r.out_len, &v))
			fprintf(stderr, "  got SIP:\n%.*s\n  want:\n%s\n", (int)v.payload_len,
				r.out + v.payload, out_msg);
		ck_abort_msg("%s: output frame differs", c->desc);
	}
	assert_reparses(r.out, r.out_len, c->desc);
	rs = msg[0] == 'S' ? SIFT_STAT_FWD_RESPONSE : SIFT_STAT_FWD_REQUEST;
	ck_assert_uint_eq(after.c[rs].packets, before.c[rs].packets + 1);

	/*
	 * The checksum is updated, not recomputed (RFC 1624).  A datagram
	 * damaged on its way in (here: its checksum) goes out as damaged, by
	 * the same amount, for the next hop's stack to discard, as through any
	 * router; every other byte is as before.
	 */
	ck = flen - mlen - 2;
	out_ck = wlen - olen - 2;
	frame[ck] ^= 0x40;
	ck_assert_int_eq(bpfrun_run_on(fx.skel, ifindex_of(c->in_if), frame, flen, &r), 0);
	ck_assert_msg(r.out_len == wlen && !memcmp(r.out, want, out_ck) &&
			      !memcmp(r.out + out_ck + 2, want + out_ck + 2, wlen - out_ck - 2),
		      "%s: damaged on the way in, another frame out", c->desc);
	ck_assert_msg(!pkt_csum_ok(r.out, r.out_len), "%s: a damaged datagram left repaired",
		      c->desc);

	/*
	 * With nothing to update from, the sum is made whole: a checksum the
	 * sender's NIC was to finish (CHECKSUM_PARTIAL, from a local socket
	 * over veth), and a datagram without one (IPv4 allows it).  The same
	 * frame out.
	 */
	ck_assert(pkt_udp_csum_partial(frame, flen));
	ck_assert_int_eq(bpfrun_run_on(fx.skel, ifindex_of(c->in_if), frame, flen, &r), 0);
	ck_assert_msg(r.out_len == wlen && !memcmp(r.out, want, wlen),
		      "%s: with a partial UDP checksum, another frame out", c->desc);
	if (c->ipv != 6) {
		frame[ck] = frame[ck + 1] = 0;
		ck_assert_int_eq(bpfrun_run_on(fx.skel, ifindex_of(c->in_if), frame, flen, &r), 0);
		ck_assert_msg(r.out_len == wlen && !memcmp(r.out, want, wlen),
			      "%s: without a UDP checksum, another frame out", c->desc);
	}
}
END_TEST

/* ---- properties beyond single frames ------------------------------------------------------- */

/* Run @msg in from the client; the frame out (XDP_REDIRECT or XDP_TX) or the action. */
static unsigned int run_msg(const char *msg, enum side side, struct bpfrun_result *r)
{
	static __u8 frame[PKT_MAX];
	struct pkt_spec in = {
		.src = side == IN0 ? "198.18.1.2" : "198.18.2.2",
		.dst = side == IN0 ? "198.18.1.1" : "198.18.2.1",
		.sport = 5062,
		.payload = msg,
		.payload_len = strlen(msg),
	};
	size_t flen = pkt_build(&in, frame, sizeof(frame));

	ck_assert(flen);
	ck_assert_int_eq(bpfrun_run_on(fx.skel, ifindex_of(side), frame, flen, r), 0);
	return r->retval;
}

/* The top Via's branch of a forwarded frame. */
static void out_branch(const struct bpfrun_result *r, char *out)
{
	static struct sift_scratch s;
	struct pkt_view v;

	ck_assert(pkt_view(r->out, r->out_len, &v));
	sift_sip_parse_bytes(&s, r->out + v.payload, v.payload_len);
	ck_assert_uint_eq(s.msg.via[0].branch.len, SIFT_BRANCH_LEN);
	memcpy(out, s.buf + s.msg.via[0].branch.off, SIFT_BRANCH_LEN);
	out[SIFT_BRANCH_LEN] = '\0';
}

/* Retransmissions and the CANCEL of an INVITE get the INVITE's branch, without state. */
START_TEST(test_fwd_branch_stateless)
{
	static const char cancel[] = "CANCEL sip:bob@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA
		"Max-Forwards: 70" CRLF "To: Bob <sip:bob@198.18.1.1>" CRLF
		"From: Alice <sip:alice@198.18.1.2>;tag=1928301774" CRLF
		"Call-ID: a84b4c76e66710@198.18.1.2" CRLF "CSeq: 314159 CANCEL" CRLF
		"Content-Length: 0" CRLF CRLF;
	static const char other[] = "INVITE sip:bob@198.18.1.1 SIP/2.0" CRLF
		"Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bK776asdhdt" CRLF INVITE_REST;
	char b1[SIFT_BRANCH_LEN + 1], b2[SIFT_BRANCH_LEN + 1], b3[SIFT_BRANCH_LEN + 1],
		b4[SIFT_BRANCH_LEN + 1];
	struct bpfrun_result r;

	ck_assert_uint_eq(run_msg(invite1, IN0, &r), XDP_REDIRECT);
	out_branch(&r, b1);
	ck_assert_uint_eq(run_msg(invite1, IN0, &r), XDP_REDIRECT);
	out_branch(&r, b2);
	ck_assert_uint_eq(run_msg(cancel, IN0, &r), XDP_REDIRECT);
	out_branch(&r, b3);
	ck_assert_uint_eq(run_msg(other, IN0, &r), XDP_REDIRECT);
	out_branch(&r, b4);
	ck_assert_str_eq(b1, b2);
	ck_assert_str_eq(b1, b3);
	ck_assert_str_ne(b1, b4);
	/* the one sift's native helpers compute for this next hop and caller */
	fix_branch(invite1, strlen(invite1), "198.18.2.2", 5060, "198.18.1.2", 5062, b4);
	ck_assert_str_eq(b1, b4);
}
END_TEST

/* Without the magic cookie (RFC 2543) the branch comes from the transaction's fields. */
START_TEST(test_fwd_branch_rfc2543)
{
#define OLD(method, cseq, via)                                                                     \
	method " sip:bob@198.18.1.1 SIP/2.0" CRLF "Via: SIP/2.0/UDP " via CRLF                      \
	       "Max-Forwards: 70" CRLF "To: <sip:bob@198.18.1.1>" CRLF                             \
	       "From: <sip:alice@198.18.1.2>;tag=77" CRLF "Call-ID: old@198.18.1.2" CRLF           \
	       "CSeq: " cseq CRLF "Content-Length: 0" CRLF CRLF
	char a[SIFT_BRANCH_LEN + 1], b[SIFT_BRANCH_LEN + 1], c[SIFT_BRANCH_LEN + 1],
		d[SIFT_BRANCH_LEN + 1];
	struct bpfrun_result r;

	ck_assert_uint_eq(run_msg(OLD("INVITE", "5 INVITE", "198.18.1.2:5062"), IN0, &r),
			  XDP_REDIRECT);
	out_branch(&r, a);
	ck_assert_uint_eq(run_msg(OLD("CANCEL", "5 CANCEL", "198.18.1.2:5062"), IN0, &r),
			  XDP_REDIRECT);
	out_branch(&r, b);
	ck_assert_uint_eq(run_msg(OLD("INVITE", "6 INVITE", "198.18.1.2:5062"), IN0, &r),
			  XDP_REDIRECT);
	out_branch(&r, c);
	ck_assert_uint_eq(run_msg(OLD("INVITE", "5 INVITE", "198.18.1.2:5063"), IN0, &r),
			  XDP_REDIRECT);
	out_branch(&r, d);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	ck_assert_str_ne(a, d);
#undef OLD
}
END_TEST

static const char *call_msg(char *buf, size_t len, unsigned int n, bool in_dialog)
{
	snprintf(buf, len,
		 "INVITE sip:7000@198.18.1.1 SIP/2.0" CRLF
		 "Via: SIP/2.0/UDP 198.18.1.2:5062;branch=z9hG4bKmg%u" CRLF "Max-Forwards: 70" CRLF
		 "To: <sip:7000@198.18.1.1>%s" CRLF "From: <sip:a@198.18.1.2>;tag=1" CRLF
		 "Call-ID: maglev-%u@198.18.1.2" CRLF "CSeq: 1 INVITE" CRLF "Content-Length: 0" CRLF
		 CRLF,
		 n, in_dialog ? ";tag=b" : "", n);
	return buf;
}

/* Where the call @n went: the last byte of the backend's address. */
static int backend_of(unsigned int n, bool in_dialog)
{
	char msg[1024];
	struct bpfrun_result r;
	struct pkt_view v;

	if (run_msg(call_msg(msg, sizeof(msg), n, in_dialog), IN0, &r) != XDP_REDIRECT)
		return -1;
	ck_assert(pkt_view(r.out, r.out_len, &v));
	return r.out[v.l3 + 19];
}

#define CALLS 3000

/*
 * Maglev by Call-ID: calls spread over the group, the same Call-ID always
 * lands on the same backend, a backend drained or marked down loses its
 * calls and only them, and gets them back when it is up again.  Requests
 * that name a backend in their Request-URI (the Contact, inside a dialog)
 * still reach it while it drains.
 */
START_TEST(test_fwd_maglev_affinity)
{
	static int first[CALLS];
	unsigned int count[256] = { 0 };
	static const int states[] = { SIFT_BACKEND_DRAIN, SIFT_BACKEND_DOWN };

	for (unsigned int i = 0; i < CALLS; i++) {
		first[i] = backend_of(i, false);
		ck_assert_int_ge(first[i], 2);
		ck_assert_int_le(first[i], 4);
		count[first[i]]++;
	}
	for (int b = 2; b <= 4; b++)
		ck_assert_msg(count[b] > CALLS / 3 * 0.85 && count[b] < CALLS / 3 * 1.15,
			      "backend .%d got %u of %d calls", b, count[b], CALLS);
	for (unsigned int i = 0; i < CALLS; i += 7) {
		ck_assert_int_eq(backend_of(i, false), first[i]);
		ck_assert_int_eq(backend_of(i, true), first[i]);
	}

	for (unsigned int k = 0; k < 2; k++) {
		unsigned int moved = 0, moved_other = 0;
		struct bpfrun_result r;

		fix_backend_state(&fx, "three", "198.18.2.3", states[k]);
		ck_assert_int_eq(fix_reinstall(&fx), 0);
		for (unsigned int i = 0; i < CALLS; i++) {
			int now = backend_of(i, false);

			ck_assert_int_ne(now, 3);
			ck_assert_int_eq(backend_of(i, true), now);
			moved += now != first[i];
			moved_other += now != first[i] && first[i] != 3;
		}
		/* only .3's calls moved */
		ck_assert_uint_eq(moved, count[3]);
		ck_assert_uint_eq(moved_other, 0);
		/* a dialog's request to its Contact on .3 is forwarded there */
		ck_assert_uint_eq(run_msg(BYE_DIALOG("sip:bob@198.18.2.3:5060",
						     "Route: <sip:198.18.1.1;lr>" CRLF),
					  IN0, &r),
				  XDP_REDIRECT);
	}

	/* back up: every call where it started */
	fix_backend_state(&fx, "three", "198.18.2.3", SIFT_BACKEND_UP);
	ck_assert_int_eq(fix_reinstall(&fx), 0);
	for (unsigned int i = 0; i < CALLS; i += 3)
		ck_assert_int_eq(backend_of(i, false), first[i]);
}
END_TEST

/* A message that would outgrow the egress MTU once sift's headers are in is punted whole. */
START_TEST(test_fwd_mtu)
{
	static char msg[2048];
	struct bpfrun_result r;
	struct sift_stats st;
	size_t n;

	/* 1472 bytes of UDP payload fit a 1500-byte MTU; 1452 do, until the Via goes in */
	for (int body = 1452 - 262;; body++) {
		n = snprintf(msg, sizeof(msg),
			     "MESSAGE sip:bob@198.18.1.1 SIP/2.0" CRLF CLIENT_VIA
			     "Max-Forwards: 70" CRLF "To: <sip:bob@198.18.1.1>" CRLF
			     "From: <sip:a@198.18.1.2>;tag=1" CRLF "Call-ID: big@198.18.1.2" CRLF
			     "CSeq: 1 MESSAGE" CRLF "Content-Type: text/plain" CRLF
			     "Content-Length: %d" CRLF CRLF,
			     body);
		if (n + body >= 1452) {
			memset(msg + n, 'x', body);
			msg[n + body] = '\0';
			break;
		}
	}
	ck_assert_uint_le(strlen(msg), 1472);
	ck_assert_uint_eq(run_msg(msg, IN0, &r), XDP_PASS);
	ck_assert_int_eq(bpfrun_stats(fx.skel, &st), 0);
	ck_assert_uint_eq(st.c[SIFT_STAT_PUNT_BASE + SIFT_REASON_MTU - 1].packets, 1);
}
END_TEST

/* The fast path forwards nothing until siftd says so. */
START_TEST(test_fwd_off)
{
	struct sift_config cfg;
	struct bpfrun_result r;
	__u32 key = 0;

	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.config, &key, &cfg), 0);
	cfg.flags &= ~SIFT_CFG_FORWARD;
	ck_assert_int_eq(bpf_map_update_elem(fx.maps.config, &key, &cfg, BPF_ANY), 0);
	ck_assert_uint_eq(run_msg(invite1, IN0, &r), XDP_PASS);
}
END_TEST

Suite *bpf_fwd_suite(void)
{
	Suite *s = suite_create("bpf_fwd");
	TCase *tc = tcase_create("fixtures");
	TCase *tp = tcase_create("properties");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_fwd_fixture, 0, sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tp, setup, teardown);
	tcase_set_timeout(tp, 120);
	tcase_add_test(tp, test_fwd_branch_stateless);
	tcase_add_test(tp, test_fwd_branch_rfc2543);
	tcase_add_test(tp, test_fwd_maglev_affinity);
	tcase_add_test(tp, test_fwd_mtu);
	tcase_add_test(tp, test_fwd_off);
	suite_add_tcase(s, tp);
	return s;
}
