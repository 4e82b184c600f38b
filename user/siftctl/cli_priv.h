/* SPDX-License-Identifier: GPL-2.0 */
/* What siftctl's object files share: the command table types. */
#ifndef SIFTCTL_CLI_PRIV_H
#define SIFTCTL_CLI_PRIV_H

#include "cli.h"

struct cli {
	const char *pin_path;
	const char *run_dir; /* siftd's, for its control socket */
	const char *prog;
};

/* A command runs fn; an object (top level) holds a table of commands in sub. */
struct cmd {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *help;
	const struct cmd *sub;
};

#define CMD(n, f, h) { .name = n, .fn = f, .help = h }

/* Command tables of the objects kept in their own files. */
extern const struct cmd sip_cmds[];
extern const struct cmd route_cmds[];
extern const struct cmd group_cmds[];
extern const struct cmd backend_cmds[];
extern const struct cmd live_cmds[];
extern const struct cmd daemon_cmds[];

#endif
