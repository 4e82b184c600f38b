// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and attaching sift_xdp.
 *
 * The program is attached through libxdp so that it joins other XDP programs
 * through the dispatcher.  Where the kernel refuses the dispatcher (it needs
 * freplace programs), libxdp falls back to owning the hook alone; we log which
 * one happened.
 *
 * A restart after `--keep-attached` finds sift_xdp already attached.  If it is
 * the very program this binary carries (same build id) and uses the pinned
 * maps, it is adopted untouched: a hitless restart.  Otherwise the new program
 * replaces it atomically (XDP_FLAGS_REPLACE, or add-then-remove in the
 * dispatcher) so no packet meets an empty hook.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <sift/fwd.h>
#include <sift/shield.h>

#include "sift.skel.h"
#include "loader.h"
#include "log.h"

enum existing {
	EXIST_NONE,     /* nothing, or a dispatcher without sift: libxdp adds us */
	EXIST_SIFT,     /* sift_xdp, alone on the hook */
	EXIST_SIFT_MP,  /* sift_xdp inside libxdp's dispatcher */
	EXIST_FOREIGN,  /* another program owns the hook without a dispatcher */
};

struct probe {
	enum existing what;
	__u32 prog_id;
	int mode; /* SIFT_MODE_* of the existing attachment */
	char foreign[BPF_OBJ_NAME_LEN];
};

__u64 sift_build_id(void)
{
	const unsigned char *p;
	__u64 h = 0xcbf29ce484222325ULL; /* FNV-1a */
	size_t sz;

	p = sift__elf_bytes(&sz);
	for (size_t i = 0; i < sz; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static enum xdp_attach_mode to_xdp_mode(int mode)
{
	return mode == SIFT_MODE_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
}

static int from_xdp_mode(enum xdp_attach_mode m)
{
	return m == XDP_MODE_SKB ? SIFT_MODE_SKB : SIFT_MODE_NATIVE;
}

static const char *errstr(int err)
{
	static char buf[128];

	libxdp_strerror(err, buf, sizeof(buf));
	return buf;
}

int sift_pin_dir_prepare(const char *pin_path)
{
	char parent[PATH_MAX];
	struct statfs sfs;
	char *slash;

	snprintf(parent, sizeof(parent), "%s", pin_path);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return -EINVAL;
	*slash = '\0';

	if (statfs(parent, &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		if (strcmp(parent, "/sys/fs/bpf")) {
			pr_err("%s is not on a bpf filesystem", pin_path);
			return -ENOTSUP;
		}
		pr_info("mounting bpffs on /sys/fs/bpf");
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
			pr_err("mount bpffs on /sys/fs/bpf: %s", strerror(errno));
			return -errno;
		}
	}
	if (mkdir(pin_path, 0700) && errno != EEXIST) {
		pr_err("mkdir %s: %s", pin_path, strerror(errno));
		return -errno;
	}
	return 0;
}

static void probe_iface(int ifindex, struct probe *pr)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;

	memset(pr, 0, sizeof(*pr));
	if (libxdp_get_error(mp) || !mp)
		return;
	pr->mode = from_xdp_mode(xdp_multiprog__attach_mode(mp));
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p && !strcmp(xdp_program__name(p), SIFT_PROG_NAME)) {
			pr->what = EXIST_SIFT;
			pr->prog_id = xdp_program__id(p);
		} else if (p) {
			pr->what = EXIST_FOREIGN;
			pr->prog_id = xdp_program__id(p);
			snprintf(pr->foreign, sizeof(pr->foreign), "%s", xdp_program__name(p));
		}
	} else {
		for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp)) {
			if (!strcmp(xdp_program__name(p), SIFT_PROG_NAME)) {
				pr->what = EXIST_SIFT_MP;
				pr->prog_id = xdp_program__id(p);
			}
		}
	}
	xdp_multiprog__close(mp);
}

#define PROG_MAPS_MAX 64

/* The ids of the maps program @prog_id uses, into @ids; how many, or 0. */
static __u32 prog_map_ids(__u32 prog_id, __u32 ids[PROG_MAPS_MAX])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n = 0;
	int pfd = bpf_prog_get_fd_by_id(prog_id);

	if (pfd < 0)
		return 0;
	info.nr_map_ids = PROG_MAPS_MAX;
	info.map_ids = (__u64)(unsigned long)ids;
	if (!bpf_obj_get_info_by_fd(pfd, &info, &len))
		n = info.nr_map_ids < PROG_MAPS_MAX ? info.nr_map_ids : PROG_MAPS_MAX;
	close(pfd);
	return n;
}

