#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Not a router.  (a) With `transit: route` and forwarding on in rtr, a UDP
# datagram and pings from gen reach a listener in be: the traffic gets there
# and be listens.  (b) With the default, `transit: drop`, the same traffic is
# not routed through rtr, however rtr's forwarding is set, and is counted as
# transit dropped; what is addressed to rtr itself (sift's addresses, a
# management address, ARP, neighbour discovery, SIP to sift) still arrives.
# (c) siftd puts back every forwarding sysctl it changed when it stops: also
# after a --keep-attached stop and a restart, and after it was killed.
. "$(dirname "$0")/lib.sh"
lab_init 05

MGMT_V4=198.18.1.5 # rtr's own on the callers' side, not listed for sift
MGMT_V6=2001:db8:1::5
ip -n "$LAB_RTR" addr add "$MGMT_V4/24" dev "$LAB_RTR_GEN_IF"
ip -n "$LAB_RTR" -6 addr add "$MGMT_V6/64" dev "$LAB_RTR_GEN_IF" nodad

conf=$T_TMP/sift.yaml
write_conf() { # write_conf TRANSIT
	cat >"$conf" <<EOF
interfaces:
  - name: $LAB_RTR_GEN_IF
    addresses: [$LAB_RTR_GEN_V4, "$LAB_RTR_GEN_V6"]
  - name: $LAB_RTR_BE_IF
transit: $1
health:
  interval: 0
EOF
}
reloads() { [ "$(grep -c "reload done" "$T_TMP/siftd.log")" -gt "$1" ]; } # reloads N: more than N
reload() { # reload TRANSIT: SIGHUP with the file changed
	local n
	n=$(grep -c "reload done" "$T_TMP/siftd.log")
	write_conf "$1"
	kill -HUP "$SIFTD_PID"
	wait_for 5 reloads "$n"
}

got() { grep -c " $1\$" "$T_TMP/be.log"; } # got TEXT: datagrams with TEXT that arrived in be
arrived() { [ "$(got "$1")" -ge 1 ]; }
send() { in_gen "$UDPSEND" "$1" 9999 "$2"; } # send DST TEXT: plain UDP from gen
ping4() { in_gen ping -c 2 -i 0.2 -W 1 -q "$1" >/dev/null 2>&1; }
ping6() { in_gen ping -6 -c 2 -i 0.2 -W 1 -q "$1" >/dev/null 2>&1; }
transit() { stat_get transit "$1" packets; }
fails() { ! "$@"; }

udp_listen "$LAB_BE" "$LAB_BE_V4" 9999 "$T_TMP/be.log" || { not_ok "a listener in be"; exit 1; }
udp_listen "$LAB_BE" "$LAB_BE_V6" 9999 "$T_TMP/be.log" || { not_ok "a listener in be (IPv6)"; exit 1; }

# --- (a) the traffic reaches be when rtr routes ---------------------------------------
rtr_routes
write_conf route
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts with transit: route"
check "siftd says transit is routed" grep -q "transit: route:" "$T_TMP/siftd.log"
# sent again every half second until it arrives (at most 6 times): the first datagram after
# siftd turned forwarding on may be lost while the kernel resolves the IPv6 neighbour
reach() { # reach DST TEXT
	for _ in 1 2 3 4 5 6; do
		send "$1" "$2"
		sleep 0.5
		arrived "$2" && return 0
	done
	return 1
}
check "transit: route: a UDP datagram from gen reaches the listener in be" reach "$LAB_BE_V4" probe-a4
check "and over IPv6" reach "$LAB_BE_V6" probe-a6
check "a ping from gen to be is answered" ping4 "$LAB_BE_V4"
check "and over IPv6" ping6 "$LAB_BE_V6"
check_ge "all of it counted as transit routed" "$(transit routed)" 10
check_eq "none as dropped" "$(transit dropped)" 0

# --- (b) the default: transit dropped in XDP ---------------------------------------------
check "SIGHUP to transit: drop" reload drop
check "siftd says transit is dropped" grep -q "transit: drop:" "$T_TMP/siftd.log"
check "prog show says so" grep -q "transit drop" <("$SIFTCTL" prog show)
check_eq "rtr still forwards in the kernel (ip_forward 1)" \
	"$(in_rtr sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr '\n' ' ')" "1 1 "
d0=$(transit dropped)
send "$LAB_BE_V4" probe-b4
send "$LAB_BE_V6" probe-b6
in_gen "$UDPSEND" "$LAB_BE_V4" 5060 'OPTIONS sip:be@198.18.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.2;branch=z9hG4bK-b\r\nMax-Forwards: 70\r\nTo: <sip:be@198.18.2.2>\r\nFrom: <sip:g@198.18.1.2>;tag=1\r\nCall-ID: b@g\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n'
check "a ping from gen to be goes unanswered" fails ping4 "$LAB_BE_V4"
check "and over IPv6" fails ping6 "$LAB_BE_V6"
# the pings took 1.2 s at least: the datagrams, sent before, have had their time
check_eq "the UDP datagram did not reach be" "$(got probe-b4)" 0
check_eq "nor over IPv6" "$(got probe-b6)" 0
check_ge "UDP, SIP and ICMP counted as transit dropped (3 datagrams, 4 echo requests)" \
	"$(( $(transit dropped) - d0 ))" 7
