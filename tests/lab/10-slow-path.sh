#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# siftd finishes what the fast path hands it, with the fast path's own
# decision (issue 12): a trunk's OPTIONS keepalive to sift gets 200 (sipp);
# Max-Forwards 0 gets 483 (sipp), or 200 for an OPTIONS to sift; no route
# 404; a group with no backend up 503 with the configured Retry-After; a
# request for sift that is not an OPTIONS 484; a request back unchanged from
# one hop on 482, a spiral is routed again.  Forwarding: a 1,450-byte INVITE
# that sift's insertions push past the MTU completes (the kernel fragments
# it), so does an INVITE that arrives in fragments; a request without
# Max-Forwards leaves with 70.
. "$(dirname "$0")/lib.sh"
lab_init 10

SCN=$TOP/tests/lab/scenarios
SIFT4=$LAB_RTR_GEN_V4 SIFT6=$LAB_RTR_GEN_V6 SIFTB=$LAB_RTR_BE_V4
set -- $LAB_BE_V4_ALL
BE=$1 BE_DEAD=$2

conf=$T_TMP/sift.yaml
sift_conf "$conf" <<EOF
groups:
  - name: core
    backends:
      - address: $BE
  - name: dead
    backends:
      - address: $BE_DEAD
        state: down
routes:
  - prefix: "1"
    group: core
    record_route: true
  - prefix: "5"
    group: dead
health:
  interval: 0
sip:
  retry_after: 7
EOF
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts"

EXCHANGE_SECONDS=1
text() { jq -s -r ".[${2:-0}].text" "$1"; }
punted() { "$SIFTCTL" -j daemon show | jq -r ".punted.$1"; }
req() { # req NAME METHOD RURI [MF-LINE]: from port PORT (each test its own: 483s and 404s to INVITEs repeat)
	msg "$1" "$2 $3 SIP/2.0\nVia: SIP/2.0/UDP $(hp "$LAB_GEN_V4" "$PORT");branch=z9hG4bK$1;rport\n${4-Max-Forwards: 70\n}To: <$3>\nFrom: <sip:a@$LAB_GEN_V4>;tag=f$1\nCall-ID: $1\nCSeq: 1 $2\nContent-Length: 0\n\n"
}
# sipp_uac SCENARIO TARGET SERVICE N [args]: a caller in gen; sets UAC_RC
sipp_uac() {
	local scn=$1 target=$2 service=$3 n=$4
	shift 4
	(cd "$T_TMP" && timeout 60 ip netns exec "$LAB_GEN" sipp -sf "$scn" "$target" \
		-i "$LAB_GEN_V4" -p 11000 -s "$service" -m "$n" -r 20 -d 100 -nostdin -timeout 30s \
		-timeout_error "$@" >"$T_TMP/uac-$service.out" 2>&1)
	UAC_RC=$?
}

# --- answers ------------------------------------------------------------------------------------
sipp_uac "$SCN/options.xml" "$SIFT4:5060" x 20
check_eq "sipp: 20 OPTIONS keepalives to sift, each answered 200 with Allow, Accept, Supported" \
	"$UAC_RC" 0
PORT=5071
f=$(req opt OPTIONS "sip:$SIFT4")
exchange "$(hp "$LAB_GEN_V4" "$PORT")" "$(hp "$SIFT4" 5060)" "$T_TMP/opt.log" "$f"
check_eq "OPTIONS to sift: 200" "$(starts "$T_TMP/opt.log")" "SIP/2.0 200 OK"
check "with Allow, Accept and Supported" grep -qzE \
	'Allow: INVITE, ACK.*Accept: application/sdp.*Supported: path' <(text "$T_TMP/opt.log")
check "and sift's To tag" grep -qE '^To: <sip:[0-9.]+>;tag=sft-' <(text "$T_TMP/opt.log")
PORT=5072
f=$(req opt6 OPTIONS "sip:[$SIFT6]")
sed -i "s/$(hp "$LAB_GEN_V4" "$PORT")/[$LAB_GEN_V6]:$PORT/" "$f"
exchange "[$LAB_GEN_V6]:$PORT" "[$SIFT6]:5060" "$T_TMP/opt6.log" "$f"
check_eq "IPv6: likewise" "$(starts "$T_TMP/opt6.log")" "SIP/2.0 200 OK"

