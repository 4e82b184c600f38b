/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SIFT_LOG_H
#define SIFT_LOG_H

#include <stdarg.h>

enum sift_log_level {
	SIFT_LOG_ERR,
	SIFT_LOG_WARN,
	SIFT_LOG_INFO,
	SIFT_LOG_DEBUG,
};

/* Where lines go and how they look. */
enum sift_log_dest {
	SIFT_LOG_PLAIN,   /* "prog: [level: ]message" (siftctl, tests) */
	SIFT_LOG_TIMES,   /* the same after an RFC 3339 UTC time (a daemon not under journald) */
	SIFT_LOG_JOURNAL, /* "<priority>message": journald stamps and files it (sd-daemon(3)) */
};

/*
 * A daemon's lines: to journald with priorities when systemd gave it
 * journald as stderr (JOURNAL_STREAM), else with timestamps.  Returns which.
 */
enum sift_log_dest sift_log_daemon(void);

/* @prog prefixes every line; libbpf's and libxdp's own output is shown only at DEBUG. */
void sift_log_init(const char *prog, enum sift_log_level level);
void sift_log_set_level(enum sift_log_level level);
enum sift_log_level sift_log_get_level(void);
int sift_log_level_parse(const char *s, enum sift_log_level *out);
void sift_log(enum sift_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sift_vlog(enum sift_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define pr_err(...) sift_log(SIFT_LOG_ERR, __VA_ARGS__)
#define pr_warn(...) sift_log(SIFT_LOG_WARN, __VA_ARGS__)
#define pr_info(...) sift_log(SIFT_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) sift_log(SIFT_LOG_DEBUG, __VA_ARGS__)

#endif
