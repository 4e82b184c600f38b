/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sysctls siftd changes, and the values it found.
 *
 * bpf_fib_lookup() answers only where the ingress interface forwards, so
 * siftd turns IPv4 and IPv6 forwarding on for its interfaces.  Whatever it
 * finds is written to RUN_DIR/sysctl.orig before anything is changed and
 * put back when sift detaches.  A siftd that leaves the program attached
 * (--keep-attached), or dies, leaves the file for the siftd that adopts the
 * program: that one restores what the first found, not what it found itself.
 */
#ifndef SIFTD_SYSCTL_H
#define SIFTD_SYSCTL_H

#include <jansson.h>

#include "config.h"

#define SIFT_SYSCTL_FILE "sysctl.orig"
#define SIFT_SYSCTL_MAX (4 * SIFT_MAX_IFACES)
#define SIFT_SYSCTL_PATH 96
#define SIFT_SYSCTL_VALUE 16

struct sift_sysctl {
	char path[SIFT_SYSCTL_PATH];   /* under /proc/sys */
	char was[SIFT_SYSCTL_VALUE];   /* what siftd found, before any siftd changed it */
};

/* What siftd owes: the values to put back, its own interfaces' and others' from the file. */
struct sift_sysctls {
	struct sift_sysctl e[SIFT_SYSCTL_MAX];
	unsigned int n;
	bool loaded; /* the file has been read */
};

/*
 * Turn IPv4 and IPv6 forwarding on for every interface of @c, after saving
 * what was there (and keeping what an earlier siftd saved).  Logs every
 * change; a sysctl that cannot be changed is logged and skipped.
 */
void sift_sysctl_forwarding_on(struct sift_sysctls *s, const struct sift_conf *c);

/*
 * sift detaches: put back what was found on @c's interfaces and forget it;
 * what the file holds for other interfaces stays there.
 */
void sift_sysctl_restore(struct sift_sysctls *s, const struct sift_conf *c);

/* sift stays attached: leave the sysctls as they are, the originals in the file. */
void sift_sysctl_keep(const struct sift_sysctls *s, const struct sift_conf *c);

/* [{sysctl, was, now}] for @c's interfaces, for `siftctl daemon show`. */
json_t *sift_sysctl_json(const struct sift_sysctls *s, const struct sift_conf *c);

#endif
