#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""SIP datagrams by hand, for the lab's attack tests: send crafted messages
from a chosen address and port, and log what arrives where.

    sipwire.py listen --bind ADDR:PORT [--bind ...] --seconds S --log FILE
        Receive on every socket for S seconds; one JSON line per datagram.
    sipwire.py send --bind ADDR:PORT --to ADDR:PORT --msg FILE [--msg FILE...]
                    [--seconds S] [--log FILE] [--ready FILE]
        Send each message (a file, "\\n" line ends turned into CRLF) from the
        bound socket, then keep receiving on it for S seconds (default 0).
    sipwire.py uas --bind ADDR:PORT --seconds S --log FILE [--contact URI]
                   [--invite STATUS]
        Answer every request but ACK with 200 OK, back to where it came from
        (INVITEs with STATUS, "503 Service Unavailable" say, if given).
    sipwire.py answer --log FILE --callid ID --out FILE [--via1 VIA] [--set-callid ID]
        Write the 200 OK a UAS would send for the request with Call-ID ID in
        a listen log, the Via below the top one or the Call-ID changed if asked
        (a forged response).

Every log line: {"t", "from", "to", "len", "start", "callid", "cseq",
"via": [...], "branch0", "text"}.  Bounded in time and count: a socket
never reads more than 10,000 datagrams.
"""
import argparse
import json
import os
import re
import select
import socket
import sys
import time

MAX_DATAGRAMS = 10000


def parse_addr(text):
    """ADDR:PORT or [V6]:PORT -> (family, (host, port))."""
    m = re.match(r"^\[(.+)\]:(\d+)$", text)
    if m:
        return socket.AF_INET6, (m.group(1), int(m.group(2)))
    host, _, port = text.rpartition(":")
    return socket.AF_INET, (host, int(port))


def bind(text):
    family, addr = parse_addr(text)
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(addr)
    return s, text


def headers(text):
    """Start line and [(lower-case name, value)] in order, folding undone."""
    head = text.split("\r\n\r\n", 1)[0]
    lines = re.sub(r"\r\n[ \t]+", " ", head).split("\r\n")
    out = []
    compact = {"v": "via", "i": "call-id", "f": "from", "t": "to", "l": "content-length",
               "m": "contact"}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        out.append((compact.get(name, name), value.strip()))
    return lines[0], out


def record(data, src, dst):
    text = data.decode("latin-1")
    start, hdrs = headers(text)
    vias = []
    for name, value in hdrs:
        if name == "via":
            vias += [v.strip() for v in value.split(",")]
    m = re.search(r";\s*branch=([^;,\s]+)", vias[0]) if vias else None
    get = lambda n: next((v for k, v in hdrs if k == n), "")
    return {
        "t": time.time(),
        "from": "%s:%d" % src[:2] if ":" not in src[0] else "[%s]:%d" % src[:2],
        "to": dst,
        "len": len(data),
        "start": start,
        "callid": get("call-id"),
        "cseq": get("cseq"),
        "via": vias,
        "branch0": m.group(1) if m else "",
        "route": [v for k, v in hdrs if k == "route"],
        "record_route": [v for k, v in hdrs if k == "record-route"],
        "text": text,
    }


def receive(socks, seconds, log, on_datagram=None):
    deadline = time.time() + seconds
    counts = {s: 0 for s, _ in socks}
    by_fd = {s.fileno(): (s, name) for s, name in socks}
    while True:
        left = deadline - time.time()
        if left <= 0:
            return
        ready, _, _ = select.select(list(by_fd), [], [], left)
        for fd in ready:
            s, name = by_fd[fd]
            if counts[s] >= MAX_DATAGRAMS:
                continue
            data, src = s.recvfrom(65535)
            counts[s] += 1
            rec = record(data, src, name)
            if log:
                log.write(json.dumps(rec) + "\n")
                log.flush()
            if on_datagram:
                on_datagram(s, src, rec)


def message(path):
    with open(path, encoding="latin-1") as f:
        text = f.read()
    # files are written with plain line ends; SIP wants CRLF
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return text.encode("latin-1")


def cmd_listen(a):
    socks = [bind(b) for b in a.bind]
    with open(a.log, "a") as log:
        if a.ready:
            open(a.ready, "w").close()
        receive(socks, a.seconds, log)


def cmd_send(a):
    s, name = bind(a.bind)
    _, to = parse_addr(a.to)
    for path in a.msg:
        s.sendto(message(path), to)
    log = open(a.log, "a") if a.log else None
    receive([(s, name)], a.seconds, log)
    if log:
        log.close()


def answer(request, status, totag, extra=""):
    """A response to @request (its text) as a UAS: Vias, From, To (+tag), Call-ID, CSeq."""
    _, hdrs = headers(request)
    keep = [(k, v) for k, v in hdrs if k in ("via", "record-route", "from", "call-id", "cseq")]
    to = next(v for k, v in hdrs if k == "to")
    if totag and ";tag=" not in to:
        to += ";tag=" + totag
    lines = ["SIP/2.0 %s" % status]
    names = {"via": "Via", "record-route": "Record-Route", "from": "From", "call-id": "Call-ID",
             "cseq": "CSeq"}
    lines += ["%s: %s" % (names[k], v) for k, v in keep]
    lines += ["To: " + to]
    if extra:
        lines += [extra]
    lines += ["Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def cmd_uas(a):
    """A minimal UAS: 200 to every request but ACK, sent back to where it came from."""
    s, name = bind(a.bind)
    log = open(a.log, "a")
    if a.ready:
        open(a.ready, "w").close()

    def on(sock, src, rec):
        method = rec["start"].split(" ", 1)[0]
        if rec["start"].startswith("SIP/2.0") or method == "ACK":
            return
        status = a.invite if method == "INVITE" and a.invite else "200 OK"
        sock.sendto(answer(rec["text"], status, "uas1", a.contact and
                           "Contact: <%s>" % a.contact), src)

    receive([(s, name)], a.seconds, log, on)
    log.close()


def cmd_answer(a):
    req = None
    with open(a.log) as f:
        for line in f:
            rec = json.loads(line)
            if rec["callid"] == a.callid and not rec["start"].startswith("SIP/2.0"):
                req = rec["text"]
    if req is None:
        sys.exit("no request with Call-ID %s in %s" % (a.callid, a.log))
    out = answer(req, "200 OK", "uac1").decode("latin-1")
    lines = out.split("\r\n")
    vias = [i for i, l in enumerate(lines) if l.startswith("Via: ")]
    if a.via1 and len(vias) > 1:
        lines[vias[1]] = "Via: " + a.via1
    if a.set_callid:
        lines = ["Call-ID: " + a.set_callid if l.startswith("Call-ID: ") else l for l in lines]
    with open(a.out, "w", encoding="latin-1") as f:
        f.write("\n".join(lines))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    lp = sub.add_parser("listen")
    lp.add_argument("--bind", action="append", required=True)
    lp.add_argument("--seconds", type=float, required=True)
    lp.add_argument("--log", required=True)
    lp.add_argument("--ready")
    sp = sub.add_parser("send")
    sp.add_argument("--bind", required=True)
    sp.add_argument("--to", required=True)
    sp.add_argument("--msg", action="append", required=True)
    sp.add_argument("--seconds", type=float, default=0)
    sp.add_argument("--log")
    up = sub.add_parser("uas")
    up.add_argument("--bind", required=True)
    up.add_argument("--seconds", type=float, required=True)
    up.add_argument("--log", required=True)
    up.add_argument("--contact", default="")
    up.add_argument("--invite")
    up.add_argument("--ready")
    ap = sub.add_parser("answer")
    ap.add_argument("--log", required=True)
    ap.add_argument("--callid", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--via1")
    ap.add_argument("--set-callid")
    a = p.parse_args(argv)
    {"listen": cmd_listen, "send": cmd_send, "uas": cmd_uas, "answer": cmd_answer}[a.cmd](a)


if __name__ == "__main__":
    main(sys.argv[1:])
