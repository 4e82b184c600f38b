// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

static const char *log_prog = "sift";
static enum sift_log_level log_level = SIFT_LOG_INFO;

static const char *const level_names[] = {
	[SIFT_LOG_ERR] = "error",
	[SIFT_LOG_WARN] = "warn",
	[SIFT_LOG_INFO] = "info",
	[SIFT_LOG_DEBUG] = "debug",
};

void sift_vlog(enum sift_log_level level, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
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
