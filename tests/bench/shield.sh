#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-shield: honest calls under an INVITE flood, in one run, for
#   sift          the shield in XDP (limits, automatic ban), forwarding to be
#   Kamailio 5.6  pike + htable ban in rtr's place, stateless forward()
# The flood comes from the in-kernel generator in gen (BPF_PROG_RUN, live
# frames), one source per flood rate, up to the generator's maximum; the
# honest calls (sipp, another source) go to one sipp backend in be.  Then
# what a banned source costs: drops per second on one core, for sift and for
# a bare XDP_DROP program.  Last, what the shield costs the traffic it lets
# through: forwarded INVITEs per second with the shield off and on, from one
# source and from 65536 (spoofed) ones.  Prints BENCH lines.
#
# BENCH_SECONDS (default 5) sets the drop measurements' length;
# BENCH_CALLS (default 300, at 50 a second) the honest calls per flood rate.
BENCH=shield
. "$(dirname "$0")/lib.sh"

CALLS=${BENCH_CALLS:-300}
CPS=50
FLOOD_SECONDS=$((CALLS / CPS + 1))
set -- $LAB_GEN_V4_EXTRA
ATTACKERS=("$@")

(cd "$TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$TOP/tests/lab/scenarios/uas.xml" -i "$BE" \
	-p 5060 -aa -nostdin -timeout 1200s >/dev/null 2>&1) &
UAS=$!
PIDS+=("$UAS")
sleep 0.5

# honest SERVICE: CALLS calls from gen's own address; prints the % that completed
# and the mean time from INVITE to 200 OK in ms
honest() {
	(cd "$TMP" && timeout 300 ip netns exec "$LAB_GEN" sipp \
		-sf "$TOP/tests/lab/scenarios/uac_rr.xml" "$LAB_RTR_GEN_V4:5060" -i "$LAB_GEN_V4" \
		-p 5070 -s "$1" -m "$CALLS" -r "$CPS" -d 100 -nostdin -timeout 120s -trace_stat \
		-stf "$TMP/uac-$1.csv" >"$TMP/uac-$1.out" 2>&1) || true
	# sipp writes times as HH:MM:SS:microseconds
	awk -F';' -v n="$CALLS" 'NR == 1 { for (i = 1; i <= NF; i++) {
			if ($i == "SuccessfulCall(C)") c = i
			if ($i == "ResponseTime1(C)") r = i } }
		END { split($r, t, ":")
		      printf "%.1f %.1f", 100 * ($c + 0) / n, t[1] * 3600e3 + t[2] * 60e3 + t[3] * 1e3 + t[4] / 1e3 }' \
		"$TMP/uac-$1.csv"
}

# point SOURCE RATE SERVICE: honest calls while SOURCE floods at RATE (max: as fast as
# the generator goes); prints "PCT SETUP_MS OFFERED_PPS"
point() {
	local pct offered=0 out
	honest "$3" >"$TMP/pct" &
	local h=$!
	sleep 1
	if [ "$2" != 0 ]; then
		out=$(gen "$1" 1 "$FLOOD_SECONDS" $([ "$2" = max ] || echo "$2"))
		offered=$(awk '{ printf "%.0f", $2 / $4 }' <<<"$out")
	fi
	wait "$h"
	pct=$(cat "$TMP/pct")
	echo "$pct $offered"
}

RATES=(0 100000 1000000 max)
NAMES=(no_flood 100k 1m max_flood)

# --- sift ---------------------------------------------------------------------------
sift_config "$TMP/sift.yaml" <<EOF
routes:
  - group: core
    record_route: true
health:
  interval: 1
shield:
  limits:                     # room for the honest caller: 50 calls a second
    invite: { rate: 100, burst: 200 }
    other: { rate: 300, burst: 600 }
  ban: { after: 1, time: 600 }
EOF
siftd_start "$TMP/sift.yaml"
sleep 2
for i in "${!RATES[@]}"; do
	read -r SIFT_PCT[$i] SIFT_MS[$i] SIFT_OFF[$i] < <(point "${ATTACKERS[$i]}" "${RATES[$i]}" $((1000 + i)))
done
BANS=$(siftctl -j ban list | jq length)
# a banned source's flood, on one core: the generator and the drops share it
siftctl ban add "$LAB_GEN_V4" ttl 600 >/dev/null
BANNED0=$(siftctl -j stats show | jq .shield.banned.packets)
read -r _ BAN_SENT _ BAN_SECS < <(gen "$LAB_GEN_V4" 1 "$SECS")
DROPPED=$(($(siftctl -j stats show | jq .shield.banned.packets) - BANNED0))
# the same banned source from both CPUs: what the drops cost when they share a ban
read -r _ BAN2_SENT _ BAN2_SECS < <(gen "$LAB_GEN_V4" 2 "$SECS")
siftd_stop

"$FWD" drop "$LAB_RTR" "$LAB_RTR_GEN_IF"
read -r _ BARE_SENT _ BARE_SECS < <(gen "$LAB_GEN_V4" 1 "$SECS")
read -r _ BARE2_SENT _ BARE2_SECS < <(gen "$LAB_GEN_V4" 2 "$SECS")
"$FWD" detach "$LAB_RTR" "$LAB_RTR_GEN_IF"

