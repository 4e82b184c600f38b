/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Installing forwarding state into the XDP program's maps: how sift appears
 * on each interface, its own addresses and domains, routes, groups,
 * backends and their Maglev tables.
 *
 * The fast path reads these maps while they change, so every install is
 * ordered for it: a backend's entry is written before any table names it,
 * a group's table is swapped in whole (one map-in-map update) before a
 * route points at it, and what is gone is removed last.  A reader sees the
 * old state or the new one for each lookup, never a half-built table.
 */
#ifndef SIFT_FWDSTATE_H
#define SIFT_FWDSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sift/fwd.h>

#include "config.h"
#include "maps.h"
#include "routing.h"

/* How sift appears on one attached interface (computed by siftd). */
struct sift_face_conf {
	struct sift_addr addr; /* family 0: none of this family */
	char host[SIFT_HOSTTXT_MAX];
};

struct sift_iface_view {
	char name[SIFT_IFNAMSIZ];
	int ifindex;
	unsigned int port;
	unsigned int mtu;
	struct sift_face_conf v4, v6;
	/* every address sift answers as here (the faces' among them) */
	struct sift_addr addrs[SIFT_MAX_IFACE_ADDRS * 2];
	unsigned int n_addrs;
};

/* Everything an install needs. */
struct sift_fwd_view {
	const struct sift_routing *routing; /* backend states already effective (health applied) */
	const struct sift_iface_view *ifaces;
	unsigned int n_ifaces;
	bool forward;             /* SIFT_CFG_FORWARD */
	unsigned int nh_cache_ms; /* sift_config.nh_cache_ms */
	bool transit_route;       /* SIFT_CFG_TRANSIT_ROUTE */
	bool watch;               /* SIFT_CFG_WATCH */
};

/*
 * What persists from one install to the next, so that ids stay stable: a
 * group keeps its table slot and a backend its id for as long as it
 * exists, and a freed id is reused as late as possible.
 */
struct sift_fwd_group_slot {
	char name[SIFT_GROUP_NAME];
	bool used;
	uint64_t sig; /* of the members the current table was built from */
	uint32_t *table; /* a copy of the installed Maglev table, for the native decision */
};

struct sift_fwd_backend_slot {
	char group[SIFT_GROUP_NAME];
	struct sift_addr addr;
	unsigned int port;
	bool used;
};

struct sift_fwd_state {
	struct sift_fwd_group_slot groups[SIFT_MAX_GROUPS];
	struct sift_fwd_backend_slot backends[SIFT_MAX_BACKENDS];
	uint32_t share[SIFT_MAX_BACKENDS]; /* table entries for new dialogs, per backend id */
	uint32_t free_ids[SIFT_MAX_BACKENDS]; /* FIFO of unused backend ids */
	unsigned int free_head, free_n;
	char domains[SIFT_MAX_DOMAINS][SIFT_NAME_MAX]; /* index + 1 = domain id */
	unsigned int n_domains;
	bool loaded; /* picked up what the maps held (a restart adopting the program) */
};

/* Forget everything: the next install starts from empty maps' point of view. */
void sift_fwd_state_init(struct sift_fwd_state *st);
/* Free the Maglev copies (the state is then as after init). */
void sift_fwd_state_free(struct sift_fwd_state *st);
/* Slot @idx of group @gidx's table as installed (SIFT_NO_BACKEND: none), or -1 when no table. */
int sift_fwd_maglev_slot(const struct sift_fwd_state *st, uint32_t gidx, uint32_t idx,
			 uint32_t *id);

/*
 * Make the maps say what @v says.  0, or -errno with the reason in @err;
 * on error the maps may hold a mix of old and new entries, each of them
 * consistent (a following install with the old view restores it).
 */
int sift_fwd_install(struct sift_fwd_state *st, const struct sift_maps *m,
		     const struct sift_fwd_view *v, char *err, size_t errlen);

/* The group's table slot and a backend's id as installed; -1 when absent. */
int sift_fwd_group_index(const struct sift_fwd_state *st, const char *group);
int sift_fwd_backend_id(const struct sift_fwd_state *st, const char *group,
			const struct sift_addr *a, unsigned int port);

/*
 * Make sure the config map has a MAC key: keep a nonzero one (the branches
 * and vouches sift wrote before a restart stay valid), else draw one.
 */
int sift_fwd_key_ensure(int config_fd, __u64 key[2]);

/* Text forms of how sift appears, as the maps get them (for tests and show). */
int sift_fwd_via_head(const struct sift_face_conf *f, unsigned int port, char *out, size_t len);
/* @mac_at: where each URI's vouch digits go (0: no second URI). */
int sift_fwd_rr_text(const struct sift_face_conf *egress, unsigned int eport,
		     const struct sift_face_conf *ingress, unsigned int iport, bool same, char *out,
		     size_t len, __u16 mac_at[2]);

#endif
