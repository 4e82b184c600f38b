#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/compare.sh REF [ROUNDS [BENCH...]]: a change's cost, measured
# in one run.  REF is another checkout (say a `git worktree` at main before
# the change) with its benchmarks built (make all build/bench/bench_parse
# build/bench/fwd_bench build/lab/lab_pass.bpf.o).  The benchmarks (default
# bench_parse; fwd for tests/bench/fwd.sh) of REF and of this checkout run
# alternately, ROUNDS times each (default 5); printed per figure: REF's
# median, ours, and ours / REF.  This VM's speed drifts over minutes, so
# only interleaved medians compare.
#
# BENCH_REPEAT (default here 300,000) and BENCH_SECONDS (default here 3)
# shorten each run.
set -euo pipefail
REF=$(cd "${1:?usage: $0 REF [ROUNDS [BENCH...]]}" && pwd)
ROUNDS=${2:-5}
shift $(($# > 2 ? 2 : $#))
[ $# -gt 0 ] || set -- bench_parse
HERE=$(cd "$(dirname "$0")/../.." && pwd)
export BENCH_REPEAT=${BENCH_REPEAT:-300000} BENCH_ROUNDS=${BENCH_ROUNDS:-3}
export BENCH_SECONDS=${BENCH_SECONDS:-3}
OUT=$(mktemp -d /tmp/sift-compare.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

run() { # run DIR BENCH: BENCH lines on stdout
	case $2 in
	bench_parse) (cd "$1" && build/bench/bench_parse 2>/dev/null) ;;
	fwd) (cd "$1" && tests/bench/fwd.sh 2>/dev/null) ;;
	*) echo "compare: unknown benchmark $2" >&2; exit 2 ;;
	esac | grep '^BENCH '
}

for ((r = 1; r <= ROUNDS; r++)); do
	for b in "$@"; do
		for side in ref ours; do
			dir=$REF
			[ $side = ours ] && dir=$HERE
			run "$dir" "$b" | awk -v s=$side '{ print s, $2, $3 }' >>"$OUT/all"
		done
	done
	echo "compare: round $r of $ROUNDS done" >&2
done

# the median per side and figure, then the ratio
awk '
	{ v[$1 " " $2] = v[$1 " " $2] " " $3; names[$2] = 1 }
	function median(list,   a, n, i, j, t) {
		n = split(list, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n ? (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) : ""
	}
	END {
		printf "%-36s %14s %14s %8s\n", "figure", "ref", "ours", "ours/ref"
		for (k in names) {
			r = median(v["ref " k]); o = median(v["ours " k])
			printf "%-36s %14s %14s %8s\n", k, r, o, (r != "" && o != "" && r + 0 != 0) ? sprintf("%.3f", o / r) : "-"
		}
	}' "$OUT/all" | sort
