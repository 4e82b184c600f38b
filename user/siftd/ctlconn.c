// SPDX-License-Identifier: GPL-2.0
/* siftd's control connections, never blocking the loop (ctlconn.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "ctl.h"
#include "ctlconn.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

void siftd_ctl_init(struct siftd_ctl *ctl, int listen_fd)
{
	memset(ctl, 0, sizeof(*ctl));
	ctl->listen_fd = listen_fd;
	for (unsigned int i = 0; i < SIFTD_CTL_CLIENTS; i++)
		ctl->c[i].fd = -1;
}

static void drop(struct siftd_ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void siftd_ctl_close_all(struct siftd_ctl *ctl)
{
	for (unsigned int i = 0; i < SIFTD_CTL_CLIENTS; i++)
		drop(&ctl->c[i]);
}

unsigned int siftd_ctl_pollfds(struct siftd_ctl *ctl, struct pollfd *pfd)
{
	unsigned int n = 0;

	pfd[n++] = (struct pollfd){ .fd = ctl->listen_fd, .events = POLLIN };
	for (unsigned int i = 0; i < SIFTD_CTL_CLIENTS; i++)
		if (ctl->c[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = ctl->c[i].fd,
						    .events = ctl->c[i].answering ? POLLOUT : POLLIN };
	return n;
}

int siftd_ctl_timeout_ms(const struct siftd_ctl *ctl)
{
	uint64_t now = now_ms();
	int ms = -1;

	for (unsigned int i = 0; i < SIFTD_CTL_CLIENTS; i++) {
		uint64_t end = ctl->c[i].since + SIFTD_CTL_IDLE_MS;
		int left;

		if (ctl->c[i].fd < 0)
			continue;
		left = end <= now ? 0 : (int)(end - now);
		if (ms < 0 || left < ms)
			ms = left;
	}
	return ms;
}

static void accept_all(struct siftd_ctl *ctl)
{
	for (int k = 0; k < 16; k++) {
		int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct siftd_ctl_client *slot = NULL, *oldest = NULL;

		if (fd < 0)
			return;
		for (unsigned int i = 0; i < SIFTD_CTL_CLIENTS && !slot; i++) {
			if (ctl->c[i].fd < 0)
				slot = &ctl->c[i];
			else if (!oldest || ctl->c[i].since < oldest->since)
				oldest = &ctl->c[i];
		}
		if (!slot) {
			/* full: the newcomer takes the place of the one waiting longest */
			drop(oldest);
			ctl->evicted++;
			slot = oldest;
		}
		slot->fd = fd;
		slot->since = now_ms();
	}
}

/* Read what has come; at the client's end of request, answer.  false: drop the client. */
static bool readable(struct siftd_ctl *ctl, struct siftd_ctl_client *c, siftd_ctl_handler handle,
		     void *arg)
{
	json_t *req, *ans;
	char *text;

	for (;;) {
		ssize_t r;

		if (c->len == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 4096;
			char *nb;

			if (cap > SIFT_CTL_MAX || !(nb = realloc(c->buf, cap)))
				return false;
			c->buf = nb;
			c->cap = cap;
		}
		r = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (r < 0)
			return errno == EAGAIN || errno == EINTR;
		if (r == 0)
			break;
		c->len += r;
		c->since = now_ms();
	}
	/* the whole request */
	req = json_loadb(c->buf, c->len, 0, NULL);
	ans = req ? handle(arg, req) : json_pack("{s:s}", "error", "bad request");
	json_decref(req);
	text = ans ? json_dumps(ans, JSON_COMPACT) : NULL;
	json_decref(ans);
	if (!text)
		return false;
	free(c->buf);
	c->buf = text;
	c->len = strlen(text);
	c->cap = c->len;
	c->off = 0;
	c->answering = true;
	c->since = now_ms();
	ctl->served++;
	return true;
}

/* Write what the client takes.  false: done (or gone): drop it. */
static bool writable(struct siftd_ctl_client *c)
{
	while (c->off < c->len) {
		ssize_t w = write(c->fd, c->buf + c->off, c->len - c->off);

		if (w < 0)
			return errno == EAGAIN || errno == EINTR;
		c->off += w;
		c->since = now_ms();
	}
	return false;
}

void siftd_ctl_process(struct siftd_ctl *ctl, const struct pollfd *pfd, unsigned int n,
		       siftd_ctl_handler handle, void *arg)
{
	uint64_t now;

	for (unsigned int k = 1; k < n; k++) {
		struct siftd_ctl_client *c = NULL;
		bool keep = true;

		if (!pfd[k].revents)
			continue;
		for (unsigned int i = 0; i < SIFTD_CTL_CLIENTS && !c; i++)
			if (ctl->c[i].fd == pfd[k].fd)
				c = &ctl->c[i];
		if (!c)
			continue;
		if (c->answering)
			keep = (pfd[k].revents & POLLOUT) && writable(c);
		else
			keep = readable(ctl, c, handle, arg);
		if (!keep)
			drop(c);
	}
	if (n && (pfd[0].revents & POLLIN))
		accept_all(ctl);
	now = now_ms();
	for (unsigned int i = 0; i < SIFTD_CTL_CLIENTS; i++)
		if (ctl->c[i].fd >= 0 && now >= ctl->c[i].since + SIFTD_CTL_IDLE_MS) {
			drop(&ctl->c[i]);
			ctl->expired++;
		}
}
