#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Hairpin: a request from a caller in gen routed to a backend that is in gen
# too leaves rtr by the interface it came in on (XDP_TX), and arrives at once,
# with no other traffic to take it along.  On veth that needs an XDP program
# on gen's end (the lab's XDP_PASS): without one the frame waits or is lost.
. "$(dirname "$0")/lib.sh"
lab_init 06

BACKEND=$LAB_GEN_V4_BACKEND
BOUND_MS=200
conf=$T_TMP/sift.yaml
sift_conf "$conf" <<EOF
groups:
  - name: near                  # a backend on the callers' side of rtr
    backends:
      - address: $BACKEND
routes:
  - prefix: "9"
    group: near
health:
  interval: 0                   # no probes: nothing else crosses the link
EOF
check "gen's end runs an XDP program (the lab's XDP_PASS)" \
	test -n "$(xdp_prog_id "$LAB_GEN" "$LAB_GEN_IF")"
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts, group near: $BACKEND in gen"

udp_listen "$LAB_GEN" "$BACKEND" 5060 "$T_TMP/backend.log" || { not_ok "the backend listens"; exit 1; }
# first prove the backend listens (and let rtr resolve its neighbour on the way)
in_rtr "$UDPSEND" "$BACKEND" 5060 'hello from rtr'
hello() { grep -q " hello from rtr\$" "$T_TMP/backend.log"; }
check "the backend in gen listens: a datagram from rtr arrives" wait_for 3 hello
in_gen ping -c 1 -W 1 -q "$LAB_RTR_GEN_V4" >/dev/null # gen knows rtr's MAC too
sleep 0.5 # then quiet

tx0=$(stat_get action tx packets)
req0=$(stat_get forward requests packets)
invite="INVITE sip:9000@$LAB_RTR_GEN_V4 SIP/2.0\r\nVia: SIP/2.0/UDP $LAB_GEN_V4:5062;branch=z9hG4bK-hairpin1\r\nMax-Forwards: 70\r\nTo: <sip:9000@$LAB_RTR_GEN_V4>\r\nFrom: <sip:caller@$LAB_GEN_V4>;tag=1\r\nCall-ID: hairpin1@$LAB_GEN_V4\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
sent=$(in_gen python3 "$TOP/tests/lab/udp.py" send "$LAB_GEN_V4" 5062 "$LAB_RTR_GEN_V4" 5060 "$invite")
invite_in() { grep -q " INVITE sip:9000@" "$T_TMP/backend.log"; }
check "the INVITE reaches the backend" wait_for 2 invite_in
got=$(awk '$3 == "INVITE" { print $1; exit }' "$T_TMP/backend.log")
from=$(awk '$3 == "INVITE" { print $2; exit }' "$T_TMP/backend.log")
ms=$(awk -v a="${sent:-0}" -v b="${got:-1e9}" 'BEGIN { printf "%d", (b - a) * 1000 }')
diag "INVITE sent at $sent, arrived at $got: $ms ms"
check "within $BOUND_MS ms, with no other traffic to flush it" test "$ms" -lt "$BOUND_MS"
check_eq "sent on by sift (from its address)" "$from" "$LAB_RTR_GEN_V4"
check_eq "back out of the interface it came in on: action.tx grew by one" \
	"$(( $(stat_get action tx packets) - tx0 ))" 1
check_eq "forwarded by the fast path, not punted" "$(( $(stat_get forward requests packets) - req0 ))" 1
stop_pid "$SIFTD_PID"
