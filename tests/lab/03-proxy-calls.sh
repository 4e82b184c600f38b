#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sift as the stateless proxy between callers in gen and three backends in
# be: calls complete over IPv4 and IPv6, with and without Record-Route,
# cancelled calls end in 487; nothing reaches a socket on rtr; every dialog
# stays on one backend; drained and downed backends get no new calls.
. "$(dirname "$0")/lib.sh"
lab_init 03

SCN=$TOP/tests/lab/scenarios
conf=$T_TMP/sift.yaml
cat >"$conf" <<EOF
interfaces:
  - name: $LAB_RTR_GEN_IF
  - name: $LAB_RTR_BE_IF
groups:
  - name: core
    backends:
$(for a in $LAB_BE_V4_ALL; do echo "      - address: $a"; done)
  - name: core6
    backends:
$(for a in $LAB_BE_V6_ALL; do echo "      - address: \"$a\""; done)
routes:
  - prefix: "1"
    group: core
    record_route: true
  - prefix: "2"
    group: core
  - prefix: "61"
    group: core6
    record_route: true
  - prefix: "62"
    group: core6
health:
  interval: 1
  failures: 3
EOF
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts with three IPv4 and three IPv6 backends"
# every message the fast path punts, for the checks that none is to say which (siftctl trace;
# nsenter execs siftctl, so $! is its pid)
nsenter --net="/run/netns/$LAB_RTR" "$SIFTCTL" trace verdict punt count 20 duration 600 \
	>"$T_TMP/punts.txt" 2>/dev/null &
PUNT_TRACE=$!
T_PIDS+=("$PUNT_TRACE")
punted_diag() { [ "$1" = "$2" ] || sed 's/^/#   punted: /' "$T_TMP/punts.txt"; }

# --- backends ----------------------------------------------------------------
UAS_PIDS=()
UAS_LOGS=()
# start_uas SCENARIO ADDR...: one sipp backend per address, each logging what it receives.
start_uas() {
	local scn=$1 a
	shift
	UAS_PIDS=()
	UAS_LOGS=()
	for a in "$@"; do
		local log=$T_TMP/uas-$a-$RANDOM.log
		(cd "$T_TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$SCN/$scn" -i "$a" -p 5060 \
			-aa -nostdin -timeout 120s -trace_msg -message_file "$log" >/dev/null 2>&1) &
		UAS_PIDS+=($!)
		T_PIDS+=($!)
		UAS_LOGS+=("$a=$log")
	done
	sleep 0.3
}
stop_uas() {
	local p
	for p in "${UAS_PIDS[@]}"; do stop_pid "$p"; done
}
# dialogs: what the backends of the last start_uas saw, per Call-ID (dialogs.py).
dialogs() { python3 "$TOP/tests/lab/dialogs.py" "${UAS_LOGS[@]}"; }

# uac SCENARIO TARGET SERVICE N [sipp args]: a caller in gen; sets UAC_RC.
uac() {
	local scn=$1 target=$2 service=$3 n=$4 src=$LAB_GEN_V4
	shift 4
	case $target in \[*) src=$LAB_GEN_V6 ;; esac
	case $scn in *.xml) scn="-sf $SCN/$scn" ;; *) scn="-sn $scn" ;; esac
	# shellcheck disable=SC2086
	# a port per service: callers may overlap
	(cd "$T_TMP" && timeout 120 ip netns exec "$LAB_GEN" sipp $scn "$target" -i "$src" \
		-p $((10000 + service)) -s "$service" -m "$n" -r 20 -d 100 -nostdin -timeout 60s \
		-timeout_error "$@" >"$T_TMP/uac-$service.out" 2>&1)
	UAC_RC=$?
}

quiet() { "$@" >/dev/null; }
backends_ok() { # backends_ok N: N backends answer sift's probes
	[ "$("$SIFTCTL" -j backend show | jq '[.[] | select(.health == "ok")] | length')" = "$1" ]
}

start_uas uas.xml $LAB_BE_V4_ALL $LAB_BE_V6_ALL
check "sift's probes find all six backends" wait_for 15 backends_ok 6
"$SIFTCTL" stats reset >/dev/null
punted0=$("$SIFTCTL" -j daemon show | jq .punted.messages)

V4=$LAB_RTR_GEN_V4:5060
V6=[$LAB_RTR_GEN_V6]:5060
uac uac_rr.xml "$V4" 1000 30
check_eq "30 IPv4 calls through sift, Record-Route on: complete" "$UAC_RC" 0
uac uac_rr.xml "$V6" 6100 30
check_eq "30 IPv6 calls, Record-Route on: complete" "$UAC_RC" 0
uac uac "$V4" 2000 30
check_eq "30 IPv4 calls, no Record-Route (in-dialog requests to sift): complete" "$UAC_RC" 0
uac uac "$V6" 6200 30
check_eq "30 IPv6 calls, no Record-Route: complete" "$UAC_RC" 0
stop_uas
D=$(dialogs)

