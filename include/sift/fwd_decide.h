/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The forwarding decision (RFC 3261 16.4-16.6, 16.11 and 18.2.2, and sift's
 * relay policy): where a request or a response goes, what of sift's Route
 * set comes off, whether it gets Record-Route, and what sift writes after
 * the start line.  One source, compiled into the XDP program
 * (bpf/fwd.bpf.h) and natively into libsift (user/lib/fwd_decide.c), where
 * siftd finishes what the fast path punted with it: one decision, two
 * places it runs.
 *
 * Before a decision, sift_plan_start() fills what it needs to know of the
 * message's arrival.  The tables (enum sift_fwd_table) are reached only
 * through the two functions declared below, which the includer defines:
 *   XDP       the BPF maps;
 *   natively  the pinned maps' fds (a value is a copy in a buffer per
 *             table, valid until the next lookup in that table), and the
 *             Maglev tables siftd keeps beside the ones it installs
 *             (user/lib/fwdstate.h): reading a map-in-map's inner map from
 *             userspace would need CAP_SYS_ADMIN.
 */
#ifndef SIFT_FWD_DECIDE_H
#define SIFT_FWD_DECIDE_H

#include <sift/fwd.h>
#include <sift/fwd_util.h>
#include <sift/shield.h>

/* The value under @key in @tbl, or NULL. */
SIFT_INLINE void *sift_fwd_get(enum sift_fwd_table tbl, const void *key);
/* The backend id in slot @idx of group @group's Maglev table: 0, or -1 when there is none. */
SIFT_INLINE int sift_fwd_maglev(__u32 group, __u32 idx, __u32 *id);

/*
 * What a decision knows of the message's arrival: from @peer:@peer_port to
 * @local, on interface @ingress; @trusted: the shield found the source
 * trusted (else the relay policy looks it up when it matters).
 */
SIFT_INLINE void sift_plan_start(struct sift_scratch *s, const struct sift_addr *peer,
				 __u32 peer_port, const struct sift_addr *local, __u32 ingress,
				 const __u64 key[2], int trusted)
{
	struct sift_fwd_plan *pl = &s->plan;

	__builtin_memset(pl, 0, sizeof(*pl));
	pl->ingress = ingress;
	pl->in_family = peer->family;
	pl->local = *local;
	pl->peer = *peer;
	pl->peer_port = peer_port;
	pl->key[0] = key[0];
	pl->key[1] = key[1];
	pl->trust = trusted ? SIFT_TRUST_PEER : SIFT_TRUST_UNKNOWN;
	pl->backend = SIFT_NO_BACKEND;
	pl->body_end = s->msg.eoh + s->msg.body_len;
}


/*
 * The domain the host name [off, off + len) is in sift_domains: its id,
 * with SIFT_DOMAIN_KNOWN and its flags above; 0 when it is not there.
 * verifier: its own frame, so that the 64-byte key is not on the stack of
 * every caller down the deepest call chain (512 bytes in all).
 */
#define SIFT_DOMAIN_KNOWN (1ULL << 63)
SIFT_SUBPROG __u64 sift_domain_of(struct sift_scratch *s, __u32 off, __u32 len)
{
	struct sift_domain_key key;
	struct sift_domain *d;

	if (!s || sift_host_key(s, off, len, &key))
		return 0;
	d = sift_fwd_get(SIFT_FTBL_DOMAINS, &key);
	return d ? SIFT_DOMAIN_KNOWN | (__u64)d->flags << 32 | d->id : 0;
}

/* Is this host (an IP literal or a name) sift itself?  Sets *@ip when it is a literal. */
SIFT_INLINE int sift_host_ours(struct sift_scratch *s, __u32 off, __u32 len,
					  struct sift_addr *ip)
{
	if (!sift_ip_parse(s, off, len, ip))
		return sift_fwd_get(SIFT_FTBL_SELF, ip) != NULL;
	ip->family = 0;
	return (sift_domain_of(s, off, len) >> 32) & SIFT_DOMAIN_OURS;
}

/* Host [@off, @off + @len) and @port (0: the default) are sift's: its address or name, a SIP port. */
SIFT_INLINE int sift_hostport_ours(struct sift_scratch *s, __u32 off, __u32 len, __u32 port)
{
	struct sift_addr ip;
	__u8 *flags;

	if (!len || !sift_host_ours(s, off, len, &ip))
		return 0;
	port = port ? port : SIFT_SIP_PORT_DEFAULT;
	flags = sift_fwd_get(SIFT_FTBL_PORTS, &port);
	return flags && (*flags & (SIFT_PORT_SIP | SIFT_PORT_STREAM));
}

