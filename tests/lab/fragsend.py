#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one SIP INVITE over UDP as IP fragments (scapy), and print how many
fragments went out.

    fragsend.py IFACE DMAC SRC DST USER_AGENT [FRAGSIZE | hopopts | dstopts]

IPv4 or IPv6 by the addresses.  The INVITE carries an SDP body, so that it
is some 1200 bytes; FRAGSIZE (default 400) is the largest fragment's IP
payload.  hopopts or dstopts (IPv6): the INVITE goes whole, in one packet,
behind a hop-by-hop or destination options header.  USER_AGENT "-" sends none.  Runs with Debian's python3-scapy:
call it as /usr/bin/python3, not a python3 that cannot import scapy.
"""
import sys
import uuid

from scapy.all import (IP, UDP, Ether, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       conf, fragment, fragment6, sendp)


def invite(src, dst, user_agent):
    host = f"[{src}]" if ":" in src else src
    target = f"[{dst}]" if ":" in dst else dst
    call_id = uuid.uuid4().hex
    sdp = "v=0\r\no=- 1 1 IN IP4 198.18.1.2\r\ns=-\r\nc=IN IP4 198.18.1.2\r\nt=0 0\r\n"
    sdp += "m=audio 40000 RTP/AVP 0 8 101\r\n" + "".join(
        f"a=x-padding-{i}:{'p' * 40}\r\n" for i in range(14))
    ua = "" if user_agent == "-" else f"User-Agent: {user_agent}\r\n"
    return (f"INVITE sip:1000@{target} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:5070;branch=z9hG4bK{call_id[:12]}\r\n"
            "Max-Forwards: 70\r\n"
            f"To: <sip:1000@{target}>\r\n"
            f"From: <sip:frag@{host}>;tag={call_id[:8]}\r\n"
            f"Call-ID: {call_id}@{host}\r\n"
            "CSeq: 1 INVITE\r\n"
            f"Contact: <sip:frag@{host}:5070>\r\n"
            f"{ua}"
            "Content-Type: application/sdp\r\n"
            f"Content-Length: {len(sdp)}\r\n\r\n{sdp}").encode()


def main():
    iface, dmac, src, dst, user_agent = sys.argv[1:6]
    how = sys.argv[6] if len(sys.argv) > 6 else "400"
    conf.verb = 0
    payload = invite(src, dst, user_agent)
    if how in ("hopopts", "dstopts"):
        ext = IPv6ExtHdrHopByHop() if how == "hopopts" else IPv6ExtHdrDestOpt()
        pkt = IPv6(src=src, dst=dst) / ext / UDP(sport=5070, dport=5060) / payload
        sendp([Ether(dst=dmac) / pkt], iface=iface)
        print(1)
        return
    size = int(how)
    if ":" in src:
        pkt = IPv6(src=src, dst=dst) / IPv6ExtHdrFragment() / UDP(sport=5070, dport=5060) / payload
        frags = fragment6(pkt, size + 40 + 8)  # fragment6 counts the headers in
    else:
        pkt = IP(src=src, dst=dst) / UDP(sport=5070, dport=5060) / payload
        frags = fragment(pkt, fragsize=size)
    if len(frags) < 2:
        sys.exit("fragsend: the message did not need fragmenting")
    sendp([Ether(dst=dmac) / f for f in frags], iface=iface)
    print(len(frags))


if __name__ == "__main__":
    main()
