/* SPDX-License-Identifier: GPL-2.0 */
/* siftd's state, shared by its modules (main.c runs it, control.c answers siftctl). */
#ifndef SIFTD_H
#define SIFTD_H

#include <stdbool.h>
#include <jansson.h>

#include "config.h"
#include "fwdstate.h"
#include "ctlconn.h"
#include "loader.h"
#include "metrics.h"
#include "probe.h"
#include "punt.h"
#include "sysctl.h"

struct siftd {
	struct sift_conf conf;
	const char *conf_path; /* NULL: flags only */
	/* Command-line settings win over the file, also across reloads. */
	const char *cli_ifaces[SIFT_MAX_IFACES];
	unsigned int n_cli_ifaces;
	int cli_mode;
	bool cli_keep_attached;
	const char *cli_pin_path;
	const char *cli_run_dir;
	bool verbose;

	struct sift_loader loader;
	int locks[SIFT_MAX_IFACES];
	unsigned int n_locks;

	/* what runs: the file (conf) with the live changes on top */
	struct sift_conf *eff;
	json_t *live; /* the live changes, in the order they were made */
	struct sift_fwd_state *fwd;
	struct sift_iface_view views[SIFT_MAX_IFACES];

	struct sift_sysctls sysctls; /* what siftd changed, and what it found */
	struct sift_punt punt;
	__u64 key[2]; /* the MAC key, from the pinned config map */
	struct sift_prober *probe;
	int ctl_fd;
	struct siftd_ctl ctl; /* its clients (ctlconn.h) */
	struct sift_metrics *metrics; /* /metrics (metrics.h); NULL: off */
	struct ring_buffer *unreach;  /* the fast path's word that a backend is gone */
	bool unreach_changed;
	int timer_fd;
};

/*
 * Make @c (ports, interfaces, routing, shield) what the fast path does.  On
 * failure what ran before (d->eff) is put back and -errno returned, the
 * reason logged.
 */
int siftd_install(struct siftd *d, const struct sift_conf *c);

/*
 * Read the configuration again (SIGHUP, `siftctl daemon reload`): {"ok", "errors": [...],
 * "warnings": [...], "config"}; when not ok, what runs is unchanged.
 */
json_t *siftd_reload(struct siftd *d);

/* Replay @changes over @c; those that no longer apply are dropped (logged). */
void siftd_replay(struct sift_conf *c, json_t *changes);

/* The live changes, kept in the run directory across restarts. */
int siftd_live_save(struct siftd *d);

/* One control request; the answer is a new reference. */
json_t *siftd_control(struct siftd *d, json_t *req);

#endif
