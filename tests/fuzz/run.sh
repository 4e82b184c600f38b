#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the SIP parser's fuzz target for FUZZ_SECONDS (default 60), seeded with
# the corpus; the inputs it discovers stay in a scratch directory.  Any crash,
# sanitizer report or failed invariant fails the run; the input is kept in
# build/fuzz/ for a repro (build/fuzz/fuzz_sip FILE).
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-60}
work=$(mktemp -d /tmp/sift-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
build/fuzz/fuzz_sip -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -max_len=4096 -error_exitcode=1 \
	-dict=tests/fuzz/sip.dict -artifact_prefix=build/fuzz/ -print_final_stats=1 \
	"$work" tests/corpus/rfc4475 tests/corpus/rfc5118 tests/corpus/flows >"$work.log" 2>&1
status=$?
grep -E 'seed corpus|DONE|number_of_executed_units|peak_rss|ERROR|invariant|SUMMARY|written to' "$work.log"
[ $status = 0 ] || tail -40 "$work.log"
rm -f "$work.log"
echo "fuzz: $secs s, exit $status"
exit $status
