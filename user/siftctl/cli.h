/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SIFTCTL_CLI_H
#define SIFTCTL_CLI_H

enum {
	SIFTCTL_EXIT_OK = 0,
	SIFTCTL_EXIT_FAIL = 1,
	SIFTCTL_EXIT_USAGE = 2,
};

/* The whole of siftctl, callable from tests.  Returns the exit status. */
int siftctl_main(int argc, char **argv);

#endif