/* A URI (Route or Request-URI) that names sift: host ours and a SIP port of ours. */
SIFT_SUBPROG int sift_uri_ours(struct sift_scratch *s, struct sift_uri *u)
{
	if (!s || !u)
		return 0;
	return sift_hostport_ours(s, u->host.off, u->host.len, u->port);
}

/* The next hop named by a URI's host and port: an IP literal, or a reason. */
SIFT_SUBPROG int sift_uri_next_hop(struct sift_scratch *s, struct sift_uri *u)
{
	struct sift_fwd_plan *pl;

	if (!s || !u)
		return SIFT_REASON_NO_ROUTE;
	pl = &s->plan;
	pl->hop_uri = u->all; /* siftd resolves it when it is a name */
	if (u->flags & SIFT_URI_MADDR)
		return SIFT_REASON_NEXT_HOP_NAME;
	if (sift_ip_parse(s, u->host.off, u->host.len, &pl->dst))
		return SIFT_REASON_NEXT_HOP_NAME;
	pl->dport = u->port ? u->port : SIFT_SIP_PORT_DEFAULT;
	if (u->flags & (SIFT_URI_TCP | SIFT_URI_TLS)) {
		/* ;transport=tcp or tls: a connection, which siftd keeps */
		if (!pl->streams)
			return SIFT_REASON_NEXT_HOP_TRANSPORT;
		pl->hop_stream = u->flags & SIFT_URI_TLS ? SIFT_TRANSPORT_TLS : SIFT_TRANSPORT_TCP;
	}
	return 0;
}

/* Route by the Request-URI's user part (and domain): route table, group, Maglev. */
SIFT_SUBPROG int sift_route_ruri(struct sift_scratch *s, __u32 domain)
{
	struct sift_sip_msg *m;
	struct sift_route_key key = {};
	struct sift_route *r;
	struct sift_backend *be;
	__u32 n = 0, group, idx, id;

	if (!s)
		return SIFT_REASON_NO_ROUTE;
	m = &s->msg;
	/* the leading digits and '+' of the user part */
	for (int i = 0; i < SIFT_ROUTE_DIGITS; i++) {
		__u8 c;

		if ((__u32)i >= m->ruri.user.len)
			break;
		c = SIFT_B(s, m->ruri.user.off + i);
		if (!((c >= '0' && c <= '9') || c == '+'))
			break;
		key.digits[i & (SIFT_ROUTE_DIGITS - 1)] = c;
		n++;
	}
	key.prefixlen = 32 + 8 * n;
	key.domain = __builtin_bswap32(domain) /* little-endian only, as the parser */;
	r = sift_fwd_get(SIFT_FTBL_ROUTES, &key);
	if (!r && domain) {
		key.domain = 0;
		r = sift_fwd_get(SIFT_FTBL_ROUTES, &key);
	}
	if (!r)
		return SIFT_REASON_NO_ROUTE;
	group = r->group;
	s->plan.record_route = r->flags & SIFT_ROUTE_RECORD_ROUTE;

	s->plan.group = group;
	idx = sift_callid_hash(s) % SIFT_MAGLEV_SIZE;
	if (sift_fwd_maglev(group, idx, &id))
		return SIFT_REASON_NO_BACKEND;
	be = sift_fwd_get(SIFT_FTBL_BACKENDS, &id);
	if (!be || be->state == SIFT_BACKEND_DOWN || !be->addr.family)
		return SIFT_REASON_NO_BACKEND;
	if (be->transport == SIFT_TRANSPORT_TCP || be->transport == SIFT_TRANSPORT_TLS) {
		/* a backend on TCP or TLS: siftd's connection to it */
		if (!s->plan.streams)
			return SIFT_REASON_NEXT_HOP_TRANSPORT;
		s->plan.hop_stream = be->transport;
	}
	s->plan.backend = id;
	s->plan.dst = be->addr;
	s->plan.dport = be->port;
	return 0;
}

/* Methods that can create a dialog, and so get Record-Route (RFC 3261, 3265, 3515, 6665). */
SIFT_INLINE int sift_dialog_forming(__u8 method)
{
	return method == SIFT_METHOD_INVITE || method == SIFT_METHOD_SUBSCRIBE ||
	       method == SIFT_METHOD_REFER || method == SIFT_METHOD_NOTIFY;
}

