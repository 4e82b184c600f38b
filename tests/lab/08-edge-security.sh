#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sift at the edge cannot be used as a reflector, a relay or a forwarder of
# forged responses (issue 11, findings 1-3), and every legitimate call flow
# still passes: a bystander named in a Via gets nothing while the real
# source gets its responses; an untrusted source's Route or Request-URI to
# a host that is not a backend delivers nothing; responses replaying sift's
# branch from another host, or towards another hop, deliver nothing; calls
# in which the callee re-INVITEs and hangs up complete with Record-Route on
# and off, IPv4 and IPv6, also with backends that are not trusted (sift's
# vouch in its Record-Route).  Each attack first proves that its traffic
# reached rtr and that its victim was listening.
. "$(dirname "$0")/lib.sh"
lab_init 08

SCN=$TOP/tests/lab/scenarios
set -- $LAB_GEN_V4_EXTRA
ATK=$1 PEER=$2 MALLORY=$3 VICTIM=$4 # gen's extra addresses: .10 .11 .12 .13
BE=$(set -- $LAB_BE_V4_ALL; echo "$1")
NOTBE=$(set -- $LAB_BE_V4_ALL; echo "$3") # an address in be that no group lists
BE6=$(set -- $LAB_BE_V6_ALL; echo "$1")
ATK6=2001:db8:1::10 VICTIM6=2001:db8:1::13
ip -n "$LAB_GEN" -6 addr add "$ATK6/64" dev "$LAB_GEN_IF" nodad
ip -n "$LAB_GEN" -6 addr add "$VICTIM6/64" dev "$LAB_GEN_IF" nodad
SIFT4=$LAB_RTR_GEN_V4 SIFT6=$LAB_RTR_GEN_V6

conf=$T_TMP/sift.yaml
write_conf() { # write_conf TRUST_BACKENDS
	cat >"$conf" <<EOF
interfaces:
  - name: $LAB_RTR_GEN_IF
  - name: $LAB_RTR_BE_IF
groups:
  - name: core
    backends:
      - address: $BE
  - name: core6
    backends:
      - address: "$BE6"
routes:
  - prefix: "1"
    group: core
    record_route: true
  - prefix: "2"
    group: core
  - prefix: "61"
    group: core6
    record_route: true
  - prefix: "62"
    group: core6
health:
  interval: 1
shield:
  trust_backends: $1
  allow:
    - prefix: $PEER/32
      trusted: true
EOF
}
write_conf true
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts"

# sipp backends (v4, v6) answering calls and sift's probes
UAS_PIDS=()
start_uas() { # start_uas SCENARIO
	local a
	UAS_PIDS=()
	for a in "$BE" "$BE6"; do
		(cd "$T_TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$SCN/$1" -i "$a" -p 5060 -aa \
			-nostdin -timeout 120s >/dev/null 2>&1) &
		UAS_PIDS+=($!)
		T_PIDS+=($!)
	done
}
stop_uas() { local p; for p in "${UAS_PIDS[@]}"; do stop_pid "$p"; done; }
backends_ok() { [ "$("$SIFTCTL" -j backend show | jq '[.[] | select(.health == "ok")] | length')" = 2 ]; }
start_uas uas.xml
check "the backends answer sift's probes" wait_for 15 backends_ok

