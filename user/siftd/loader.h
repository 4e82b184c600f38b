/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SIFTD_LOADER_H
#define SIFTD_LOADER_H

#include <limits.h>
#include <stdbool.h>
#include <sift/common.h>

#include "maps.h"

struct sift;
struct xdp_program;

struct sift_link {
	char name[SIFT_IFNAMSIZ];
	int ifindex;
	int requested; /* SIFT_MODE_* asked for */
	int mode;      /* SIFT_MODE_* in effect */
	bool multiprog;
	bool adopted;  /* the program was already attached: nothing was changed */
	bool replaced; /* an older sift_xdp was swapped out atomically */
	bool attached;
};

struct sift_loader {
	char pin_path[PATH_MAX];
	struct sift *skel;        /* our object; NULL when an attached one was adopted */
	struct xdp_program *prog; /* the program on every link */
	__u64 build_id;
	__u32 prog_id;
	unsigned int buckets; /* entries of the bucket table of a program loaded here */
	struct sift_maps maps;
	int buckets_fd; /* the program's bucket table (not pinned), for siftd's own shield */
	struct sift_link links[SIFT_MAX_IFACES];
	unsigned int n_links;
};

struct sift_link_req {
	const char *name;
	int mode;      /* SIFT_MODE_* */
	bool fallback; /* native may fall back to skb, with a warning */
};

/*
 * Load (or adopt) the program and attach it to every interface in @req;
 * a program loaded here gets a bucket table of @buckets entries.
 * All or nothing: on error, what this call attached is detached again and
 * -errno is returned with the reason logged.
 */
int sift_loader_start(struct sift_loader *l, const char *pin_path, const struct sift_link_req *req,
		      unsigned int n, unsigned int buckets);
/* Detach from every interface and forget the records (maps stay pinned). */
void sift_loader_detach(struct sift_loader *l);
/* Release handles; attachments stay as they are. */
void sift_loader_close(struct sift_loader *l);

/* Hash of the BPF object compiled into this binary. */
__u64 sift_build_id(void);

/* Make sure @pin_path is a directory on a bpf filesystem, mounting /sys/fs/bpf if needed. */
int sift_pin_dir_prepare(const char *pin_path);

#endif
