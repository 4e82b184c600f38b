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

#endif