# --- helpers ---------------------------------------------------------------------------
hp() { case $1 in *:*) echo "[$1]:$2" ;; *) echo "$1:$2" ;; esac; } # hp ADDR PORT
msg() { # msg NAME TEXT: a message file (plain line ends; sipwire sends CRLF)
	printf '%b' "$2" >"$T_TMP/$1.sip"
	echo "$T_TMP/$1.sip"
}
# listen NS LOG SECONDS ADDR:PORT...: a listener in the background; waits until it is bound
listen() {
	local ns=$1 log=$2 secs=$3
	shift 3
	local binds=() b
	for b in "$@"; do binds+=(--bind "$b"); done
	rm -f "$log" "$log.ready"
	ip netns exec "$ns" $WIRE listen "${binds[@]}" --seconds "$secs" --log "$log" \
		--ready "$log.ready" &
	T_PIDS+=($!)
	wait_for 5 test -e "$log.ready"
}
# got LOG CALLID: datagrams of that call in a log
got() { [ -s "$1" ] && jq -s --arg c "$2" '[.[] | select(.callid == $c)] | length' "$1" || echo 0; }
have() { [ "$(got "$1" "$2")" -ge "$3" ]; } # have LOG CALLID N: at least N of them
send() { # send NS FROM TO FILE [SECONDS LOG]: send, then keep listening on the socket
	ip netns exec "$1" $WIRE send --bind "$2" --to "$3" --msg "$4" --seconds "${5:-0}" \
		${6:+--log "$6"}
}
invite() { # invite RURI_USER HOST VIA_SENTBY CALLID [VIA_PARAMS]
	msg "$4" "INVITE sip:$1@$2 SIP/2.0\nVia: SIP/2.0/UDP $3;branch=z9hG4bK$4$5\nMax-Forwards: 70\nTo: <sip:$1@$2>\nFrom: <sip:a@$3>;tag=f$4\nCall-ID: $4\nCSeq: 1 INVITE\nContact: <sip:a@$3>\nContent-Length: 0\n\n"
}
req() { # req METHOD RURI VIA_SENTBY CALLID TO_TAG ROUTES
	local routes=""
	[ -n "$6" ] && routes="Route: $6\n"
	msg "$4" "$1 $2 SIP/2.0\nVia: SIP/2.0/UDP $3;branch=z9hG4bK$4\n${routes}Max-Forwards: 70\nTo: <$2>$5\nFrom: <sip:a@$3>;tag=f$4\nCall-ID: $4\nCSeq: 2 $1\nContent-Length: 0\n\n"
}
fwd_req() { stat_get forward requests packets; }
drops() { stat_get sip_drop "$1" packets; }

# --- 1. Via reflection: a bystander named in a Via gets nothing ----------------------------
reflect() { # reflect FAMILY ATTACKER BYSTANDER SIFT ROUTE
	local fam=$1 atk=$2 vic=$3 sift=$4 user=$5 v0 f0
	listen "$LAB_GEN" "$T_TMP/vic$fam.log" 12 "$(hp "$vic" 5060)"
	# the bystander's own call: it listens, and sift's responses reach it
	send "$LAB_GEN" "$(hp "$vic" 5070)" "$(hp "$sift" 5060)" \
		"$(invite "${user}000" "$(hp "$sift" 5060)" "$(hp "$vic" 5060)" "ctl1-$fam")"
	check "IPv$fam: the bystander listens: its own call's responses reach it" \
		wait_for 5 have "$T_TMP/vic$fam.log" "ctl1-$fam" 2
	f0=$(fwd_req)
	# the attack: the attacker's INVITE names the bystander in its Via
	send "$LAB_GEN" "$(hp "$atk" 5060)" "$(hp "$sift" 5060)" \
		"$(invite "${user}001" "$(hp "$sift" 5060)" "$(hp "$vic" 5060)" "atk1-$fam")" 4 \
		"$T_TMP/atk$fam.log"
	check_ge "IPv$fam: the attacker's INVITE reached rtr and went to the backend" \
		"$(($(fwd_req) - f0))" 1
	check_ge "IPv$fam: the real source gets the responses (180, 200 and its retransmissions)" \
		"$(got "$T_TMP/atk$fam.log" "atk1-$fam")" 2
	v0=$(jq -rs '[.[] | select(.callid | startswith("atk1"))][0].via[0] // ""' "$T_TMP/atk$fam.log")
	check "IPv$fam: and they carry received= the source (RFC 3261 18.2.1)" \
		grep -q "received=$atk" <<<"$v0"
	# rport: the responses go to the source port
	send "$LAB_GEN" "$(hp "$atk" 5099)" "$(hp "$sift" 5060)" \
		"$(invite "${user}002" "$(hp "$sift" 5060)" "$(hp "$vic" 5060)" "atk2-$fam" ";rport")" 4 \
		"$T_TMP/atk$fam-rport.log"
	check_ge "IPv$fam: with rport the responses come back to the source port" \
		"$(got "$T_TMP/atk$fam-rport.log" "atk2-$fam")" 2
	sleep 2
	check_eq "IPv$fam: the bystander got none of it" \
		"$(($(got "$T_TMP/vic$fam.log" "atk1-$fam") + $(got "$T_TMP/vic$fam.log" "atk2-$fam")))" 0
}
reflect 4 "$ATK" "$VICTIM" "$SIFT4" 2
reflect 6 "$ATK6" "$VICTIM6" "$SIFT6" 62

