#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sipp calls cross rtr while siftd has sift_xdp attached in native mode on both
# router interfaces; siftctl counts every SIP packet, over IPv4 and IPv6.  The
# calls go from gen to be directly, not to sift: rtr routes them, so this test
# turns forwarding on in rtr and runs siftd with `transit: route`.
. "$(dirname "$0")/lib.sh"
lab_init 01

rtr_routes
echo "transit: route" >"$T_TMP/sift.yaml"
start_siftd "$T_TMP/siftd.log" -c "$T_TMP/sift.yaml" -m native -i "$LAB_RTR_GEN_IF" \
	-i "$LAB_RTR_BE_IF" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts"

prog=$("$SIFTCTL" -j prog show)
check_eq "attached to both interfaces" "$(jq length <<<"$prog")" 2
check_eq "native mode on both, no fallback" \
	"$(jq -r '[.[] | select(.mode == "native" and .fallback == false)] | length' <<<"$prog")" 2
check_eq "prog show names the kernel's program" \
	"$(jq -r '.[0].prog_id' <<<"$prog")" "$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")"

"$SIFTCTL" stats reset >/dev/null
run_calls 20 20 "$LAB_GEN_V4" "$LAB_BE_V4"
check_eq "20 IPv4 calls complete (uac)" "$UAC_RC" 0
check_eq "20 IPv4 calls complete (uas)" "$UAS_RC" 0
check_ge "sipp exchanged the calls' messages" "$SIPP_MSGS" 120
check_eq "every SIP message counted once" "$(stat_get class sip packets)" "$SIPP_MSGS"
check_eq "and passed to the kernel, which routed it" \
	"$(( $(stat_get action pass packets) >= SIPP_MSGS ))" 1
check_eq "every one of them forward-eligible for the parser" \
	"$(stat_get verdict forward packets)" "$SIPP_MSGS"
check_eq "and counted as transit routed (transit: route)" \
	"$(stat_get transit routed packets)" "$SIPP_MSGS"
check "prog show says transit route" grep -q "transit route" <("$SIFTCTL" prog show)

# A malformed request is counted under its reason, and siftctl shows it.
in_gen "$UDPSEND" "$LAB_BE_V4" 5060 'OPTIONS sip:be SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.2;;branch=x\r\n\r\n'
stat_at_least 3 sip_drop bad_via 1
check_eq "a broken Via is counted as sip_drop.bad_via" "$(stat_get sip_drop bad_via packets)" 1
check "siftctl stats show lists it" grep -qE "^  bad_via +1 " <("$SIFTCTL" stats show)

"$SIFTCTL" stats reset >/dev/null
run_calls 10 20 "$LAB_GEN_V6" "$LAB_BE_V6"
check_eq "10 IPv6 calls complete" "$UAC_RC/$UAS_RC" 0/0
check_eq "IPv6 SIP messages counted" "$(stat_get class sip packets)" "$SIPP_MSGS"

# Other traffic is not SIP.
sip0=$(stat_get class sip packets)
non0=$(stat_get class non_sip packets)
in_gen ping -c 3 -i 0.2 -q "$LAB_BE_V4" >/dev/null
check_eq "ping is not SIP" "$(stat_get class sip packets)" "$sip0"
check_ge "ping is counted as non-SIP" "$(( $(stat_get class non_sip packets) - non0 ))" 6

before=$(stat_get class sip packets)
check "siftd stops on SIGTERM" stop_pid "$SIFTD_PID"
check_eq "and detaches from to-gen" "$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")" ""
check_eq "and from to-be" "$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_BE_IF")" ""
check_eq "counters stay readable without siftd" "$(stat_get class sip packets)" "$before"