/*
 * Loose routing (RFC 3261 16.4): sift's own URIs at the top of the route set
 * are removed, up to two (sift record-routes twice when it bridges two
 * interfaces).  Returns 1 if a Route to someone else remains (its next hop
 * is set), 0 if none remains, or -reason.
 */
SIFT_SUBPROG int sift_pop_routes(struct sift_scratch *s)
{
	struct sift_sip_msg *m;
	struct sift_fwd_plan *pl;
	struct sift_uri next = {};
	__u32 hdr_end, q;
	int r;

	if (!s)
		return -SIFT_REASON_NO_ROUTE;
	m = &s->msg;
	pl = &s->plan;
	if (!m->n_route)
		return 0;
	if (!sift_uri_ours(s, &m->route)) {
		r = sift_uri_next_hop(s, &m->route);
		return r ? -r : 1;
	}
	hdr_end = m->route_hdr.off + m->route_hdr.len;
	if (m->route_next) {
		/* a second value in the same header */
		q = sift_route_uri(s, m->route_next, hdr_end - 2, &next);
		if (!q)
			return -SIFT_REASON_BAD_ROUTE;
		if (!sift_uri_ours(s, &next)) {
			/* remove only our value: from its '<' up to the next value */
			pl->cut_off = sift_route_lt(s, m->route_hdr.off, m->route.all.off);
			if (!pl->cut_off)
				return -SIFT_REASON_NO_ROUTE;
			pl->cut_len = m->route_next - pl->cut_off;
			r = sift_uri_next_hop(s, &next);
			return r ? -r : 1;
		}
		if (q < hdr_end - 2) {
			/* ours twice, more after: cut both values */
			pl->cut_off = sift_route_lt(s, m->route_hdr.off, m->route.all.off);
			if (!pl->cut_off)
				return -SIFT_REASON_NO_ROUTE;
			pl->cut_len = q - pl->cut_off;
			__builtin_memset(&next, 0, sizeof(next));
			if (!sift_route_uri(s, q, hdr_end - 2, &next))
				return -SIFT_REASON_BAD_ROUTE;
			r = sift_uri_next_hop(s, &next);
			return r ? -r : 1;
		}
		/* the whole header was ours */
		pl->cut_off = m->route_hdr.off;
		pl->cut_len = m->route_hdr.len;
		return m->n_route > 1 ? -SIFT_REASON_NO_ROUTE : 0;
	}
	/* our value alone on its line: drop the line; maybe ours again on the next */
	pl->cut_off = m->route_hdr.off;
	pl->cut_len = m->route_hdr.len;
	if (m->n_route < 2)
		return 0;
	q = sift_route_line(s, hdr_end, m->eoh, &next);
	if (!q)
		return -SIFT_REASON_NO_ROUTE; /* another Route further down: siftd sorts it out */
	if (sift_uri_ours(s, &next) && q == 1) {
		pl->cut_len = sift_line_len(s, hdr_end, m->eoh) + m->route_hdr.len;
		return m->n_route > 2 ? -SIFT_REASON_NO_ROUTE : 0;
	}
	if (sift_uri_ours(s, &next))
		return -SIFT_REASON_NO_ROUTE;
	r = sift_uri_next_hop(s, &next);
	return r ? -r : 1;
}

/* Does the allow list trust @a (a trusted peer: it may send anywhere, and be sent to)? */
SIFT_INLINE int sift_acl_trusts(const struct sift_addr *a)
{
	struct sift_acl_key k = { .family = a->family };
	__u32 *flags;

	if (a->family == SIFT_AF_INET) {
		k.prefixlen = 8 + 32;
		__builtin_memcpy(k.addr, &a->v4, 4);
	} else {
		k.prefixlen = 8 + 128;
		__builtin_memcpy(k.addr, a->v6, 16);
	}
	flags = sift_fwd_get(SIFT_FTBL_ACL_ALLOW, &k);
	return flags && (*flags & SIFT_ACL_TRUSTED);
}

/* Is @a:@port one of siftd's backends (@port 0: at any port)? */
SIFT_INLINE int sift_is_backend(const struct sift_addr *a, __u32 port)
{
	struct sift_hop_key k = { .addr = *a, .port = port };
	__u32 *flags = sift_fwd_get(SIFT_FTBL_HOPS, &k);

	return flags && (*flags & SIFT_HOP_BACKEND);
}

