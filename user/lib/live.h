/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live changes: one JSON object each (routing_ops.c, shield_conf.c), applied
 * over the file's configuration.  siftd keeps them in order and replays them
 * after a reload or a restart.
 */
#ifndef SIFT_LIVE_H
#define SIFT_LIVE_H

#include <jansson.h>

#include "config.h"

/*
 * Apply @op to @c and check the result as the file is checked.  0, or
 * -EINVAL with the reason in @err and @c unchanged.
 */
int sift_live_apply(struct sift_conf *c, const json_t *op, char *err, size_t len);

/*
 * Keep @ops (applied in order over @file) as short as what they do: after
 * the last one was appended, drop the earlier ones on the same object (the
 * same group, backend, route, ACL entry, limit or setting) without which
 * the result is the same (a route added and then removed, a backend set
 * twice), then the ones that no longer apply, and the last one if it
 * undoes what is left.  Returns how many were dropped.
 */
unsigned int sift_live_compact(const struct sift_conf *file, json_t *ops);

#endif
