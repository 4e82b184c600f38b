#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# REGISTER at the edge (RFC 3327, issue 12): a UA behind NAT registers
# through sift to a sipp registrar; sift adds a Path naming itself and the
# UA's flow (its source address and port), with a MAC.  The registrar then
# calls the UA with that Path as its Route: sift sends the INVITE (and the
# ACK) to the flow, not to the Contact, which nobody can reach.  A Route
# naming a flow sift did not record gets nowhere.
. "$(dirname "$0")/lib.sh"
lab_init 11

SCN=$TOP/tests/lab/scenarios
SIFT4=$LAB_RTR_GEN_V4
set -- $LAB_BE_V4_ALL
REG=$1 BE=$2

conf=$T_TMP/sift.yaml
sift_conf "$conf" <<EOF
groups:
  - name: registrars
    backends:
      - address: $REG
  - name: core
    backends:
      - address: $BE
routes:
  - group: core
registrars:
  - group: registrars
health:
  interval: 0
EOF
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts"
punted() { "$SIFTCTL" -j daemon show | jq -r ".punted.$1"; }

(cd "$T_TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$SCN/registrar.xml" -i "$REG" -p 5060 \
	-m 1 -nostdin -timeout 30s -trace_msg -message_file "$T_TMP/reg.msg" >"$T_TMP/reg.out" 2>&1) &
REG_PID=$!
T_PIDS+=("$REG_PID")
sleep 0.3
(cd "$T_TMP" && timeout 40 ip netns exec "$LAB_GEN" sipp -sf "$SCN/ua_register.xml" "$SIFT4:5060" \
	-i "$LAB_GEN_V4" -p 5077 -m 1 -nostdin -timeout 30s -timeout_error -trace_msg \
	-message_file "$T_TMP/ua.msg" >"$T_TMP/ua.out" 2>&1)
UA_RC=$?
wait "$REG_PID"
REG_RC=$?
T_PIDS=("${T_PIDS[@]/$REG_PID/}")
check_eq "the UA registers through sift and takes the registrar's call" "$UA_RC" 0
check_eq "the registrar's side completes (REGISTER, INVITE, 200, ACK)" "$REG_RC" 0
check "the registrar got sift's Path, naming sift (its side) and the UA's flow, with a MAC" grep -qE \
	"^Path: <sip:$LAB_RTR_BE_V4:5060;lr;flow=$LAB_GEN_V4:5077;sft=[0-9a-f]{8}>" "$T_TMP/reg.msg"
check "the INVITE reached the UA by its flow, its Contact (198.19.255.1) unreachable" \
	grep -q '^INVITE sip:ua@198.19.255.1:5060 SIP/2.0' "$T_TMP/ua.msg"
check "with sift's Route gone" bash -c "! grep -q '^Route:' '$T_TMP/ua.msg'"
check_eq "siftctl counts one REGISTER with Path, and the INVITE and ACK to the flow" \
	"$(punted forwarded | jq -c '[.registers, .to_flows]')" "[1,2]"

# a Route naming a flow without sift's MAC: nothing goes there, and no answer
udp_listen "$LAB_GEN" "$LAB_GEN_V4" 5099 "$T_TMP/victim.log"
printf 'INVITE sip:x@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:5078;branch=z9hG4bKforge;rport\r\nRoute: <sip:%s:5060;lr;flow=%s:5099;sft=0badf00d>\r\nMax-Forwards: 70\r\nTo: <sip:x@%s>\r\nFrom: <sip:a@%s>;tag=f1\r\nCall-ID: forge\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n' \
	"$SIFT4" "$LAB_GEN_V4" "$SIFT4" "$LAB_GEN_V4" "$SIFT4" "$LAB_GEN_V4" >"$T_TMP/forge.sip"
in_gen $WIRE send --bind "$LAB_GEN_V4:5078" --to "$SIFT4:5060" --msg "$T_TMP/forge.sip" \
	--seconds 1 --log "$T_TMP/forge.log"
check "a Route naming a flow sift did not record: not answered" test ! -s "$T_TMP/forge.log"
check_eq "and nothing reached that flow" "$(grep -vc '^ready$' "$T_TMP/victim.log")" 0
check_eq "counted as forged" "$(punted flows_forged)" 1
stop_pid "$SIFTD_PID"
