#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The live trace (issue 13): `siftctl trace` shows what the fast path does
# with each message, filtered in XDP: a banned source's drops by source, a
# call's INVITE transaction by Call-ID and method with the backend chosen,
# a punt by verdict and reason.  The frames go to a pcap file tshark reads
# and, as HEP v3, to a collector (a decoder here, and sngrep -L).  A flood
# meets the rate cap, counted; one trace at a time; a trace killed with -9
# stops costing once its lease runs out.
. "$(dirname "$0")/lib.sh"
lab_init 16

SCN=$TOP/tests/lab/scenarios
HEP="/usr/bin/python3 $TOP/tests/lab/hep.py"
set -- $LAB_BE_V4_ALL
BE1=$1
set -- $LAB_GEN_V4_EXTRA
BANNED=$1 FLOOD=$2
SIFT4=$LAB_RTR_GEN_V4
conf=$T_TMP/sift.yaml
sift_conf "$conf" <<EOF
groups:
  - name: core
    backends:
      - address: $BE1
routes:
  - group: core
health:
  interval: 1
EOF
(cd "$T_TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$SCN/uas.xml" -i "$BE1" -p 5060 -aa \
	-nostdin -timeout 90s >/dev/null 2>&1) &
T_PIDS+=($!)
sleep 0.3
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts"
healthy() { [ "$("$SIFTCTL" -j backend show core | jq -r '.[0].health')" = ok ]; }
check "the backend answers its probes" wait_for 10 healthy

# trace_bg NAME ARGS...: siftctl trace in rtr, in the background, JSON lines into NAME.jsonl
trace_bg() {
	local name=$1
	shift
	# nsenter execs siftctl: $! is its own pid (in_rtr would add a subshell)
	nsenter --net="/run/netns/$LAB_RTR" "$SIFTCTL" -j trace "$@" >"$T_TMP/$name.jsonl" 2>"$T_TMP/$name.err" &
	TRACE_PID=$!
	T_PIDS+=("$TRACE_PID")
	sleep 0.5 # the filter is in place once siftctl has claimed the trace
}
trace_wait() { # trace_wait: the trace ends by itself (count or duration); its status
	wait "$TRACE_PID"
	local rc=$?
	T_PIDS=("${T_PIDS[@]/$TRACE_PID/}")
	return $rc
}
opt() { # opt NAME FROM: an OPTIONS to sift from FROM:5070
	msg "$1" "OPTIONS sip:$SIFT4 SIP/2.0\nVia: SIP/2.0/UDP $2:5070;branch=z9hG4bK$1\nMax-Forwards: 70\nTo: <sip:$SIFT4>\nFrom: <sip:a@$2>;tag=f$1\nCall-ID: $1@lab\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n"
}
EXCHANGE_SECONDS=0.3

# --- by source: a banned source's messages, dropped -----------------------------------------
# nsenter execs what it runs: $! is the collector's own pid (in_rtr would add a subshell)
nsenter --net="/run/netns/$LAB_RTR" $HEP --bind 127.0.0.1:9060 --seconds 20 --log "$T_TMP/hep.jsonl" \
	--ready "$T_TMP/hep.ready" &
HEP_PID=$!
T_PIDS+=("$HEP_PID")
wait_for 5 test -e "$T_TMP/hep.ready"
"$SIFTCTL" ban add "$BANNED" ttl 60 >/dev/null
trace_bg src src "$BANNED" count 3 duration 15 --pcap "$T_TMP/src.pcap" --hep 127.0.0.1:9060
exchange "$LAB_GEN_V4:5070" "$SIFT4:5060" "$T_TMP/x.log" "$(opt other "$LAB_GEN_V4")"
for i in 1 2 3 4; do exchange "$BANNED:5070" "$SIFT4:5060" "$T_TMP/x.log" "$(opt ban$i "$BANNED")"; done
trace_wait
check_eq "trace src: stops by itself after count 3" "$?" 0
check_eq "three lines, all from the banned source" \
	"$(jq -r '.src' "$T_TMP/src.jsonl" | sort -u | paste -sd,)/$(wc -l <"$T_TMP/src.jsonl")" "$BANNED:5070/3"
check_eq "each says OPTIONS, its Call-ID, dropped as shield.banned" \
	"$(jq -r '[.method, .callid, .verdict, .reason] | join(" ")' "$T_TMP/src.jsonl" | paste -sd'|')" \
	"OPTIONS ban1@lab drop shield.banned|OPTIONS ban2@lab drop shield.banned|OPTIONS ban3@lab drop shield.banned"
check_eq "with time and destination" \
	"$(jq -r 'select(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{15}Z$")) | .dst' "$T_TMP/src.jsonl" | sort -u)" "$SIFT4:5060"
check "siftctl says how many" grep -q "trace: 3 messages; 0 over the rate cap, 0 lost to a full ring" "$T_TMP/src.err"

