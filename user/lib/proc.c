// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "proc.h"

bool sift_siftd_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	char state = 'Z';
	FILE *f;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	/* "pid (comm) state ..." */
	if (fscanf(f, "%*d (%31[^)]) %c", comm, &state) != 2)
		state = 'Z';
	fclose(f);
	return state != 'Z' && state != 'X' && !strcmp(comm, "siftd");
}
