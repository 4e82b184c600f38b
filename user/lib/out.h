/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One print path for text and JSON (after iproute2's json_print.h): every
 * value is emitted once, with a JSON key and a text format.  In JSON mode the
 * key is used and the format ignored; in text mode the format is printed and
 * a NULL format prints nothing.  Text and JSON therefore cannot drift.
 */
#ifndef SIFT_OUT_H
#define SIFT_OUT_H

#include <stdbool.h>
#include <stdio.h>

void out_init(FILE *f, bool json, bool pretty);
bool out_is_json(void);

void out_open_obj(const char *key);
void out_close_obj(void);
void out_open_arr(const char *key);
void out_close_arr(void);

void out_str(const char *key, const char *fmt, const char *val);
void out_u64(const char *key, const char *fmt, unsigned long long val);
void out_s64(const char *key, const char *fmt, long long val);
void out_bool(const char *key, const char *fmt, bool val);
void out_float(const char *key, const char *fmt, double val);
/* Text only: headings, separators, newlines. */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write the JSON document (no-op in text mode).  Returns 0 or -EIO. */
int out_flush(void);

/* An error for the user: stderr in text mode, {"error": "..."} on stdout in JSON mode. */
void out_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
