#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fragments do not get round the shield (issue 11): a fragmented INVITE to
# sift from a banned source dies in XDP (the source checks run on every
# fragment), and one from a clean source with a scanner's User-Agent, which
# the kernel reassembles for siftd, is dropped by siftd's native build of the
# shield.  Each is first shown to be able to arrive: a clean fragmented INVITE
# from a clean source does reach siftd.  IPv4 and IPv6; fragments by scapy.
# The same for an IPv6 INVITE, whole, behind a hop-by-hop or destination
# options header, which XDP does not read past either.
. "$(dirname "$0")/lib.sh"
lab_init 07

PY=/usr/bin/python3 # Debian's, which has scapy (a pyenv python3 may come first on PATH)
"$PY" -c 'import scapy.all' 2>/dev/null || skip_all "needs python3-scapy"
FRAGSEND=$TOP/tests/lab/fragsend.py
set -- $LAB_GEN_V4_EXTRA
BANNED4=$1 SCANNER4=$2
BANNED6=2001:db8:1::10 SCANNER6=2001:db8:1::11 SCANNER6X=2001:db8:1::12
for a in $BANNED6 $SCANNER6 $SCANNER6X; do ip -n "$LAB_GEN" -6 addr add "$a/64" dev "$LAB_GEN_IF" nodad; done

conf=$T_TMP/sift.yaml
cat >"$conf" <<EOF2
interfaces:
  - name: $LAB_RTR_GEN_IF
shield:
  ipv6_prefix: 128          # the lab's IPv6 sources share a /64
EOF2
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts with the shield on"

RTR_MAC=$(ip -n "$LAB_RTR" -j link show "$LAB_RTR_GEN_IF" | jq -r '.[0].address')
daemon() { "$SIFTCTL" -j daemon show | jq -er ".punted.$1"; }
shield() { stat_get shield "$1" packets; }
fragments() { stat_get class fragment packets; }
# arrive WHO SRC USER_AGENT: scapy sends a fragmented INVITE from SRC in gen to
# $SIFT; check that every fragment reached sift's XDP program.  Sets N.
arrive() {
	local f0
	f0=$(fragments)
	N=$(in_gen "$PY" "$FRAGSEND" "$LAB_GEN_IF" "$RTR_MAC" "$2" "$SIFT" "$3")
	N=${N:-0}
	check_ge "IPv$fam: scapy sent $1 INVITE in fragments" "$N" 2
	stat_at_least 3 class fragment $((f0 + N)) >/dev/null
	check_eq "IPv$fam: all $N fragments reached sift's XDP program" "$(($(fragments) - f0))" "$N"
}
# daemon_at_least SECONDS PATH MIN: poll siftd's counter PATH until it reaches MIN
daemon_at_least() {
	local deadline=$((SECONDS + $1)) v
	while :; do
		v=$(daemon "$2") && [ "$v" -ge "$3" ] && return 0
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.05
	done
}

for fam in 4 6; do
	if [ $fam = 4 ]; then
		SIFT=$LAB_RTR_GEN_V4 CLEAN=$LAB_GEN_V4 BANNED=$BANNED4 SCANNER=$SCANNER4
	else
		SIFT=$LAB_RTR_GEN_V6 CLEAN=$LAB_GEN_V6 BANNED=$BANNED6 SCANNER=$SCANNER6
	fi

	# --- the victim listens: a clean fragmented INVITE reaches siftd ----------------
	r0=$(daemon reassembled.messages) i0=$(daemon 'by_method.INVITE // 0')
	arrive "a clean source's clean" "$CLEAN" Acme-PBX/1.0
	daemon_at_least 3 reassembled.messages $((r0 + 1))
	check_eq "IPv$fam: siftd got it reassembled" "$(($(daemon reassembled.messages) - r0))" 1
	check_eq "IPv$fam: and passed it on to its handling as an INVITE" \
		"$(($(daemon 'by_method.INVITE // 0') - i0))" 1

	# --- (a) a banned source: every fragment dies in XDP -----------------------------
	"$SIFTCTL" ban add "$BANNED" ttl 300 >/dev/null
	b0=$(shield banned) r0=$(daemon reassembled.messages)
	i0=$(daemon 'by_method.INVITE // 0') m0=$(daemon messages)
	arrive "a banned source's" "$BANNED" Acme-PBX/1.0
	check_eq "IPv$fam: each dropped in XDP as banned" "$(($(shield banned) - b0))" "$N"
	check_eq "IPv$fam: the ban counted them" \
		"$("$SIFTCTL" -j ban list | jq --arg a "$BANNED" '.[] | select(.source | startswith($a + "/")) | .dropped')" "$N"
	sleep 0.3
	got="$(($(daemon messages) - m0)) $(($(daemon reassembled.messages) - r0))"
	got+=" $(($(daemon 'by_method.INVITE // 0') - i0))"
	check_eq "IPv$fam: siftd got nothing (messages, reassembled, INVITEs)" "$got" "0 0 0"

	# --- (b) a scanner's User-Agent: XDP passes the fragments, siftd's shield drops ---
	r0=$(daemon reassembled.messages) s0=$(daemon reassembled.shield.scanner)
	i0=$(daemon 'by_method.INVITE // 0') q0=$(daemon requests)
	arrive "a clean source's scanner" "$SCANNER" friendly-scanner
	daemon_at_least 3 reassembled.messages $((r0 + 1))
	check_eq "IPv$fam: siftd got its INVITE reassembled" "$(($(daemon reassembled.messages) - r0))" 1
	check_eq "IPv$fam: and its shield dropped it as a scanner" \
		"$(($(daemon reassembled.shield.scanner) - s0))" 1
	check_eq "IPv$fam: it went no further (no request, no INVITE handled)" \
		"$(($(daemon requests) - q0)) $(($(daemon 'by_method.INVITE // 0') - i0))" "0 0"