# the pcap file, read by tshark
tsh() { tshark -r "$1" -T fields -E separator=' ' "${@:2}" 2>/dev/null; }
check_eq "tshark reads the pcap: the three frames as they came" \
	"$(tsh "$T_TMP/src.pcap" -e ip.src -e udp.srcport -e sip.Method -e sip.Call-ID | paste -sd'|')" \
	"$BANNED 5070 OPTIONS ban1@lab|$BANNED 5070 OPTIONS ban2@lab|$BANNED 5070 OPTIONS ban3@lab"
# HEP v3, decoded
sleep 0.3
check_eq "three HEP v3 datagrams, well formed" "$(jq -r '.ok' "$T_TMP/hep.jsonl" | paste -sd,)" "true,true,true"
check_eq "HEP: IPv4 UDP SIP, addresses and ports, Call-ID as correlation ID" \
	"$(jq -r '[.family, .proto, .proto_type, .src, .sport, .dst, .dport, .correlation] | map(tostring) | join(" ")' "$T_TMP/hep.jsonl" | head -1)" \
	"2 17 1 $BANNED 5070 $SIFT4 5060 ban1@lab"
check_eq "HEP: the payload is the message, the time is now" \
	"$(jq -r --argjson now "$(date +%s)" '[(.payload | startswith("OPTIONS sip:'"$SIFT4"' SIP/2.0\r\nVia:")), ($now - .sec < 30), (.usec < 1000000)] | all' "$T_TMP/hep.jsonl" | sort -u)" true
stop_pid "$HEP_PID"

# --- by an IPv6 source prefix ---------------------------------------------------------------------
SIFT6=$LAB_RTR_GEN_V6
trace_bg v6 src "${LAB_GEN_V6%::*}::/64" count 1 duration 10
exchange "$LAB_GEN_V4:5070" "$SIFT4:5060" "$T_TMP/x.log" "$(opt v4first "$LAB_GEN_V4")"
msg v6opt "OPTIONS sip:[$SIFT6] SIP/2.0\nVia: SIP/2.0/UDP [$LAB_GEN_V6]:5070;branch=z9hG4bKv6opt\nMax-Forwards: 70\nTo: <sip:[$SIFT6]>\nFrom: <sip:a@[$LAB_GEN_V6]>;tag=fv6\nCall-ID: v6opt@lab\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n" >/dev/null
exchange "[$LAB_GEN_V6]:5070" "[$SIFT6]:5060" "$T_TMP/x.log" "$T_TMP/v6opt.sip"
trace_wait
check_eq "src ${LAB_GEN_V6%::*}::/64: the IPv6 OPTIONS, not the IPv4 one before it" \
	"$(jq -r '[.src, .dst, .callid] | join(" ")' "$T_TMP/v6.jsonl")" "[$LAB_GEN_V6]:5070 [$SIFT6]:5060 v6opt@lab"

# --- by Call-ID and method: one call's INVITE transaction, forwarded, with the backend ----------
trace_bg call callid "TR-2@trace" method INVITE duration 6
(cd "$T_TMP" && timeout 60 ip netns exec "$LAB_GEN" sipp -sf "$SCN/uac_rr.xml" "$SIFT4:5060" \
	-i "$LAB_GEN_V4" -p 5090 -s 1000 -m 3 -r 10 -d 100 -nostdin -timeout 20s -timeout_error \
	-cid_str "TR-%u@trace" >"$T_TMP/uac.out" 2>&1)
check_eq "three calls through sift" "$?" 0
trace_wait
check_eq "only call TR-2's messages" "$(jq -r '.callid' "$T_TMP/call.jsonl" | sort -u)" "TR-2@trace"
check_eq "its INVITE forwarded to the backend chosen" \
	"$(jq -r 'select(.method == "INVITE") | [.src, .verdict, .backend] | join(" ")' "$T_TMP/call.jsonl" | head -1)" \
	"$LAB_GEN_V4:5090 forward $BE1:5060"
check_eq "and the INVITE's responses, from the backend (method INVITE: the CSeq's)" \
	"$(jq -r 'select(.status) | [.status, .src, .verdict, .next_hop] | join(" ")' "$T_TMP/call.jsonl" | sort -u | grep -c "^[12][0-9][0-9] $BE1:5060 forward $LAB_GEN_V4:5090$")" \
	"$(jq -r 'select(.status) | .status' "$T_TMP/call.jsonl" | sort -u | wc -l)"
check_eq "a 200 among them" "$(jq -r 'select(.status == 200) | .callid' "$T_TMP/call.jsonl" | head -1)" TR-2@trace
check_eq "no ACK or BYE (not INVITE)" "$(jq -r 'select(.method == "ACK" or .method == "BYE")' "$T_TMP/call.jsonl")" ""

