// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <sift/fwd.h>
#include <sift/shield.h>

#include "maps.h"

#define SIFT_STAT_NAME_(id, group, name) #name,
#define SIFT_STAT_GROUP_(id, group, name) #group,
static const char *const stat_names[] = { SIFT_STAT_LIST(SIFT_STAT_NAME_) };
static const char *const stat_groups[] = { SIFT_STAT_LIST(SIFT_STAT_GROUP_) };

const char *sift_stat_name(unsigned int idx)
{
	return idx < SIFT_STAT__MAX ? stat_names[idx] : "?";
}

const char *sift_stat_group(unsigned int idx)
{
	return idx < SIFT_STAT__MAX ? stat_groups[idx] : "?";
}

int sift_stat_lookup(const char *name)
{
	for (int i = 0; i < SIFT_STAT__MAX; i++)
		if (!strcmp(stat_names[i], name))
			return i;
	return -1;
}

int sift_map_open(const char *pin_path, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", pin_path, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

#include <stddef.h>
#include <sift/trace.h>

static const struct {
	const char *name;
	size_t off;
} pinned[] = {
#define PINNED(field, name) { SIFT_STR(name), offsetof(struct sift_maps, field) }
	PINNED(stats, SIFT_MAP_STATS),	   PINNED(ports, SIFT_MAP_PORTS),
	PINNED(ifaces, SIFT_MAP_IFACES),   PINNED(config, SIFT_MAP_CONFIG),
	PINNED(routes, SIFT_MAP_ROUTES),   PINNED(domains, SIFT_MAP_DOMAINS),
	PINNED(self, SIFT_MAP_SELF),	   PINNED(backends, SIFT_MAP_BACKENDS),
	PINNED(maglev, SIFT_MAP_MAGLEV),   PINNED(egress, SIFT_MAP_EGRESS),
	PINNED(rr, SIFT_MAP_RR),	   PINNED(tx, SIFT_MAP_TX),
	PINNED(hops, SIFT_MAP_HOPS),
	PINNED(shield, SIFT_MAP_SHIELD),   PINNED(acl_deny, SIFT_MAP_ACL_DENY),
	PINNED(acl_allow, SIFT_MAP_ACL_ALLOW), PINNED(bans, SIFT_MAP_BANS),
	PINNED(caps, SIFT_MAP_CAPS),	   PINNED(scanners, SIFT_MAP_SCANNERS),
	PINNED(unreach, SIFT_MAP_UNREACH), PINNED(trace_cfg, SIFT_MAP_TRACE_CFG),
	PINNED(trace, SIFT_MAP_TRACE),     PINNED(watch, SIFT_MAP_WATCH),
#undef PINNED
};

static int *fd_of(struct sift_maps *m, unsigned int i)
{
	return (int *)((char *)m + pinned[i].off);
}

void sift_maps_init(struct sift_maps *m)
{
	for (unsigned int i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++)
		*fd_of(m, i) = -1;
}

int sift_maps_open(const char *pin_path, struct sift_maps *m)
{
	sift_maps_init(m);
	for (unsigned int i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++) {
		int fd = sift_map_open(pin_path, pinned[i].name);

		if (fd < 0) {
			sift_maps_close(m);
			return fd;
		}
		*fd_of(m, i) = fd;
	}
	return 0;
}

void sift_maps_close(struct sift_maps *m)
{
	for (unsigned int i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++) {
		if (*fd_of(m, i) >= 0)
			close(*fd_of(m, i));
		*fd_of(m, i) = -1;
	}
}

int sift_stats_sum(int fd, struct sift_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct sift_stats *percpu;
	__u32 key = 0;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, percpu)) {
		err = -errno;
		goto out;
	}
	memset(sum, 0, sizeof(*sum));
	for (int cpu = 0; cpu < ncpu; cpu++) {
		for (int i = 0; i < SIFT_STAT__MAX; i++) {
			sum->c[i].packets += percpu[cpu].c[i].packets;
			sum->c[i].bytes += percpu[cpu].c[i].bytes;
		}
	}
out:
	free(percpu);
	return err;
}

int sift_stats_reset(int fd)
{
	int ncpu = libbpf_num_possible_cpus();
	struct sift_stats *zero;
	__u32 key = 0;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	zero = calloc(ncpu, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &key, zero, BPF_ANY))
		err = -errno;
	free(zero);
	return err;
}

int sift_ports_set(int fd, const unsigned int *ports, unsigned int n, const unsigned int *streams,
		   unsigned int n_streams)
{
	static __u8 cur[65536];
	__u32 count = 65536, out_batch;
	__u32 *keys;
	int err = 0;

	/* One batched read of the whole table instead of 65536 lookups. */
	keys = calloc(65536, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	if (bpf_map_lookup_batch(fd, NULL, &out_batch, keys, cur, &count, NULL) &&
	    errno != ENOENT) {
		err = -errno;
		goto out;
	}
	/* Add the new ports first so a port kept across the change is never off. */
	for (unsigned int i = 0; i < n + n_streams; i++) {
		__u32 key = i < n ? ports[i] : streams[i - n];
		__u8 v = i < n ? SIFT_PORT_SIP : SIFT_PORT_STREAM;

		if (key > 65535)
			continue;
		for (unsigned int k = 0; k < n && i >= n; k++)
			if (ports[k] == key)
				v = SIFT_PORT_SIP; /* on both lists: a SIP port, TCP included */
		if (bpf_map_update_elem(fd, &key, &v, BPF_ANY)) {
			err = -errno;
			goto out;
		}
		cur[key] &= ~(SIFT_PORT_SIP | SIFT_PORT_STREAM);
	}
	/* Whatever is still marked in the old table was not asked for. */
	for (__u32 key = 0; key < 65536; key++) {
		__u8 v = 0;

		if (!(cur[key] & (SIFT_PORT_SIP | SIFT_PORT_STREAM)))
			continue;
		if (bpf_map_update_elem(fd, &key, &v, BPF_ANY)) {
			err = -errno;
			goto out;
		}
	}
out:
	free(keys);
	return err;
}

int sift_map_err(char *err, size_t errlen, const char *what, int e)
{
	snprintf(err, errlen, "%s: %s", what, strerror(e));
	return -e;
}

/* Keys are collected first: deleting while walking would restart the walk. */
static bool listed(const void *key, size_t key_size, const void *keys, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++)
		if (!memcmp(key, (const char *)keys + k * key_size, key_size))
			return true;
	return false;
}

int sift_map_prune(int fd, size_t key_size, const void *keep, unsigned int n_keep, char *err,
		   size_t errlen, const char *what)
{
	size_t cap = 64, n = 0;
	char *keys = malloc(cap * key_size), *prev = NULL;
	int ret = 0;

	if (!keys)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			char *k = realloc(keys, 2 * cap * key_size);

			if (!k) {
				ret = -ENOMEM;
				goto out;
			}
			keys = k;
			cap *= 2;
		}
		if (bpf_map_get_next_key(fd, prev, keys + n * key_size))
			break;
		prev = keys + n * key_size;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		if (!listed(keys + i * key_size, key_size, keep, n_keep) &&
		    bpf_map_delete_elem(fd, keys + i * key_size) &&
		    errno != ENOENT) {
			ret = sift_map_err(err, errlen, what, errno);
			goto out;
		}
out:
	free(keys);
	return ret;
}
