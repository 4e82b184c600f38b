/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared between the XDP program (bpf/) and userspace (user/, tests/).
 *
 * Every map key, map value, enum and map name used on both sides is defined
 * here and nowhere else.  Fixed-width types only; every struct that crosses
 * the boundary has its size pinned by a static assertion so a change on one
 * side cannot silently desynchronise the other.
 */
#ifndef SIFT_COMMON_H
#define SIFT_COMMON_H

#include <linux/types.h>
#include <sift/reasons.h>

#define SIFT_ASSERT_SIZE(type, size)                                                               \
	_Static_assert(sizeof(type) == (size), "size of " #type " is part of the map ABI")

#define SIFT_STR_(x) #x
#define SIFT_STR(x) SIFT_STR_(x)

/*
 * Map names.  The BPF side declares its maps with these identifiers, userspace
 * opens the pins by SIFT_STR(name), so a rename is one edit.
 */
#define SIFT_MAP_STATS sift_stats
#define SIFT_MAP_PORTS sift_ports
#define SIFT_MAP_IFACES sift_ifaces

#define SIFT_PIN_PATH_DEFAULT "/sys/fs/bpf/sift"
#define SIFT_RUN_DIR_DEFAULT "/run/sift"
#define SIFT_PROG_NAME "sift_xdp"

#define SIFT_SIP_PORT_DEFAULT 5060
#define SIFT_MAX_IFACES 32
#define SIFT_IFNAMSIZ 16

/* AF_INET and AF_INET6, which BPF programs cannot take from libc. */
#define SIFT_AF_INET 2
#define SIFT_AF_INET6 10

/* An IPv4 or IPv6 address in network byte order; unused bytes are zero. */
struct sift_addr {
	__u8 family; /* SIFT_AF_INET or SIFT_AF_INET6 */
	__u8 pad[3];
	union {
		__be32 v4;
		__u8 v6[16];
		__be32 v6w[4];
	};
};
SIFT_ASSERT_SIZE(struct sift_addr, 20);

/* The same address?  All 20 bytes count: the unused ones are zero on both sides. */
static inline __attribute__((always_inline)) int sift_addr_eq(const struct sift_addr *a,
							      const struct sift_addr *b)
{
	typedef __u32 __attribute__((may_alias)) word; /* read the bytes as words */
	const word *x = (const word *)a, *y = (const word *)b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4]));
}

/* A 64-bit mixer (MurmurHash3's finaliser): the hashes of Call-IDs, branches and Maglev keys. */
static inline __attribute__((always_inline)) __u64 sift_mix64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * What a SIP message counts against in the shield: its method class, read
 * from the first bytes of the datagram before it is parsed (a flood is
 * turned away before it costs a parse).
 */
#define SIFT_CLASS_LIST(X)                                                                          \
	X(INVITE, invite)                                                                          \
	X(REGISTER, register)                                                                      \
	X(OPTIONS, options)                                                                        \
	X(OTHER, other)                                                                            \
	X(RESPONSE, response)

#define SIFT_CLASS_ENUM_(id, name) SIFT_CLASS_##id,
enum sift_msg_class {
	SIFT_CLASS_LIST(SIFT_CLASS_ENUM_) SIFT_CLASS__MAX
};
#undef SIFT_CLASS_ENUM_

/*
 * Counters.  One X-macro list gives the enum, the group a counter belongs to
 * and the name siftctl prints, so the three cannot drift apart.
 *
 * class:    every packet the program sees lands in exactly one class.
 * verdict:  every SIP datagram parsed gets one parser verdict:
 * forward:  every datagram the parser found forwardable, once: sent on as a
 *           request or response, transit (not addressed to sift: passed to
 *           the kernel, which delivers it to another local address or, with
 *           `transit: route`, routes it), punted or dropped by the forwarding
 *           decision, or off (forwarding disabled: passed on).
 * sip_punt, sip_drop: the reason for every punt or drop, parser's or forwarding's
 *           (include/sift/reasons.h).
 * transit:  IP packets, SIP or not, addressed neither to sift nor to any other
 *           local, broadcast or multicast address: dropped (the default), or
 *           routed (passed for the kernel to route: `transit: route`).
 * method:   SIP datagrams over UDP per method class (sniffed before parsing).
 * shield:   what the shield dropped and why, and the bans it imposed.
 * action:   every packet ends in exactly one XDP action.
 * trace:    messages the live trace matched: sent to siftctl, or lost to its
 *           rate cap or a full ring (include/sift/trace.h).
 */
