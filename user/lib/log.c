// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

static const char *log_prog = "sift";
static enum sift_log_level log_level = SIFT_LOG_INFO;
static enum sift_log_dest log_dest = SIFT_LOG_PLAIN;

static const char *const level_names[] = {
	[SIFT_LOG_ERR] = "error",
	[SIFT_LOG_WARN] = "warn",
	[SIFT_LOG_INFO] = "info",
	[SIFT_LOG_DEBUG] = "debug",
};

/* syslog's priorities (sd-daemon.h's SD_ERR...), which journald reads off a "<N>" prefix */
static const int journal_prio[] = {
	[SIFT_LOG_ERR] = 3,
	[SIFT_LOG_WARN] = 4,
	[SIFT_LOG_INFO] = 6,
	[SIFT_LOG_DEBUG] = 7,
};

void sift_vlog(enum sift_log_level level, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	if (log_dest == SIFT_LOG_JOURNAL) {
		fprintf(stderr, "<%d>", journal_prio[level]);
	} else if (log_dest == SIFT_LOG_TIMES) {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ ", when, ts.tv_nsec / 1000000);
	}
	if (log_dest != SIFT_LOG_JOURNAL)
		fprintf(stderr, "%s: ", log_prog);
	if (level <= SIFT_LOG_WARN)
		fprintf(stderr, "%s: ", level_names[level]);
	vfprintf(stderr, fmt, ap);
	if (!*fmt || fmt[strlen(fmt) - 1] != '\n')
		fputc('\n', stderr);
}

void sift_log(enum sift_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sift_vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (log_level < SIFT_LOG_DEBUG)
		return 0;
	fprintf(stderr, "%s: libbpf: ", log_prog);
	return vfprintf(stderr, fmt, ap);
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (log_level < SIFT_LOG_DEBUG)
		return 0;
	fprintf(stderr, "%s: libxdp: ", log_prog);
	return vfprintf(stderr, fmt, ap);
}

void sift_log_init(const char *prog, enum sift_log_level level)
{
	log_prog = prog;
	log_level = level;
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}

enum sift_log_dest sift_log_daemon(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	/* journald gave us stderr when JOURNAL_STREAM names it (systemd.exec(5)) */
	if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && !fstat(2, &st) &&
	    (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino)
		log_dest = SIFT_LOG_JOURNAL;
	else
		log_dest = SIFT_LOG_TIMES;
	return log_dest;
}

void sift_log_set_level(enum sift_log_level level)
{
	log_level = level;
}

enum sift_log_level sift_log_get_level(void)
{
	return log_level;
}

int sift_log_level_parse(const char *s, enum sift_log_level *out)
{
	for (unsigned int i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (!strcmp(s, level_names[i])) {
			*out = i;
			return 0;
		}
	}
	return -1;
}