/* Does program @prog_id use the map pinned as sift_stats under @pin_path? */
static bool prog_uses_pins(__u32 prog_id, const char *pin_path)
{
	struct bpf_map_info minfo = {};
	__u32 mlen = sizeof(minfo), ids[PROG_MAPS_MAX], n;
	bool found = false;
	int mfd;

	mfd = sift_map_open(pin_path, SIFT_STR(SIFT_MAP_STATS));
	if (mfd < 0)
		return false;
	n = prog_map_ids(prog_id, ids);
	if (n && !bpf_obj_get_info_by_fd(mfd, &minfo, &mlen))
		for (__u32 i = 0; i < n; i++)
			found |= ids[i] == minfo.id;
	close(mfd);
	return found;
}

/*
 * An fd of the map called @name that program @prog_id uses, or -errno: the
 * bucket table is not pinned, and an adopted program's is found this way.
 */
static int prog_map_fd(__u32 prog_id, const char *name)
{
	__u32 ids[PROG_MAPS_MAX], n = prog_map_ids(prog_id, ids);

	for (__u32 i = 0; i < n; i++) {
		struct bpf_map_info minfo = {};
		__u32 mlen = sizeof(minfo);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &minfo, &mlen) && !strcmp(minfo.name, name))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

/* The build id siftd recorded for @ifindex, or 0. */
static __u64 recorded_build(const char *pin_path, int ifindex)
{
	struct sift_iface rec;
	__u32 key = ifindex;
	int fd = sift_map_open(pin_path, SIFT_STR(SIFT_MAP_IFACES));
	__u64 id = 0;

	if (fd < 0)
		return 0;
	if (!bpf_map_lookup_elem(fd, &key, &rec) && rec.prog_id)
		id = rec.build_id;
	close(fd);
	return id;
}

static int open_object(struct sift_loader *l, bool load)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .pin_root_path = l->pin_path);
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .prog_name = SIFT_PROG_NAME);
	int err, fd;

	l->skel = sift__open_opts(&oopts);
	if (!l->skel) {
		err = -errno;
		pr_err("open BPF object: %s", strerror(-err));
		return err;
	}
	if (l->buckets && bpf_map__set_max_entries(l->skel->maps.sift_buckets, l->buckets))
		pr_warn("cannot size the bucket table to %u entries", l->buckets);
	/* The devmap is pinned by hand: see its definition. */
	fd = sift_map_open(l->pin_path, SIFT_STR(SIFT_MAP_TX));
	if (fd >= 0) {
		err = bpf_map__reuse_fd(l->skel->maps.sift_tx, fd);
		close(fd);
		if (err) {
			pr_err("reuse pinned %s: %s", SIFT_STR(SIFT_MAP_TX), strerror(-err));
			return err;
		}
	}
	if (!load) {
		/* libxdp loads it: as an extension of its dispatcher where it can. */
		xopts.obj = l->skel->obj;
		l->prog = xdp_program__create(&xopts);
	} else {
		err = sift__load(l->skel);
		if (err) {
			pr_err("load BPF object: %s (maps pinned under %s from an incompatible "
			       "version? `siftd --purge` removes them)",
			       strerror(-err), l->pin_path);
			return err;
		}
		l->prog = xdp_program__from_fd(dup(bpf_program__fd(l->skel->progs.sift_xdp)));
	}
	err = libxdp_get_error(l->prog);
	if (err) {
		l->prog = NULL;
		pr_err("create XDP program: %s", errstr(err));
		return err;
	}
	return 0;
}

static int attach_new(struct sift_loader *l, struct sift_link *k, bool fallback)
{
	int err;

	err = xdp_program__attach(l->prog, k->ifindex, to_xdp_mode(k->requested), 0);
	if (err && k->requested == SIFT_MODE_NATIVE && fallback) {
		pr_warn("%s: native XDP failed (%s); falling back to skb mode, which is much "
			"slower",
			k->name, errstr(err));
		err = xdp_program__attach(l->prog, k->ifindex, XDP_MODE_SKB, 0);
	}
	if (err) {
		if (err == -EPERM || err == -EACCES || err == -EINVAL)
			pr_err("%s: attach failed: %s (run siftd -v for the verifier's log)",
			       k->name, errstr(err));
		else
			pr_err("%s: attach failed: %s", k->name, errstr(err));
	}
	return err;
}

