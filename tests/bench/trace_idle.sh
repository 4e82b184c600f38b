#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-trace: what the live trace's hook costs the fast path while no
# trace runs.  The same harness (bench_parse, BENCH_IDLE=1, best of 3
# inside each run) runs on this build and on one compiled with
# SIFT_NO_TRACE, alternately, ROUNDS (5) times; each figure is the median
# of the rounds.  Prints BENCH lines:
#   trace_idle_parse_invite600_ns_{hook,nohook}  the whole program on a
#       600-byte INVITE addressed to sift, forwarding off (the exit hook)
#   trace_idle_fwd_invite600_ns_{hook,nohook}    one run that forwards it
#       (both hooks), harness included
#   ..._delta_ns, ..._ratio                      hook - nohook, hook / nohook
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${BENCH_ROUNDS:-5}
REPEAT=${BENCH_REPEAT:-300000}
declare -A V
for r in $(seq "$ROUNDS"); do
	# alternate which build goes first: drift in the machine's load falls on both
	if [ $((r % 2)) = 1 ]; then order="hook nohook"; else order="nohook hook"; fi
	for b in $order; do
		bin=build/bench/bench_parse
		[ "$b" = nohook ] && bin=build/bench/bench_parse_notrace
		while read -r _ name val _; do
			V[$b.$name]+="$val "
		done < <(BENCH_IDLE=1 BENCH_ROUNDS=3 BENCH_REPEAT=$REPEAT "$bin" | grep -E '^BENCH (parse_invite600_ns|fwd_run_invite600_ns) ')
	done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for what in parse_invite600 fwd_run_invite600; do
	h=$(median <<<"${V[hook.${what}_ns]}")
	n=$(median <<<"${V[nohook.${what}_ns]}")
	short=${what/_run/}
	echo "BENCH trace_idle_${short}_ns_hook $h ns"
	echo "BENCH trace_idle_${short}_ns_nohook $n ns"
	echo "BENCH trace_idle_${short}_delta_ns $((h - n)) ns"
	echo "BENCH trace_idle_${short}_ratio $(awk -v h="$h" -v n="$n" 'BEGIN { printf "%.3f", h / n }') ratio"
done