sipp_uac "$SCN/mf0.xml" "$SIFT4:5060" 1000 10
check_eq "sipp: 10 INVITEs with Max-Forwards 0 get 483 and are ACKed" "$UAC_RC" 0
check_ge "the ACKs were absorbed by siftd's transactions" "$(punted transactions.absorbed)" 10
PORT=5073
f=$(req optmf0 OPTIONS "sip:$SIFT4" 'Max-Forwards: 0\n')
exchange "$(hp "$LAB_GEN_V4" "$PORT")" "$(hp "$SIFT4" 5060)" "$T_TMP/optmf0.log" "$f"
check_eq "an OPTIONS to sift with Max-Forwards 0: 200 (RFC 3261 16.3)" \
	"$(starts "$T_TMP/optmf0.log")" "SIP/2.0 200 OK"
PORT=5074
f=$(req optmf0u OPTIONS "sip:1000@$SIFT4" 'Max-Forwards: 0\n')
exchange "$(hp "$LAB_GEN_V4" "$PORT")" "$(hp "$SIFT4" 5060)" "$T_TMP/optmf0u.log" "$f"
check_eq "an OPTIONS to a user with Max-Forwards 0: 483" \
	"$(starts "$T_TMP/optmf0u.log")" "SIP/2.0 483 Too Many Hops"

PORT=5075
f=$(req noroute INVITE "sip:2000@$SIFT4")
exchange "$(hp "$LAB_GEN_V4" "$PORT")" "$(hp "$SIFT4" 5060)" "$T_TMP/noroute.log" "$f" "$f"
check_eq "no route: 404, and the same to the retransmission" "$(starts "$T_TMP/noroute.log" | cut -d"|" -f1-2)" \
	"SIP/2.0 404 Not Found|SIP/2.0 404 Not Found"
check_eq "the same bytes" "$(jq -s 'map(.text) | unique | length' "$T_TMP/noroute.log")" 1
check "Via with received and rport, Call-ID and CSeq echoed" grep -qzE \
	"Via: SIP/2.0/UDP $LAB_GEN_V4:$PORT;branch=z9hG4bKnoroute;rport=$PORT;received=$LAB_GEN_V4.*Call-ID: noroute.*CSeq: 1 INVITE" \
	<(text "$T_TMP/noroute.log")
PORT=5076
f=$(req dead INVITE "sip:5000@$SIFT4")
exchange "$(hp "$LAB_GEN_V4" "$PORT")" "$(hp "$SIFT4" 5060)" "$T_TMP/dead.log" "$f"
check_eq "no backend up in the group: 503" "$(starts "$T_TMP/dead.log" | cut -d"|" -f1)" "SIP/2.0 503 Service Unavailable"
check "with the configured Retry-After" grep -q '^Retry-After: 7' <(text "$T_TMP/dead.log")
PORT=5077
f=$(req nouser INVITE "sip:$SIFT4")
exchange "$(hp "$LAB_GEN_V4" "$PORT")" "$(hp "$SIFT4" 5060)" "$T_TMP/nouser.log" "$f"
check_eq "an INVITE to sift itself: 484" "$(starts "$T_TMP/nouser.log" | cut -d"|" -f1)" "SIP/2.0 484 Address Incomplete"
check_eq "siftctl daemon show counts the answers by reason" \
	"$("$SIFTCTL" -j daemon show | jq -c '.punted.not_forwarded | [.no_route, .no_backend, .for_us]')" \
	"[1,1,24]"

# --- loops and spirals (RFC 3261 16.3 step 4) -----------------------------------------------------
# loopback NAME RURI: an INVITE through sift to a listener on the backend's address, which sends
# what it got back to sift (its own Via on top, the Request-URI set to RURI, - to keep it); what
# comes back
(in_be $WIRE listen --bind "$BE:5060" --seconds 6 --log "$T_TMP/be.log" --ready "$T_TMP/be.ready") &
T_PIDS+=($!)
wait_for 5 test -e "$T_TMP/be.ready"
loopback() { # the 482 is retransmitted until an ACK: each its own port
	local name=$1 ruri=$2 port=$3
	PORT=5078
	f=$(req "$name" INVITE "sip:1000@$SIFT4")
	exchange "$(hp "$LAB_GEN_V4" "$PORT")" "$(hp "$SIFT4" 5060)" "$T_TMP/$name.log" "$f"
	in_be python3 - "$T_TMP/be.log" "$name" "$BE" "$SIFTB" "$ruri" "$port" >"$T_TMP/$name.back" <<'PY'
import json, socket, sys
log, callid, be, sift, ruri, port = sys.argv[1:]
got = [m for m in map(json.loads, open(log)) if m["callid"] == callid][0]["text"]
head, _, rest = got.partition("\r\n")
head = "INVITE %s SIP/2.0" % ruri if ruri != "-" else head
out = head + "\r\nVia: SIP/2.0/UDP %s:%s;branch=z9hG4bK%sback\r\n" % (be, port, callid) + rest
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((be, int(port)))
s.settimeout(1.5)
s.sendto(out.encode(), (sift, 5060))
try:
    print(s.recv(4096).decode().split("\r\n")[0])
except socket.timeout:
    print("nothing")
PY
}
loopback loop - 5062
check_eq "a request back from the next hop with the same Request-URI: 482" \
	"$(cat "$T_TMP/loop.back")" "SIP/2.0 482 Loop Detected"
