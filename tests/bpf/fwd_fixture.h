/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The forwarding setup BPF tests share: the test network (testnet.h), and
 * routing installed into a loaded sift_xdp through siftd's own installer.
 *
 *   routes:  default -> one      (198.18.2.2)
 *            +1555   -> one, Record-Route
 *            6       -> v6       (2001:db8:2::2)
 *            7       -> three    (198.18.2.2, .3, .4)
 *            +66     -> v6, Record-Route
 *   domains: sift.example (ours)
 *   faces:   in0 198.18.1.1 / [2001:db8:1::1], out0 198.18.2.1 / [2001:db8:2::1], port 5060
 */
#ifndef SIFT_TEST_FWD_FIXTURE_H
#define SIFT_TEST_FWD_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "fwdstate.h"
#include "testnet.h"

/* The MAC key the fixture installs; 198.18.1.3 is a peer the allow list trusts. */
#define FIX_KEY0 0x0123456789abcdefULL
#define FIX_KEY1 0x1122334455667788ULL
#define FIX_TRUSTED_PEER "198.18.1.3"
extern const __u64 fix_key[2];

extern struct testnet fix_net; /* set up once by main() */

struct fwd_fixture {
	struct sift *skel;
	struct sift_maps maps;
	struct sift_fwd_state st;
	struct sift_routing routing;
	struct sift_iface_view views[2];
	bool transit_route; /* `transit: route` (default: drop) */
};

/* Load sift_xdp and install the routing above.  0 or -errno. */
int fix_load(struct fwd_fixture *f);
/* Install f->routing again (after a test changed it).  0 or -errno. */
int fix_reinstall(struct fwd_fixture *f);
void fix_free(struct fwd_fixture *f);

/* A backend's state in group @group. */
void fix_backend_state(struct fwd_fixture *f, const char *group, const char *addr, int state);

/*
 * The frame sift should emit: @payload from @src:@sport to @dst:@dport
 * over IPv4 (DF, TTL 64) or IPv6 (hop limit 64), MACs as given.
 */
size_t fix_frame(__u8 *buf, size_t len, int ipv, const char *src, unsigned int sport,
		 const char *dst, unsigned int dport, const __u8 *smac, const __u8 *dmac,
		 const char *payload, size_t plen);

/*
 * sift's branch for the request @msg (as siftd's native helpers compute it)
 * when it goes to @nh:@nh_port and its responses to @ph:@ph_port.
 */
void fix_branch(const char *msg, size_t len, const char *nh, unsigned int nh_port, const char *ph,
		unsigned int ph_port, char out[SIFT_BRANCH_LEN + 1]);
/* The port responses to request @msg from @src:@sport go to (its top Via, RFC 3581). */
unsigned int fix_reply_port(const char *msg, size_t len, const char *src, unsigned int sport);
/* sift's vouch for the dialog of @msg and the hop @hop, as 8 hex digits. */
void fix_vouch(const char *msg, size_t len, const char *hop, char out[9]);

/* Replace every "@BRANCH@" in @tmpl with @branch and "@VOUCH@" with @vouch; into @out. */
size_t fix_subst(const char *tmpl, const char *branch, const char *vouch, char *out, size_t len);

#endif
