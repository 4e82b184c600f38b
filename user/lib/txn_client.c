// SPDX-License-Identifier: GPL-2.0
/* Client transactions (txn_client.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "txn.h"
#include "txn_client.h"

#define LINGER_INVITE (64 * SIFT_T1)
#define TIMER_BF (64 * SIFT_T1)

int sift_ctxns_init(struct sift_ctxns *t, unsigned int cap, unsigned int failover_ms)
{
	memset(t, 0, sizeof(*t));
	t->tab = calloc(cap, sizeof(*t->tab));
	t->req = malloc((size_t)cap * SIFT_CTXN_REQ_MAX);
	if (!t->tab || !t->req) {
		sift_ctxns_free(t);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < cap; i++)
		t->tab[i].req = t->req + (size_t)i * SIFT_CTXN_REQ_MAX;
	t->cap = cap;
	t->failover_ns = (uint64_t)failover_ms * 1000000ULL;
	return 0;
}

void sift_ctxns_free(struct sift_ctxns *t)
{
	free(t->tab);
	free(t->req);
	memset(t, 0, sizeof(*t));
}

struct sift_ctxn *sift_ctxn_new(struct sift_ctxns *t, uint64_t up_key, bool invite,
				const void *req, size_t len)
{
	if (len > SIFT_CTXN_REQ_MAX || t->n == t->cap) {
		t->st.shed++;
		return NULL;
	}
	for (unsigned int i = 0; i < t->cap; i++) {
		struct sift_ctxn *x = &t->tab[i];
		char *buf = x->req;
		uint32_t gen = x->gen + 1;

		if (x->state != SIFT_CTXN_FREE)
			continue;
		memset(x, 0, sizeof(*x));
		x->req = buf;
		x->gen = gen;
		x->state = SIFT_CTXN_RESOLVING;
		x->invite = invite;
		x->up_key = up_key;
		x->req_len = len;
		memcpy(x->req, req, len);
		t->n++;
		t->st.created++;
		return x;
	}
	t->st.shed++;
	return NULL;
}

void sift_ctxn_free(struct sift_ctxns *t, struct sift_ctxn *x)
{
	if (x->state == SIFT_CTXN_FREE)
		return;
	x->state = SIFT_CTXN_FREE;
	x->user = NULL;
	t->n--;
}

void sift_ctxn_branch(const struct sift_ctxns *t, const struct sift_ctxn *x,
		      char out[SIFT_CTXN_BRANCH_LEN + 1])
{
	snprintf(out, SIFT_CTXN_BRANCH_LEN + 1, SIFT_CTXN_BRANCH_PREFIX "%08x%08x%08x",
		 (unsigned int)(x - t->tab), x->gen, x->attempt);
}

static int hex(const char *p, size_t n, uint32_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else
			return -1;
	}
	return 0;
}

struct sift_ctxn *sift_ctxn_by_branch(struct sift_ctxns *t, const char *b, size_t len)
{
	const size_t pl = sizeof(SIFT_CTXN_BRANCH_PREFIX) - 1;
	uint32_t slot, gen, attempt;
	struct sift_ctxn *x;

	if (len != SIFT_CTXN_BRANCH_LEN || memcmp(b, SIFT_CTXN_BRANCH_PREFIX, pl) ||
	    hex(b + pl, 8, &slot) || hex(b + pl + 8, 8, &gen) || hex(b + pl + 16, 8, &attempt) ||
	    slot >= t->cap)
		return NULL;
	x = &t->tab[slot];
	if (x->state == SIFT_CTXN_FREE || x->gen != gen || x->attempt != attempt) {
		t->st.stale++;
		return NULL;
	}
	return x;
}

struct sift_ctxn *sift_ctxn_by_up(struct sift_ctxns *t, uint64_t key)
{
	for (unsigned int i = 0; i < t->cap && t->n; i++)
		if (t->tab[i].state != SIFT_CTXN_FREE && t->tab[i].up_key == key)
			return &t->tab[i];
	return NULL;
}

void sift_ctxn_sent(struct sift_ctxns *t, struct sift_ctxn *x, uint64_t now)
{
	x->state = SIFT_CTXN_CALLING;
	x->interval = SIFT_T1;
	x->timer = now + SIFT_T1;
	x->failover = t->failover_ns ? now + t->failover_ns : 0;
	if (!x->end)
		x->end = now + TIMER_BF; /* over all the targets: the caller hears in time */
}

bool sift_ctxn_next(struct sift_ctxns *t, struct sift_ctxn *x)
{
	if (x->cur + 1 >= x->n_t)
		return false;
	x->cur++;
	x->attempt++;
	t->st.failovers++;
	return true;
}

enum sift_ctxn_verdict sift_ctxn_response(struct sift_ctxns *t, struct sift_ctxn *x,
					  unsigned int status, uint64_t now)
{
	if (x->state == SIFT_CTXN_COMPLETED) {
		/* a 2xx to an INVITE is passed on each time (RFC 3261 16.7 step 5); other copies not */
		return x->invite && status >= 200 && status < 300 ? SIFT_CTXN_PASS : SIFT_CTXN_ABSORB;
	}
	x->failover = 0;
	if (status < 200) {
		x->state = SIFT_CTXN_PROCEEDING;
		if (x->invite)
			x->timer = 0; /* Timer A stops; B runs on */
		else
			x->interval = SIFT_T2;
		return SIFT_CTXN_PASS;
	}
	if (status == 503 && x->cur + 1 < x->n_t)
		return SIFT_CTXN_NEXT; /* RFC 3263 4.3: the next target */
	x->state = SIFT_CTXN_COMPLETED;
	x->final = status;
	x->timer = 0;
	x->end = now + (x->invite ? LINGER_INVITE : SIFT_T4);
	t->st.completed++;
	return SIFT_CTXN_PASS;
}

void sift_ctxn_tick(struct sift_ctxns *t, uint64_t now, const struct sift_ctxn_ops *ops,
		    void *arg)
{
	for (unsigned int i = 0; i < t->cap && t->n; i++) {
		struct sift_ctxn *x = &t->tab[i];

		if (x->state == SIFT_CTXN_FREE || x->state == SIFT_CTXN_RESOLVING)
			continue;
		if (x->end && now >= x->end) {
			if (x->state != SIFT_CTXN_COMPLETED) {
				t->st.timed_out++;
				ops->timeout(x, arg);
			}
			sift_ctxn_free(t, x);
			continue;
		}
		if (x->failover && now >= x->failover) {
			x->failover = 0;
			ops->failover(x, arg);
			continue;
		}
		if (x->timer && now >= x->timer) {
			x->interval *= 2;
			if (!x->invite && x->interval > SIFT_T2)
				x->interval = SIFT_T2;
			x->timer = now + x->interval;
			t->st.retransmitted++;
			ops->resend(x, arg);
		}
	}
}

uint64_t sift_ctxn_next_due(const struct sift_ctxns *t)
{
	uint64_t due = 0;

	for (unsigned int i = 0; i < t->cap && t->n; i++) {
		const struct sift_ctxn *x = &t->tab[i];
		uint64_t v[3] = { x->end, x->failover, x->timer };

		if (x->state == SIFT_CTXN_FREE || x->state == SIFT_CTXN_RESOLVING)
			continue;
		for (int k = 0; k < 3; k++)
			if (v[k] && (!due || v[k] < due))
				due = v[k];
	}
	return due;
}
