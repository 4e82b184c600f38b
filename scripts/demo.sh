#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: bring the lab up, run siftd on its router, place a short sipp
# call load through it, show what sift saw, tear everything down.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
LAB="$TOP/scripts/lab.sh -p demo-"
PIN=/sys/fs/bpf/sift-demo
TMP=$(mktemp -d /tmp/sift-demo.XXXXXX)
SIFTD_PID= UAS_PID=

cleanup() {
	[ -n "$UAS_PID" ] && kill "$UAS_PID" 2>/dev/null && wait "$UAS_PID" 2>/dev/null
	[ -n "$SIFTD_PID" ] && kill "$SIFTD_PID" 2>/dev/null && wait "$SIFTD_PID" 2>/dev/null
	$LAB down >/dev/null 2>&1 || true
	rm -rf "$PIN" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "make demo needs root (network namespaces, XDP)" >&2; exit 1; }
grep -q ' /sys/fs/bpf bpf ' /proc/mounts || mount -t bpf bpf /sys/fs/bpf

$LAB up
eval "$($LAB env)"
export SIFT_PIN_PATH=$PIN

cat >"$TMP/sift.yaml" <<CONF
interfaces:
  - name: $LAB_RTR_GEN_IF
  - name: $LAB_RTR_BE_IF
sip:
  ports: [5060]
CONF
echo
echo "--- siftd on $LAB_RTR ($LAB_RTR_GEN_IF, $LAB_RTR_BE_IF)"
nsenter --net="/run/netns/$LAB_RTR" "$TOP/build/siftd" -p "$PIN" -c "$TMP/sift.yaml" \
	>"$TMP/siftd.log" 2>&1 &
SIFTD_PID=$!
for _ in $(seq 50); do grep -q "running (pid" "$TMP/siftd.log" && break; sleep 0.1; done
cat "$TMP/siftd.log"
"$TOP/build/siftctl" prog show

CALLS=${DEMO_CALLS:-200}
echo
echo "--- $CALLS calls: sipp UAC in $LAB_GEN -> sipp UAS in $LAB_BE, through $LAB_RTR"
(cd "$TMP" && exec ip netns exec "$LAB_BE" sipp -sn uas -i "$LAB_BE_V4" -p 5060 -m "$CALLS" \
	-nostdin -timeout 60s >"$TMP/uas.log" 2>&1) &
UAS_PID=$!
sleep 0.3
if (cd "$TMP" && timeout 90 ip netns exec "$LAB_GEN" sipp -sn uac "$LAB_BE_V4:5060" \
	-i "$LAB_GEN_V4" -p 5060 -m "$CALLS" -r 100 -d 100 -nostdin -timeout 60s \
	>"$TMP/uac.log" 2>&1); then
	echo "sipp: $CALLS calls completed"
else
	echo "sipp: some calls failed:"
	grep -E 'Successful call|Failed call' "$TMP/uac.log" | tail -2
fi
wait "$UAS_PID" 2>/dev/null || true
UAS_PID=

echo
echo "--- siftctl stats show"
"$TOP/build/siftctl" stats show
echo
kill "$SIFTD_PID"
wait "$SIFTD_PID" 2>/dev/null || true
SIFTD_PID=
tail -n +4 "$TMP/siftd.log"
