/* SPDX-License-Identifier: GPL-2.0 */
/* What siftctl's object files share: the command table types. */
#ifndef SIFTCTL_CLI_PRIV_H
#define SIFTCTL_CLI_PRIV_H

#include <stdbool.h>

#include "cli.h"

struct cli {
	const char *pin_path;
	const char *run_dir; /* siftd's, for its control socket */
	const char *prog;
	bool usage; /* siftd refused the last request as the user's mistake (exit 2) */
};

/* A command runs fn; an object (top level) holds a table of commands in sub. */
struct cmd {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *help;
	const struct cmd *sub;
};

#define CMD(n, f, h) { .name = n, .fn = f, .help = h }

/* client.c: talking to siftd over its control socket. */
#include <jansson.h>

/* "KEY VALUE" pairs after a command's positional arguments. */
struct cli_kv {
	const char *key;
	const char *val;
};

/* Send @req (stolen) to siftd; its answer, or NULL with the error printed. */
json_t *cli_call(struct cli *c, json_t *req);
/* The exit status for a request cli_call() failed: 2 when siftd said it was the user's mistake, else 1. */
int cli_failed(const struct cli *c);
/* Send a live change (stolen); print @done (or {"ok": true}).  An exit status. */
int cli_change(struct cli *c, json_t *op, const char *done);
/* Split @argv into pairs whose keys are in @allowed.  The count, or -1 (error printed). */
int cli_pairs(int argc, char **argv, const char *const *allowed, struct cli_kv *out, int max,
	      const char *cmd);
const char *cli_kv(const struct cli_kv *kv, int n, const char *key);
struct sift_maps;
/* Open the pinned maps; on failure say why (not loaded, permission denied) and return -errno. */
int cli_open_maps(struct cli *c, struct sift_maps *m);
/* siftd's connections (TCP, TLS) and the connection shield's counts, from its "connections". */
void cli_show_connections(json_t *cn);
/* A decimal number up to @max.  0 or -1. */
int cli_uint(const char *s, unsigned int max, unsigned int *out);

/* Command tables of the objects kept in their own files. */
extern const struct cmd sip_cmds[];
extern const struct cmd route_cmds[];
extern const struct cmd group_cmds[];
extern const struct cmd backend_cmds[];
extern const struct cmd live_cmds[];
extern const struct cmd daemon_cmds[];
extern const struct cmd shield_cmds[];
extern const struct cmd acl_cmds[];
extern const struct cmd limit_cmds[];
extern const struct cmd ban_cmds[];
/* An object that is a command itself: siftctl trace ARGS. */
extern const struct cmd trace_cmd;

#endif
