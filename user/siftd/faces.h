/* SPDX-License-Identifier: GPL-2.0 */
/* How sift appears on each interface: addresses, port, the host it writes, MTU. */
#ifndef SIFTD_FACES_H
#define SIFTD_FACES_H

#include "config.h"
#include "fwdstate.h"

/*
 * Fill @out from the configuration: the addresses listed for an interface,
 * else those it has (global ones; IPv6 link-local is skipped).  0, or
 * -errno with the reason logged.
 */
int sift_faces_build(const struct sift_conf *c, struct sift_iface_view *out);

#endif
