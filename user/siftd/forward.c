// SPDX-License-Identifier: GPL-2.0
/* The slow path's forwarding (forward.h says what it finishes). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "addr.h"
#include "forward.h"
#include "fwd_native.h"
#include "path.h"

/*
 * Where the kernel routes @dst:@port from: its source address for it.  A
 * connected datagram socket asks the routing table without sending.  0 or
 * -1 (no route).
 */
static int kernel_source(const struct sift_addr *dst, unsigned int port, struct sift_addr *src)
{
	struct sockaddr_storage to, me;
	socklen_t len = sift_sockaddr_of(dst, port, &to), mlen = sizeof(me);
	unsigned int mport;
	int fd = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = -1;

	if (fd < 0)
		return -1;
	if (!connect(fd, (struct sockaddr *)&to, len) &&
	    !getsockname(fd, (struct sockaddr *)&me, &mlen))
		ret = sift_addr_of_sockaddr(&me, src, &mport) ? -1 : 0;
	close(fd);
	return ret;
}

/* The interface sift is attached to whose face of @a's family has address @a; 0 if none. */
__u32 sift_forward_face(struct sift_forwarder *f, const struct sift_addr *a)
{
	int fd = f->tables.fd[SIFT_FTBL_EGRESS];
	__u32 key, next;
	struct sift_egress e;
	void *prev = NULL;

	while (fd >= 0 && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &e))
			continue;
		if (sift_addr_eq(a->family == SIFT_AF_INET ? &e.v4.addr : &e.v6.addr, a))
			return key;
	}
	return 0;
}

