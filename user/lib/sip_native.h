/* SPDX-License-Identifier: GPL-2.0 */
/* The SIP parser built natively: the same source as the XDP program's. */
#ifndef SIFT_LIB_SIP_NATIVE_H
#define SIFT_LIB_SIP_NATIVE_H

#include <stddef.h>
#include <sift/sip.h>

/*
 * Parse @len bytes already in @s->buf (the rest of the buffer may hold
 * anything).  Returns the reason; @s->msg holds the result.
 */
int sift_sip_parse_scratch(struct sift_scratch *s, size_t len);

/* Copy @msg into @s and parse it.  Messages longer than the buffer are TOO_LONG. */
int sift_sip_parse_bytes(struct sift_scratch *s, const void *msg, size_t len);

const char *sift_reason_name(unsigned int reason);
const char *sift_method_name(unsigned int method);
const char *sift_action_name(unsigned int action);

#endif
