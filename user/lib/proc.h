/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SIFT_PROC_H
#define SIFT_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/* Is @pid a live (not zombie) process called siftd? */
bool sift_siftd_alive(pid_t pid);

#endif
