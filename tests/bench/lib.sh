# SPDX-License-Identifier: GPL-2.0
# What the lab benchmarks share: their own lab, cleanup on any exit, the
# traffic tools, siftd and Kamailio in the router's place.
#
# A benchmark sets BENCH (its name) and sources this file.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$TOP"
B=$TOP/build
FWD=$B/bench/fwd_bench
MSG=$TOP/tests/bench/msgs/fwd_invite600.sip
SECS=${BENCH_SECONDS:-5}
PREFIX=${SIFT_TEST_TAG:-}b${BENCH:0:1}-
PIN=/sys/fs/bpf/sift-bench-${SIFT_TEST_TAG:-}$BENCH
SIFT_PIN=/sys/fs/bpf/sift-bench-${SIFT_TEST_TAG:-}$BENCH-sift
TMP=$(mktemp -d "/tmp/sift-bench-$BENCH.XXXXXX")
PIDS=()

bench_cleanup() {
	local p
	set +e # clean up everything, whatever fails on the way
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	scripts/lab.sh -p "$PREFIX" down >/dev/null 2>&1 || true
	rm -rf "$PIN" "$SIFT_PIN"
	[ -n "${KEEP_TMP:-}" ] && echo "bench-$BENCH: kept $TMP" >&2 || rm -rf "$TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "bench-$BENCH: needs root" >&2; exit 1; }
command -v kamailio >/dev/null ||
	{ echo "bench-$BENCH: needs kamailio (scripts/deps.sh bench)" >&2; exit 1; }
scripts/lab.sh -p "$PREFIX" down >/dev/null 2>&1 || true
scripts/lab.sh -p "$PREFIX" up >/dev/null
eval "$(scripts/lab.sh -p "$PREFIX" env)"
BE=$(set -- $LAB_BE_V4_ALL; echo "$1")

mac() { ip -n "$1" -j link show "$2" | jq -r '.[0].address'; }
RTR_GEN_MAC=$(mac "$LAB_RTR" "$LAB_RTR_GEN_IF")
GEN_MAC=$(mac "$LAB_GEN" "$LAB_GEN_IF")
BE_MAC=$(mac "$LAB_BE" "$LAB_BE_IF")

# gen SOURCE THREADS SECONDS [RATE]: the in-kernel generator's INVITEs from SOURCE
gen() {
	"$FWD" gen "$LAB_GEN" "$LAB_GEN_IF" "$MSG" "$RTR_GEN_MAC" "$GEN_MAC" "$1" "$LAB_RTR_GEN_V4" \
		"$2" "$3" ${4:+"$4"}
}

# sift_config FILE: siftd's config for rtr: both interfaces, be's first address
# the one backend of group core; routes, health and shield come on stdin
sift_config() {
	{
		cat <<EOF
interfaces:
  - name: $LAB_RTR_GEN_IF
  - name: $LAB_RTR_BE_IF
groups:
  - name: core
    backends:
      - address: $BE
daemon:
  log_level: warn
EOF
		cat
	} >"$1"
}

# sink_start: a counting XDP sink in be, in any backend's place; rtr keeps be's
# neighbour entry as sift's probes would (the sink eats the probes)
sink_start() {
	ip -n "$LAB_RTR" neigh replace "$BE" lladdr "$BE_MAC" nud permanent dev "$LAB_RTR_BE_IF"
	"$FWD" sink "$LAB_BE" "$LAB_BE_IF" "$PIN"
}
count() { "$FWD" count "$PIN"; }

# rate CMD...: "ARRIVED OFFERED", messages per second at the sink and from
# the generator CMD while it runs
rate() {
	local c0 c1 out
	c0=$(count)
	out=$("$@")
	c1=$(count)
	awk -v n=$((c1 - c0)) '{ printf "%.0f %.0f\n", n / $4, $2 / $4 }' <<<"$out"
}

# siftd_start CONFIG: siftd in rtr; waits for its control socket
siftd_start() {
	nsenter --net="/run/netns/$LAB_RTR" "$B/siftd" -p "$SIFT_PIN" -r "$TMP/run" -c "$1" \
		>"$TMP/siftd.log" 2>&1 &
	SIFTD=$!
	PIDS+=("$SIFTD")
	# answered once its loop runs, which is after its SIP sockets are open (the socket
	# file alone appears earlier, and a stopped siftd's may still be there)
	for _ in $(seq 100); do
		siftctl -j daemon show >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "bench-$BENCH: siftd did not start" >&2
	cat "$TMP/siftd.log" >&2
	exit 1
}
siftd_stop() {
	kill "$SIFTD"
	wait "$SIFTD" 2>/dev/null || true
}
siftctl() { SIFT_PIN_PATH=$SIFT_PIN SIFT_RUN_DIR=$TMP/run "$B/siftctl" "$@"; }

# kamailio_config FILE: Kamailio in rtr's place, listening on both sides, 4 children;
# the modules and the routing logic come on stdin
kamailio_config() {
	{
		cat <<EOF
#!KAMAILIO
debug=0
log_stderror=yes
children=4
listen=udp:$LAB_RTR_GEN_V4:5060
listen=udp:$LAB_RTR_BE_V4:5060
auto_aliases=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
EOF
		cat
	} >"$1"
}

# kamailio_start CONFIG: Kamailio in rtr; waits for its SIP socket
kamailio_start() {
	kamailio -c -f "$1" >"$TMP/kamailio-check.log" 2>&1 ||
		{ echo "bench-$BENCH: kamailio rejects its config" >&2; cat "$TMP/kamailio-check.log" >&2; exit 1; }
	ip netns exec "$LAB_RTR" kamailio -f "$1" -DD -E -m 128 -M 16 -P "$TMP/kamailio.pid" \
		>"$TMP/kamailio.log" 2>&1 &
	KAM=$!
	PIDS+=("$KAM")
	for _ in $(seq 100); do
		ip netns exec "$LAB_RTR" ss -Hlun "sport = :5060" | grep -q . && break
		sleep 0.1
	done
	sleep 0.5
}
kamailio_stop() {
	kill "$KAM"
	wait "$KAM" 2>/dev/null || true
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
