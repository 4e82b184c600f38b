#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every test suite and end with one line: "N passed, N failed, N skipped".
#   unit   Check suites of the userspace modules
#   bpf    the loaded sift_xdp via BPF_PROG_TEST_RUN
#   lab    end-to-end through network namespaces (tests/lab/*.sh, TAP)
#   fuzz   the native SIP parser under libFuzzer for FUZZ_SECONDS (default 60)
# With CI=true nothing may skip: a suite that cannot run is a failure.
#
# Usage: tests/run.sh [SUITE...]   (default: all; SUITE is unit, bpf, lab, fuzz or a lab script)
set -uo pipefail
cd "$(dirname "$0")/.."

PASS=0 FAIL=0 SKIP=0
FAILED=()
B=build

grep -q ' /sys/fs/bpf bpf ' /proc/mounts 2>/dev/null ||
	{ [ "$(id -u)" = 0 ] && mount -t bpf bpf /sys/fs/bpf 2>/dev/null; } || true

# check_suite NAME BINARY: a Check runner; its summary line gives the counts.
check_suite() {
	local name=$1 bin=$2 out rc checks fails errs
	echo "=== $name"
	out=$("$bin" 2>&1)
	rc=$?
	echo "$out"
	if [ $rc = 77 ]; then
		SKIP=$((SKIP + 1))
		return
	fi
	read -r checks fails errs < <(sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' <<<"$out" | tail -1)
	if [ -z "${checks:-}" ]; then
		FAIL=$((FAIL + 1))
		FAILED+=("$name (exit $rc, no summary)")
		return
	fi
	PASS=$((PASS + checks - fails - errs))
	FAIL=$((FAIL + fails + errs))
	if [ $rc != 0 ] || [ $((fails + errs)) != 0 ]; then FAILED+=("$name"); fi
}

# tap_suite SCRIPT: a lab script printing TAP.
tap_suite() {
	local script=$1 out rc p f
	echo "=== lab: $(basename "$script")"
	out=$(timeout 600 bash "$script" 2>&1)
	rc=$?
	echo "$out"
	if grep -q '^1\.\.0 # SKIP' <<<"$out"; then
		SKIP=$((SKIP + 1))
		return
	fi
	p=$(grep -c '^ok ' <<<"$out")
	f=$(grep -c '^not ok ' <<<"$out")
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	if [ $rc != 0 ] && [ "$f" = 0 ]; then
		FAIL=$((FAIL + 1))
		f=1
	fi
	[ "$f" != 0 ] && FAILED+=("lab: $(basename "$script")")
}

# fuzz_suite: a bounded libFuzzer run; one pass or one failure.
fuzz_suite() {
	echo "=== fuzz"
	if tests/fuzz/run.sh; then
		PASS=$((PASS + 1))
	else
		FAIL=$((FAIL + 1))
		FAILED+=("fuzz")
	fi
}

run_suite() {
	case $1 in
	fuzz) fuzz_suite ;;
	unit) check_suite unit "$B/tests/unit_tests" ;;
	bpf) check_suite bpf "$B/tests/bpf_tests" ;;
	lab) for s in tests/lab/[0-9]*.sh; do tap_suite "$s"; done ;;
	*.sh) tap_suite "$1" ;;
	*) echo "unknown suite $1" >&2; exit 2 ;;
	esac
}

start=$SECONDS
if [ $# = 0 ]; then set -- unit bpf lab fuzz; fi
for s in "$@"; do run_suite "$s"; done

echo
for f in "${FAILED[@]}"; do echo "FAILED: $f"; done
if [ "${CI:-}" = true ] && [ $SKIP != 0 ]; then
	echo "CI=true: $SKIP suite(s) skipped, which counts as failure"
	FAIL=$((FAIL + SKIP))
fi
echo "tests took $((SECONDS - start)) s"
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ $FAIL = 0 ]
