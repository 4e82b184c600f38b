/* SPDX-License-Identifier: GPL-2.0 */
/*
 * siftd's control socket: a unix stream socket in its run directory.  One
 * JSON request per connection (the client shuts down its side after
 * writing), one JSON answer, then the server closes.  Answers carry "error"
 * when the request failed.
 */
#ifndef SIFT_CTL_H
#define SIFT_CTL_H

#include <stddef.h>
#include <jansson.h>

#define SIFT_CTL_SOCK "siftd.sock"
#define SIFT_CTL_MAX (1 << 20) /* the largest request or answer */

/* Listen at @run_dir/siftd.sock (created 0700).  fd, or -errno with the reason in @err. */
int sift_ctl_listen(const char *run_dir, char *err, size_t len);
/* Remove the socket file (on exit). */
void sift_ctl_unlink(const char *run_dir);

/* Read a whole request from @fd (bounded in size and time).  NULL on error. */
json_t *sift_ctl_read(int fd, int timeout_ms);
/* Write @v to @fd.  0 or -errno. */
int sift_ctl_write(int fd, const json_t *v);

/*
 * Client: send @req to the siftd running with @run_dir, return its answer
 * (NULL with the reason in @err when it cannot be reached).
 */
json_t *sift_ctl_call(const char *run_dir, const json_t *req, char *err, size_t len);

#endif
