// SPDX-License-Identifier: GPL-2.0
/* The native build of include/sift/fwd_decide.h (decide.h says what for). */
#include <string.h>
#include <bpf/bpf.h>
#include <sift/fwd_util.h>

#include "decide.h"

/*
 * The tables of the decision under way.  The shared header reaches its
 * tables through two functions without a handle (the XDP program has only
 * its maps); natively they are these, set for the length of one call.
 */
static __thread struct sift_fwd_tables *cur;

SIFT_INLINE void *sift_fwd_get(enum sift_fwd_table tbl, const void *key)
{
	if (!cur || tbl >= SIFT_FTBL__MAX || cur->fd[tbl] < 0 ||
	    bpf_map_lookup_elem(cur->fd[tbl], key, &cur->val[tbl]))
		return NULL;
	return &cur->val[tbl];
}

SIFT_INLINE int sift_fwd_maglev(__u32 group, __u32 idx, __u32 *id)
{
	return cur && cur->st ? sift_fwd_maglev_slot(cur->st, group, idx, id) : -1;
}

#include <sift/fwd_decide.h>

void sift_fwd_tables_init(struct sift_fwd_tables *t, const struct sift_maps *m,
			  const struct sift_fwd_state *st)
{
	memset(t, 0, sizeof(*t));
	t->fd[SIFT_FTBL_SELF] = m->self;
	t->fd[SIFT_FTBL_PORTS] = m->ports;
	t->fd[SIFT_FTBL_DOMAINS] = m->domains;
	t->fd[SIFT_FTBL_ROUTES] = m->routes;
	t->fd[SIFT_FTBL_BACKENDS] = m->backends;
	t->fd[SIFT_FTBL_HOPS] = m->hops;
	t->fd[SIFT_FTBL_ACL_ALLOW] = m->acl_allow;
	t->fd[SIFT_FTBL_EGRESS] = m->egress;
	t->fd[SIFT_FTBL_RR] = m->rr;
	t->st = st;
}

int sift_fwd_decide(struct sift_fwd_tables *t, struct sift_scratch *s, const struct sift_arrival *a,
		    const __u64 key[2])
{
	int r;

	if (s->msg.kind != SIFT_KIND_REQUEST && s->msg.kind != SIFT_KIND_RESPONSE)
		return SIFT_REASON_NO_ROUTE;
	cur = t;
	sift_plan_start(s, &a->peer, a->peer_port, &a->local, a->ingress, key, a->trusted);
	s->plan.spiral = a->spiral;
	s->plan.streams = a->streams;
	if (a->flow_ok) {
		s->plan.flow_ok = 1;
		s->plan.dst = a->flow;
		s->plan.dport = a->flow_port;
		s->plan.hop_stream = a->flow_stream;
	}
	r = s->msg.kind == SIFT_KIND_REQUEST ? sift_decide_request(s) : sift_decide_response(s);
	cur = NULL;
	return r;
}

int sift_fwd_source_may_resolve(struct sift_fwd_tables *t, struct sift_scratch *s)
{
	int r;

	cur = t;
	r = sift_source_trusted(s);
	cur = NULL;
	return r;
}

int sift_fwd_relay_check(struct sift_fwd_tables *t, struct sift_scratch *s)
{
	int r;

	cur = t;
	r = sift_relay_ok(s, s->plan.cut_len ? &s->msg.route : NULL);
	cur = NULL;
	return r;
}

ssize_t sift_fwd_assemble(struct sift_fwd_tables *t, struct sift_scratch *s, __u32 egress,
			  char *out, size_t len)
{
	struct sift_sip_msg *m = &s->msg;
	struct sift_fwd_plan *pl = &s->plan;
	int request = m->kind == SIFT_KIND_REQUEST, r;
	__u32 sl, cut, cut_end, end;
	size_t n;

	pl->egress = egress;
	if (request) {
		/* as sift_forward() in bpf/fwd.bpf.h, after the way out is known */
		if (!(m->present & SIFT_HDR_MAX_FORWARDS))
			pl->add_mf = 1;
		else if (sift_mf_decrement(s))
			return -SIFT_REASON_MAX_FORWARDS_ZERO;
		r = sift_via_received(s);
		if (r)
			return -r;
		pl->callid_h = sift_callid_keyed(s);
		pl->branch = sift_branch_hash(s, pl->key[0]);
	}
	cur = t;
	r = sift_fwd_face(s, request);
	cur = NULL;
	if (r)
		return -r;
	/* the pieces sift_fwd_build() writes into the frame, one after the other */
	sl = s->line[1];
	end = pl->body_end;
	cut = pl->cut_len ? pl->cut_off : m->eoh;
	cut_end = cut + pl->cut_len;
	if (!m->eoh || sl > pl->keep || pl->keep > cut || cut_end > m->eoh || m->eoh > end ||
	    end > m->len || pl->ins_len >= SIFT_INS_MAX)
		return -SIFT_REASON_MTU;
	n = sl + pl->ins_len + (cut - pl->keep) + (end - cut_end);
	if (n > len)
		return -SIFT_REASON_MTU;
	memcpy(out, s->buf, sl);
	memcpy(out + sl, s->ins, pl->ins_len);
	memcpy(out + sl + pl->ins_len, s->buf + pl->keep, cut - pl->keep);
	memcpy(out + sl + pl->ins_len + (cut - pl->keep), s->buf + cut_end, end - cut_end);
	return n;
}
