#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Passive failover (issue 13): a backend whose SIP process dies answers the
# next INVITE sift sends it with ICMP port unreachable; the fast path sees it
# and siftd takes the backend out of the table at once, long before its
# probes (every 5 s, 3 missed) would; the call's retransmitted INVITE goes to
# another backend and every call completes.  A stranger's forged ICMP about a
# live backend changes nothing; a probe answered brings the backend back.
. "$(dirname "$0")/lib.sh"
lab_init 15

SCN=$TOP/tests/lab/scenarios
set -- $LAB_BE_V4_ALL
BE1=$1 BE2=$2 BE3=$3
conf=$T_TMP/sift.yaml
sift_conf "$conf" <<EOF
groups:
  - name: core
    backends:
      - address: $BE1
      - address: $BE2
      - address: $BE3
routes:
  - group: core
health:
  interval: 5
  failures: 3
  invite_timeout_ms: 1000
EOF
declare -A UAS
start_uas() { # start_uas ADDR: a sipp callee there
	(cd "$T_TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$SCN/uas.xml" -i "$1" -p 5060 -aa \
		-nostdin -timeout 90s >/dev/null 2>&1) &
	UAS[$1]=$!
	T_PIDS+=($!)
}
for a in "$BE1" "$BE2" "$BE3"; do start_uas "$a"; done
sleep 0.3
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts; probes every 5 s, 3 missed to give a backend up"
health() { "$SIFTCTL" -j backend show core | jq -r --arg b "$1" '.[] | select(.address == $b) | .health'; }
all_ok() { [ "$(health "$BE1")$(health "$BE2")$(health "$BE3")" = okokok ]; }
check "the three answer their first probes" wait_for 10 all_ok

# a stranger's ICMP about BE2 (forged: it does not come from BE2)
in_gen /usr/bin/python3 - "$LAB_GEN_V4" "$LAB_RTR_GEN_V4" "$LAB_RTR_BE_V4" "$BE2" <<'PY'
import sys
from scapy.all import IP, ICMP, UDP, send
me, sift, sift_be, be2 = sys.argv[1:]
send(IP(src=me, dst=sift) / ICMP(type=3, code=3) / IP(src=sift_be, dst=be2) / UDP(sport=5060, dport=5060),
     count=3, verbose=False)
PY
sleep 0.5
check_eq "a forged ICMP port unreachable about a live backend: it stays" "$(health "$BE2")" ok

stop_pid "${UAS[$BE3]}"

(cd "$T_TMP" && timeout 60 ip netns exec "$LAB_GEN" sipp -sf "$SCN/uac_rr.xml" "$LAB_RTR_GEN_V4:5060" \
	-i "$LAB_GEN_V4" -p 5090 -s 1000 -m 60 -r 20 -d 100 -nostdin -timeout 40s -timeout_error \
	-cid_str "F-%u-%p@%s" >"$T_TMP/uac.out" 2>&1)
UAC_RC=$?
check_eq "60 calls at 20 a second, $BE3's SIP process dead: all complete" "$UAC_RC" 0
check "siftd took $BE3 out on the ICMP" grep -q "backend $BE3:5060 of group 'core' is unreachable: ICMP port unreachable" "$T_TMP/siftd.log"
check_eq "$BE3 is unreachable, well before probes could say so (3 x 5 s)" "$(health "$BE3")" unreachable
check_ge "the fast path counted it" "$(stat_get health icmp_unreachable packets)" 1
check "no other backend went" bash -c "! grep -q 'unreachable: ICMP' <(grep -v '$BE3' '$T_TMP/siftd.log')"

# BE3 back: its next probe is answered, and it is in the table again
start_uas "$BE3"
back() { [ "$(health "$BE3")" = ok ]; }
check "$BE3 restarted: back once a probe is answered" wait_for 12 back

# --- a 503 from a backend takes it out at once; a probe answered brings it back ---------------
"$SIFTCTL" backend set core "$BE1" state drain >/dev/null
"$SIFTCTL" backend set core "$BE3" state drain >/dev/null
stop_pid "${UAS[$BE2]}"
ip netns exec "$LAB_BE" python3 "$TOP/tests/lab/sipwire.py" uas --bind "$BE2:5060" --seconds 30 \
	--log "$T_TMP/uas503.log" --invite "503 Service Unavailable" --ready "$T_TMP/uas503.ready" &