loopback spiral "sip:1001@$SIFTB" 5063
check_eq "retargeted by the next hop (a spiral): no answer from sift" \
	"$(cat "$T_TMP/spiral.back")" nothing
check "it went on to the backend again" wait_for 3 \
	test "$(jq -s '[.[] | select(.callid == "spiral")] | length' "$T_TMP/be.log")" = 2
check_eq "siftctl counts one loop and one spiral" \
	"$("$SIFTCTL" -j daemon show | jq -c '.punted | [.loops, .spirals]')" "[1,1]"

# --- forwarding what XDP could not --------------------------------------------------------------
sleep 2.5 # the listener above is gone
(cd "$T_TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$SCN/uas.xml" -i "$BE" -p 5060 -aa \
	-nostdin -timeout 60s >/dev/null 2>&1) &
UAS=$!
T_PIDS+=("$UAS")
sleep 0.3
# big_uac PAD N: calls through sift whose INVITE carries PAD bytes of X-Pad; sets UAC_RC and SENT
big_uac() {
	awk -v pad="$(head -c "$1" /dev/zero | tr '\0' x)" \
		'{ print } /Subject: sift lab/ && !done { print "      X-Pad: " pad; done = 1 }' \
		"$SCN/uac_rr.xml" >"$T_TMP/big.xml"
	rm -f "$T_TMP"/big_*_messages.log
	sipp_uac "$T_TMP/big.xml" "$SIFT4:5060" 1000 "$2" -trace_msg
	SENT=$(grep -m1 -oE 'UDP message sent \([0-9]+ bytes\)' "$T_TMP"/big_*_messages.log |
		grep -oE '[0-9]+' | head -1)
}
frag0=$(punted forwarded.fragmented) re0=$(punted reassembled.messages)
big_uac 1110 5
diag "INVITE of $SENT bytes"
check "the INVITE is 1,450 bytes, more or less" test "${SENT:-0}" -ge 1440 -a "${SENT:-0}" -le 1460
check_eq "5 calls with 1,450-byte INVITEs through sift: complete" "$UAC_RC" 0
check_ge "siftd sent them on, fragmented by the kernel" \
	"$(($(punted forwarded.fragmented) - frag0))" 5
big_uac 3000 5
diag "INVITE of $SENT bytes"
check_eq "5 calls whose INVITE arrives in fragments: complete" "$UAC_RC" 0
check_ge "siftd got them reassembled" "$(($(punted reassembled.messages) - re0))" 5
stop_pid "$UAS"

# a request without Max-Forwards, in fragments, leaves with 70 (RFC 3261 16.6 step 3)
(in_be $WIRE listen --bind "$BE:5060" --seconds 3 --log "$T_TMP/be2.log" --ready "$T_TMP/be2.ready") &
T_PIDS+=($!)
wait_for 5 test -e "$T_TMP/be2.ready"
PORT=5079
f=$(req nomf MESSAGE "sip:1000@$SIFT4" '')
python3 - "$f" <<'PY'
import sys
p = sys.argv[1]
t = open(p).read()
t = t.replace("Content-Length: 0\n\n", "Content-Type: text/plain\nContent-Length: 2000\n\n" + "y" * 2000)
open(p, "w").write(t)
PY
mf0=$(punted forwarded.max_forwards_added)
exchange "$(hp "$LAB_GEN_V4" "$PORT")" "$(hp "$SIFT4" 5060)" "$T_TMP/nomf.log" "$f"
wait_for 3 test -s "$T_TMP/be2.log"
check "a MESSAGE without Max-Forwards, in fragments, reaches the backend with Max-Forwards: 70" \
	grep -q '^Max-Forwards: 70' <(jq -s -r '.[] | select(.callid == "nomf") | .text' "$T_TMP/be2.log")
check_eq "counted" "$(($(punted forwarded.max_forwards_added) - mf0))" 1

"$SIFTCTL" daemon show >"$T_TMP/show.txt"
check "siftctl daemon show says what siftd sent on" grep -qE \
	'^  sent on by siftd: [0-9]+ requests, [0-9]+ responses \([1-9][0-9]* fragmented' "$T_TMP/show.txt"
stop_pid "$SIFTD_PID"
check "siftd logged no error" bash -c "! grep -qi 'error' '$T_TMP/siftd.log'"
