#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-failover: one of three backends dies under 100 calls a second.
# How long until the proxy stops sending it new calls, and how many calls
# fail, for
#   sift      probes every 5 s, 3 missed to give up (as the issue's baseline),
#             plus what the fast path sees: ICMP port unreachable, a 503; and
#             again with the backend's address gone silent (no ICMP) and
#             health.invite_timeout_ms 1000 (failover_silent_*)
#   Kamailio  5.6 dispatcher, the same probing (ds_ping_interval 5,
#             ds_probing_threshold 3), hashing on Call-ID, stateful, and the
#             failover of the dispatcher documentation's example: a timed-out
#             or 5xx branch goes to the next destination (fr_timer 2 s)
# The backends are three sipp UAS in be; the caller is sipp in gen, 100 calls
# a second for FAILOVER_CALLS (3,000).  A third of the way in, one UAS is
# killed (SIGKILL: the host stays, its port closes).  Time to exclude: from
# the kill to the first time the proxy's own view (siftctl backend show;
# kamcmd dispatcher.list), polled every 20 ms, has the backend out.  Failed
# calls: sipp's count.  Prints BENCH lines.
BENCH=failover
. "$(dirname "$0")/lib.sh"

SCN=$TOP/tests/lab/scenarios
CALLS=${FAILOVER_CALLS:-3000}
RATE=100
set -- $LAB_BE_V4_ALL
BE1=$1 BE2=$2 BE3=$3
ip -n "$LAB_RTR" neigh flush dev "$LAB_RTR_BE_IF" 2>/dev/null || true

declare -A UAS
uas_start() {
	for a in "$BE1" "$BE2" "$BE3"; do
		# the subshell and ip exec: $! is sipp's own pid
		(cd "$TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$SCN/uas.xml" -i "$a" -p 5060 -aa \
			-nostdin -timeout 120s >/dev/null 2>&1) &
		UAS[$a]=$!
		PIDS+=("$!")
	done
	sleep 0.5
}
uas_stop() {
	for a in "$BE1" "$BE2" "$BE3"; do
		kill "${UAS[$a]}" 2>/dev/null || true
		wait "${UAS[$a]}" 2>/dev/null || true
	done
}

now_ms() { date +%s%3N; }

# the ways BE3 dies: its process (the host answers ICMP port unreachable), or
# its address (silence: no ICMP, nothing)
die_kill() { kill -9 "${UAS[$BE3]}"; }
die_silent() { ip -n "$LAB_BE" addr del "$BE3/24" dev "$LAB_BE_IF"; }

# run OUT_PREFIX IS_OUT_CMD [DIE_CMD]: the calls; BE3 dies (die_kill) a third of
# the way; polls IS_OUT_CMD (true once BE3 is out of the proxy's table) every
# 20 ms.  Prints "EXCLUDE_MS FAILED_CALLS TOTAL_CALLS".
run() {
	local out=$1 is_out=$2 die=${3:-die_kill} kill_at killed_ms out_ms=-1 uac
	(cd "$TMP" && timeout 120 ip netns exec "$LAB_GEN" sipp -sf "$SCN/uac_rr.xml" \
		"$LAB_RTR_GEN_V4:5060" -i "$LAB_GEN_V4" -p 5090 -s 1000 -m "$CALLS" -r "$RATE" -d 100 \
		-nostdin -timeout 90s -trace_stat -stf "$TMP/$out.csv" -fd 1 >"$TMP/$out.out" 2>&1) &
	uac=$!
	PIDS+=("$uac")
	kill_at=$((CALLS / RATE / 3))
	sleep "$kill_at"
	killed_ms=$(now_ms)
	$die
	for _ in $(seq 1500); do # 30 s at most
		if $is_out; then
			out_ms=$(( $(now_ms) - killed_ms ))
			break
		fi
		sleep 0.02
	done
	wait "$uac" || true
	echo "$killed_ms" >"$TMP/$out.killed"
	local failed total
	failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "FailedCall(C)") f = i; next }
		{ v = $f } END { print v + 0 }' "$TMP/$out.csv")
	total=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "TotalCallCreated") f = i; next }
		{ v = $f } END { print v + 0 }' "$TMP/$out.csv")
	echo "$out_ms $failed $total"
}

# --- sift ----------------------------------------------------------------------------
cat >"$TMP/sift.yaml" <<EOF
interfaces:
  - name: $LAB_RTR_GEN_IF
  - name: $LAB_RTR_BE_IF
groups:
  - name: core
    backends:
      - address: $BE1
      - address: $BE2
      - address: $BE3
routes:
  - group: core
    record_route: true
health:
  interval: 5
  failures: 3
shield:
  enabled: false             # the caller is one source at 100 calls/s: the proxy alone here
daemon:
  log_level: warn
