#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A SIP peer over TCP or TLS for the lab: messages, keepalives, load and
abuse of a listener.  Standard library only; results are JSON lines.

  tlspeer.py send|ping|serve|hold|handshakes|slowloris|flood --host H --port P
      [--tls] [--ca FILE] [--cert FILE --key FILE] [--sni NAME]
      [--tls-max 1.2|1.3] [--timeout S] ...     (each cmd_* says the rest)

--tls is TLS 1.2 or later, verified against --ca FILE (name: --sni or else
--host) if given.  Exit status: 0 fine, 1 usage, 2 TLS handshake failed (or
an alert or EOF before any data: TLS 1.3 refuses a client certificate so),
3 timeout waiting for a response, 4 connect failed or connection closed.
"""
import argparse
import errno
import itertools
import json
import os
import re
import resource
import select
import selectors
import socket
import ssl
import sys
import time
from collections import Counter

R, W = selectors.EVENT_READ, selectors.EVENT_WRITE
LORIS = (b"INVITE sip:slow@sift.test SIP/2.0\r\nVia: SIP/2.0/TCP 198.18.0.2;branch=z9hG4bK1\r\n"
         b"From: <sip:loris@carrier.test>;tag=1\r\nTo: <sip:slow@sift.test>\r\n"
         b"Call-ID: slowloris@tlspeer\r\nCSeq: 1 INVITE\r\n")  # then X-Pad headers, no end
COMPACT = dict(zip("imelcfsktv", ("call-id", "contact", "content-encoding", "content-length",
                   "content-type", "from", "subject", "supported", "to", "via")))


def out(obj):
    print(json.dumps(obj), flush=True)


class Fail(Exception):  # an outcome that ends the run: its JSON, its exit status
    def __init__(self, code, **obj):
        self.code, self.obj = code, obj


def reason(exc):
    """The short reason of a socket or TLS error."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "%s: %s" % (exc.reason, exc.verify_message)
    if isinstance(exc, ssl.SSLError):
        return exc.reason or {ssl.SSLEOFError: "EOF", ssl.SSLZeroReturnError:
                              "close_notify"}.get(type(exc), str(exc))
    if isinstance(exc, TimeoutError) or not exc.errno:
        return str(exc) or "timeout"
    return errno.errorcode.get(exc.errno, str(exc.errno))


def make_ctx(a):
    """The client context of --tls, or None for plain TCP."""
    if not a.tls:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = getattr(ssl.TLSVersion, "TLSv" + a.tls_max.replace(".", "_"))
    ctx.check_hostname = bool(a.ca)
    ctx.verify_mode = ssl.CERT_REQUIRED if a.ca else ssl.CERT_NONE
    if a.ca:
        ctx.load_verify_locations(a.ca)
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)
    ctx.options |= ssl.OP_NO_TICKET  # no resumption
    return ctx


