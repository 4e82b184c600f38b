#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sift's lab: three network namespaces joined by veth pairs.
#
#   gen (callers, attackers)  --  rtr (sift)  --  be (backends, callees)
#
#   PREFIXgen:to-rtr  198.18.1.2/24  2001:db8:1::2/64   (+ .10-.19 for extra sources,
#                                                        .20 for a backend on the callers' side)
#   PREFIXrtr:to-gen  198.18.1.1/24  2001:db8:1::1/64
#   PREFIXrtr:to-be   198.18.2.1/24  2001:db8:2::1/64
#   PREFIXbe:to-rtr   198.18.2.2/24  2001:db8:2::2/64   (+ .3, .4 and ::3, ::4: more backends)
#
# Only 198.18.0.0/15 and 2001:db8::/32, nothing routed out.  gen and be have
# their default routes through rtr, but rtr is a clean host: it does not
# forward (a test that wants it to route says so and turns forwarding on).
# gen's and be's ends run a trivial XDP_PASS program (build/lab/lab_pass.bpf.o,
# `make build/lab/lab_pass.bpf.o`): on veth, frames that rtr sends with XDP_TX
# or a redirect arrive at once only where an XDP program runs.
#
# Usage: scripts/lab.sh [-p PREFIX] up|down|status|env
#   PREFIX (default "sift-", or $SIFT_LAB_PREFIX) names the namespaces, so
#   tests can run labs side by side.  `up` is idempotent; `down` removes
#   everything `up` made.  `env` prints the lab's names and addresses as shell
#   assignments for scripts to eval.
set -euo pipefail

PREFIX=${SIFT_LAB_PREFIX:-sift-}
PASS_OBJ=$(cd "$(dirname "$0")/.." && pwd)/build/lab/lab_pass.bpf.o
while getopts "p:h" opt; do
	case $opt in
	p) PREFIX=$OPTARG ;;
	h) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))

GEN=${PREFIX}gen
RTR=${PREFIX}rtr
BE=${PREFIX}be

# Addresses: one place, printed by `env`.
GEN_IF=to-rtr
RTR_GEN_IF=to-gen
RTR_BE_IF=to-be
BE_IF=to-rtr
GEN_V4=198.18.1.2
RTR_GEN_V4=198.18.1.1
RTR_BE_V4=198.18.2.1
BE_V4=198.18.2.2
BE_V4_ALL="198.18.2.2 198.18.2.3 198.18.2.4"
GEN_V4_EXTRA="198.18.1.10 198.18.1.11 198.18.1.12 198.18.1.13"
GEN_V4_BACKEND=198.18.1.20
GEN_V6=2001:db8:1::2
RTR_GEN_V6=2001:db8:1::1
RTR_BE_V6=2001:db8:2::1
BE_V6=2001:db8:2::2
BE_V6_ALL="2001:db8:2::2 2001:db8:2::3 2001:db8:2::4"

