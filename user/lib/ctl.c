// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ctl.h"

static int sock_addr(const char *run_dir, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", run_dir, SIFT_CTL_SOCK) >=
	    (int)sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

/* mkdir -p, the last component 0700 */
static int make_dir(const char *path)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path)];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int sift_ctl_listen(const char *run_dir, char *err, size_t len)
{
	struct sockaddr_un sa;
	int fd, ret;

	ret = sock_addr(run_dir, &sa);
	if (!ret)
		ret = make_dir(run_dir);
	if (ret) {
		snprintf(err, len, "run directory %s: %s", run_dir, strerror(-ret));
		return ret;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	if (ret == -EADDRINUSE) {
		/* a socket file: someone answering, or left by a siftd that died */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
			close(probe);
			close(fd);
			snprintf(err, len,
				 "another siftd answers on %s; give each its own run directory (-r)",
				 sa.sun_path);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(sa.sun_path);
		ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	}
	if (!ret && (chmod(sa.sun_path, 0600) || listen(fd, 16)))
		ret = -errno;
	if (ret) {
		snprintf(err, len, "control socket %s: %s", sa.sun_path, strerror(-ret));
		close(fd);
		return ret;
	}
	return fd;
}

void sift_ctl_unlink(const char *run_dir)
{
	struct sockaddr_un sa;

	if (!sock_addr(run_dir, &sa))
		unlink(sa.sun_path);
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

json_t *sift_ctl_read(int fd, int timeout_ms)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	struct timespec deadline;
	json_t *v = NULL;

	if (!buf)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = ms_left(&deadline);
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			goto out;
		if (n == cap) {
			char *nb;

			if (cap >= SIFT_CTL_MAX)
				goto out;
			nb = realloc(buf, cap * 2);
			if (!nb)
				goto out;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		n += r;
	}
	v = json_loadb(buf, n, 0, NULL);
out:
	free(buf);
	return v;
}

int sift_ctl_write(int fd, const json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT);
	size_t n, off = 0;

	if (!text)
		return -ENOMEM;
	n = strlen(text);
	while (off < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t w;

		if (poll(&pfd, 1, 2000) <= 0) {
			free(text);
			return -ETIMEDOUT;
		}
		w = write(fd, text + off, n - off);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w < 0) {
			int e = errno;

			free(text);
			return -e;
		}
		off += w;
	}
	free(text);
	return 0;
}

json_t *sift_ctl_call(const char *run_dir, const json_t *req, char *err, size_t len)
{
	struct sockaddr_un sa;
	json_t *ans;
	int fd;

	if (sock_addr(run_dir, &sa)) {
		snprintf(err, len, "run directory name too long");
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (errno == EACCES || errno == EPERM)
			snprintf(err, len, "permission denied on %s: siftd's control socket is "
					   "root's (run siftctl as root)",
				 sa.sun_path);
		else
			snprintf(err, len, "siftd is not running (no answer on %s: %s)", sa.sun_path,
				 strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (sift_ctl_write(fd, req) || shutdown(fd, SHUT_WR)) {
		snprintf(err, len, "send to siftd: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	ans = sift_ctl_read(fd, 30000);
	close(fd);
	if (!ans)
		snprintf(err, len, "no answer from siftd");
	return ans;
}