/* May the message's source send anywhere (a backend, a peer the allow list trusts)? */
SIFT_INLINE int sift_source_trusted(struct sift_scratch *s)
{
	struct sift_fwd_plan *pl = &s->plan;

	if (pl->trust == SIFT_TRUST_UNKNOWN)
		pl->trust = sift_acl_trusts(&pl->peer) || sift_is_backend(&pl->peer, 0) ?
				    SIFT_TRUST_PEER :
				    SIFT_TRUST_NONE;
	return pl->trust == SIFT_TRUST_PEER;
}

/*
 * The relay policy (an edge is hostile ground).  A request whose next hop
 * the message itself named (a Route, the Request-URI) rather than the
 * route table may go there only if its source may send anywhere (a
 * backend, a peer the allow list trusts: that is how calls reach users
 * outside), or the hop is a backend or a trusted peer, or it is the hop
 * sift vouched for in this dialog's Record-Route (@ours: sift's own Route
 * value the request carried, NULL if none).  Anything else would make sift
 * an open relay.  Returns 0 or RELAY_DENIED.
 */
SIFT_SUBPROG int sift_relay_ok(struct sift_scratch *s, struct sift_uri *ours)
{
	struct sift_fwd_plan *pl;
	__u32 mac;

	if (!s)
		return SIFT_REASON_RELAY_DENIED;
	pl = &s->plan;
	if (sift_source_trusted(s))
		return 0;
	if (sift_is_backend(&pl->dst, pl->dport) || sift_acl_trusts(&pl->dst))
		return 0;
	if (ours && !sift_uri_vouch(s, ours, &mac)) {
		pl->callid_h = sift_callid_keyed(s);
		if (mac == sift_vouch_mac(pl->key, pl->callid_h, &pl->dst))
			return 0;
	}
	return SIFT_REASON_RELAY_DENIED;
}

/* A Via sift wrote: sift's host and SIP port, and a branch of sift's form. */
SIFT_SUBPROG int sift_via_ours(struct sift_scratch *s, struct sift_via *v)
{
	__u32 mac;
	__u64 h;

	if (!s || !v || !sift_branch_form(s, v->branch.off, v->branch.len, &h, &mac))
		return 0;
	return sift_hostport_ours(s, v->host.off, v->host.len, v->port);
}

/* Where a request goes.  Returns a reason, 0 when the plan is complete. */
SIFT_SUBPROG int sift_decide_request(struct sift_scratch *s)
{
	struct sift_sip_msg *m;
	struct sift_addr ip;
	__u32 domain = 0;
	int r;

	if (!s)
		return SIFT_REASON_NO_ROUTE;
	m = &s->msg;
	if (m->method == SIFT_METHOD_REGISTER)
		return SIFT_REASON_REGISTER;
	/* the ACK for a reply siftd made (sift's To tag): its transaction absorbs it */
	if (m->method == SIFT_METHOD_ACK && m->to_tag.len == SIFT_LOCAL_TAG_LEN &&
	    SIFT_B(s, m->to_tag.off) == 's' && SIFT_B(s, m->to_tag.off + 1) == 'f' &&
	    SIFT_B(s, m->to_tag.off + 2) == 't' && SIFT_B(s, m->to_tag.off + 3) == '-')
		return SIFT_REASON_FOR_US;
	/* sift's own Via under the top one: sent from here one hop ago; siftd tells loop from spiral */
	if (!s->plan.spiral && sift_via_ours(s, &m->via[1]))
		return SIFT_REASON_LOOP;
	r = sift_pop_routes(s);
	if (r < 0)
		return -r;
	/* sift's Route naming a UA's flow (its Path): siftd checks it and sends the request there */
	if (s->plan.cut_len && !s->plan.flow_ok && sift_uri_flow(s, &m->route))
		return SIFT_REASON_FLOW;
	if (s->plan.flow_ok) {
		/* siftd verified it and put it in plan.dst: the flow is the next hop */
		s->plan.record_route = 0;
		return r > 0 ? SIFT_REASON_BAD_ROUTE : 0;
	}
	if (r == 0) {
		/* no Route left: the Request-URI decides */
		if (!sift_ip_parse(s, m->ruri.host.off, m->ruri.host.len, &ip)) {
			/* usually the address it was sent to, which is sift's: no lookup */
			if (!sift_addr_eq(&ip, &s->plan.local) &&
			    !sift_fwd_get(SIFT_FTBL_SELF, &ip)) {
				/* another host: the relay policy says whether sift may go there */
				r = sift_uri_next_hop(s, &m->ruri);
				if (r)
					return r;
				goto plan;
			}
		} else {
			__u64 d = sift_domain_of(s, m->ruri.host.off, m->ruri.host.len);

			if (!d) {
				/*
				 * a host sift does not serve: siftd resolves it (RFC
				 * 3263) for a source that may send anywhere
				 */
				s->plan.hop_uri = m->ruri.all;
				return sift_source_trusted(s) ? SIFT_REASON_NEXT_HOP_NAME :
								SIFT_REASON_NO_ROUTE;
			}
			domain = (__u32)d;
		}
		/* addressed to sift, or a domain it routes */
		if (!m->ruri.user.len)
			return SIFT_REASON_FOR_US;
		r = sift_route_ruri(s, domain);
		if (r)
			return r;
	}
plan:
	if (s->plan.backend == SIFT_NO_BACKEND) {
		/* a Route of sift's was popped when there is a cut: it may carry the vouch */
		r = sift_relay_ok(s, s->plan.cut_len ? &m->route : NULL);
		if (r)
			return r;
	}
	if (m->to_tag.len || !sift_dialog_forming(m->method))
		s->plan.record_route = 0;
	return 0;
}