# --- 2. Open relay: an untrusted source reaches backends only ----------------------------
listen "$LAB_BE" "$T_TMP/notbe.log" 20 "$NOTBE:5060"
# nothing probes a host that is not a backend: let rtr know its neighbour first (the fast
# path punts a request to an unresolved neighbour, and siftd forwards no requests yet)
ip netns exec "$LAB_RTR" ping -c 1 -W 1 "$NOTBE" >/dev/null
listen "$LAB_GEN" "$T_TMP/vic.log" 20 "$VICTIM:5060"
send "$LAB_GEN" "$PEER:5080" "$SIFT4:5060" "$(req OPTIONS "sip:v@$NOTBE:5060" "$PEER:5080" ctl2a "" "")"
send "$LAB_GEN" "$PEER:5080" "$SIFT4:5060" "$(req OPTIONS "sip:v@$VICTIM:5060" "$PEER:5080" ctl2b "" "")"
check "a trusted peer's request reaches a host in be that is not a backend (it listens)" \
	wait_for 5 have "$T_TMP/notbe.log" ctl2a 1
check "and one on gen's side, sent back out of the interface it came in on" \
	wait_for 5 have "$T_TMP/vic.log" ctl2b 1
d0=$(drops relay_denied)
a0=$(stat_get class sip packets)
send "$LAB_GEN" "$ATK:5070" "$SIFT4:5060" \
	"$(req OPTIONS "sip:x@$SIFT4" "$ATK:5070" atk2a "" "<sip:$NOTBE:5060;lr>")"
send "$LAB_GEN" "$ATK:5070" "$SIFT4:5060" \
	"$(req BYE "sip:x@$BE:5060" "$ATK:5070" atk2b ";tag=t" "<sip:$SIFT4;lr>, <sip:$NOTBE;lr>")"
send "$LAB_GEN" "$ATK:5070" "$SIFT4:5060" \
	"$(req BYE "sip:x@$NOTBE:5060" "$ATK:5070" atk2c ";tag=t" "")"
send "$LAB_GEN" "$ATK:5070" "$SIFT4:5060" \
	"$(req BYE "sip:x@$VICTIM:5060" "$ATK:5070" atk2d ";tag=t" "")"
send "$LAB_GEN" "$ATK:5070" "$SIFT4:5060" \
	"$(req INVITE "sip:x@$VICTIM:5060" "$ATK:5070" atk2e "" "<sip:$SIFT4;lr>")"
check "the five relay attempts reached rtr" stat_at_least 3 class sip $((a0 + 5))
check_eq "each was refused and counted (sip_drop.relay_denied)" "$(($(drops relay_denied) - d0))" 5
# a backend named by address is a place an untrusted source may go
send "$LAB_GEN" "$ATK:5071" "$SIFT4:5060" \
	"$(req OPTIONS "sip:x@$BE:5060" "$ATK:5071" ok2 "" "")" 3 "$T_TMP/ok2.log"
check_eq "an untrusted source's request to a backend named by address is answered" \
	"$(got "$T_TMP/ok2.log" ok2)" 1
sleep 1
check_eq "the host in be that is not a backend got nothing from the attacker" \
	"$(jq -s '[.[] | select(.callid | startswith("atk2"))] | length' "$T_TMP/notbe.log")" 0
check_eq "nor did the bystander in gen" \
	"$(jq -s '[.[] | select(.callid | startswith("atk2"))] | length' "$T_TMP/vic.log")" 0

# --- 3. Forged responses: only from the hop the request went to ----------------------------
# A "backend" at the backend's address sends an in-dialog request to the
# attacker through sift; the attacker thus learns sift's branch.
listen "$LAB_GEN" "$T_TMP/atk3.log" 20 "$ATK:5062"
listen "$LAB_BE" "$T_TMP/notbe3.log" 20 "$NOTBE:5060"
(send "$LAB_BE" "$BE:5090" "$LAB_RTR_BE_V4:5060" \
	"$(req INVITE "sip:a@$ATK:5062" "$BE:5090" dlg3 ";tag=be" "<sip:$LAB_RTR_BE_V4;lr>")" 15 \
	"$T_TMP/be3.log") &
T_PIDS+=($!)
check "the backend's request reaches the attacker through sift" \
	wait_for 5 have "$T_TMP/atk3.log" dlg3 1
check "carrying sift's branch" \
	grep -q 'z9hG4bK-sft' <<<"$(jq -rs '.[0].branch0' "$T_TMP/atk3.log")"
$WIRE answer --log "$T_TMP/atk3.log" --callid dlg3 --out "$T_TMP/genuine.sip"
$WIRE answer --log "$T_TMP/atk3.log" --callid dlg3 --out "$T_TMP/to-victim.sip" \
	--via1 "SIP/2.0/UDP $NOTBE:5060;branch=z9hG4bKdlg3"
