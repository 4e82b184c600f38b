# SPDX-License-Identifier: GPL-2.0
# Helpers for lab tests: a lab of their own, TAP output, cleanup on any exit.
#
# A test script sources this file, calls `lab_init NAME`, then uses the
# helpers.  Everything it starts is killed by PID and the lab is torn down
# on exit, whether the test passed, failed or was interrupted.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIFTD=$TOP/build/siftd
SIFTCTL=$TOP/build/siftctl
UDPSEND=$TOP/build/tests/udpsend
LAB_PASS_OBJ=$TOP/build/lab/lab_pass.bpf.o
LAB=$TOP/scripts/lab.sh

T_PASS=0
T_FAIL=0
T_N=0
T_PIDS=()
T_TMP=

ok() { T_N=$((T_N + 1)); T_PASS=$((T_PASS + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
check() { # check DESC CMD...: ok if CMD succeeds
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
check_eq() { # check_eq DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', want '$3')"; fi
}
check_ge() { # check_ge DESC GOT MIN
	if [ "$2" -ge "$3" ] 2>/dev/null; then ok "$1"; else not_ok "$1 (got '$2', want >= $3)"; fi
}
diag() { echo "# $*"; }

# The test cannot run here.  In CI that is a failure, never a skip.
skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - cannot run: $* (CI=true: lab tests must run)"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

need_lab() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
	command -v ip >/dev/null || skip_all "needs iproute2"
	ip netns add "sift-probe-$$" 2>/dev/null || skip_all "cannot create network namespaces"
	ip netns del "sift-probe-$$"
	[ -x "$SIFTD" ] && [ -x "$SIFTCTL" ] && [ -x "$UDPSEND" ] && [ -f "$LAB_PASS_OBJ" ] ||
		skip_all "build first (make all build/tests/udpsend build/lab/lab_pass.bpf.o)"
	grep -q ' /sys/fs/bpf bpf ' /proc/mounts || mount -t bpf bpf /sys/fs/bpf ||
		skip_all "no bpffs"
}

lab_cleanup() {
	local pid
	for pid in "${T_PIDS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	T_PIDS=()
	"$LAB" -p "$LAB_PREFIX" down >/dev/null 2>&1 || true
	[ -n "${PIN:-}" ] && [ -d "$PIN" ] && rm -rf "$PIN"
	[ -n "$T_TMP" ] && [ -z "${KEEP_TMP:-}" ] && rm -rf "$T_TMP"
}

lab_finish() {
	local rc=$?
	lab_cleanup
	echo "1..$T_N"
	[ "$T_FAIL" = 0 ] && [ "$rc" = 0 ] && [ "$T_N" -gt 0 ]
}

# lab_init NAME: a lab named after the test, maps pinned apart from any other.
# SIFT_TEST_TAG (a letter or two) keeps labs of checkouts tested side by side apart.
lab_init() {
	need_lab
	LAB_PREFIX="${SIFT_TEST_TAG:-}t$1-"
	PIN=/sys/fs/bpf/sift-test-${SIFT_TEST_TAG:-}$1
	T_TMP=$(mktemp -d "/tmp/sift-$1.XXXXXX")
	trap lab_finish EXIT
	trap 'exit 130' INT TERM
	"$LAB" -p "$LAB_PREFIX" down >/dev/null 2>&1 || true
	rm -rf "$PIN"
	"$LAB" -p "$LAB_PREFIX" up >/dev/null || { not_ok "lab up"; exit 1; }
	eval "$("$LAB" -p "$LAB_PREFIX" env)"
	export SIFT_PIN_PATH=$PIN
	export SIFT_RUN_DIR=$T_TMP/run
}

# Run in the router namespace without `ip netns exec`, which would hide the
# host's bpffs behind a fresh /sys.
in_rtr() { nsenter --net="/run/netns/$LAB_RTR" "$@"; }
in_gen() { ip netns exec "$LAB_GEN" "$@"; }
in_be() { ip netns exec "$LAB_BE" "$@"; }

# wait_for SECONDS CMD...: poll until CMD succeeds; bounded.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
}

# start_siftd LOG ARGS...: siftd in rtr; sets SIFTD_PID once it runs.
start_siftd() {
	local log=$1
	shift
	# nsenter execs siftd: $! is siftd's own pid (a shell function would add a subshell).
	nsenter --net="/run/netns/$LAB_RTR" "$SIFTD" -p "$PIN" -r "$SIFT_RUN_DIR" "$@" >"$log" 2>&1 &
	SIFTD_PID=$!
	T_PIDS+=("$SIFTD_PID")
	if ! wait_for 10 grep -q "running (pid" "$log"; then
		diag "siftd did not start:"
		sed 's/^/#   /' "$log"
		return 1
	fi
}

# stop_pid PID: SIGTERM, wait (bounded), forget.
stop_pid() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$pid" 2>/dev/null
	local rc=$?
	T_PIDS=("${T_PIDS[@]/$pid/}")
	return $rc
}

# sift_conf FILE: siftd's configuration for rtr, on both interfaces; the rest
# of it comes on stdin.
sift_conf() {
	{
		printf 'interfaces:\n  - name: %s\n  - name: %s\n' "$LAB_RTR_GEN_IF" "$LAB_RTR_BE_IF"
		cat
	} >"$1"
}

# rtr_routes: make rtr route between gen and be.  The lab's rtr is a clean host
# that routes nothing; a test that sends plain traffic through it says so with
# this, and runs siftd with `transit: route` (else sift drops that traffic).
rtr_routes() { in_rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1; }

# udp_listen NS ADDR PORT LOG: a UDP listener in NS that logs what arrives
# (tests/lab/udp.py); returns once it is bound.
udp_listen() {
	local ns=$1
	shift
	(exec ip netns exec "$ns" python3 "$TOP/tests/lab/udp.py" listen "$@") &
	T_PIDS+=($!)
	wait_for 5 grep -qs '^ready$' "$3"
}

# xdp_prog_id NS IF: id of the XDP program on IF, empty if none.
xdp_prog_id() {
	ip -n "$1" -details link show "$2" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'
}

# stat_at_least SECONDS GROUP NAME MIN: poll until that packet counter reaches MIN.
stat_at_least() {
	local deadline=$((SECONDS + $1)) v
	while :; do
		v=$(stat_get "$2" "$3" packets) && [ "$v" -ge "$4" ] && return 0
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.05
	done
}

# stat_get GROUP NAME FIELD: one counter from `siftctl -j stats show`; fails if siftctl does.
stat_get() {
	local j
	j=$("$SIFTCTL" -j stats show) || return 1
	jq -er ".$1.$2.$3" <<<"$j"
}

# sipp_msgs CSV: SIP messages a sipp instance sent and received, retransmissions
# included, from the last line of its -trace_counts file.
sipp_msgs() {
	awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) name[i] = $i; next }
		{ last = $0 }
		END { n = split(last, v, ";"); s = 0
		      for (i = 1; i <= n; i++) if (name[i] ~ /_(Sent|Recv|Retrans|Unexp)$/) s += v[i]
		      print s }' "$1"
}

