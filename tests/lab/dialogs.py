#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What the backends saw: read sipp -trace_msg logs, one per backend, and
print one JSON object per Call-ID with the backends that received its
requests and what those requests looked like.

    dialogs.py NAME=LOG [NAME=LOG...]

Per Call-ID: {"backends": [...], "requests": [{"method", "backend", "via0",
"branch0", "record_route", "route"}...]}.  Only received requests count;
sift's own OPTIONS probes are left out.
"""
import json
import re
import sys

SEP = re.compile(r"^-{20,} \d{4}-\d\d-\d\d ")
RECV = re.compile(r"^\w+ message received")


def messages(path):
    """Yield the text of each received message in a sipp message log."""
    block, receiving = [], False
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if SEP.match(line):
                if receiving and block:
                    yield block
                block, receiving = [], False
                continue
            if not block and not receiving and RECV.match(line):
                receiving = True
                continue
            if receiving and (block or line):
                block.append(line)
    if receiving and block:
        yield block


def headers(lines):
    """Start line and {lower-case name: [values]} (compact forms expanded)."""
    compact = {"v": "via", "i": "call-id", "f": "from", "t": "to", "r": "refer-to"}
    out = {}
    for line in lines[1:]:
        if not line:
            break
        name, _, value = line.partition(":")
        name = name.strip().lower()
        name = compact.get(name, name)
        out.setdefault(name, []).append(value.strip())
    return lines[0], out


def main(args):
    calls = {}
    for arg in args:
        name, _, path = arg.partition("=")
        for lines in messages(path):
            start, hdrs = headers(lines)
            if start.startswith("SIP/2.0"):
                continue
            method = start.split(" ", 1)[0]
            callid = (hdrs.get("call-id") or [""])[0]
            if method == "OPTIONS" and callid.startswith("sfp-"):
                continue  # sift's health probe
            via0 = (hdrs.get("via") or [""])[0].split(",")[0].strip()
            m = re.search(r";\s*branch=([^;,\s]+)", via0)
            call = calls.setdefault(callid, {"backends": [], "requests": []})
            if name not in call["backends"]:
                call["backends"].append(name)
            call["requests"].append({
                "method": method,
                "ruri": start.split(" ")[1] if " " in start else "",
                "backend": name,
                "via0": via0,
                "branch0": m.group(1) if m else "",
                "vias": sum(len(v.split(",")) for v in hdrs.get("via", [])),
                "record_route": ", ".join(hdrs.get("record-route", [])),
                "route": ", ".join(hdrs.get("route", [])),
            })
    json.dump(calls, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
