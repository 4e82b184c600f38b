#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-fwd: forwarded INVITEs per second through the lab's router, in
# one run, for
#   sift          sift_xdp forwarding gen -> be, in-kernel generator in gen
#                 (BPF_PROG_RUN, live frames), 1 and 2 threads
#   scan+redirect a bare XDP program that scans the payload for line feeds
#                 and redirects: the ceiling for any XDP forwarder here
#   Kamailio 5.6  stateless forward() in rtr, a userspace blaster in gen
# A counting XDP sink in be counts what arrives.  Each figure is the count
# at the sink over the run's duration.  Prints BENCH lines.
#
# BENCH_SECONDS (default 5) sets each run's length.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
B=$TOP/build
FWD=$B/bench/fwd_bench
MSG=$TOP/tests/bench/msgs/fwd_invite600.sip
SECS=${BENCH_SECONDS:-5}
PREFIX=bf-
PIN=/sys/fs/bpf/sift-bench-fwd
SIFT_PIN=/sys/fs/bpf/sift-bench-fwd-sift
TMP=$(mktemp -d /tmp/sift-bench-fwd.XXXXXX)
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	scripts/lab.sh -p "$PREFIX" down >/dev/null 2>&1 || true
	rm -rf "$PIN" "$SIFT_PIN" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "bench-fwd: needs root" >&2; exit 1; }
command -v kamailio >/dev/null || { echo "bench-fwd: needs kamailio (scripts/deps.sh bench)" >&2; exit 1; }
scripts/lab.sh -p "$PREFIX" down >/dev/null 2>&1 || true
scripts/lab.sh -p "$PREFIX" up >/dev/null
eval "$(scripts/lab.sh -p "$PREFIX" env)"
BE=$(set -- $LAB_BE_V4_ALL; echo "$1")

mac() { ip -n "$1" -j link show "$2" | jq -r '.[0].address'; }
RTR_GEN_MAC=$(mac "$LAB_RTR" "$LAB_RTR_GEN_IF")
GEN_MAC=$(mac "$LAB_GEN" "$LAB_GEN_IF")
BE_MAC=$(mac "$LAB_BE" "$LAB_BE_IF")
# the backend's neighbour entry, as sift's probes would keep it (the sink eats probes)
ip -n "$LAB_RTR" neigh replace "$BE" lladdr "$BE_MAC" nud permanent dev "$LAB_RTR_BE_IF"
ip -n "$LAB_RTR" neigh replace "$LAB_GEN_V4" lladdr "$GEN_MAC" nud permanent dev "$LAB_RTR_GEN_IF"

"$FWD" sink "$LAB_BE" "$LAB_BE_IF" "$PIN"
count() { "$FWD" count "$PIN"; }

# rate GENERATOR ARGS...: "ARRIVED OFFERED", messages per second at the sink
# and from the generator while it runs
rate() {
	local c0 c1 out
	c0=$(count)
	out=$("$FWD" "$@")
	c1=$(count)
	awk -v n=$((c1 - c0)) '{ printf "%.0f %.0f\n", n / $4, $2 / $4 }' <<<"$out"
}
gen() { # gen THREADS
	rate gen "$LAB_GEN" "$LAB_GEN_IF" "$MSG" "$RTR_GEN_MAC" "$GEN_MAC" "$LAB_GEN_V4" \
		"$LAB_RTR_GEN_V4" "$1" "$SECS"
}

# --- sift -------------------------------------------------------------------------
cat >"$TMP/sift.yaml" <<EOF
interfaces:
  - name: $LAB_RTR_GEN_IF
  - name: $LAB_RTR_BE_IF
groups:
  - name: core
    backends:
      - address: $BE
routes:
  - group: core
health:
  interval: 0
daemon:
  log_level: warn
EOF
nsenter --net="/run/netns/$LAB_RTR" "$B/siftd" -p "$SIFT_PIN" -r "$TMP/run" -c "$TMP/sift.yaml" \
	>"$TMP/siftd.log" 2>&1 &