check_eq "120 dialogs reached the backends" "$(jq 'length' <<<"$D")" 120
check_eq "each dialog stayed on one backend" \
	"$(jq '[.[] | select((.backends | length) != 1)] | length' <<<"$D")" 0
check_eq "each saw INVITE, ACK and BYE there" \
	"$(jq '[.[] | select(([.requests[].method] | unique) != ["ACK", "BYE", "INVITE"])] | length' <<<"$D")" 0
check_eq "every request came through sift (its Via on top)" \
	"$(jq '[.[].requests[] | select(.branch0 | startswith("z9hG4bK-sft") | not)] | length' <<<"$D")" 0
for a in $LAB_BE_V4_ALL $LAB_BE_V6_ALL; do
	check_ge "backend $a got calls" "$(jq --arg a "$a" '[.[] | select(.backends[0] == $a)] | length' <<<"$D")" 5
done
check_eq "IPv4 calls went to IPv4 backends, IPv6 to IPv6" \
	"$(jq '[.[] | select((.requests[0].ruri | test("@\\[")) != (.backends[0] | test(":")))] | length' <<<"$D")" 0
rr4="<sip:$LAB_RTR_BE_V4:5060;lr>, <sip:$LAB_RTR_GEN_V4:5060;lr>"
rr6="<sip:[$LAB_RTR_BE_V6]:5060;lr>, <sip:[$LAB_RTR_GEN_V6]:5060;lr>"
check_eq "Record-Route calls: the INVITE carries sift's URI on both sides, with its vouch" \
	"$(jq --arg v4 "$rr4" --arg v6 "$rr6" '[.[].requests[] | select(.method == "INVITE" and (.ruri | test("sip:(1|61)"))) | select((.record_route | test(";lr;sft=[0-9a-f]{8}>.*;lr;sft=[0-9a-f]{8}>") | not) or ((.record_route | gsub(";sft=[0-9a-f]{8}"; "")) as $r | $r != $v4 and $r != $v6))] | length' <<<"$D")" 0
check_eq "and ACK and BYE followed the route set through sift to the Contact" \
	"$(jq '[.[].requests[] | select(.method != "INVITE" and (.ruri | startswith("sip:uas@")))] | length' <<<"$D")" 120
check_eq "with sift's Route entries removed" \
	"$(jq '[.[].requests[] | select(.route != "")] | length' <<<"$D")" 0
check_eq "calls without Record-Route get none" \
	"$(jq '[.[].requests[] | select(.method == "INVITE" and (.ruri | test("sip:(2|62)")) and .record_route != "")] | length' <<<"$D")" 0

# --- nothing went up to userspace on rtr ----------------------------------------
n_punted=$(jq '[.sip_punt[].packets] | add' <<<"$("$SIFTCTL" -j stats show)")
check_eq "no message punted by the fast path" "$n_punted" 0
punted_diag "$n_punted" 0
check_eq "forwarding refused nothing" \
	"$("$SIFTCTL" -j stats show | jq '.forward.punt.packets + .forward.drop.packets')" 0
check_eq "siftd's SIP socket on rtr stayed silent" \
	"$(( $("$SIFTCTL" -j daemon show | jq .punted.messages) - punted0 ))" 0
reqs=$(stat_get forward requests packets)
check_ge "sift forwarded the requests (360 at least)" "$reqs" 360
check_ge "and the responses" "$(stat_get forward responses packets)" 360

# --- CANCEL --------------------------------------------------------------------
start_uas uas_cancel.xml $LAB_BE_V4_ALL $LAB_BE_V6_ALL
wait_for 5 backends_ok 6
uac uac_cancel.xml "$V4" 2100 15
check_eq "15 IPv4 calls cancelled while ringing: 487, complete" "$UAC_RC" 0
uac uac_cancel.xml "$V6" 6200 15
check_eq "15 IPv6 calls cancelled: complete" "$UAC_RC" 0
stop_uas
D=$(dialogs)
check_eq "each cancelled call on one backend, INVITE, CANCEL and ACK" \
	"$(jq '[.[] | select((.backends | length) != 1 or ([.requests[].method] | unique) != ["ACK", "CANCEL", "INVITE"])] | length' <<<"$D")" 0
check_eq "CANCEL and the ACK for 487 carry the INVITE's branch (stateless, RFC 3261 16.11)" \
	"$(jq '[.[] | select(([.requests[] | select(.method != "INVITE") | .branch0] | unique) != [.requests[] | select(.method == "INVITE") | .branch0][0:1])] | length' <<<"$D")" 0
punts=$("$SIFTCTL" -j stats show | jq -c '.sip_punt | with_entries(select(.value.packets > 0)) | map_values(.packets)')
check_eq "no message punted" "$punts" "{}"
punted_diag "$punts" "{}"
stop_pid "$PUNT_TRACE"

# --- drain and down ---------------------------------------------------------------
# Calls in progress follow their route set to the Contact, so a backend that
# drains or goes down keeps them; new calls are sent elsewhere.
BE3=$(set -- $LAB_BE_V4_ALL; echo "$2")
INV='def inv: [.requests[] | select(.method == "INVITE") | .backend][0];'
start_uas uas.xml $LAB_BE_V4_ALL
wait_for 5 backends_ok 3
(uac uac_rr.xml "$V4" 1300 30 -d 3000 -cid_str "A-%u-%p@%s"; echo "$UAC_RC" >"$T_TMP/a.rc") &
A=$!
sleep 1.7
check "siftctl backend set ... state drain" quiet "$SIFTCTL" backend set core "$BE3" state drain
uac uac_rr.xml "$V4" 1400 30 -cid_str "B-%u-%p@%s"
check_eq "new calls complete while $BE3 drains" "$UAC_RC" 0
wait "$A"
check_eq "calls in progress, $BE3's among them, complete" "$(cat "$T_TMP/a.rc")" 0
(uac uac_rr.xml "$V4" 1500 30 -d 3000 -cid_str "C-%u-%p@%s"; echo "$UAC_RC" >"$T_TMP/c.rc") &
C=$!
sleep 1.7
check "siftctl backend set ... state down" quiet "$SIFTCTL" backend set core "$BE3" state down
check_eq "backend show: $BE3 down with no share of new calls" \
	"$("$SIFTCTL" -j backend show core | jq -r --arg b "$BE3" '.[] | select(.address == $b) | "\(.state) \(.share)"')" "down 0"
uac uac_rr.xml "$V4" 1600 30 -cid_str "E-%u-%p@%s"
check_eq "new calls complete while $BE3 is down" "$UAC_RC" 0
wait "$C"
check_eq "calls in progress, on $BE3 too, complete" "$(cat "$T_TMP/c.rc")" 0
stop_uas
D=$(dialogs)
check_ge "$BE3 had calls in progress when it began to drain" \
	"$(jq --arg b "$BE3" "$INV"'[to_entries[] | select((.key | startswith("A-")) and (.value | inv) == $b)] | length' <<<"$D")" 1
for batch in B E; do
	check_eq "no new call ($batch) reached $BE3" \
		"$(jq --arg b "$BE3" --arg p "$batch-" '[to_entries[] | select((.key | startswith($p)) and (.value.backends | index($b)))] | length' <<<"$D")" 0
done
check_eq "every call of every batch stayed on one backend" \
	"$(jq '[.[] | select((.backends | length) != 1 or ([.requests[].method] | unique) != ["ACK", "BYE", "INVITE"])] | length' <<<"$D")" 0
check_eq "the new calls spread over the two others" \
	"$(jq --arg b "$BE3" '[to_entries[] | select(.key | startswith("B-") or startswith("E-")) | .value.backends[0]] | unique | length' <<<"$D")" 2
# drain, then down: the same backend set twice, so live.json keeps the second alone
check_eq "siftctl live show lists what the changes do: $BE3 down" \
	"$("$SIFTCTL" -j live show | jq -c '[.[] | .state]')" '["down"]'
be3_state() {
	"$SIFTCTL" -j backend show core | jq -r --arg b "$BE3" '.[] | select(.address == $b) | "\(.state) \(.origin)"'
}
kill -HUP "$SIFTD_PID"
wait_for 5 grep -q "reload done" "$T_TMP/siftd.log"
check_eq "a reload keeps the live changes on top of the file" "$(be3_state)" "down live"
stop_pid "$SIFTD_PID"
start_siftd "$T_TMP/siftd2.log" -c "$conf" || not_ok "siftd restarts"
check "the restart replays it" grep -q "replaying 1 live change from" "$T_TMP/siftd2.log"
check_eq "and $BE3 is still down" "$(be3_state)" "down live"
check "siftctl live clear: the file's routing again" quiet "$SIFTCTL" live clear
check_eq "$BE3 is up again" \
	"$("$SIFTCTL" -j backend show core | jq -r --arg b "$BE3" '.[] | select(.address == $b) | .state')" up

# --- health: a backend that stops answering probes gets no new calls ---------------
BE4=$(set -- $LAB_BE_V4_ALL; echo "$3")
start_uas uas.xml $LAB_BE_V4_ALL
wait_for 5 backends_ok 3
stop_pid "${UAS_PIDS[2]}"
unreachable() {
	[ "$("$SIFTCTL" -j backend show core | jq -r --arg b "$BE4" '.[] | select(.address == $b) | "\(.health) \(.effective)"')" = "unreachable down" ]
}
check "$BE4 stops answering: unreachable within 3 probes, effectively down" wait_for 8 unreachable
uac uac_rr.xml "$V4" 1700 30 -cid_str "H-%u-%p@%s"
check_eq "new calls complete on the two that answer" "$UAC_RC" 0
stop_uas
D=$(dialogs)
check_eq "and none went to $BE4" \
	"$(jq --arg b "$BE4" '[.[] | select(.backends | index($b))] | length' <<<"$D")" 0

stop_pid "$SIFTD_PID"
