// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <jansson.h>

#include "out.h"

#define OUT_DEPTH 16

static FILE *out_f;
static bool out_json, out_pretty;
static json_t *stack[OUT_DEPTH];
static int depth;
static json_t *root;

void out_init(FILE *f, bool json, bool pretty)
{
	out_f = f;
	out_json = json;
	out_pretty = pretty;
	depth = 0;
	if (root)
		json_decref(root);
	root = NULL;
}

bool out_is_json(void)
{
	return out_json;
}

/* Attach @v under @key in the innermost container (or make it the root). */
static void attach(const char *key, json_t *v)
{
	json_t *top = depth ? stack[depth - 1] : NULL;

	if (!top) {
		if (root)
			json_decref(root);
		root = json_incref(v);
	} else if (json_is_array(top)) {
		json_array_append(top, v);
	} else {
		json_object_set(top, key ? key : "?", v);
	}
}

static void push(const char *key, json_t *v)
{
	if (!out_json) {
		json_decref(v);
		return;
	}
	attach(key, v);
	if (depth < OUT_DEPTH)
		stack[depth++] = v;
	json_decref(v);
}

void out_open_obj(const char *key)
{
	push(key, out_json ? json_object() : NULL);
}

void out_open_arr(const char *key)
{
	push(key, out_json ? json_array() : NULL);
}

static void pop(void)
{
	if (out_json && depth)
		depth--;
}

void out_close_obj(void)
{
	pop();
}

void out_close_arr(void)
{
	pop();
}

static void put(const char *key, json_t *v)
{
	attach(key, v);
	json_decref(v);
}

void out_str(const char *key, const char *fmt, const char *val)
{
	if (out_json)
		put(key, val ? json_string(val) : json_null());
	else if (fmt)
		fprintf(out_f, fmt, val ? val : "-");
}

void out_u64(const char *key, const char *fmt, unsigned long long val)
{
	if (out_json)
		put(key, json_integer((json_int_t)val));
	else if (fmt)
		fprintf(out_f, fmt, val);
}

void out_s64(const char *key, const char *fmt, long long val)
{
	if (out_json)
		put(key, json_integer(val));
	else if (fmt)
		fprintf(out_f, fmt, val);
}

void out_bool(const char *key, const char *fmt, bool val)
{
	if (out_json)
		put(key, json_boolean(val));
	else if (fmt)
		fprintf(out_f, fmt, val ? "yes" : "no");
}

void out_float(const char *key, const char *fmt, double val)
{
	if (out_json)
		put(key, json_real(val));
	else if (fmt)
		fprintf(out_f, fmt, val);
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (out_json)
		return;
	va_start(ap, fmt);
	vfprintf(out_f, fmt, ap);
	va_end(ap);
}

int out_flush(void)
{
	size_t flags = out_pretty ? JSON_INDENT(2) : JSON_COMPACT;
	int ret = 0;

	if (out_json && root) {
		if (json_dumpf(root, out_f, flags | JSON_PRESERVE_ORDER) < 0)
			ret = -EIO;
		fputc('\n', out_f);
		json_decref(root);
		root = NULL;
	}
	depth = 0;
	if (fflush(out_f))
		ret = -EIO;
	return ret;
}

void out_error(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	if (out_json) {
		json_t *e = json_pack("{s:s}", "error", buf);

		if (root)
			json_decref(root);
		root = NULL;
		depth = 0;
		json_dumpf(e, out_f, JSON_COMPACT);
		fputc('\n', out_f);
		fflush(out_f);
		json_decref(e);
	} else {
		fprintf(stderr, "siftctl: %s\n", buf);
	}
}