ns_exists() { [ -e "/run/netns/$1" ]; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

lab_complete() {
	ns_exists "$GEN" && ns_exists "$RTR" && ns_exists "$BE" &&
		ip -n "$RTR" link show "$RTR_GEN_IF" >/dev/null 2>&1 &&
		ip -n "$RTR" link show "$RTR_BE_IF" >/dev/null 2>&1 &&
		ip -n "$BE" addr show dev "$BE_IF" 2>/dev/null | grep -q "${BE_V6_ALL##* }/" &&
		ip -n "$GEN" addr show dev "$GEN_IF" 2>/dev/null | grep -q "$GEN_V4_BACKEND/" &&
		ip -n "$GEN" link show "$GEN_IF" 2>/dev/null | grep -q "prog/xdp" &&
		ip -n "$BE" link show "$BE_IF" 2>/dev/null | grep -q "prog/xdp"
}

ns_setup() {
	local ns=$1
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	# Addresses are usable at once: no duplicate address detection in a closed lab.
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# veth delivers XDP_TX'd and redirected frames promptly only to an end that runs
# an XDP program of its own.  GRO alone (which gives the end a NAPI too) is not
# enough: a lone hairpinned message waits for later traffic on its queue.
xdp_pass() { ip -n "$1" link set dev "$2" xdpdrv obj "$PASS_OBJ" sec xdp; }

up() {
	if lab_complete; then
		echo "lab ${PREFIX}: already up"
		return 0
	fi
	[ -f "$PASS_OBJ" ] || { echo "lab: $PASS_OBJ is missing: make build/lab/lab_pass.bpf.o" >&2; exit 1; }
	down quiet
	ns_setup "$GEN"
	ns_setup "$RTR"
	ns_setup "$BE"

	# a queue per CPU: each CPU runs its own NAPI, so XDP scales across them
	local q
	q=$(nproc)
	ip link add name "$GEN_IF" numtxqueues "$q" numrxqueues "$q" netns "$GEN" type veth \
		peer name "$RTR_GEN_IF" numtxqueues "$q" numrxqueues "$q" netns "$RTR"
	ip link add name "$BE_IF" numtxqueues "$q" numrxqueues "$q" netns "$BE" type veth \
		peer name "$RTR_BE_IF" numtxqueues "$q" numrxqueues "$q" netns "$RTR"

	ip -n "$GEN" addr add "$GEN_V4/24" dev "$GEN_IF"
	for a in $GEN_V4_EXTRA $GEN_V4_BACKEND; do ip -n "$GEN" addr add "$a/24" dev "$GEN_IF"; done
	ip -n "$GEN" -6 addr add "$GEN_V6/64" dev "$GEN_IF" nodad
	ip -n "$RTR" addr add "$RTR_GEN_V4/24" dev "$RTR_GEN_IF"
	ip -n "$RTR" -6 addr add "$RTR_GEN_V6/64" dev "$RTR_GEN_IF" nodad
	ip -n "$RTR" addr add "$RTR_BE_V4/24" dev "$RTR_BE_IF"
	ip -n "$RTR" -6 addr add "$RTR_BE_V6/64" dev "$RTR_BE_IF" nodad
	for a in $BE_V4_ALL; do ip -n "$BE" addr add "$a/24" dev "$BE_IF"; done
	for a in $BE_V6_ALL; do ip -n "$BE" -6 addr add "$a/64" dev "$BE_IF" nodad; done

	# the ends' programs before the links go up, so nothing arrives without them
	xdp_pass "$GEN" "$GEN_IF"
	xdp_pass "$BE" "$BE_IF"
	for spec in "$GEN:$GEN_IF" "$RTR:$RTR_GEN_IF" "$RTR:$RTR_BE_IF" "$BE:$BE_IF"; do
		ip -n "${spec%%:*}" link set "${spec#*:}" up
	done

	ip -n "$GEN" route add default via "$RTR_GEN_V4"
	ip -n "$GEN" -6 route add default via "$RTR_GEN_V6"
	ip -n "$BE" route add default via "$RTR_BE_V4"
	ip -n "$BE" -6 route add default via "$RTR_BE_V6"

	# carrier comes a moment after the ends go up; wait for it (bounded)
	local i spec carrier
	for i in $(seq 50); do
		carrier=1
		for spec in "$GEN:$GEN_IF" "$RTR:$RTR_GEN_IF" "$RTR:$RTR_BE_IF" "$BE:$BE_IF"; do
			ip -n "${spec%%:*}" link show "${spec#*:}" | grep -q 'state UP' || carrier=0
		done
		[ $carrier = 1 ] && break
		sleep 0.1
	done

	echo "lab ${PREFIX}: up ($GEN -- $RTR -- $BE)"
}

down() {
	local ns found=0
	for ns in "$GEN" "$RTR" "$BE"; do
		if ns_exists "$ns"; then
			ip netns del "$ns"
			found=1
		fi
	done
	[ "${1:-}" = quiet ] && return 0
	if [ $found = 1 ]; then echo "lab ${PREFIX}: down"; else echo "lab ${PREFIX}: was not up"; fi
}

status() {
	local ns rc=0
	for ns in "$GEN" "$RTR" "$BE"; do
		if ! ns_exists "$ns"; then
			echo "$ns: missing"
			rc=1
			continue
		fi
		echo "$ns:"
		ip -n "$ns" -brief addr show | grep -v '^lo' | sed 's/^/  /'
		ip -n "$ns" -details link show | grep -o 'prog/xdp id [0-9]*' | sed 's/^/  xdp: /' || true
	done
	return $rc
}

env_vars() {
	local v
	for v in PREFIX GEN RTR BE GEN_IF RTR_GEN_IF RTR_BE_IF BE_IF GEN_V4 RTR_GEN_V4 RTR_BE_V4 \
		BE_V4 BE_V4_ALL GEN_V4_EXTRA GEN_V4_BACKEND GEN_V6 RTR_GEN_V6 RTR_BE_V6 BE_V6 BE_V6_ALL; do
		printf 'LAB_%s=%q\n' "$v" "${!v}"
	done
}

[ $# -eq 1 ] || { echo "usage: $0 [-p PREFIX] up|down|status|env" >&2; exit 2; }
case $1 in
up) up ;;
down) down ;;
status) status ;;
env) env_vars ;;
*) echo "usage: $0 [-p PREFIX] up|down|status|env" >&2; exit 2 ;;
esac