UAS503=$!
T_PIDS+=("$UAS503")
wait_for 5 test -e "$T_TMP/uas503.ready"
s0=$(stat_get health sip_503 packets)
msg inv503 "INVITE sip:1000@$LAB_RTR_GEN_V4 SIP/2.0\nVia: SIP/2.0/UDP $LAB_GEN_V4:5070;branch=z9hG4bKinv503\nMax-Forwards: 70\nTo: <sip:1000@$LAB_RTR_GEN_V4>\nFrom: <sip:a@$LAB_GEN_V4>;tag=f503\nCall-ID: inv503@lab\nCSeq: 1 INVITE\nContent-Length: 0\n\n" >/dev/null
EXCHANGE_SECONDS=0.5 exchange "$LAB_GEN_V4:5070" "$LAB_RTR_GEN_V4:5060" "$T_TMP/inv503.log" "$T_TMP/inv503.sip"
check_eq "the only backend taking calls answers 503: the caller gets it" \
	"$(jq -r '.start' "$T_TMP/inv503.log" | tr -d '\r' | head -1)" "SIP/2.0 503 Service Unavailable"
out503() { [ "$(health "$BE2")" = unreachable ]; }
check "and siftd takes $BE2 out at once" wait_for 1 out503
check_eq "saying why" "$("$SIFTCTL" -j backend show core | jq -r --arg b "$BE2" '.[] | select(.address == $b) | "\(.out_why) \(.out_503)"')" "503 1"
check_eq "the fast path counted the 503" "$(( $(stat_get health sip_503 packets) - s0 ))" 1
check "and logged it" grep -q "backend $BE2:5060 of group 'core' is unreachable: 503 Service Unavailable" "$T_TMP/siftd.log"
back2() { [ "$(health "$BE2")" = ok ]; }
check "its next probe (OPTIONS: 200) brings it back (interval 5 s +-20%)" wait_for 8 back2
stop_pid "$UAS503"

# an ICMP host unreachable from a backend's own address counts as its port unreachable does
in_be /usr/bin/python3 - "$BE1" "$LAB_RTR_BE_V4" <<'PY'
import sys
from scapy.all import IP, ICMP, UDP, send
be1, sift_be = sys.argv[1:]
send(IP(src=be1, dst=sift_be) / ICMP(type=3, code=1) / IP(src=sift_be, dst=be1) / UDP(sport=5060, dport=5060),
     verbose=False)
PY
out1() { [ "$(health "$BE1")" = unreachable ]; }
check "ICMP host unreachable from $BE1 itself: out at once" wait_for 1 out1

# --- a backend gone silent: its address gone, no ICMP, nothing; INVITEs unanswered 1 s ---------
# (BE3: the last address of be's subnet; removing the first would take the others with it)
start_uas "$BE2"
"$SIFTCTL" backend set core "$BE1" state up >/dev/null
"$SIFTCTL" backend set core "$BE3" state up >/dev/null
check "all three back (probes)" wait_for 12 all_ok
ip -n "$LAB_BE" addr del "$BE3/24" dev "$LAB_BE_IF"
(cd "$T_TMP" && timeout 60 ip netns exec "$LAB_GEN" sipp -sf "$SCN/uac_rr.xml" "$LAB_RTR_GEN_V4:5060" \
	-i "$LAB_GEN_V4" -p 5091 -s 1000 -m 30 -r 10 -d 100 -nostdin -timeout 40s -timeout_error \
	-cid_str "S-%u-%p@%s" >"$T_TMP/uac-silent.out" 2>&1)
check_eq "30 calls at 10 a second, $BE3 silent: all complete (INVITEs resent go elsewhere)" "$?" 0
check_eq "$BE3 is out for its unanswered INVITEs" \
	"$("$SIFTCTL" -j backend show core | jq -r --arg b "$BE3" '.[] | select(.address == $b) | "\(.health) \(.out_why) \(.out_unanswered)"')" \
	"unreachable unanswered 1"
check "and logged it" grep -q "backend $BE3:5060 of group 'core' is unreachable: INVITEs without any response for 1000 ms" "$T_TMP/siftd.log"
check_eq "the others stay" "$(health "$BE1") $(health "$BE2")" "ok ok"
stop_pid "$SIFTD_PID"
