// SPDX-License-Identifier: GPL-2.0
/* The native build of include/sift/sip_parse.h. */
#include <string.h>

#include <sift/sip_parse.h>
#include "sip_native.h"

int sift_sip_parse_scratch(struct sift_scratch *s, size_t len)
{
	return sift_sip_parse(s, len > 0xffffffffu ? 0xffffffffu : (__u32)len);
}

int sift_sip_parse_bytes(struct sift_scratch *s, const void *msg, size_t len)
{
	memcpy(s->buf, msg, len < sizeof(s->buf) ? len : sizeof(s->buf));
	return sift_sip_parse_scratch(s, len);
}

#define SIFT_REASON_NAME_(X, A, B, id, name, cls) [SIFT_REASON_##id] = #name,
static const char *const reason_names[SIFT_REASON__MAX] = {
	[SIFT_REASON_OK] = "ok",
	SIFT_REASON_LIST(SIFT_REASON_NAME_, _, _, _)
};

#define SIFT_METHOD_NAME_(m) [SIFT_METHOD_##m] = #m,
static const char *const method_names[SIFT_METHOD__MAX] = {
	[SIFT_METHOD_NONE] = "-",
	SIFT_METHOD_LIST(SIFT_METHOD_NAME_)[SIFT_METHOD_OTHER] = "other",
};

const char *sift_reason_name(unsigned int reason)
{
	return reason < SIFT_REASON__MAX ? reason_names[reason] : "?";
}

const char *sift_method_name(unsigned int method)
{
	return method < SIFT_METHOD__MAX ? method_names[method] : "?";
}

const char *sift_action_name(unsigned int action)
{
	static const char *const names[] = { "forward", "punt", "drop" };

	return action < 3 ? names[action] : "?";
}