/* Put our program where an older sift_xdp is, without a moment of empty hook. */
static int replace_old(struct sift_loader *l, struct sift_link *k, const struct probe *pr)
{
	int fd = xdp_program__fd(l->prog), old_fd, err;

	if (pr->what == EXIST_SIFT_MP) {
		struct xdp_program *old = xdp_program__from_id(pr->prog_id);

		err = xdp_program__attach(l->prog, k->ifindex, to_xdp_mode(pr->mode), 0);
		if (!err && !libxdp_get_error(old))
			err = xdp_program__detach(old, k->ifindex, to_xdp_mode(pr->mode), 0);
		if (!libxdp_get_error(old))
			xdp_program__close(old);
		return err;
	}

	if (pr->mode != k->requested) {
		/* A mode change cannot be atomic: the kernel holds one mode per hook. */
		pr_warn("%s: switching from %s to %s mode detaches sift for a moment", k->name,
			pr->mode == SIFT_MODE_SKB ? "skb" : "native",
			k->requested == SIFT_MODE_SKB ? "skb" : "native");
		err = bpf_xdp_detach(k->ifindex, pr->mode == SIFT_MODE_SKB ? XDP_FLAGS_SKB_MODE :
									XDP_FLAGS_DRV_MODE,
				     NULL);
		return err ? err : attach_new(l, k, false);
	}

	old_fd = bpf_prog_get_fd_by_id(pr->prog_id);
	if (old_fd < 0)
		return -errno;
	LIBBPF_OPTS(bpf_xdp_attach_opts, aopts, .old_prog_fd = old_fd);
	err = bpf_xdp_attach(k->ifindex, fd,
			     XDP_FLAGS_REPLACE | (pr->mode == SIFT_MODE_SKB ? XDP_FLAGS_SKB_MODE :
									      XDP_FLAGS_DRV_MODE),
			     &aopts);
	close(old_fd);
	return err;
}

static void learn_state(struct sift_link *k)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(k->ifindex);

	if (libxdp_get_error(mp) || !mp)
		return;
	k->multiprog = !xdp_multiprog__is_legacy(mp);
	k->mode = from_xdp_mode(xdp_multiprog__attach_mode(mp));
	xdp_multiprog__close(mp);
}

static void record_link(struct sift_loader *l, const struct sift_link *k)
{
	struct sift_iface rec = {};
	struct stat st;
	__u32 key = k->ifindex;

	snprintf(rec.name, sizeof(rec.name), "%s", k->name);
	rec.ifindex = k->ifindex;
	rec.prog_id = l->prog_id;
	rec.siftd_pid = getpid();
	rec.mode = k->mode;
	rec.requested = k->requested;
	rec.multiprog = k->multiprog;
	rec.attached_at = time(NULL);
	rec.build_id = l->build_id;
	if (!stat("/proc/self/ns/net", &st))
		rec.netns_ino = st.st_ino;
	if (bpf_map_update_elem(l->maps.ifaces, &key, &rec, BPF_ANY))
		pr_warn("%s: cannot record attachment: %s", k->name, strerror(errno));
}

