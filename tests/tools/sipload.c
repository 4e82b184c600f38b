// SPDX-License-Identifier: GPL-2.0
/*
 * sipload SRC DST PORT SECONDS WINDOW MODE [MAX]: a closed-loop SIP load for
 * the slow path's benchmark.  Keeps WINDOW requests outstanding from SRC:5095 to
 * DST:PORT, each with its own Call-ID and branch, for SECONDS (or MAX
 * requests), and counts the answers.  MODE:
 *   options  OPTIONS to the server itself (a keepalive: 200 expected)
 *   mf0      MESSAGE with Max-Forwards 0 (483 expected; each is a server
 *            transaction the server keeps for Timer J)
 * Prints "sent N answered N seconds S rate R" (answers a second).  Bounded
 * in time and count; a lost answer is replaced after 200 ms.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	double secs, t0, last;
	unsigned long window, max, sent = 0, answered = 0;
	int fd, mf0;
	char msg[1024], buf[4096];

	if (argc < 7) {
		fprintf(stderr, "usage: sipload SRC DST PORT SECONDS WINDOW options|mf0 [MAX]\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &src.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1) {
		fprintf(stderr, "sipload: IPv4 addresses only\n");
		return 2;
	}
	dst.sin_port = htons(atoi(argv[3]));
	src.sin_port = htons(5095);
	secs = atof(argv[4]);
	window = strtoul(argv[5], NULL, 10);
	mf0 = !strcmp(argv[6], "mf0");
	max = argc > 7 ? strtoul(argv[7], NULL, 10) : 100000000UL;
	if (secs <= 0 || secs > 120 || !window || window > 100000) {
		fprintf(stderr, "sipload: 0 < SECONDS <= 120, 0 < WINDOW <= 100000\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		perror("sipload");
		return 1;
	}
	{
		int sz = 8 << 20;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	t0 = last = now_s();
	unsigned long outstanding = 0;

	while (now_s() - t0 < secs && (sent < max || outstanding)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		while (outstanding < window && sent < max) {
			int n = snprintf(msg, sizeof(msg),
					 "%s sip:%s%s SIP/2.0\r\n"
					 "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK-ld%lu;rport\r\n"
					 "Max-Forwards: %d\r\n"
					 "From: <sip:load@%s>;tag=l%lu\r\n"
					 "To: <sip:%s%s>\r\n"
					 "Call-ID: ld%lu-%d@%s\r\n"
					 "CSeq: 1 %s\r\n"
					 "Content-Length: 0\r\n\r\n",
					 mf0 ? "MESSAGE" : "OPTIONS", mf0 ? "1000@" : "", argv[2],
					 argv[1], 5095u, sent, mf0 ? 0 : 70, argv[1], sent, mf0 ? "1000@" : "",
					 argv[2], sent, getpid(), argv[1], mf0 ? "MESSAGE" : "OPTIONS");

			if (send(fd, msg, n, 0) != n) {
				if (errno == EAGAIN || errno == ENOBUFS)
					break;
				perror("sipload: send");
				return 1;
			}
			sent++;
			outstanding++;
		}
		if (poll(&p, 1, 20) > 0) {
			ssize_t r;

			while ((r = recv(fd, buf, sizeof(buf), 0)) > 0) {
				if (r > 12 && !memcmp(buf, "SIP/2.0 ", 8)) {
					answered++;
					if (outstanding)
						outstanding--;
				}
			}
			last = now_s();
		} else if (now_s() - last > 0.2) {
			outstanding = 0; /* lost: send others in their place */
			last = now_s();
		}
	}
	secs = now_s() - t0;
	printf("sent %lu answered %lu seconds %.3f rate %.0f\n", sent, answered, secs,
	       answered / secs);
	return 0;
}