check "siftctl stats show lists the transit group" grep -qE "^  dropped +[0-9]" <("$SIFTCTL" stats show)

# what is addressed to rtr itself: neighbours resolved afresh, through XDP
ip -n "$LAB_GEN" neigh flush dev "$LAB_GEN_IF"
check "ARP, and a ping to sift's address" ping4 "$LAB_RTR_GEN_V4"
check "neighbour discovery, and a ping to sift's IPv6 address" ping6 "$LAB_RTR_GEN_V6"
check "a ping to rtr's management address (not sift's)" ping4 "$MGMT_V4"
check "and to its IPv6 management address" ping6 "$MGMT_V6"
p0=$("$SIFTCTL" -j daemon show | jq .punted.messages)
in_gen "$UDPSEND" "$LAB_RTR_GEN_V4" 5060 'OPTIONS sip:198.18.1.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.2;branch=z9hG4bK-me\r\nMax-Forwards: 70\r\nTo: <sip:198.18.1.1>\r\nFrom: <sip:g@198.18.1.2>;tag=1\r\nCall-ID: me@g\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n'
punted() { [ "$("$SIFTCTL" -j daemon show | jq .punted.messages)" -gt "$p0" ]; }
check "SIP to sift's address reaches siftd" wait_for 3 punted
stop_pid "$SIFTD_PID"

# --- (c) every sysctl siftd changes is put back ----------------------------------------------
FWD="net.ipv4.ip_forward net.ipv4.conf.all.forwarding net.ipv4.conf.default.forwarding
net.ipv4.conf.$LAB_RTR_GEN_IF.forwarding net.ipv4.conf.$LAB_RTR_BE_IF.forwarding
net.ipv6.conf.all.forwarding net.ipv6.conf.default.forwarding
net.ipv6.conf.$LAB_RTR_GEN_IF.forwarding net.ipv6.conf.$LAB_RTR_BE_IF.forwarding
net.ipv6.conf.$LAB_RTR_GEN_IF.accept_ra net.ipv6.conf.$LAB_RTR_BE_IF.accept_ra"
sysctls() { in_rtr sysctl $FWD | tr '\n' ';'; }
gen_fwd() { in_rtr sysctl -n "net.ipv4.conf.$LAB_RTR_GEN_IF.forwarding"; }
# forwarding off, as on a host that is not a router, but for one value
in_rtr sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
in_rtr sysctl -qw "net.ipv6.conf.$LAB_RTR_BE_IF.forwarding=1"
before=$(sysctls)
diag "before: $before"
write_conf drop

start_siftd "$T_TMP/c1.log" -c "$conf" || not_ok "siftd starts"
check_eq "siftd turns forwarding on for its interfaces" "$(gen_fwd)" 1
check "and logs what it found" grep -q "net.ipv4.conf.$LAB_RTR_GEN_IF.forwarding was 0" "$T_TMP/c1.log"
check_eq "daemon show lists the three it changed" "$("$SIFTCTL" -j daemon show | jq '.sysctls | length')" 3
check "and keeps what it found in the run directory" test -s "$SIFT_RUN_DIR/sysctl.orig"
stop_pid "$SIFTD_PID"
check_eq "stopped: every sysctl as it was" "$(sysctls)" "$before"
check "and it says what it put back" grep -q "forwarding put back to 0" "$T_TMP/c1.log"
check "nothing left in the run directory" test ! -e "$SIFT_RUN_DIR/sysctl.orig"

start_siftd "$T_TMP/c2.log" -c "$conf" --keep-attached || not_ok "siftd -k starts"
stop_pid "$SIFTD_PID"
check "--keep-attached: the program stays" test -n "$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")"
check_eq "and forwarding with it, for its FIB lookups" "$(gen_fwd)" 1
check "siftd says why it leaves it on" grep -q "leaving forwarding on" "$T_TMP/c2.log"
d0=$(transit dropped)
send "$LAB_BE_V4" probe-c
check "without siftd the program still drops transit" stat_at_least 3 transit dropped $((d0 + 1))
start_siftd "$T_TMP/c3.log" -c "$conf" || not_ok "siftd restarts, adopting the program"
check "the restart knows what the first siftd found" grep -q "earlier siftd" "$T_TMP/c3.log"
stop_pid "$SIFTD_PID"
check_eq "restart, then stop: the values from before the first siftd, not the 1s it found" \
	"$(sysctls)" "$before"
check_eq "the program is gone" "$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")" ""

start_siftd "$T_TMP/c4.log" -c "$conf" || not_ok "siftd starts"
kill -KILL "$SIFTD_PID"
wait "$SIFTD_PID" 2>/dev/null
start_siftd "$T_TMP/c5.log" -c "$conf" || not_ok "siftd starts after one was killed"
stop_pid "$SIFTD_PID"
check_eq "a siftd killed, another started and stopped: every sysctl as it was" \
	"$(sysctls)" "$before"
check_eq "and the listener in be never saw the transit traffic" \
	"$(grep -c probe-[bc] "$T_TMP/be.log")" 0
