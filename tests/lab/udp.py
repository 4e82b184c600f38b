#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""UDP ends for lab tests that time what arrives.

    udp.py listen ADDR PORT LOG   write "ready" to LOG once bound, then a line
                                  "TIME SOURCE FIRST-LINE" per datagram
    udp.py send SRC SPORT DST DPORT TEXT
                                  send TEXT ("\\r\\n" expanded) and print TIME,
                                  taken just before the send

TIME is CLOCK_MONOTONIC in seconds, the same clock in every namespace, so a
sender's and a listener's times compare.
"""
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def listen(addr, port, log):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    out = open(log, "a", buffering=1)
    out.write("ready\n")
    while True:
        data, peer = s.recvfrom(65535)
        now = time.clock_gettime(time.CLOCK_MONOTONIC)
        first = data.split(b"\r\n", 1)[0].decode(errors="replace")
        out.write("%.6f %s %s\n" % (now, peer[0], first))


def send(src, sport, dst, dport, text):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    s.bind((src, int(sport)))
    data = text.replace("\\r", "\r").replace("\\n", "\n").encode()
    now = time.clock_gettime(time.CLOCK_MONOTONIC)
    s.sendto(data, (dst, int(dport)))
    print("%.6f" % now)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "listen":
        listen(*sys.argv[2:])
    elif len(sys.argv) == 7 and sys.argv[1] == "send":
        send(*sys.argv[2:])
    else:
        sys.exit(__doc__)