#define SIFT_STAT_REASON_(X, pre, grp, id, name, cls) X(pre##id, grp, name)

#define SIFT_STAT_LIST(X)                                                                          \
	X(CLASS_NON_SIP, class, non_sip)                                                           \
	X(CLASS_SIP, class, sip)                                                                   \
	X(CLASS_SIP_TCP, class, sip_tcp)                                                           \
	X(CLASS_FRAGMENT, class, fragment)                                                         \
	X(CLASS_IP6_EXTHDR, class, ip6_exthdr)                                                     \
	X(CLASS_MALFORMED_L3, class, malformed_l3)                                                 \
	X(CLASS_MALFORMED_L4, class, malformed_l4)                                                 \
	X(SIP_FORWARD, verdict, forward)                                                           \
	X(SIP_PUNT, verdict, punt)                                                                 \
	X(SIP_DROP, verdict, drop)                                                                 \
	X(FWD_REQUEST, forward, requests)                                                          \
	X(FWD_RESPONSE, forward, responses)                                                        \
	X(FWD_TRANSIT, forward, transit)                                                           \
	X(FWD_PUNT, forward, punt)                                                                 \
	X(FWD_DROP, forward, drop)                                                                 \
	X(FWD_OFF, forward, off)                                                                   \
	X(FWD_SHIELD, forward, shield)                                                             \
	SIFT_REASON_LIST(SIFT_STAT_REASON_, X, PUNT_, sip_punt)                                    \
	SIFT_REASON_LIST(SIFT_STAT_REASON_, X, DROP_, sip_drop)                                    \
	X(BACKEND_UNREACH, health, icmp_unreachable)                                               \
	X(BACKEND_503, health, sip_503)                                                            \
	X(TRACE_SENT, trace, sent)                                                                 \
	X(TRACE_RATE_CAPPED, trace, rate_capped)                                                   \
	X(TRACE_RING_FULL, trace, ring_full)                                                       \
	X(TRANSIT_DROPPED, transit, dropped)                                                       \
	X(TRANSIT_ROUTED, transit, routed)                                                         \
	X(METHOD_INVITE, method, invite)                                                           \
	X(METHOD_REGISTER, method, register)                                                       \
	X(METHOD_OPTIONS, method, options)                                                         \
	X(METHOD_OTHER, method, other)                                                             \
	X(METHOD_RESPONSE, method, response)                                                       \
	X(SHIELD_ACL_DENY, shield, acl_deny)                                                       \
	X(SHIELD_NOT_ALLOWED, shield, not_allowed)                                                 \
	X(SHIELD_BANNED, shield, banned)                                                           \
	X(SHIELD_RATE_INVITE, shield, rate_invite)                                                 \
	X(SHIELD_RATE_REGISTER, shield, rate_register)                                             \
	X(SHIELD_RATE_OPTIONS, shield, rate_options)                                               \
	X(SHIELD_RATE_OTHER, shield, rate_other)                                                   \
	X(SHIELD_RATE_RESPONSE, shield, rate_response)                                             \
	X(SHIELD_CAP_INVITE, shield, cap_invite)                                                   \
	X(SHIELD_CAP_REGISTER, shield, cap_register)                                               \
	X(SHIELD_CAP_OPTIONS, shield, cap_options)                                                 \
	X(SHIELD_CAP_OTHER, shield, cap_other)                                                     \
	X(SHIELD_CAP_RESPONSE, shield, cap_response)                                               \
	X(SHIELD_SCANNER, shield, scanner)                                                         \
	X(SHIELD_NO_UA, shield, no_user_agent)                                                     \
	X(SHIELD_MALFORMED, shield, malformed)                                                     \
	X(SHIELD_BAN_IMPOSED, shield, bans_imposed)                                                \
	X(ACT_ABORTED, action, aborted)                                                            \
	X(ACT_DROP, action, drop)                                                                  \
	X(ACT_PASS, action, pass)                                                                  \
	X(ACT_TX, action, tx)                                                                      \
	X(ACT_REDIRECT, action, redirect)