/*
 * Where a response goes: its top Via must be sift's (address and branch),
 * and it goes to the next Via: received and rport first (RFC 3261 18.2.2,
 * RFC 3581), which sift wrote when it forwarded the request.  The branch's
 * MAC must verify for the response's source (the hop the request went
 * to), its Call-ID and that destination.  Returns a reason, 0 when the
 * plan is complete.
 */
SIFT_SUBPROG int sift_decide_response(struct sift_scratch *s)
{
	struct sift_via *v0;
	__u64 h;
	__u32 mac;
	int r;

	if (!s)
		return SIFT_REASON_NOT_OUR_VIA;
	v0 = &s->msg.via[0];
	if (!sift_hostport_ours(s, v0->host.off, v0->host.len, v0->port))
		return SIFT_REASON_NOT_OUR_VIA;
	/* sift's address but not the fast path's branch: siftd's own request */
	if (!sift_branch_form(s, v0->branch.off, v0->branch.len, &h, &mac))
		return SIFT_REASON_FOR_US;
	r = sift_response_hop(s);
	if (r)
		return r;
	/* only from the hop the request went to, for its call, back where it came from */
	return sift_response_verify(s);
}


/* ---- how sift appears on the way out ------------------------------------------- */

/*
 * How sift appears on the egress interface (its address and port there,
 * the MTU), from one lookup of the face; and for a request, the bytes it
 * gets after its start line (sift_fwd_build writes them): Record-Route
 * when the route asks for it, with sift's vouch for the hop the request
 * came from; Max-Forwards when the request had none; sift's Via (the
 * face's text up to the branch value, the branch and its MAC, CRLF), so
 * the Vias stay together; and when the top Via gains received/rport, the
 * headers from the start line up to where they go, then the parameters
 * (the original of that stretch is dropped: plan.keep).  Returns 0 or a
 * reason.
 */