SIFTD=$!
PIDS+=("$SIFTD")
for _ in $(seq 100); do
	[ -S "$TMP/run/siftd.sock" ] && break
	sleep 0.1
done
read -r SIFT1 OFF_SIFT1 < <(gen 1)
read -r SIFT2 OFF_SIFT2 < <(gen 2)
STATS=$(SIFT_PIN_PATH=$SIFT_PIN "$B/siftctl" -j stats show)
kill "$SIFTD"
wait "$SIFTD" 2>/dev/null || true
PUNTS=$(jq '.forward.punt.packets + .forward.drop.packets' <<<"$STATS")

# --- the bare XDP reference ----------------------------------------------------------
"$FWD" scan "$LAB_RTR" "$LAB_RTR_GEN_IF" "$LAB_RTR_BE_IF"
read -r SCAN1 _ < <(gen 1)
read -r SCAN2 _ < <(gen 2)
"$FWD" detach "$LAB_RTR" "$LAB_RTR_GEN_IF"

# --- Kamailio ------------------------------------------------------------------------
cat >"$TMP/kamailio.cfg" <<EOF
#!KAMAILIO
# Stateless forwarding, as light as Kamailio does it: Max-Forwards, forward().
debug=0
log_stderror=yes
children=4
listen=udp:$LAB_RTR_GEN_V4:5060
listen=udp:$LAB_RTR_BE_V4:5060
auto_aliases=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "maxfwd.so"
request_route {
	if (!mf_process_maxfwd_header("10")) {
		drop;
	}
	force_send_socket(udp:$LAB_RTR_BE_V4:5060);
	forward("$BE", 5060);
	exit;
}
EOF
kamailio -c -f "$TMP/kamailio.cfg" >/dev/null 2>&1 || { echo "bench-fwd: kamailio rejects its config" >&2; exit 1; }
ip netns exec "$LAB_RTR" kamailio -f "$TMP/kamailio.cfg" -DD -E -m 128 -M 16 -P "$TMP/kamailio.pid" \
	>"$TMP/kamailio.log" 2>&1 &
KAM=$!
PIDS+=("$KAM")
for _ in $(seq 100); do
	ip netns exec "$LAB_RTR" ss -Hlun "sport = :5060" | grep -q . && break
	sleep 0.1
done
sleep 0.5
read -r KAM1 OFF_KAM1 < <(rate blast "$LAB_GEN" "$MSG" "$LAB_GEN_V4" "$LAB_RTR_GEN_V4" 1 "$SECS")
kill "$KAM"
wait "$KAM" 2>/dev/null || true

best() { [ "$1" -ge "$2" ] && echo "$1" || echo "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
SIFT=$(best "$SIFT1" "$SIFT2")
echo "BENCH fwd_sift_pps_1t $SIFT1 msg/s"
echo "BENCH fwd_sift_pps_2t $SIFT2 msg/s"
echo "BENCH fwd_scan_redirect_pps_1t $SCAN1 msg/s"
echo "BENCH fwd_scan_redirect_pps_2t $SCAN2 msg/s"
echo "BENCH fwd_kamailio_pps $KAM1 msg/s"
echo "BENCH fwd_kamailio_offered_pps $OFF_KAM1 msg/s"
echo "BENCH fwd_sift_offered_pps_1t $OFF_SIFT1 msg/s"
echo "BENCH fwd_sift_offered_pps_2t $OFF_SIFT2 msg/s"
echo "BENCH fwd_sift_refused $PUNTS msgs"
echo "BENCH fwd_ratio_kamailio $(ratio "$SIFT" "$KAM1") ratio"
echo "BENCH fwd_ratio_scan $(ratio "$SIFT1" "$SCAN1") ratio"
echo "BENCH fwd_ratio_scan_2t $(ratio "$SIFT2" "$SCAN2") ratio"