$WIRE answer --log "$T_TMP/atk3.log" --callid dlg3 --out "$T_TMP/other-call.sip" \
	--set-callid dlg3-other
f0=$(drops forged_response)
r0=$(stat_get method response packets)
for i in $(seq 20); do
	send "$LAB_GEN" "$MALLORY:5062" "$SIFT4:5060" "$T_TMP/to-victim.sip"
done
# from the attacker itself: another port than the request went to; the Via
# below sift's turned to the victim; the branch moved onto another call
send "$LAB_GEN" "$ATK:5063" "$SIFT4:5060" "$T_TMP/genuine.sip"
send "$LAB_GEN" "$ATK:5062" "$SIFT4:5060" "$T_TMP/to-victim.sip"
send "$LAB_GEN" "$ATK:5062" "$SIFT4:5060" "$T_TMP/other-call.sip"
check "the forged responses reached rtr" stat_at_least 3 method response $((r0 + 23))
check_eq "each was dropped and counted (sip_drop.forged_response)" \
	"$(($(drops forged_response) - f0))" 23
sleep 1
check_eq "the victim got none of them" "$(got "$T_TMP/notbe3.log" dlg3)" 0
check_eq "nor did the backend get a response it was not sent" \
	"$(($(got "$T_TMP/be3.log" dlg3) + $(got "$T_TMP/be3.log" dlg3-other)))" 0

# the genuine answer, from the hop sift sent the request to, goes through
(send "$LAB_BE" "$BE:5091" "$LAB_RTR_BE_V4:5060" \
	"$(req INVITE "sip:a@$ATK:5062" "$BE:5091" dlg4 ";tag=be" "<sip:$LAB_RTR_BE_V4;lr>")" 6 \
	"$T_TMP/be4.log") &
T_PIDS+=($!)
wait_for 5 have "$T_TMP/atk3.log" dlg4 1
$WIRE answer --log "$T_TMP/atk3.log" --callid dlg4 --out "$T_TMP/genuine4.sip"
send "$LAB_GEN" "$ATK:5062" "$SIFT4:5060" "$T_TMP/genuine4.sip"
check "the genuine response from the hop the request went to reaches the backend" \
	wait_for 5 have "$T_TMP/be4.log" dlg4 1

# --- 4. Legitimate flows: the callee re-INVITEs and hangs up ---------------------------------
stop_uas
start_uas uas_callee_ends.xml
wait_for 10 backends_ok
calls() { # calls TARGET SERVICE N: callers in gen; sets UAC_RC
	local src=$LAB_GEN_V4
	case $1 in \[*) src=$LAB_GEN_V6 ;; esac
	(cd "$T_TMP" && timeout 90 ip netns exec "$LAB_GEN" sipp -sf "$SCN/uac_callee_ends.xml" "$1" \
		-i "$src" -p $((10000 + $2)) -s "$2" -m "$3" -r 10 -nostdin -timeout 60s \
		-timeout_error >"$T_TMP/uac-$2.out" 2>&1)
	UAC_RC=$?
}
d0=$(drops relay_denied)
calls "$SIFT4:5060" 1000 10
check_eq "IPv4, Record-Route on: the callee's re-INVITE and BYE reach the caller" "$UAC_RC" 0
calls "$SIFT4:5060" 2000 10
check_eq "IPv4, Record-Route off: likewise" "$UAC_RC" 0
calls "[$SIFT6]:5060" 6100 10
check_eq "IPv6, Record-Route on: likewise" "$UAC_RC" 0
calls "[$SIFT6]:5060" 6200 10
check_eq "IPv6, Record-Route off: likewise" "$UAC_RC" 0
check_eq "no legitimate request was refused" "$(($(drops relay_denied) - d0))" 0

# backends not trusted: the callee side reaches the caller by sift's vouch
write_conf false
kill -HUP "$SIFTD_PID"
wait_for 5 grep -q "reload done" "$T_TMP/siftd.log"
calls "$SIFT4:5060" 1100 10
check_eq "backends not trusted, Record-Route on: the vouch lets the callee reach the caller" \
	"$UAC_RC" 0
calls "[$SIFT6]:5060" 6101 10
check_eq "and over IPv6" "$UAC_RC" 0
check_eq "still nothing refused" "$(($(drops relay_denied) - d0))" 0
stop_uas
stop_pid "$SIFTD_PID"