SIFT_SUBPROG int sift_fwd_face(struct sift_scratch *s, int request)
{
	struct sift_fwd_plan *pl;
	struct sift_egress *e;
	struct sift_face *face;
	struct sift_rr_key key = {};
	struct sift_rr *rr;
	__u32 n = 0, v, i, pad, sl, copy = 0;

	if (!s)
		return SIFT_REASON_NOT_SIFT_IFACE;
	pl = &s->plan;
	e = sift_fwd_get(SIFT_FTBL_EGRESS, &pl->egress);
	if (!e)
		return SIFT_REASON_NOT_SIFT_IFACE;
	face = pl->dst.family == SIFT_AF_INET ? &e->v4 : &e->v6;
	if (!face->addr.family)
		return SIFT_REASON_NOT_SIFT_IFACE;
	pl->src = face->addr;
	pl->sport = face->port;
	pl->mtu = e->mtu;
	sl = s->line[1];
	pl->keep = sl;
	if (!request)
		return 0;
	v = face->via_head_len;
	if (!v || v > SIFT_VIA_HEAD_MAX)
		return SIFT_REASON_NOT_SIFT_IFACE;
	if (pl->via_at) {
		/* the top Via is rewritten up to where its parameters go */
		if (pl->via_at <= sl || pl->via_at - sl > SIFT_VIA_COPY_MAX ||
		    (pl->cut_len && pl->cut_off < pl->via_at) || pl->vpar_len > SIFT_VIA_PARAMS_MAX)
			return SIFT_REASON_VIA_RECEIVED;
		copy = pl->via_at - sl;
	}
	if (pl->record_route) {
		__u64 mac;

		key.egress = pl->egress;
		key.ingress = pl->ingress;
		key.out_family = pl->dst.family;
		key.in_family = pl->in_family;
		rr = sift_fwd_get(SIFT_FTBL_RR, &key);
		if (!rr || !rr->len || rr->len > SIFT_RR_MAX)
			return SIFT_REASON_NOT_SIFT_IFACE;
		for (i = 0; i < SIFT_RR_MAX / 8; i++)
			__builtin_memcpy(&s->ins[i * 8], &rr->text[i * 8], 8);
		n = rr->len;
		/* the vouch: this dialog's callee side may reach the caller again */
		mac = sift_hex8(sift_vouch_mac(pl->key, pl->callid_h, &pl->peer));
		if (rr->mac_at[0])
			__builtin_memcpy(&s->ins[rr->mac_at[0] & (SIFT_RR_MAX - 1)], &mac, 8);
		if (rr->mac_at[1])
			__builtin_memcpy(&s->ins[rr->mac_at[1] & (SIFT_RR_MAX - 1)], &mac, 8);
	}
	if (pl->add_mf) {
		/* RFC 3261 16.6 step 3: a request without Max-Forwards gets 70 */
		__u64 w0 = SIFT_C8('M', 'a', 'x', '-', 'F', 'o', 'r', 'w');
		__u64 w1 = SIFT_C8('a', 'r', 'd', 's', ':', ' ', '7', '0');

		__builtin_memcpy(&s->ins[n & (SIFT_INS_MAX - 1)], &w0, 8);
		__builtin_memcpy(&s->ins[(n + 8) & (SIFT_INS_MAX - 1)], &w1, 8);
		s->ins[(n + 16) & (SIFT_INS_MAX - 1)] = '\r';
		s->ins[(n + 17) & (SIFT_INS_MAX - 1)] = '\n';
		n += 18;
	}
	/*
	 * One more space after "Via:" when the message would otherwise grow by
	 * an odd number of bytes: what follows then keeps its byte parity and
	 * its checksum is summed in one piece (sift_fwd_build).
	 */
	pad = (n + v + 26 + pl->vpar_len + pl->cut_len) & 1;
	/* verifier: masked word copies; n <= 274 and the head is 128, so nothing wraps */
	for (i = 0; i < SIFT_VIA_HEAD_MAX / 8; i++)
		__builtin_memcpy(&s->ins[(n + pad + i * 8) & (SIFT_INS_MAX - 1)], &face->via_head[i * 8],
				 8);
	if (pad) {
		/* "Via:" again one byte earlier: "Via:  SIP/2.0/..." */
		s->ins[n & (SIFT_INS_MAX - 1)] = 'V';
		s->ins[(n + 1) & (SIFT_INS_MAX - 1)] = 'i';
		s->ins[(n + 2) & (SIFT_INS_MAX - 1)] = 'a';
		s->ins[(n + 3) & (SIFT_INS_MAX - 1)] = ':';
		s->ins[(n + 4) & (SIFT_INS_MAX - 1)] = ' ';
	}
	n += v + pad;
	sift_branch_put(s, n, pl->branch,
			sift_branch_mac(pl->key, pl->branch, pl->callid_h, &pl->dst, pl->dport,
					&pl->peer, pl->reply_port));
	s->ins[(n + 24) & (SIFT_INS_MAX - 1)] = '\r';
	s->ins[(n + 25) & (SIFT_INS_MAX - 1)] = '\n';
	n += 26;
	if (copy) {
		/* the headers up to the parameters' place, then the parameters */
		for (i = 0; i < SIFT_VIA_COPY_MAX / 8; i++) {
			__u64 w;

			if (i * 8 >= copy)
				break;
			w = SIFT_W(s, sl + i * 8);
			__builtin_memcpy(&s->ins[(n + i * 8) & (SIFT_INS_MAX - 1)], &w, 8);
		}
		n += copy;
		for (i = 0; i < SIFT_VIA_PARAMS_MAX / 8; i++)
			__builtin_memcpy(&s->ins[(n + i * 8) & (SIFT_INS_MAX - 1)], &pl->vpar[i * 8], 8);
		n += pl->vpar_len;
		pl->keep = pl->via_at;
	}
	pl->ins_len = n;
	return 0;
}

#endif /* SIFT_FWD_DECIDE_H */