#define SIFT_STAT_ENUM_(id, group, name) SIFT_STAT_##id,
enum sift_stat {
	SIFT_STAT_LIST(SIFT_STAT_ENUM_) SIFT_STAT__MAX
};
#undef SIFT_STAT_ENUM_

/* Class counters are the first ones. */
#define SIFT_STAT_CLASS_COUNT (SIFT_STAT_CLASS_MALFORMED_L4 + 1)
/* The first action counter; XDP_* values are added to it. */
#define SIFT_STAT_ACT_BASE SIFT_STAT_ACT_ABORTED
/* The counter of reason r (enum sift_reason, r > 0) is BASE + r - 1. */
#define SIFT_STAT_PUNT_BASE SIFT_STAT_PUNT_TOO_LONG
#define SIFT_STAT_DROP_BASE SIFT_STAT_DROP_TOO_LONG
/* Per method class (enum sift_msg_class), in its order. */
#define SIFT_STAT_METHOD_BASE SIFT_STAT_METHOD_INVITE
#define SIFT_STAT_RATE_BASE SIFT_STAT_SHIELD_RATE_INVITE
#define SIFT_STAT_CAP_BASE SIFT_STAT_SHIELD_CAP_INVITE
_Static_assert(SIFT_STAT_METHOD_RESPONSE - SIFT_STAT_METHOD_BASE == SIFT_CLASS_RESPONSE &&
		       SIFT_STAT_SHIELD_RATE_RESPONSE - SIFT_STAT_RATE_BASE == SIFT_CLASS_RESPONSE &&
		       SIFT_STAT_SHIELD_CAP_RESPONSE - SIFT_STAT_CAP_BASE == SIFT_CLASS_RESPONSE,
	       "per-class counters follow enum sift_msg_class");

struct sift_counter {
	__u64 packets;
	__u64 bytes;
};
SIFT_ASSERT_SIZE(struct sift_counter, 16);

/*
 * sift_stats: a per-CPU array with a single element holding every counter,
 * so the datapath pays one map lookup per packet for all of its accounting.
 */
struct sift_stats {
	struct sift_counter c[SIFT_STAT__MAX];
};

/* sift_ports: array indexed by UDP/TCP destination port. */
enum sift_port_flags {
	SIFT_PORT_SIP = 1 << 0, /* SIP is served on this port (UDP fast path, TCP slow path) */
	SIFT_PORT_STREAM = 1 << 1, /* SIP over TCP or TLS only (siftd's tls.ports): not UDP */
};

enum sift_xdp_mode {
	SIFT_MODE_NATIVE = 1,
	SIFT_MODE_SKB = 2,
};

/*
 * sift_ifaces: ifindex -> where the program is attached.  Written by siftd,
 * read by `siftctl prog show` (which may run without siftd).
 */
struct sift_iface {
	char name[SIFT_IFNAMSIZ];
	__u32 ifindex;
	__u32 prog_id;
	__u32 siftd_pid;
	__u8 mode;      /* enum sift_xdp_mode */
	__u8 multiprog; /* 1: through libxdp's dispatcher; 0: sift owns the hook */
	__u8 requested; /* enum sift_xdp_mode siftd was asked for (differs after fallback) */
	__u8 pad;
	__u64 attached_at; /* CLOCK_REALTIME, seconds */
	__u64 netns_ino;   /* network namespace the ifindex belongs to */
	__u64 build_id;    /* hash of the BPF object siftd loaded: equal means adoptable */
};
SIFT_ASSERT_SIZE(struct sift_iface, 56);

#endif /* SIFT_COMMON_H */
