// SPDX-License-Identifier: GPL-2.0
/* What siftctl's objects that talk to siftd share: the call, changes, arguments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_priv.h"
#include "ctl.h"
#include "out.h"

int cli_failed(const struct cli *c)
{
	return c->usage ? SIFTCTL_EXIT_USAGE : SIFTCTL_EXIT_FAIL;
}

json_t *cli_call(struct cli *c, json_t *req)
{
	char err[512];
	json_t *ans = sift_ctl_call(c->run_dir, req, err, sizeof(err));
	const char *e;

	c->usage = false;
	json_decref(req);
	if (!ans) {
		out_error("%s", err);
		return NULL;
	}
	e = json_string_value(json_object_get(ans, "error"));
	c->usage = json_is_true(json_object_get(ans, "usage"));
	if (e) {
		out_error("%s", e);
		json_decref(ans);
		return NULL;
	}
	return ans;
}

int cli_change(struct cli *c, json_t *op, const char *done)
{
	json_t *ans = cli_call(c, json_pack("{s:s, s:o}", "cmd", "change", "change", op));

	if (!ans)
		return cli_failed(c);
	json_decref(ans);
	out_open_obj(NULL);
	out_bool("ok", NULL, true);
	out_close_obj();
	out_text("%s\n", done);
	return SIFTCTL_EXIT_OK;
}

int cli_pairs(int argc, char **argv, const char *const *allowed, struct cli_kv *out, int max,
	      const char *cmd)
{
	int n = 0;

	for (int i = 0; i < argc; i += 2) {
		bool ok = false;

		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(argv[i], *a);
		if (!ok) {
			out_error("%s: unexpected '%s'", cmd, argv[i]);
			return -1;
		}
		if (i + 1 >= argc) {
			out_error("%s: '%s' needs a value", cmd, argv[i]);
			return -1;
		}
		if (n == max)
			return -1;
		out[n].key = argv[i];
		out[n].val = argv[i + 1];
		n++;
	}
	return n;
}

const char *cli_kv(const struct cli_kv *kv, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].val;
	return NULL;
}

int cli_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v > max || *s == '-')
		return -1;
	*out = v;
	return 0;
}