def connect(a):
    """One blocking connection, TLS handshake done; raises Fail."""
    try:
        s = socket.create_connection((a.host, a.port), timeout=a.timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle wait on ACK then BYE
    except OSError as e:
        raise Fail(4, error="connect", reason=reason(e))
    if not a.tls:
        return s
    try:
        return make_ctx(a).wrap_socket(s, server_hostname=a.sni or a.host)
    except OSError as e:
        s.close()
        raise Fail(2, error="handshake", reason=reason(e), detail=str(e))


def nofile(n):
    """Room for n more descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, n + 64)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard)))
    except (ValueError, OSError):  # not allowed above the hard limit
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def is_open(s):
    """True unless the peer closed or reset s (checked without blocking)."""
    try:
        if isinstance(s, ssl.SSLSocket):
            s.setblocking(False)
            return bool(s.recv(1))  # also reads tickets and alerts
        return bool(s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
        return True
    except OSError:
        return False


def build(text, sock, a, dlg):
    """A message file made ready: placeholders (dlg's too), CRLF,
    Content-Length; a header line left empty ([routes]) is dropped."""
    (lip, lport), (rip, rport) = sock.getsockname()[:2], sock.getpeername()[:2]
    br = lambda ip: "[%s]" % ip if ":" in ip else ip
    head, _, body = text.replace("\r\n", "\n").lstrip("\n").partition("\n\n")
    for k, v in (("[local_ip]", br(lip)), ("[local_port]", str(lport)),
                 ("[remote_ip]", br(rip)), ("[remote_port]", str(rport)),
                 ("[transport]", "TLS" if a.tls else "TCP"), *dlg.items()):
        head, body = head.replace(k, v), body.replace(k, v)
    while "[branch]" in head:
        head = head.replace("[branch]", "z9hG4bK" + os.urandom(8).hex(), 1)
    body = body.replace("\n", "\r\n").encode()
    lines = [l for l in head.split("\n") if l and not re.match(r"(?i)(content-length|l)\s*:", l)]
    lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def parse(buf):
    """Complete messages at the front of buf -> (messages, rest).  A lone
    CRLF (keepalive pong) comes out as the message b"\\r\\n"."""
    msgs = []
    while True:
        if buf.startswith(b"\r\n"):
            msgs, buf = msgs + [b"\r\n"], buf[2:]
            continue
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return msgs, buf
        m = re.search(rb"(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d+)", buf[:end])
        total = end + 4 + (int(m.group(1)) if m else 0)
        if len(buf) < total:
            return msgs, buf
        msgs, buf = msgs + [buf[:total]], buf[total:]


def describe(raw):
    """A message as a JSON object: status (None for a request), headers."""
    text = raw.decode("utf-8", "replace")
    first, _, rest = text.partition("\r\n")
    headers = {}
    for line in rest.split("\r\n\r\n", 1)[0].split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            name = name.strip().lower()
            headers.setdefault(COMPACT.get(name, name), []).append(value.strip())
    m = re.match(r"SIP/2\.0 (\d{3})", first)
    return {"status": int(m.group(1)) if m else None, "first_line": first,
            "headers": headers, "raw": text}


class Reader:
    """Messages from a stream socket, each within --timeout."""
    def __init__(self, sock, a):
        self.sock, self.a, self.buf, self.ready, self.got_data = sock, a, b"", [], False

    def lost(self, e, what):
        """The Fail for a connection lost: the handshake's on TLS before any
        data (a TLS 1.3 client certificate is refused after the handshake)."""
        if self.a.tls and not self.got_data:
            return Fail(2, error="handshake", reason=reason(e) if e else
                        "EOF before any data (certificate refused?)", detail=str(e or ""))
        return Fail(4, error="closed", reason=reason(e) if e else "EOF", waiting_for=what)

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise self.lost(e, "send")

    def next(self, what, pong=False):
        """The next message, or Fail; CRLF pongs are dropped unless pong."""
        deadline = time.monotonic() + self.a.timeout
        while True:
            if self.ready:
                return self.ready.pop(0)
            left = deadline - time.monotonic()
            if left <= 0:
                raise Fail(3, error="timeout", waiting_for=what)
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError as e:
                raise self.lost(e, what)
            if not data:
                raise self.lost(None, what)
            self.got_data = True
            msgs, self.buf = parse(self.buf + data)
            self.ready += [m for m in msgs if pong or m != b"\r\n"]


def learn(dlg, d):
    """From a 2xx: [routes] (Record-Route reversed), [next_url] (Contact),
    [peer_tag_param] (;tag= of To), as sipp has them, for ACK and BYE."""
    h = lambda name: d["headers"].get(name, [""])
    rr = [v.strip() for line in h("record-route") if line for v in line.split(",")]
    dlg["[routes]"] = "Route: " + ", ".join(reversed(rr)) if rr else ""
    m = re.search(r"<([^>]*)>|([^;\s]+)", h("contact")[0])
    dlg["[next_url]"] = (m.group(1) or m.group(2)) if m else ""
    m = re.search(r";\s*tag=([^;\s]+)", h("to")[0])
    dlg["[peer_tag_param]"] = ";tag=" + m.group(1) if m else ""


def cmd_send(a):
    """send FILE...: each file on one connection, --count times (a fresh
    [call_id] per round, a fresh [branch] per message).  After a request the
    peer waits for --expect messages, or by default for a final response
    (none after ACK, nor after a response of ours).  Placeholders: [local_ip]
    (IPv6 in brackets), [local_port], [remote_ip], [remote_port],
    [transport] (TCP or TLS), [call_id], [branch], and from the last 2xx
    [routes], [next_url], [peer_tag_param] (see learn)."""
    texts = [open(f).read() for f in a.files]
    rd = Reader(connect(a), a)
    for _ in range(a.count):
        dlg = {"[call_id]": os.urandom(10).hex() + "@tlspeer"}
        for text in texts:
            msg = build(text, rd.sock, a, dlg)
            rd.send(msg)
            first = msg.split(b"\r\n", 1)[0].decode()
            if a.expect is not None:
                for _ in range(a.expect):
                    out(describe(rd.next(first)))
                continue
            while not first.startswith(("SIP/2.0", "ACK ")):
                d = describe(rd.next(first))
                out(d)
                if 200 <= (d["status"] or 0) < 300:
                    learn(dlg, d)
                if (d["status"] or 0) >= 200:
                    break


def cmd_serve(a):
    """serve --cert FILE --key FILE --seconds S [--log FILE]: a UAS on
    --host:--port over TLS (or TCP without --tls): every request but ACK
    is answered 200 on its connection (Via, Record-Route, From, To with a
    tag, Call-ID, CSeq copied), every message logged as a JSON line."""
    srv = socket.create_server((a.host, a.port), reuse_port=True)
    ctx = None
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
    sel, bufs, end = selectors.DefaultSelector(), {}, time.monotonic() + a.seconds
    sel.register(srv, R)
    log = open(a.log, "a") if a.log else sys.stdout
    while time.monotonic() < end:
        for key, _ in sel.select(0.2):
            s = key.fileobj
            if s is srv:
                c, _ = srv.accept()
                try:
                    c = ctx.wrap_socket(c, server_side=True) if ctx else c
                except OSError:
                    c.close()
                    continue
                bufs[c] = b""
                sel.register(c, R)
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                s.close()
                continue
            msgs, bufs[s] = parse(bufs[s] + data)
            for m in (m for m in msgs if m != b"\r\n"):
                d = describe(m)
                log.write(json.dumps({"first_line": d["first_line"], "headers": d["headers"]}) + "\n")
                log.flush()
                if d["status"] is None and not d["first_line"].startswith("ACK "):
                    h = d["headers"]
                    to = h["to"][0] + ("" if ";tag=" in h["to"][0] else ";tag=serve1")
                    lines = ["SIP/2.0 200 OK"] + ["Via: " + v for v in h.get("via", [])]
                    lines += ["Record-Route: " + v for v in h.get("record-route", [])]
                    lines += ["From: " + h["from"][0], "To: " + to, "Call-ID: " + h["call-id"][0],
                              "CSeq: " + h["cseq"][0], "Contact: <sip:serve@%s:%d;transport=%s>"
                              % (a.host, a.port, "tls" if a.tls else "tcp"), "Content-Length: 0"]
                    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())


def cmd_ping(a):
    """ping: send CRLFCRLF, want CRLF back within --timeout (RFC 5626)."""
    rd = Reader(connect(a), a)
    t0 = time.monotonic()
    rd.send(b"\r\n\r\n")
    while rd.next("pong", pong=True) != b"\r\n":
        pass
    out({"pong": True, "rtt_ms": round((time.monotonic() - t0) * 1000, 3)})


class Opener:
    """Many connections at once, non-blocking: fill() starts some, poll() returns
    those connected (TLS handshake done) and why others failed (--timeout each)."""
    def __init__(self, a):
        self.a, self.ctx = a, make_ctx(a)
        self.fam, _, _, _, self.addr = socket.getaddrinfo(a.host, a.port,
                                                          type=socket.SOCK_STREAM)[0]
        self.sel = selectors.DefaultSelector()
        self.inflight = 0

    def fill(self, limit, most, failed):
        """Start at most `most` connections while fewer than limit are in
        flight (one refused at once goes to failed); returns how many."""
        n = 0
        while self.inflight < limit and n < most:
            n += 1
            s = socket.socket(self.fam, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex(self.addr)
            if err not in (0, errno.EINPROGRESS):
                s.close()
                failed.append(errno.errorcode.get(err, str(err)))
                continue
            self.sel.register(s, W, ["tcp", time.monotonic() + self.a.timeout])
            self.inflight += 1
        return n

    def _done(self, s, close):
        self.sel.unregister(s)
        self.inflight -= 1
        if close:
            s.close()

    def poll(self, wait, failed):
        done = []
        for key, _ in self.sel.select(wait):
            s, st = key.fileobj, key.data
            try:
                if st[0] == "tcp":
                    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        raise OSError(err, os.strerror(err))
                    if self.ctx:
                        self.sel.unregister(s)
                        s = self.ctx.wrap_socket(s, server_hostname=self.a.sni or self.a.host,
                                                 do_handshake_on_connect=False)
                        st = ["tls", st[1]]
                        self.sel.register(s, W, st)
                if self.ctx:
                    s.do_handshake()
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError) as e:
                self.sel.modify(s, R if isinstance(e, ssl.SSLWantReadError) else W, st)
            except OSError as e:
                self._done(s, True)
                failed.append(reason(e))
            else:
                self._done(s, False)
                done.append(s)
        now = time.monotonic()
        for key in list(self.sel.get_map().values()):
            if key.data[1] < now:
                self._done(key.fileobj, True)
                failed.append("timeout")
        return done

    def open_many(self, n, inflight):
        """n connections, at most inflight being set up at a time."""
        socks, failed, started = [], [], 0
        while started < n or self.inflight:
            started += self.fill(inflight, n - started, failed)
            socks += self.poll(0.05, failed)
        return socks, failed


def open_hold(a, inflight):
    """Open --conns connections, wait --seconds: (open, failed reasons,
    how many of the open the server has not closed since)."""
    nofile(a.conns)
    socks, failed = Opener(a).open_many(a.conns, inflight)
    time.sleep(a.seconds)
    still = sum(1 for s in socks if is_open(s))
    for s in socks:
        s.close()
    return len(socks), Counter(failed), still


def cmd_hold(a):
    """hold --conns N --seconds S: open N connections (handshakes done),
    --inflight at a time, keep them idle S seconds, then count how many the
    server has not closed."""
    n, failed, still = open_hold(a, a.inflight)
    out({"opened": n, "failed": sum(failed.values()), "still_open": still,
         "fail_reasons": failed})


def cmd_handshakes(a):
    """handshakes --seconds S [--parallel K]: full TLS handshakes, a new
    connection each (no session resumption, no tickets), K at a time, each
    closed at once (with RST, so no TIME_WAIT piles up) for S seconds."""
    if not a.tls:
        raise Fail(1, error="usage", reason="handshakes needs --tls")
    nofile(a.parallel)
    op, n, failed, t0 = Opener(a), 0, [], time.monotonic()
    while time.monotonic() - t0 < a.seconds:
        op.fill(a.parallel, a.parallel, failed)
        for s in op.poll(0.01, failed):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            s.close()
            n += 1
    out({"handshakes": n, "per_second": round(n / (time.monotonic() - t0), 1),
         "failed": len(failed), "fail_reasons": dict(Counter(failed))})


def cmd_slowloris(a):
    """slowloris --bytes-per-second B --seconds S: send an INVITE one byte
    at a time, never its end; report when the server closed the connection
    (null: still open after S seconds)."""
    sock = connect(a)
    t0, sent, cut = time.monotonic(), 0, None
    pad = (b"X-Pad-%d: %s\r\n" % (i, b"a" * 40) for i in itertools.count(1))
    for byte in itertools.chain(LORIS, itertools.chain.from_iterable(pad)):
        if time.monotonic() - t0 >= a.seconds:
            break
        try:
            sock.sendall(bytes([byte]))
            sent += 1
            until = t0 + sent / a.bytes_per_second
            while time.monotonic() < until:  # the next byte's time: closed yet?
                if select.select([sock], [], [], max(0, until - time.monotonic()))[0] \
                        and not is_open(sock):
                    raise ConnectionResetError
                sock.setblocking(True)
        except OSError:
            cut = time.monotonic() - t0
            break
    out({"cut_after_s": None if cut is None else round(cut, 3), "bytes_sent": sent})


def cmd_flood(a):
    """flood --conns N [--seconds S]: N plain TCP connects from one source,
    all at once; count the outcomes, keep the connections, count how many are
    still open S seconds later."""
    a.tls = False
    n, failed, still = open_hold(a, a.conns)
    rr = failed["ECONNREFUSED"] + failed["ECONNRESET"]
    out({"attempted": a.conns, "established": n, "refused_or_reset": rr,
         "other_failures": sum(failed.values()) - rr, "still_open_after": still,
         "fail_reasons": failed})


OPTS = {  # subcommand -> (name, type, default); default None: required
    "send": [("--count", int, 1), ("--expect", int, "")], "ping": [],
    "serve": [("--seconds", float, None), ("--log", str, "")],
    "hold": [("--conns", int, None), ("--seconds", float, None), ("--inflight", int, 500)],
    "handshakes": [("--seconds", float, None), ("--parallel", int, 1)],
    "slowloris": [("--bytes-per-second", float, None), ("--seconds", float, None)],
    "flood": [("--conns", int, None), ("--seconds", float, 2.0)],
}


def main():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--host", required=True)
    common.add_argument("--port", type=int, required=True)
    common.add_argument("--tls", action="store_true")
    for o in ("--ca", "--cert", "--key", "--sni"):
        common.add_argument(o)
    common.add_argument("--tls-max", choices=("1.2", "1.3"), default="1.3")
    common.add_argument("--timeout", type=float, default=5.0)
    raw = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name, opts in OPTS.items():
        f = globals()["cmd_" + name]
        sp = sub.add_parser(name, parents=[common], description=f.__doc__, formatter_class=raw)
        sp.set_defaults(func=f)
        for o, t, d in opts:
            sp.add_argument(o, type=t, required=d is None, default=None if d == "" else d)
    sub.choices["send"].add_argument("files", nargs="+", metavar="FILE")
    a = p.parse_args()
    if bool(a.cert) != bool(a.key):
        p.error("--cert and --key go together")
    try:
        return a.func(a) or 0
    except Fail as f:
        out(f.obj)
        return f.code


if __name__ == "__main__":
    sys.exit(main())