# run_calls N RATE UAC_IP UAS_IP [uac args]: sipp UAS in be, UAC in gen calling
# UAS_IP:5060 directly, N calls: rtr must route (rtr_routes and `transit: route`).
# Sets UAC_RC, UAS_RC and SIPP_MSGS (messages seen by the UAC).
run_calls() {
	local n=$1 rate=$2 uac_ip=$3 uas_ip=$4 target
	shift 4
	case $uas_ip in *:*) target="[$uas_ip]:5060" ;; *) target="$uas_ip:5060" ;; esac
	(cd "$T_TMP" && exec ip netns exec "$LAB_BE" sipp -sn uas -i "$uas_ip" -p 5060 -m "$n" \
		-nostdin -trace_counts -timeout 60s >"$T_TMP/uas.out" 2>&1) &
	local uas=$!
	T_PIDS+=("$uas")
	sleep 0.3
	(cd "$T_TMP" && timeout 90 ip netns exec "$LAB_GEN" sipp -sn uac "$target" -i "$uac_ip" \
		-p 5060 -m "$n" -r "$rate" -d 50 -nostdin -trace_counts -timeout 60s \
		"$@" >"$T_TMP/uac.out" 2>&1)
	UAC_RC=$?
	wait "$uas"
	UAS_RC=$?
	T_PIDS=("${T_PIDS[@]/$uas/}")
	SIPP_MSGS=$(sipp_msgs "$(ls -t "$T_TMP"/uac_*_counts.csv | head -1)")
	rm -f "$T_TMP"/uac_*_counts.csv "$T_TMP"/uas_*_counts.csv
}

# --- SIP by hand (tests/lab/sipwire.py) -----------------------------------------------------------
WIRE="python3 $TOP/tests/lab/sipwire.py"
hp() { case $1 in *:*) echo "[$1]:$2" ;; *) echo "$1:$2" ;; esac; } # hp ADDR PORT
# msg NAME TEXT: TEXT (printf %b escapes, \n line ends) into a file; its path
msg() { printf '%b' "$2" >"$T_TMP/$1.sip"; echo "$T_TMP/$1.sip"; }
# exchange FROM TO LOG FILE...: send from FROM (in gen) to TO, log what comes back for
# EXCHANGE_SECONDS (1.5)
exchange() {
	local from=$1 to=$2 log=$3 m=()
	shift 3
	for f in "$@"; do m+=(--msg "$f"); done
	[ -f "$log" ] && rm -f "$log" # a regular file only: never /dev/null
	ip netns exec "$LAB_GEN" $WIRE send --bind "$from" --to "$to" "${m[@]}" \
		--seconds "${EXCHANGE_SECONDS:-1.5}" --log "$log"
}
# starts LOG: the start lines of what an exchange logged, |-separated ("none")
starts() { [ -s "$1" ] && jq -r '.start' "$1" | tr -d '\r' | paste -sd'|' || echo none; }