EOF
uas_start
siftd_start "$TMP/sift.yaml"
sleep 3 # the first probes answered
sift_out() { siftctl -j backend show core | jq -e --arg b "$BE3" '.[] | select(.address == $b) | .health == "unreachable"' >/dev/null; }
read -r SIFT_MS SIFT_FAILED SIFT_TOTAL < <(run sift sift_out)
echo "bench-failover: sift: out after $SIFT_MS ms, $SIFT_FAILED of $SIFT_TOTAL calls failed" >&2
# siftd's own decision, from its log's time (ms, UTC): no polling in it
LOGGED_MS=$(( $(date -d "$(grep -m1 "backend $BE3:5060 .* is unreachable" "$TMP/siftd.log" | cut -d' ' -f1)" +%s%3N) - $(cat "$TMP/sift.killed") ))
siftd_stop
uas_stop

# the same, BE3 silent, with health.invite_timeout_ms: 1000
sed -i 's/^  failures: 3$/  failures: 3\n  invite_timeout_ms: 1000/' "$TMP/sift.yaml"
uas_start
siftd_start "$TMP/sift.yaml"
sleep 3
read -r SILENT_MS SILENT_FAILED SILENT_TOTAL < <(run silent sift_out die_silent)
echo "bench-failover: sift, BE3 silent: out after $SILENT_MS ms, $SILENT_FAILED of $SILENT_TOTAL calls failed" >&2
siftd_stop
uas_stop
ip -n "$LAB_BE" addr add "$BE3/24" dev "$LAB_BE_IF"

# --- Kamailio's dispatcher -----------------------------------------------------------
printf '1 sip:%s:5060\n1 sip:%s:5060\n1 sip:%s:5060\n' "$BE1" "$BE2" "$BE3" >"$TMP/dispatcher.list"
kamailio_config "$TMP/kamailio.cfg" <<EOF
loadmodule "pv.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "kex.so"
loadmodule "ctl.so"
loadmodule "dispatcher.so"
modparam("ctl", "binrpc", "unix:$TMP/kamailio.ctl")
modparam("tm", "fr_timer", 2000)
modparam("dispatcher", "list_file", "$TMP/dispatcher.list")
modparam("dispatcher", "flags", 2) # failover: ds_next_dst
modparam("dispatcher", "ds_ping_interval", 5)
modparam("dispatcher", "ds_probing_threshold", 3)
modparam("dispatcher", "ds_probing_mode", 1)
modparam("dispatcher", "ds_ping_from", "sip:dispatcher@$LAB_RTR_BE_V4")
request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (has_totag()) {
		if (loose_route()) {
			t_relay();
		}
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) t_relay();
		exit;
	}
	record_route();
	if (!ds_select_dst("1", "0")) {
		sl_send_reply("503", "No destination");
		exit;
	}
	t_on_failure("RTF_DISPATCH");
	t_relay();
}
failure_route[RTF_DISPATCH] {
	if (t_is_canceled()) exit;
	if (t_check_status("5[0-9][0-9]") || (t_branch_timeout() && !t_branch_replied())) {
		if (ds_next_dst()) {
			t_on_failure("RTF_DISPATCH");
			t_relay();
			exit;
		}
	}
}
EOF
uas_start
kamailio_start "$TMP/kamailio.cfg"
sleep 3
# FLAGS AP: active (probing); TP: trying, still taking calls; IP: inactive; DX: disabled
kam_out() {
	ip netns exec "$LAB_RTR" kamcmd -s "unix:$TMP/kamailio.ctl" dispatcher.list 2>/dev/null |
		awk -v b="sip:$BE3:5060" '$1 == "URI:" { u = $2 } $1 == "FLAGS:" && u == b { print $2 }' |
		grep -q '^[ID]'
}
read -r KAM_MS KAM_FAILED KAM_TOTAL < <(run kamailio kam_out)
kamailio_stop
uas_stop

pct() { awk -v f="$1" -v t="$2" 'BEGIN { printf "%.2f", t ? 100 * f / t : 100 }'; }
echo "BENCH failover_exclude_ms $SIFT_MS ms"
echo "BENCH failover_siftd_decided_ms $LOGGED_MS ms"
echo "BENCH failover_failed_pct $(pct "$SIFT_FAILED" "$SIFT_TOTAL") %"
echo "BENCH failover_failed_calls $SIFT_FAILED calls"
echo "BENCH failover_calls $SIFT_TOTAL calls"
echo "BENCH failover_silent_exclude_ms $SILENT_MS ms"
echo "BENCH failover_silent_failed_pct $(pct "$SILENT_FAILED" "$SILENT_TOTAL") %"
echo "BENCH failover_kamailio_exclude_ms $KAM_MS ms"
echo "BENCH failover_kamailio_failed_pct $(pct "$KAM_FAILED" "$KAM_TOTAL") %"
echo "BENCH failover_kamailio_failed_calls $KAM_FAILED calls"
echo "BENCH failover_kamailio_calls $KAM_TOTAL calls"
