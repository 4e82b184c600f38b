// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "live.h"

int sift_live_apply(struct sift_conf *c, const json_t *op, char *err, size_t len)
{
	struct sift_conf *tmp;
	int ret;

	if (!json_is_object(op)) {
		snprintf(err, len, "a change must be a JSON object");
		return -EINVAL;
	}
	tmp = malloc(sizeof(*tmp));
	if (!tmp) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	*tmp = *c;
	ret = sift_shield_apply(&tmp->shield, op, err, len);
	if (ret == -ENOENT)
		ret = sift_routing_apply(&tmp->routing, op, err, len);
	if (!ret)
		ret = sift_routing_check(&tmp->routing, c->path, err, len);
	if (!ret)
		ret = sift_shield_check(&tmp->shield, c->path, err, len);
	if (!ret)
		*c = *tmp;
	free(tmp);
	return ret;
}