# --- by verdict and reason, as text: a punt -----------------------------------------------------
nsenter --net="/run/netns/$LAB_RTR" "$SIFTCTL" trace verdict punt reason sip_punt.max_forwards_zero count 1 duration 10 >"$T_TMP/punt.txt" 2>"$T_TMP/punt.err" &
TRACE_PID=$!
T_PIDS+=("$TRACE_PID")
sleep 0.5
exchange "$LAB_GEN_V4:5070" "$SIFT4:5060" "$T_TMP/x.log" "$(opt fine "$LAB_GEN_V4")"
msg mf0 "INVITE sip:1000@$SIFT4 SIP/2.0\nVia: SIP/2.0/UDP $LAB_GEN_V4:5070;branch=z9hG4bKmf0\nMax-Forwards: 0\nTo: <sip:1000@$SIFT4>\nFrom: <sip:a@$LAB_GEN_V4>;tag=fmf0\nCall-ID: mf0@lab\nCSeq: 1 INVITE\nContent-Length: 0\n\n" >/dev/null
exchange "$LAB_GEN_V4:5070" "$SIFT4:5060" "$T_TMP/mf0.log" "$T_TMP/mf0.sip"
trace_wait
check_eq "text: one line, time, source -> destination, INVITE, Call-ID, punt, reason" \
	"$(sed -E 's/^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} /TIME /' "$T_TMP/punt.txt")" \
	"TIME $LAB_GEN_V4:5070 -> $SIFT4:5060 INVITE    mf0@lab punt sip_punt.max_forwards_zero"
check_eq "and siftd answered it 483" "$(jq -r '.start' "$T_TMP/mf0.log" | tr -d '\r')" "SIP/2.0 483 Too Many Hops"

# --- HEP to sngrep, which writes what it receives to a pcap file ----------------------------------
nsenter --net="/run/netns/$LAB_RTR" sngrep -N -q -L udp:127.0.0.1:9061 -O "$T_TMP/sngrep.pcap" \
	>/dev/null 2>&1 &
SNG_PID=$!
T_PIDS+=("$SNG_PID")
sleep 1
trace_bg sng callid sng1@lab count 1 duration 10 --hep 127.0.0.1:9061
exchange "$LAB_GEN_V4:5070" "$SIFT4:5060" "$T_TMP/x.log" "$(opt sng1 "$LAB_GEN_V4")"
trace_wait
sleep 1
stop_pid "$SNG_PID"
check_eq "sngrep -L took the HEP: its capture has the OPTIONS with its addresses" \
	"$(tsh "$T_TMP/sngrep.pcap" -e ip.src -e ip.dst -e sip.Method -e sip.Call-ID)" \
	"$LAB_GEN_V4 $SIFT4 OPTIONS sng1@lab"

# --- a flood meets the rate cap; a second trace is refused -----------------------------------------
capped0=$(stat_get trace rate_capped packets)
trace_bg flood src "$FLOOD" rate 5 duration 4
in_rtr "$SIFTCTL" trace count 1 duration 1 >/dev/null 2>"$T_TMP/second.err"
check_eq "a second trace meanwhile: refused (exit 1)" "$?" 1
check "and told why" grep -q "is tracing already" "$T_TMP/second.err"
for i in $(seq 40); do opt fl$i "$FLOOD" >/dev/null; done
in_gen /usr/bin/python3 - "$FLOOD" "$SIFT4" "$T_TMP" <<'PY'
import socket, sys
src, dst, tmp = sys.argv[1:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 5070))
for i in range(1, 41):
    s.sendto(open("%s/fl%d.sip" % (tmp, i), "rb").read().replace(b"\n", b"\r\n"), (dst, 5060))
PY
trace_wait
n=$(wc -l <"$T_TMP/flood.jsonl")
check "40 OPTIONS at once, rate 5: 5 to 10 traced (a window is ~1 s)" test "$n" -ge 5 -a "$n" -le 10
check_ge "the rest counted as over the cap" "$(( $(stat_get trace rate_capped packets) - capped0 ))" $((40 - n))
check "and siftctl said so" grep -Eq "trace: $n messages; [0-9]+ over the rate cap" "$T_TMP/flood.err"

# --- a trace killed with -9: its lease runs out, and the fast path stops tracing -------------------
trace_bg killed duration 60
kill -9 "$TRACE_PID"
wait "$TRACE_PID" 2>/dev/null
T_PIDS=("${T_PIDS[@]/$TRACE_PID/}")
sleep 3.5
sent0=$(stat_get trace sent packets)
exchange "$LAB_GEN_V4:5070" "$SIFT4:5060" "$T_TMP/x.log" "$(opt after "$LAB_GEN_V4")"
check_eq "3 s after siftctl was killed, nothing more is traced" "$(stat_get trace sent packets)" "$sent0"
in_rtr "$SIFTCTL" trace count 1 duration 1 >/dev/null 2>&1
check_eq "and a new trace may start" "$?" 0
stop_pid "$SIFTD_PID"
