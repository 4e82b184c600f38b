#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: bring the lab up, run siftd on its router as the stateless proxy
# in front of three backends, place a short sipp call load through it, drain
# a backend live, show what sift did, tear everything down.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
LAB="$TOP/scripts/lab.sh -p demo-"
PIN=/sys/fs/bpf/sift-demo
TMP=$(mktemp -d /tmp/sift-demo.XXXXXX)
SIFTD_PID=
UAS_PIDS=()

cleanup() {
	local p
	for p in "${UAS_PIDS[@]}" $SIFTD_PID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	$LAB down >/dev/null 2>&1 || true
	rm -rf "$PIN" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "make demo needs root (network namespaces, XDP)" >&2; exit 1; }
grep -q ' /sys/fs/bpf bpf ' /proc/mounts || mount -t bpf bpf /sys/fs/bpf

$LAB up
eval "$($LAB env)"
export SIFT_PIN_PATH=$PIN SIFT_RUN_DIR=$TMP/run
SIFTCTL=$TOP/build/siftctl

cat >"$TMP/sift.yaml" <<CONF
interfaces:
  - name: $LAB_RTR_GEN_IF
  - name: $LAB_RTR_BE_IF
sip:
  ports: [5060]
groups:
  - name: core
    backends:
$(for a in $LAB_BE_V4_ALL; do echo "      - address: $a"; done)
routes:
  - group: core
    record_route: true
health:
  interval: 1
CONF
echo
echo "--- siftd on $LAB_RTR: the proxy in front of three backends in $LAB_BE"
sed 's/^/    /' "$TMP/sift.yaml"
nsenter --net="/run/netns/$LAB_RTR" "$TOP/build/siftd" -p "$PIN" -r "$SIFT_RUN_DIR" \
	-c "$TMP/sift.yaml" >"$TMP/siftd.log" 2>&1 &
SIFTD_PID=$!
for _ in $(seq 50); do grep -q "running (pid" "$TMP/siftd.log" && break; sleep 0.1; done
cat "$TMP/siftd.log"
"$SIFTCTL" prog show

for a in $LAB_BE_V4_ALL; do
	(cd "$TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$TOP/tests/lab/scenarios/uas.xml" \
		-i "$a" -p 5060 -aa -nostdin -timeout 120s >/dev/null 2>&1) &
	UAS_PIDS+=($!)
done
sleep 2

calls() { # calls N: sipp UAC in gen calls sift's address; ACK and BYE follow Record-Route
	if (cd "$TMP" && timeout 90 ip netns exec "$LAB_GEN" sipp \
		-sf "$TOP/tests/lab/scenarios/uac_rr.xml" "$LAB_RTR_GEN_V4:5060" -i "$LAB_GEN_V4" \
		-p 5070 -s 1000 -m "$1" -r 40 -d 100 -nostdin -timeout 60s >"$TMP/uac.log" 2>&1); then
		echo "sipp: $1 calls completed"
	else
		echo "sipp: some calls failed:"
		grep -E 'Successful call|Failed call' "$TMP/uac.log" | tail -2
	fi
}

CALLS=${DEMO_CALLS:-200} # at 40 a second: under the shield's default limit of 50 INVITEs per source
echo
echo "--- $CALLS calls: sipp UAC in $LAB_GEN -> sift in $LAB_RTR -> three sipp UAS in $LAB_BE"
calls "$CALLS"
"$SIFTCTL" backend show

echo
echo "--- drain one backend live, and call again"
"$SIFTCTL" backend set core "$(set -- $LAB_BE_V4_ALL; echo "$2")" state drain
calls "$CALLS"
"$SIFTCTL" backend show

echo
echo "--- a SIP scanner (sipvicious svmap) from $LAB_GEN: the shield drops it, silently,"
echo "    and siftctl trace (filtered in XDP: only what is dropped) shows it happen"
nsenter --net="/run/netns/$LAB_RTR" "$SIFTCTL" trace verdict drop count 1 duration 10 \
	>"$TMP/trace.txt" 2>&1 &
TRACE_PID=$!
UAS_PIDS+=("$TRACE_PID")
sleep 0.5
ip netns exec "$LAB_GEN" timeout 30 svmap "$LAB_RTR_GEN_V4" -p 5060 2>&1 | tail -2 || true
wait "$TRACE_PID" 2>/dev/null || true
cat "$TMP/trace.txt"
"$SIFTCTL" stats show | sed -n '/^shield/,/^$/p'

echo
echo "--- siftctl stats show"
"$SIFTCTL" stats show
echo
echo "--- siftctl daemon show"
"$SIFTCTL" daemon show
echo
kill "$SIFTD_PID"
wait "$SIFTD_PID" 2>/dev/null || true
SIFTD_PID=
tail -n +4 "$TMP/siftd.log"