# --- Kamailio with pike and an htable of bans -------------------------------------------
# Kamailio's usual flood defence: pike counts requests per source, an htable
# holds the banned sources (autoexpire), then stateless forward().
kamailio_config "$TMP/kamailio.cfg" <<EOF
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "pike.so"
loadmodule "htable.so"
modparam("pike", "sampling_time_unit", 2)
modparam("pike", "reqs_density_per_unit", 500)
modparam("pike", "remove_latency", 4)
modparam("htable", "htable", "ipban=>size=8;autoexpire=600;")
request_route {
	if (\$sht(ipban=>\$si) != \$null) {
		exit;
	}
	if (!pike_check_req()) {
		\$sht(ipban=>\$si) = 1;
		exit;
	}
	if (!mf_process_maxfwd_header("10")) {
		exit;
	}
	force_send_socket(udp:$LAB_RTR_BE_V4:5060);
	forward("$BE", 5060);
	exit;
}
EOF
# frames the generator sends need NAPI on rtr's side when no XDP program is there
ip netns exec "$LAB_RTR" ethtool -K "$LAB_RTR_GEN_IF" gro on >/dev/null 2>&1 || true
kamailio_start "$TMP/kamailio.cfg"
for i in "${!RATES[@]}"; do
	read -r KAM_PCT[$i] KAM_MS[$i] KAM_OFF[$i] < <(point "${ATTACKERS[$i]}" "${RATES[$i]}" $((2000 + i)))
	kamailio_stop
	kamailio_start "$TMP/kamailio.cfg" # every flood rate against a fresh ban table
done
kamailio_stop

# --- what the shield costs what it lets through ------------------------------------------
# Nothing limited (limits far above the flood): the shield's lookups and, with
# many sources, its buckets' working set.  A counting sink replaces sipp in be.
kill "$UAS" && wait "$UAS" 2>/dev/null || true
sink_start
cost() { # ENABLED SOURCES: forwarded per second at the sink
	local arrived
	sift_config "$TMP/cost.yaml" <<EOF
routes:
  - group: core
health:
  interval: 0
shield:
  enabled: $1
  limits:
    invite: { rate: 10000000, burst: 1000000 }
EOF
	siftd_start "$TMP/cost.yaml"
	read -r arrived _ < <(GEN_SOURCES=$2 rate gen 198.19.0.0 1 "$SECS")
	siftd_stop
	echo "$arrived"
}
COST_OFF=$(cost false 1)
COST_ON1=$(cost true 1)
COST_ON64K=$(cost true 65536)

BAN_PPS=$(awk -v n="$BAN_SENT" -v s="$BAN_SECS" 'BEGIN { printf "%.0f", n / s }')
BARE_PPS=$(awk -v n="$BARE_SENT" -v s="$BARE_SECS" 'BEGIN { printf "%.0f", n / s }')
BAN2_PPS=$(awk -v n="$BAN2_SENT" -v s="$BAN2_SECS" 'BEGIN { printf "%.0f", n / s }')
BARE2_PPS=$(awk -v n="$BARE2_SENT" -v s="$BARE2_SECS" 'BEGIN { printf "%.0f", n / s }')
for i in "${!RATES[@]}"; do
	echo "BENCH shield_legit_pct_${NAMES[$i]} ${SIFT_PCT[$i]} %"
	echo "BENCH shield_kamailio_legit_pct_${NAMES[$i]} ${KAM_PCT[$i]} %"
	echo "BENCH shield_legit_setup_ms_${NAMES[$i]} ${SIFT_MS[$i]} ms"
	echo "BENCH shield_kamailio_legit_setup_ms_${NAMES[$i]} ${KAM_MS[$i]} ms"
	echo "BENCH shield_flood_pps_offered_${NAMES[$i]} ${SIFT_OFF[$i]} msg/s"
	echo "BENCH shield_kamailio_flood_pps_offered_${NAMES[$i]} ${KAM_OFF[$i]} msg/s"
done
echo "BENCH shield_flood_pps_offered ${SIFT_OFF[3]} msg/s"
echo "BENCH shield_bans_imposed $BANS bans"
echo "BENCH shield_ban_drop_pps $BAN_PPS msg/s"
echo "BENCH shield_ban_dropped_pct $(awk -v d="$DROPPED" -v n="$BAN_SENT" 'BEGIN { printf "%.1f", n ? 100 * d / n : 0 }') %"
echo "BENCH shield_bare_drop_pps $BARE_PPS msg/s"
echo "BENCH shield_ratio_ban_bare $(ratio "$BAN_PPS" "$BARE_PPS") ratio"
echo "BENCH shield_ban_drop_pps_2cpu $BAN2_PPS msg/s"
echo "BENCH shield_bare_drop_pps_2cpu $BARE2_PPS msg/s"
echo "BENCH shield_ratio_ban_bare_2cpu $(ratio "$BAN2_PPS" "$BARE2_PPS") ratio"
echo "BENCH shield_cost_fwd_pps_off $COST_OFF msg/s"
echo "BENCH shield_cost_fwd_pps_on_1src $COST_ON1 msg/s"
echo "BENCH shield_cost_fwd_pps_on_65536src $COST_ON64K msg/s"
echo "BENCH shield_cost_ratio_1src $(ratio "$COST_ON1" "$COST_OFF") ratio"
echo "BENCH shield_cost_ratio_65536src $(ratio "$COST_ON64K" "$COST_OFF") ratio"