done

# --- IPv6 behind extension headers, whole: XDP does not read the SIP past them -------------
fam=6 SIFT=$LAB_RTR_GEN_V6 SCANNER=$SCANNER6X
exthdr() { stat_get class ip6_exthdr packets; }
# sendx WHO SRC USER_AGENT HOW: one INVITE from SRC behind a HOW (hopopts, dstopts) header;
# check that it reached sift's XDP program as such (MLD reports come behind a
# hop-by-hop header too: at least one more)
sendx() {
	local x0
	x0=$(exthdr)
	in_gen "$PY" "$FRAGSEND" "$LAB_GEN_IF" "$RTR_MAC" "$2" "$SIFT" "$3" "$4" >/dev/null
	stat_at_least 3 class ip6_exthdr $((x0 + 1)) >/dev/null
	check_ge "IPv6: $1 INVITE behind a $4 header reached sift's XDP program" "$(($(exthdr) - x0))" 1
}
e0=$(daemon reassembled.ip6_ext_headers) i0=$(daemon 'by_method.INVITE // 0')
sendx "a clean source's clean" "$LAB_GEN_V6" Acme-PBX/1.0 dstopts
daemon_at_least 3 reassembled.ip6_ext_headers $((e0 + 1))
check_eq "IPv6: siftd got it, and knows it came behind extension headers" \
	"$(($(daemon reassembled.ip6_ext_headers) - e0))" 1
check_eq "IPv6: and passed it on to its handling as an INVITE" \
	"$(($(daemon 'by_method.INVITE // 0') - i0))" 1
b0=$(shield banned) m0=$(daemon messages)
sendx "a banned source's" "$BANNED6" Acme-PBX/1.0 hopopts
check_eq "IPv6 behind extension headers: dropped in XDP as banned" "$(($(shield banned) - b0))" 1
sleep 0.3
check_eq "IPv6 behind extension headers: siftd got nothing from the banned source" \
	"$(($(daemon messages) - m0))" 0
e0=$(daemon reassembled.ip6_ext_headers) s0=$(daemon reassembled.shield.scanner)
q0=$(daemon requests)
sendx "a clean source's scanner" "$SCANNER" friendly-scanner hopopts
daemon_at_least 3 reassembled.ip6_ext_headers $((e0 + 1))
check_eq "IPv6 behind extension headers: siftd's shield dropped the scanner" \
	"$(($(daemon reassembled.shield.scanner) - s0)) $(($(daemon requests) - q0))" "1 0"

check_eq "siftctl daemon show says it in text" \
	"$("$SIFTCTL" daemon show | grep -c 'reassembled from fragments: 4, behind IPv6 extension headers: 2, dropped by the shield: 3 (scanner 3)')" 1
check "XDP's shield dropped no scanner: none of it was visible there" test "$(shield scanner)" = 0
check "siftd found the program's bucket table (reassembled messages are rate limited)" \
	bash -c "! grep -q 'no bucket table' '$T_TMP/siftd.log'"
stop_pid "$SIFTD_PID"
