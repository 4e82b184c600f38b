// SPDX-License-Identifier: GPL-2.0
/* Server transactions over UDP (see txn.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "txn.h"

int sift_txns_init(struct sift_txns *t, unsigned int cap)
{
	unsigned int h = 1;

	memset(t, 0, sizeof(*t));
	if (!cap)
		cap = 1;
	while (h < 2 * cap)
		h <<= 1;
	t->cap = cap;
	t->mask = h - 1;
	t->tab = calloc(cap, sizeof(*t->tab));
	t->act = calloc(cap, sizeof(*t->act));
	t->idx = calloc(h, sizeof(*t->idx));
	t->resp = malloc((size_t)cap * SIFT_TXN_RESP_MAX);
	if (!t->tab || !t->act || !t->idx || !t->resp) {
		sift_txns_free(t);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < cap; i++)
		t->tab[i].resp = t->resp + (size_t)i * SIFT_TXN_RESP_MAX;
	return 0;
}

void sift_txns_free(struct sift_txns *t)
{
	free(t->tab);
	free(t->act);
	free(t->idx);
	free(t->resp);
	memset(t, 0, sizeof(*t));
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const uint8_t *)p)[i]) * 0x100000001b3ULL;
	return h;
}

uint64_t sift_txn_key(const void *branch, size_t blen, const void *sentby, size_t slen,
		      bool invite_or_ack)
{
	uint64_t h = fnv(0xcbf29ce484222325ULL, branch, blen);

	h = fnv(h ^ 0xff, sentby, slen);
	h = fnv(h, invite_or_ack ? "I" : "N", 1);
	return h ? h : 1; /* 0 marks a free slot */
}

/* The slot holding @key, or -1. */
static int find(const struct sift_txns *t, uint64_t key)
{
	for (unsigned int i = key & t->mask, k = 0; k <= t->mask; i = (i + 1) & t->mask, k++) {
		unsigned int s = t->idx[i];

		if (!s)
			return -1;
		if (t->tab[s - 1].key == key)
			return s - 1;
	}
	return -1;
}

/* Take @slot (holding its key) out of the index: backward-shift deletion, no tombstones. */
static void unindex(struct sift_txns *t, unsigned int slot)
{
	unsigned int i = t->tab[slot].key & t->mask;

	while (t->idx[i] != slot + 1)
		i = (i + 1) & t->mask;
	for (unsigned int j = (i + 1) & t->mask;; j = (j + 1) & t->mask) {
		unsigned int s = t->idx[j], home;

		if (!s)
			break;
		home = t->tab[s - 1].key & t->mask;
		/* may the entry at j move back to i? only if its home is not in (i, j] */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->idx[i] = s;
			i = j;
		}
	}
	t->idx[i] = 0;
}

static void release(struct sift_txns *t, unsigned int slot)
{
	struct sift_txn *x = &t->tab[slot];
	unsigned int last = t->act[--t->n];

	unindex(t, slot);
	t->act[x->at] = last;
	t->tab[last].at = x->at;
	x->key = 0;
	x->state = SIFT_TXN_FREE;
}

/* Timers due at @when: bring t->due forward to it. */
static void due_by(struct sift_txns *t, uint64_t when)
{
	if (!t->due || when < t->due)
		t->due = when;
}

enum sift_txn_verdict sift_txn_request(struct sift_txns *t, uint64_t key, bool ack,
				       const struct sift_addr *from, uint64_t now,
				       bool (*send)(const struct sift_txn *x, void *arg),
				       void *arg)
{
	int slot = find(t, key);
	struct sift_txn *x;

	if (slot < 0)
		return SIFT_TXN_NEW;
	x = &t->tab[slot];
	if (memcmp(from, &x->to, sizeof(*from))) {
		t->st.foreign++;
		return SIFT_TXN_ABSORBED;
	}
	if (ack) {
		t->st.acks++;
		if (x->invite && x->state == SIFT_TXN_COMPLETED) {
			/* 17.2.1: Confirmed, Timer I absorbs further ACKs */
			x->state = SIFT_TXN_CONFIRMED;
			x->timer_g = 0;
			x->end = now + SIFT_T4;
			due_by(t, x->end);
			t->st.absorbed++;
		}
		return SIFT_TXN_ABSORBED;
	}
	if (x->state == SIFT_TXN_COMPLETED) {
		if (send(x, arg))
			t->st.resent++;
		return SIFT_TXN_RESENT;
	}
	return SIFT_TXN_ABSORBED; /* Confirmed: the INVITE again, its answer acknowledged */
}

bool sift_txn_respond(struct sift_txns *t, uint64_t key, bool invite, const void *resp,
		      size_t len, const struct sift_addr *to, unsigned int port, int fd,
		      uint64_t now)
{
	unsigned int slot, i;
	struct sift_txn *x;

	if (len > SIFT_TXN_RESP_MAX || t->n >= t->cap || find(t, key) >= 0) {
		t->st.shed++;
		return false;
	}
	/* a free slot: the table is small next to the index, so one is found */
	for (slot = key % t->cap; t->tab[slot].key; slot = (slot + 1) % t->cap)
		;
	x = &t->tab[slot];
	x->key = key;
	x->state = SIFT_TXN_COMPLETED;
	x->invite = invite;
	x->len = len;
	x->to = *to;
	x->port = port;
	x->fd = fd;
	memcpy(x->resp, resp, len);
	if (invite) {
		x->g_interval = SIFT_T1;
		x->timer_g = now + SIFT_T1;
		x->end = now + 64 * SIFT_T1; /* Timer H */
	} else {
		x->timer_g = 0;
		x->end = now + 64 * SIFT_T1; /* Timer J (UDP) */
	}
	for (i = key & t->mask; t->idx[i]; i = (i + 1) & t->mask)
		;
	t->idx[i] = slot + 1;
	x->at = t->n;
	t->act[t->n++] = slot;
	due_by(t, x->timer_g ? x->timer_g : x->end);
	t->st.created++;
	return true;
}

void sift_txn_tick(struct sift_txns *t, uint64_t now,
		   bool (*send)(const struct sift_txn *x, void *arg), void *arg)
{
	if (!t->due || now < t->due)
		return; /* nothing due: no scan (siftd ticks on every wake-up) */
	t->due = 0;
	for (unsigned int k = 0; k < t->n;) {
		unsigned int slot = t->act[k];
		struct sift_txn *x = &t->tab[slot];

		if (now >= x->end) {
			if (x->state == SIFT_TXN_COMPLETED && x->invite)
				t->st.timed_out++; /* Timer H: no ACK came */
			release(t, slot);      /* moves the last one to k */
			continue;
		}
		if (x->timer_g && now >= x->timer_g) {
			if (send(x, arg))
				t->st.retransmitted++;
			x->g_interval = x->g_interval * 2 < SIFT_T2 ? x->g_interval * 2 : SIFT_T2;
			x->timer_g = now + x->g_interval;
		}
		due_by(t, x->timer_g && x->timer_g < x->end ? x->timer_g : x->end);
		k++;
	}
}

uint64_t sift_txn_next(const struct sift_txns *t)
{
	return t->n ? t->due : 0;
}
