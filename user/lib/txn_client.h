/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client transactions (RFC 3261 17.1) for what siftd sends statefully:
 * requests to next hops named by host name, which fail over along the
 * targets RFC 3263 gave (user/siftd/dns.h).  The fast path forwards
 * statelessly; these are siftd's own, with a branch of their own form
 * ("z9hG4bK-sfc", the slot and its generation, the attempt), which the
 * fast path does not take for its own and hands to siftd.
 *
 * Timers (the caller's clock, ns): A (INVITE) and E (non-INVITE)
 * retransmit from T1, E capped at T2; B and F end the transaction at 64*T1
 * without a final response; and failover: a target that has not answered
 * at all within the failover time is given up for the next.  A final
 * response completes the transaction, which then lingers (32 s for an
 * INVITE, to forward the 2xx's retransmissions and absorb the ACK; T4
 * for the rest) before its slot is freed.  The table is bounded; when it
 * is full a request is refused (counted as shed).
 */
#ifndef SIFT_LIB_TXN_CLIENT_H
#define SIFT_LIB_TXN_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sift/common.h>

#define SIFT_CTXN_TARGETS 8
#define SIFT_CTXN_BRANCH_PREFIX "z9hG4bK-sfc"
#define SIFT_CTXN_BRANCH_LEN 35 /* as sift's stateless branch */

enum sift_ctxn_state {
	SIFT_CTXN_FREE,
	SIFT_CTXN_RESOLVING, /* waiting for the next hop's targets */
	SIFT_CTXN_CALLING,   /* sent; nothing heard yet */
	SIFT_CTXN_PROCEEDING, /* a provisional response came */
	SIFT_CTXN_COMPLETED, /* a final response came (or none will) */
};

struct sift_ctxn_target {
	struct sift_addr addr;
	unsigned int port;
};

struct sift_ctxn {
	uint8_t state; /* enum sift_ctxn_state */
	uint8_t invite;
	uint8_t oneshot;      /* an ACK for a 2xx: sent once, no response comes */
	uint16_t req_len;     /* the request as it came */
	uint32_t gen;         /* of the slot: a stale branch finds nothing */
	uint32_t attempt;     /* targets tried so far */
	uint64_t up_key;      /* the request's server transaction key (txn.h): its ACK, CANCEL, copies */
	struct sift_ctxn_target t[SIFT_CTXN_TARGETS];
	unsigned int n_t, cur; /* targets, the one being tried */
	uint64_t timer;       /* next retransmission (A/E); 0: none */
	uint64_t interval;
	uint64_t failover;    /* give the target up if nothing came by then; 0: not armed */
	uint64_t end;         /* B/F, or the end of lingering */
	unsigned int final;   /* the final status that came (0: none) */
	char *req;            /* the request as it came (SIFT_CTXN_REQ_MAX) */
	void *user;           /* the caller's per-transaction state (its arrival) */
};

#define SIFT_CTXN_REQ_MAX 8192

struct sift_ctxn_stats {
	uint64_t created, retransmitted, failovers, timed_out, shed, completed, stale;
};

struct sift_ctxns {
	struct sift_ctxn *tab;
	unsigned int cap, n;
	char *req;
	uint64_t failover_ns;
	struct sift_ctxn_stats st;
};

/* A table of @cap transactions; a target silent for @failover_ms is given up.  0 or -ENOMEM. */
int sift_ctxns_init(struct sift_ctxns *t, unsigned int cap, unsigned int failover_ms);
void sift_ctxns_free(struct sift_ctxns *t);

/* A new transaction for the request @req (@len bytes), RESOLVING.  NULL when full (shed). */
struct sift_ctxn *sift_ctxn_new(struct sift_ctxns *t, uint64_t up_key, bool invite,
				const void *req, size_t len);
void sift_ctxn_free(struct sift_ctxns *t, struct sift_ctxn *x);

/* The branch of @x's current attempt, SIFT_CTXN_BRANCH_LEN characters and a NUL. */
void sift_ctxn_branch(const struct sift_ctxns *t, const struct sift_ctxn *x,
		      char out[SIFT_CTXN_BRANCH_LEN + 1]);
/* The transaction a branch of this form names, in the attempt it names; NULL if none. */
struct sift_ctxn *sift_ctxn_by_branch(struct sift_ctxns *t, const char *b, size_t len);
/* The transaction of the request with server transaction key @key; NULL if none. */
struct sift_ctxn *sift_ctxn_by_up(struct sift_ctxns *t, uint64_t key);

/* The request went to the current target at @now: the timers start. */
void sift_ctxn_sent(struct sift_ctxns *t, struct sift_ctxn *x, uint64_t now);

enum sift_ctxn_verdict {
	SIFT_CTXN_PASS,     /* send the response on upstream */
	SIFT_CTXN_ABSORB,   /* a copy of one already passed on (a non-2xx final): drop */
	SIFT_CTXN_NEXT,     /* a 503 from this target: try the next (if any) */
};
/* A response with status @status came for @x's current attempt at @now. */
enum sift_ctxn_verdict sift_ctxn_response(struct sift_ctxns *t, struct sift_ctxn *x,
					  unsigned int status, uint64_t now);

/* Move on to the next target: true if there is one (then send again), false if none is left. */
bool sift_ctxn_next(struct sift_ctxns *t, struct sift_ctxn *x);

/* What a timer asks of the caller. */
struct sift_ctxn_ops {
	void (*resend)(struct sift_ctxn *x, void *arg);   /* A or E: the same request again */
	void (*failover)(struct sift_ctxn *x, void *arg); /* the target was silent: sift_ctxn_next */
	void (*timeout)(struct sift_ctxn *x, void *arg);  /* B or F: no final response (408 upstream) */
};
/* Run the timers due at @now. */
void sift_ctxn_tick(struct sift_ctxns *t, uint64_t now, const struct sift_ctxn_ops *ops,
		    void *arg);
/* When the next timer is due (ns), 0 when none runs. */
uint64_t sift_ctxn_next_due(const struct sift_ctxns *t);

#endif
