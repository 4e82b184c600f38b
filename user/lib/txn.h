/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Server transactions (RFC 3261 17.2) for what siftd answers itself, over
 * UDP.  A transaction is made when siftd sends a final response; it keeps
 * that response, resends it when the request is retransmitted, and for an
 * INVITE answered with a non-2xx retransmits it on Timer G until the ACK
 * (absorbed) or Timer H.  The clock is the caller's (nanoseconds), so the
 * state machines run under a fake one in the tests.  The table is bounded:
 * when it is full a reply goes out without a transaction (counted as shed),
 * which costs only its retransmissions.
 */
#ifndef SIFT_LIB_TXN_H
#define SIFT_LIB_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sift/common.h>

/* RFC 3261 17.1.1.1 and table 4, in nanoseconds */
#define SIFT_T1 500000000ULL
#define SIFT_T2 4000000000ULL
#define SIFT_T4 5000000000ULL

enum sift_txn_state { SIFT_TXN_FREE, SIFT_TXN_COMPLETED, SIFT_TXN_CONFIRMED };

struct sift_txn {
	uint64_t key;  /* sift_txn_key(); 0: free */
	uint8_t state; /* enum sift_txn_state */
	uint8_t invite;
	uint16_t len;      /* of the response */
	unsigned int port; /* where it goes */
	struct sift_addr to;
	int fd;              /* the socket it goes out of */
	uint64_t timer_g;    /* next retransmission (INVITE, non-2xx); 0: none */
	uint64_t g_interval; /* Timer G's current interval */
	uint64_t end;        /* Timer H (Completed, INVITE), I (Confirmed) or J (non-INVITE) */
	char *resp;          /* the response's bytes (SIFT_TXN_RESP_MAX) */
	unsigned int at;     /* its place in sift_txns.act */
};

struct sift_txn_stats {
	uint64_t created, retransmitted, absorbed, acks, resent, timed_out, shed;
	uint64_t foreign; /* a request of a transaction's from another address: ignored */
};

struct sift_txns {
	struct sift_txn *tab;
	unsigned int cap, n; /* slots; in use */
	unsigned int *act;   /* the slots in use, n of them: the timers run over these only */
	unsigned int *idx;   /* key -> slot + 1, linear probing, mask + 1 entries (0: empty) */
	unsigned int mask;
	char *resp; /* cap * SIFT_TXN_RESP_MAX bytes */
	uint64_t due; /* no timer is due before this (0: none runs); the timers scan only then */
	struct sift_txn_stats st;
};

/* The largest response a transaction keeps. */
#define SIFT_TXN_RESP_MAX 1500

/* A table of @cap transactions.  0 or -ENOMEM. */
int sift_txns_init(struct sift_txns *t, unsigned int cap);
void sift_txns_free(struct sift_txns *t);

/*
 * The key of a request's server transaction (RFC 3261 17.2.3): its top
 * Via's branch and sent-by, and the method, an ACK counting as the INVITE
 * it acknowledges.
 */
uint64_t sift_txn_key(const void *branch, size_t blen, const void *sentby, size_t slen,
		      bool invite_or_ack);

enum sift_txn_verdict {
	SIFT_TXN_NEW,      /* no transaction: handle the request */
	SIFT_TXN_RESENT,   /* a retransmission: the kept response went out again */
	SIFT_TXN_ABSORBED, /* an ACK for a non-2xx of ours, or a repeated one: nothing more */
};

/*
 * A request with key @key arrived from @from at @now (@ack: it is an ACK).
 * Resends the kept response through @send when it is a retransmission
 * (@send says whether it went: the caller may hold it back).  A copy from
 * another address than the first (a branch anyone can read off the wire)
 * neither gets the response nor acknowledges it: ABSORBED, counted foreign.
 */
enum sift_txn_verdict sift_txn_request(struct sift_txns *t, uint64_t key, bool ack,
				       const struct sift_addr *from, uint64_t now,
				       bool (*send)(const struct sift_txn *x, void *arg),
				       void *arg);

/*
 * siftd sent the final response @resp (@len bytes) to @to:@port out of
 * @fd for the request with key @key at @now: keep it (a non-2xx to an
 * INVITE: Timer G and H; otherwise Timer J).  false when the table is full
 * or the response too large (counted as shed).
 */
bool sift_txn_respond(struct sift_txns *t, uint64_t key, bool invite, const void *resp,
		      size_t len, const struct sift_addr *to, unsigned int port, int fd,
		      uint64_t now);

/* Run the timers due at @now: retransmissions through @send, expiries. */
void sift_txn_tick(struct sift_txns *t, uint64_t now,
		   bool (*send)(const struct sift_txn *x, void *arg), void *arg);

/* When the next timer is due (ns), or 0 when none runs. */
uint64_t sift_txn_next(const struct sift_txns *t);

#endif
