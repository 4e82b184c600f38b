#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A HEP v3 collector for the lab: decode every datagram on ADDR:PORT.

    hep.py --bind ADDR:PORT --seconds S --log FILE [--ready FILE]

One JSON line per datagram: {"ok", "why", "family", "proto", "src", "dst",
"sport", "dport", "sec", "usec", "proto_type", "agent", "correlation",
"payload"}.  "ok" is false (and "why" says why) when the datagram is not
well-formed HEP v3: a wrong magic, a total length other than the datagram's,
a chunk running past the end, a vendor other than 0 on a generic chunk.
Bounded: S seconds, at most 10,000 datagrams.
"""
import argparse
import json
import socket
import struct
import time
import ipaddress


def decode(d):
    out = {"ok": False}
    if len(d) < 6 or d[:4] != b"HEP3":
        out["why"] = "magic"
        return out
    total = struct.unpack("!H", d[4:6])[0]
    if total != len(d):
        out["why"] = "total length %d, datagram %d" % (total, len(d))
        return out
    off = 6
    while off < total:
        if off + 6 > total:
            out["why"] = "chunk header past the end"
            return out
        vendor, typ, ln = struct.unpack("!HHH", d[off:off + 6])
        if ln < 6 or off + ln > total:
            out["why"] = "chunk %d length %d" % (typ, ln)
            return out
        if vendor != 0:
            out["why"] = "vendor %d" % vendor
            return out
        v = d[off + 6:off + ln]
        if typ == 1:
            out["family"] = v[0]
        elif typ == 2:
            out["proto"] = v[0]
        elif typ in (3, 5):
            out["src"] = str(ipaddress.ip_address(v))
        elif typ in (4, 6):
            out["dst"] = str(ipaddress.ip_address(v))
        elif typ == 7:
            out["sport"] = struct.unpack("!H", v)[0]
        elif typ == 8:
            out["dport"] = struct.unpack("!H", v)[0]
        elif typ == 9:
            out["sec"] = struct.unpack("!I", v)[0]
        elif typ == 10:
            out["usec"] = struct.unpack("!I", v)[0]
        elif typ == 11:
            out["proto_type"] = v[0]
        elif typ == 12:
            out["agent"] = struct.unpack("!I", v)[0]
        elif typ == 15:
            out["payload"] = v.decode("latin-1")
        elif typ == 17:
            out["correlation"] = v.decode("latin-1")
        off += ln
    out["ok"] = True
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready")
    a = ap.parse_args()
    host, _, port = a.bind.rpartition(":")
    host = host.strip("[]")
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((host, int(port)))
    if a.ready:
        open(a.ready, "w").close()
    end = time.time() + a.seconds
    n = 0
    with open(a.log, "w") as log:
        while n < 10000:
            left = end - time.time()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                d = s.recv(70000)
            except socket.timeout:
                break
            n += 1
            log.write(json.dumps(decode(d)) + "\n")
            log.flush()


if __name__ == "__main__":
    main()
