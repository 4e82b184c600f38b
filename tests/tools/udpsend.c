// SPDX-License-Identifier: GPL-2.0
/*
 * udpsend ADDR PORT [-f FILE | TEXT] [-n COUNT] [-s SRCPORT] [-b SRCADDR]:
 * send one datagram (COUNT times) holding FILE's bytes or TEXT with "\r\n",
 * "\n" escapes expanded, from SRCADDR (one of the host's) if given.  For lab tests: shells split such writes into several
 * datagrams.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static size_t unescape(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	for (; *in && n < cap; in++) {
		if (in[0] == '\\' && in[1] == 'r') {
			out[n++] = '\r';
			in++;
		} else if (in[0] == '\\' && in[1] == 'n') {
			out[n++] = '\n';
			in++;
		} else {
			out[n++] = *in;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	struct sockaddr_storage ss = {};
	socklen_t sl;
	const char *file = NULL, *text = NULL, *bindaddr = NULL;
	long count = 1, sport = 0;
	size_t len = 0;
	int fd, opt;

	while ((opt = getopt(argc, argv, "f:n:s:b:")) != -1) {
		switch (opt) {
		case 'f':
			file = optarg;
			break;
		case 'n':
			count = strtol(optarg, NULL, 0);
			break;
		case 's':
			sport = strtol(optarg, NULL, 0);
			break;
		case 'b':
			bindaddr = optarg;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 2 || (!file && argc - optind < 3)) {
		fprintf(stderr, "usage: udpsend ADDR PORT [-f FILE | TEXT] [-n COUNT] [-s SRCPORT] "
				"[-b SRCADDR]\n");
		return 2;
	}
	if (!file)
		text = argv[optind + 2];
	if (inet_pton(AF_INET, argv[optind], &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(atoi(argv[optind + 1]));
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, argv[optind], &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(atoi(argv[optind + 1]));
		sl = sizeof(struct sockaddr_in6);
	} else {
		fprintf(stderr, "udpsend: bad address %s\n", argv[optind]);
		return 2;
	}
	if (file) {
		FILE *f = fopen(file, "rb");

		if (!f) {
			perror(file);
			return 1;
		}
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
	} else {
		len = unescape(text, buf, sizeof(buf));
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (sport || bindaddr) {
		struct sockaddr_storage src = { .ss_family = ss.ss_family };

		((struct sockaddr_in *)&src)->sin_port = htons(sport); /* same offset for v6 */
		if (bindaddr && inet_pton(ss.ss_family, bindaddr,
					  ss.ss_family == AF_INET ?
						  (void *)&((struct sockaddr_in *)&src)->sin_addr :
						  (void *)&((struct sockaddr_in6 *)&src)->sin6_addr) != 1) {
			fprintf(stderr, "udpsend: bad source address %s\n", bindaddr);
			return 2;
		}
		if (bind(fd, (struct sockaddr *)&src, sl)) {
			perror("bind");
			return 1;
		}
	}
	for (long i = 0; i < count; i++) {
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl) != (ssize_t)len) {
			perror("sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}