int sift_loader_start(struct sift_loader *l, const char *pin_path, const struct sift_link_req *req,
		      unsigned int n, unsigned int buckets)
{
	struct probe probes[SIFT_MAX_IFACES];
	__u32 adopt_id = 0;
	bool replace_legacy = false;
	int err;

	memset(l, 0, sizeof(*l));
	sift_maps_init(&l->maps);
	l->buckets_fd = -1;
	snprintf(l->pin_path, sizeof(l->pin_path), "%s", pin_path);
	l->build_id = sift_build_id();
	l->buckets = buckets;
	if (n > SIFT_MAX_IFACES)
		return -E2BIG;

	err = sift_pin_dir_prepare(pin_path);
	if (err)
		return err;

	for (unsigned int i = 0; i < n; i++) {
		struct sift_link *k = &l->links[i];
		struct probe *pr = &probes[i];

		snprintf(k->name, sizeof(k->name), "%s", req[i].name);
		k->requested = req[i].mode;
		k->ifindex = if_nametoindex(req[i].name);
		if (!k->ifindex) {
			pr_err("%s: no such interface", req[i].name);
			return -ENODEV;
		}
		probe_iface(k->ifindex, pr);
		if (pr->what == EXIST_FOREIGN) {
			pr_err("%s: XDP program '%s' (id %u) owns this interface without libxdp's "
			       "dispatcher; sift can only join other programs through libxdp",
			       k->name, pr->foreign, pr->prog_id);
			return -EBUSY;
		}
		if (pr->what == EXIST_NONE)
			continue;
		if (recorded_build(pin_path, k->ifindex) == l->build_id &&
		    prog_uses_pins(pr->prog_id, pin_path))
			adopt_id = pr->prog_id;
		else if (pr->what == EXIST_SIFT)
			replace_legacy = true;
	}
	l->n_links = n;

	if (adopt_id) {
		l->prog = xdp_program__from_id(adopt_id);
		err = libxdp_get_error(l->prog);
		if (err) {
			l->prog = NULL;
			pr_err("adopt program id %u: %s", adopt_id, errstr(err));
			return err;
		}
		pr_info("adopting the attached sift_xdp (id %u): same build, same maps", adopt_id);
	} else {
		/* An atomic replace needs our program loaded before the swap. */
		err = open_object(l, replace_legacy);
		if (err)
			goto fail;
	}

	for (unsigned int i = 0; i < n; i++) {
		struct sift_link *k = &l->links[i];
		struct probe *pr = &probes[i];

		if (pr->what != EXIST_NONE && pr->prog_id == xdp_program__id(l->prog)) {
			k->adopted = true;
		} else if (pr->what == EXIST_NONE) {
			err = attach_new(l, k, req[i].fallback);
		} else {
			pr_info("%s: replacing sift_xdp id %u", k->name, pr->prog_id);
			err = replace_old(l, k, pr);
			k->replaced = !err;
			if (err)
				pr_err("%s: replace failed: %s", k->name, errstr(err));
		}
		if (err)
			goto fail;
		k->attached = true;
		learn_state(k);
	}

	l->prog_id = xdp_program__id(l->prog);
	if (l->skel) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", pin_path, SIFT_STR(SIFT_MAP_TX));
		if (access(path, F_OK) && bpf_obj_pin(bpf_map__fd(l->skel->maps.sift_tx), path)) {
			err = -errno;
			pr_err("pin %s: %s", path, strerror(errno));
			goto fail;
		}
	}
	err = sift_maps_open(pin_path, &l->maps);
	if (err) {
		pr_err("open pinned maps under %s: %s", pin_path, strerror(-err));
		goto fail;
	}
	l->buckets_fd = prog_map_fd(l->prog_id, SIFT_STR(SIFT_MAP_BUCKETS));
	if (l->buckets_fd < 0)
		pr_warn("no bucket table found in sift_xdp id %u: reassembled messages are not "
			"rate limited",
			l->prog_id);
	for (unsigned int i = 0; i < n; i++) {
		struct sift_link *k = &l->links[i];

		record_link(l, k);
		pr_info("%s: %s sift_xdp id %u in %s mode%s", k->name,
			k->adopted ? "kept" : k->replaced ? "replaced with" : "attached", l->prog_id,
			k->mode == SIFT_MODE_SKB ? "skb" : "native",
			k->multiprog ? " through libxdp's dispatcher" :
				       " (alone: no dispatcher on this kernel)");
	}
	return 0;

fail:
	/* Undo only what this call changed; adopted attachments were there before. */
	for (unsigned int i = 0; i < n; i++) {
		struct sift_link *k = &l->links[i];

		if (k->attached && !k->adopted && probes[i].what == EXIST_NONE)
			xdp_program__detach(l->prog, k->ifindex, to_xdp_mode(k->mode), 0);
		k->attached = false;
	}
	sift_loader_close(l);
	return err ? err : -EINVAL;
}

void sift_loader_detach(struct sift_loader *l)
{
	for (unsigned int i = 0; i < l->n_links; i++) {
		struct sift_link *k = &l->links[i];
		__u32 key = k->ifindex;
		int err;

		if (!k->attached)
			continue;
		err = xdp_program__detach(l->prog, k->ifindex, to_xdp_mode(k->mode), 0);
		if (err)
			pr_warn("%s: detach: %s", k->name, errstr(err));
		else
			pr_info("%s: detached", k->name);
		k->attached = false;
		if (l->maps.ifaces >= 0)
			bpf_map_delete_elem(l->maps.ifaces, &key);
	}
}

void sift_loader_close(struct sift_loader *l)
{
	sift_maps_close(&l->maps);
	if (l->buckets_fd >= 0)
		close(l->buckets_fd);
	l->buckets_fd = -1;
	if (l->prog)
		xdp_program__close(l->prog);
	l->prog = NULL;
	if (l->skel)
		sift__destroy(l->skel);
	l->skel = NULL;
}