/* Send @len bytes at @buf to @dst:@dport from @src (its address, whatever the socket's). */
static int send_from(int fd, const void *buf, size_t len, const struct sift_addr *src,
		     const struct sift_addr *dst, unsigned int dport)
{
	struct sockaddr_storage to;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl = {};
	struct msghdr mh = { .msg_name = &to, .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	mh.msg_namelen = sift_sockaddr_of(dst, dport, &to);
	mh.msg_control = ctl.b;
	cm = (struct cmsghdr *)ctl.b;
	if (src->family == SIFT_AF_INET) {
		struct in_pktinfo pi = { .ipi_spec_dst.s_addr = src->v4 };

		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi = {};

		memcpy(&pi.ipi6_addr, src->v6, 16);
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
	return sendmsg(fd, &mh, 0) == (ssize_t)len ? 0 : -1;
}

static const char *transport_param(int tr)
{
	return tr == SIFT_TRANSPORT_TLS ? ";transport=tls" : tr == SIFT_TRANSPORT_TCP ? ";transport=tcp" : "";
}

/* [p, end) up to its last ':' (a host:port as sift writes it in its URIs); its length. */
static size_t host_len(const char *p, const char *end)
{
	const char *c = end;

	while (c > p && c[-1] != ':' && c[-1] != ']')
		c--;
	return c > p && c[-1] == ':' ? (size_t)(c - 1 - p) : (size_t)(end - p);
}

/*
 * Record-Route with transports (RFC 3261 16.6 step 4, RFC 5658): when
 * the request came on a connection or leaves on one, the URI that faces
 * each side says its transport, and each side gets its own URI, so
 * in-dialog requests cross back correctly in both directions.  When it
 * came on a connection, the URI facing the far side also names that
 * connection as a flow, under sift's MAC (path.h): a stateless proxy finds
 * the caller again by it (RFC 5626's edge proxy), whatever its Contact
 * says.  The decision's Record-Route (one URI, or two for two interfaces)
 * is the first line after the start line; it is rewritten in place in
 * @out (@n bytes, room for @cap).  The new length, or -1.
 */
static ssize_t rr_transports(struct sift_forwarder *f, char *out, size_t n, size_t cap, size_t sl,
			     int out_tr)
{
	static const char head[] = "Record-Route: <sip:";
	char line[700], far[300], *p = out + sl, *eol, *u1, *u1e, *u2, *u2e, *sft;
	size_t h1, h2, old;
	int l;

	if (n - sl < sizeof(head) || memcmp(p, head, sizeof(head) - 1))
		return -1;
	eol = memmem(p, n - sl, "\r\n", 2);
	if (!eol)
		return -1;
	u1 = p + sizeof(head) - 1;
	u1e = memchr(u1, ';', eol - u1);
	sft = u1e ? memmem(u1e, eol - u1e, SIFT_VOUCH_PARAM, SIFT_VOUCH_PARAM_LEN) : NULL;
	if (!u1e || !sft || eol - sft < SIFT_VOUCH_PARAM_LEN + 8)
		return -1;
	u2 = memmem(u1e, eol - u1e, ", <sip:", 7);
	if (u2) {
		u2 += 7;
		u2e = memchr(u2, ';', eol - u2);
		if (!u2e)
			return -1;
	} else {
		u2 = u1;
		u2e = u1e;
	}
	h1 = u1e - u1;
	h2 = host_len(u2, u2e);
	if (f->in_transport) {
		/* "Path: <sip:HOST:PORT;lr;flow=...;sft=...>": its parameters */
		char path[300], *lr, *gt;
		size_t hl = host_len(u1, u1e);

		if (sift_path_line(f->path_mac_key, u1, hl, strtoul(u1 + hl + 1, NULL, 10),
				   &f->in_peer, f->in_peer_port, path, sizeof(path)) < 0)
			return -1;
		lr = strstr(path, ";lr");
		gt = lr ? strchr(lr, '>') : NULL;
		if (!gt)
			return -1;
		l = snprintf(far, sizeof(far), "%.*s", (int)(gt - lr), lr);
	} else {
		l = snprintf(far, sizeof(far), ";lr%.*s", SIFT_VOUCH_PARAM_LEN + 8, sft);
	}
	if (l < 0 || (size_t)l >= sizeof(far))
		return -1;
	/* the side it came in on: sift's address there, the port the connection came to */
	l = snprintf(line, sizeof(line), "Record-Route: <sip:%.*s%s%s>, <sip:%.*s:%u%s;lr%.*s>\r\n",
		     (int)h1, u1, transport_param(out_tr), far, (int)h2, u2,
		     f->in_transport ? f->in_port : (unsigned int)strtoul(u2 + h2 + 1, NULL, 10),
		     transport_param(f->in_transport), SIFT_VOUCH_PARAM_LEN + 8, sft);
	old = eol + 2 - p;
	if (l < 0 || (size_t)l >= sizeof(line) || n - old + l > cap)
		return -1;
	memmove(p + l, p + old, n - sl - old);
	memcpy(p, line, l);
	f->st.rr_doubled++;
	return n - old + l;
}

/*
 * On a connection to plan.dst:dport of @tr: the one there is (a response
 * goes back on the one its request came on, or its RFC 5923 alias), or a
 * new one for a request.  0 or a reason.
 */
static int stream_send(struct sift_forwarder *f, struct sift_scratch *s, const char *out, size_t n,
		       int tr)
{
	struct sift_fwd_plan *pl = &s->plan;
	int request = s->msg.kind == SIFT_KIND_REQUEST;
	struct sift_conn *c = sift_conn_find(f->conns, &pl->dst, pl->dport, tr);

	if (!c && !request) {
		/* a stateless proxy has no other way back to it */
		f->st.no_connection++;
		return SIFT_REASON_NEXT_HOP_TRANSPORT;
	}
	if (!c)
		c = sift_conn_connect(f->conns, &pl->dst, pl->dport, tr);
	if (!c || sift_conn_send(f->conns, c, out, n)) {
		f->st.send_failed++;
		return SIFT_REASON_FIB_MISS;
	}
	f->st.streamed++;
	if (request)
		f->st.requests++;
	else
		f->st.responses++;
	return 0;
}

int sift_forward_send(struct sift_forwarder *f, struct sift_scratch *s, sift_send_fd_fn fd_for,
		      void *arg)
{
	char *out = f->last;
	struct sift_fwd_plan *pl = &s->plan;
	struct sift_addr via;
	int request = s->msg.kind == SIFT_KIND_REQUEST, fd, tr;
	bool add_mf = request && !(s->msg.present & SIFT_HDR_MAX_FORWARDS), large = false;
	__u32 egress;
	ssize_t n;

	if (kernel_source(&pl->dst, pl->dport, &via))
		return SIFT_REASON_FIB_MISS;
	egress = sift_forward_face(f, &via);
	if (!egress) {
		f->st.no_egress++;
		return SIFT_REASON_NOT_SIFT_IFACE;
	}
	n = sift_fwd_assemble(&f->tables, s, egress, out, sizeof(f->last));
	if (n < 0)
		return -n;
	if (f->path_key) {
		/* sift's Path first (RFC 3327 5.2), as sift appears towards the registrar */
		char line[256];
		struct sift_egress e;
		const struct sift_face *face = pl->dst.family == SIFT_AF_INET ? &e.v4 : &e.v6;
		int l;
		size_t sl = s->line[1];

		if (bpf_map_lookup_elem(f->tables.fd[SIFT_FTBL_EGRESS], &egress, &e))
			return SIFT_REASON_NOT_SIFT_IFACE;
		l = sift_path_line(f->path_key, face->host, face->host_len, face->port, &pl->peer,
				   pl->peer_port, line, sizeof(line));
		if (l < 0 || (size_t)n + l > sizeof(f->last))
			return SIFT_REASON_MTU;
		memmove(out + sl + l, out + sl, n - sl);
		memcpy(out + sl, line, l);
		n += l;
	}
	if (f->branch && request) {
		/* a client transaction's branch in sift's Via, which sift_fwd_face wrote */
		char *b = memmem(out, pl->ins_len + s->line[1] + 256 < (size_t)n ?
					      pl->ins_len + s->line[1] + 256 : (size_t)n,
				 "branch=" SIFT_BRANCH_PREFIX, 7 + SIFT_BRANCH_PREFIX_LEN);

		if (!b)
			return SIFT_REASON_NOT_SIFT_IFACE;
		memcpy(b + 7, f->branch, SIFT_BRANCH_LEN);
	}
	tr = pl->hop_stream;
	/*
	 * RFC 3261 18.1.1: a request within 200 bytes of the path MTU goes
	 * over TCP, unless a connection there was refused lately; then the
	 * kernel fragments it
	 */
	if (!tr && request && f->conns && f->conns->cap &&
	    (size_t)n + 200 > pl->mtu && !sift_conn_refused(f->conns, &pl->dst, pl->dport)) {
		tr = SIFT_TRANSPORT_TCP;
		large = true;
	}
	if (request && tr) {
		/* sift's Via names the transport it leaves on: "SIP/2.0/TCP" */
		char *v = memmem(out + s->line[1], pl->ins_len, "SIP/2.0/UDP ", 12);

		if (v)
			memcpy(v + 8, tr == SIFT_TRANSPORT_TLS ? "TLS" : "TCP", 3);
	}
	if (request && pl->record_route && (tr || f->in_transport)) {
		ssize_t m = rr_transports(f, out, n, sizeof(f->last), s->line[1], tr);

		if (m < 0)
			return SIFT_REASON_MTU;
		n = m;
	}
	f->last_len = n;
	if (tr) {
		/* a connection refused for a large request: its retransmission goes as a datagram */
		int r = stream_send(f, s, out, n, tr);

		f->st.large_tcp += !r && large;
		return r;
	}
	fd = fd_for(arg, pl->dst.family == SIFT_AF_INET ? AF_INET : AF_INET6, pl->sport);
	if (fd < 0 || send_from(fd, out, n, &pl->src, &pl->dst, pl->dport)) {
		f->st.send_failed++;
		return SIFT_REASON_FIB_MISS;
	}
	if ((size_t)n + (pl->dst.family == SIFT_AF_INET ? 28 : 48) > pl->mtu)
		f->st.fragmented++;
	f->st.max_forwards_added += add_mf;
	if (request)
		f->st.requests++;
	else
		f->st.responses++;
	return 0;
}

int sift_forward_register(struct sift_forwarder *f, struct sift_scratch *s,
			  const struct sift_routing *routing, const __u64 key[2],
			  sift_send_fd_fn fd_for, void *arg)
{
	const struct sift_sip_msg *m = &s->msg;
	struct sift_fwd_plan *pl = &s->plan;
	const struct sift_registrar_conf *rg;
	struct sift_backend be;
	__u32 id;
	int gidx, r;

	rg = sift_routing_registrar(routing, (const char *)s->buf + m->ruri.host.off,
				    m->ruri.host.len);
	if (!rg)
		return SIFT_REASON_NO_ROUTE;
	gidx = sift_fwd_group_index(f->tables.st, rg->group);
	/* the group's Maglev table, by Call-ID: a UA's registrations stay on one registrar */
	if (gidx < 0 ||
	    sift_fwd_maglev_slot(f->tables.st, gidx,
				 sift_callid_hash_of(s->buf + m->call_id.off, m->call_id.len) %
					 SIFT_MAGLEV_SIZE,
				 &id) ||
	    id == SIFT_NO_BACKEND ||
	    bpf_map_lookup_elem(f->tables.fd[SIFT_FTBL_BACKENDS], &id, &be) ||
	    be.state == SIFT_BACKEND_DOWN || !be.addr.family)
		return SIFT_REASON_NO_BACKEND;
	pl->dst = be.addr;
	pl->dport = be.port;
	pl->backend = id;
	pl->group = gidx;
	pl->record_route = 0;
	f->path_key = key;
	r = sift_forward_send(f, s, fd_for, arg);
	f->path_key = NULL;
	f->st.registers += !r;
	return r;
}

json_t *sift_forward_json(const struct sift_forwarder *f)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "streamed",
			 (json_int_t)f->st.streamed, "large_tcp", (json_int_t)f->st.large_tcp,
			 "no_connection", (json_int_t)f->st.no_connection, "rr_doubled",
			 (json_int_t)f->st.rr_doubled, "registers",
			 (json_int_t)f->st.registers, "to_flows", (json_int_t)f->st.to_flows,
			 "requests", (json_int_t)f->st.requests,
			 "responses", (json_int_t)f->st.responses, "fragmented",
			 (json_int_t)f->st.fragmented, "max_forwards_added",
			 (json_int_t)f->st.max_forwards_added, "no_egress",
			 (json_int_t)f->st.no_egress, "send_failed", (json_int_t)f->st.send_failed);
}
