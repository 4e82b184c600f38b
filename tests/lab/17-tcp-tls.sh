#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SIP over TCP and TLS through siftd (user/siftd/conn.c): callers on TCP and
# TLS reach UDP backends and back, in-dialog requests cross in both
# directions, mutual TLS names a trunk peer, the connection shield cuts
# slowloris and floods, and a large request from UDP reaches a TCP backend
# over TCP.
. "$(dirname "$0")/lib.sh"
lab_init 17

SCN=$TOP/tests/lab/scenarios
conf=$T_TMP/sift.yaml
PKI=$T_TMP/pki
"$TOP/tests/lab/tls_certs.sh" "$PKI"
set -- $LAB_BE_V4_ALL
BE1=$1 BE2=$2 BE3=$3
tls_conf() { # tls_conf [SNI]: the configuration, TLS with the test CA's certificates
	sift_conf "$conf" <<EOF
groups:
  - name: core
    backends:
      - address: $BE1
  - name: plain
    backends:
      - address: $BE2
  - name: tcpbe
    backends:
      - address: $BE3
        transport: tcp
  - name: tlsbe
    backends:
      - address: $BE3
        port: 5061
        transport: tls
  - name: tlsbad
    backends:
      - address: $BE2
        port: 5061
        transport: tls
routes:
  - prefix: "1"
    group: core
    record_route: true
  - prefix: "2"
    group: core
  - prefix: "3"
    group: plain
    record_route: true
  - prefix: "4"
    group: tcpbe
    record_route: true
  - prefix: "5"
    group: tlsbe
  - prefix: "6"
    group: tlsbad
health:
  interval: 0
tcp:
  idle_timeout: ${IDLE:-600}
  first_message_ms: 1500
  per_source: 40
  new_rate: 50
  new_burst: 60
tls:
  handshake_rate: ${HS_RATE:-1000}
  handshake_burst: ${HS_RATE:-1000}
  certificate: $PKI/server.pem
  key: $PKI/server.key
  ca: $PKI/ca.pem
  peers:
    - name: gw1.carrier.test
$1
EOF
}
tls_conf "  sni:
    - name: other.test
      certificate: $PKI/other.pem
      key: $PKI/other.key"
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts"
check "siftd listens on TCP 5060 and TLS 5061 (IPv4 and IPv6)" \
	test "$(in_rtr ss -Htln '( sport = :5060 or sport = :5061 )' | wc -l)" -ge 4

(cd "$T_TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$SCN/uas_callee_ends.xml" -i "$BE1" \
	-p 5060 -nostdin -timeout 120s -trace_msg -message_file "$T_TMP/uas.log" >/dev/null 2>&1) &
UAS=$!
T_PIDS+=("$UAS")
sleep 0.3

# --- TCP callers: sipp -t t1 (one connection) and -t tn (one per call) ----------------------
for mode in t1 tn; do
	(cd "$T_TMP" && timeout 60 ip netns exec "$LAB_GEN" sipp -sf "$SCN/uac_callee_ends.xml" \
		"$LAB_RTR_GEN_V4:5060" -t $mode -i "$LAB_GEN_V4" -p 0 -s 1000 -m 10 -r 10 -max_socket 100 -nostdin \
		-timeout 40s -timeout_error -trace_msg -message_file "$T_TMP/uac-$mode.log" \
		>"$T_TMP/uac-$mode.out" 2>&1)
	check_eq "10 calls over TCP ($mode) through sift to a UDP backend, callee re-INVITEs and hangs up" "$?" 0
done
sj() { in_rtr "$SIFTCTL" -j daemon show | jq -c ".punted$1"; }
check_eq "the callee's requests reached the callers on their own connections (sift's flow)" \
	"$(sj .forwarded.to_flows)" 60
check "sift's Record-Route faced each side with its transport" \
	grep -q 'Record-Route: <sip:198.18.2.1:5060;lr;flow=198.18.1.2:[0-9]*;sft=[0-9a-f]\{8\}>, <sip:198.18.1.1:5060;transport=tcp;lr;sft=' "$T_TMP/uac-t1.log"
check "and the callers' Vias got the port their connection came from (rport)" \
	grep -q '^Via: *SIP/2.0/TCP 198.18.1.2:5060;branch=z9hG4bK-[0-9-]*;rport=[0-9][0-9]*[^0-9]*$' "$T_TMP/uas.log"


# --- TLS callers (a real TLS peer: tests/lab/tlspeer.py, Python's ssl) ------------------------
PEER="python3 $TOP/tests/lab/tlspeer.py"
uas() { # uas NAME ADDR PORT [sipp args]: a sipp uas.xml in be, started by pid
	local name=$1 a=$2 port=$3
	shift 3
	(cd "$T_TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$SCN/uas.xml" -i "$a" -p "$port" \
		-nostdin -timeout 120s -trace_msg -message_file "$T_TMP/$name.log" "$@" >/dev/null 2>&1) &
	T_PIDS+=($!)
}
uas plain "$BE2" 5060
# a host that is no backend, for the relay policy (in gen: beside the callers)
set -- $LAB_GEN_V4_EXTRA
FAR=$1
(cd "$T_TMP" && exec ip netns exec "$LAB_GEN" sipp -sf "$SCN/uas.xml" -i "$FAR" -p 5080 -nostdin \
	-timeout 120s -trace_msg -message_file "$T_TMP/relay.log" >/dev/null 2>&1) &
T_PIDS+=($!)
uas tcpbe "$BE3" 5060 -t t1
sleep 0.5
inv=$(msg invite 'INVITE sip:3001@[remote_ip]:[remote_port] SIP/2.0\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\nMax-Forwards: 70\nFrom: <sip:tls@carrier.test>;tag=tp1\nTo: <sip:3001@sift.test>\nCall-ID: [call_id]\nCSeq: 1 INVITE\nContact: <sip:tls@[local_ip]:[local_port];transport=tls>\nContent-Length: 0\n\n')
ack=$(msg ack 'ACK [next_url] SIP/2.0\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n[routes]\nMax-Forwards: 70\nFrom: <sip:tls@carrier.test>;tag=tp1\nTo: <sip:3001@sift.test>[peer_tag_param]\nCall-ID: [call_id]\nCSeq: 1 ACK\nContent-Length: 0\n\n')
bye=$(msg bye 'BYE [next_url] SIP/2.0\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n[routes]\nMax-Forwards: 70\nFrom: <sip:tls@carrier.test>;tag=tp1\nTo: <sip:3001@sift.test>[peer_tag_param]\nCall-ID: [call_id]\nCSeq: 2 BYE\nContent-Length: 0\n\n')
relay=$(msg relay "INVITE sip:relay@$FAR:5080 SIP/2.0\nVia: SIP/2.0/TLS [local_ip]:[local_port];branch=[branch]\nMax-Forwards: 70\nFrom: <sip:gw1@carrier.test>;tag=r1\nTo: <sip:relay@$FAR>\nCall-ID: [call_id]\nCSeq: 1 INVITE\nContact: <sip:gw1@[local_ip]:[local_port];transport=tls>\nContent-Length: 0\n\n")
TLS4=(--host "$LAB_RTR_GEN_V4" --port 5061 --tls --ca "$PKI/ca.pem" --timeout 3)
finals() { jq -r 'select(.status != null and .status >= 200) | .status' "$1" | paste -sd' '; }
ip netns exec "$LAB_GEN" $PEER send "${TLS4[@]}" --sni sift.test --count 5 "$inv" "$ack" "$bye" >"$T_TMP/tls.out"
check_eq "5 calls over TLS through sift to a UDP backend: INVITE and BYE answered" \
	"$(finals "$T_TMP/tls.out")" "200 200 200 200 200 200 200 200 200 200"
check_eq "the ACKs and BYEs followed sift's Record-Route to the backend" \
	"$(grep -A2 'message received' "$T_TMP/plain.log" | grep -cE '^(ACK|BYE) sip:uas@')" 10
check "the TLS side of sift's Record-Route says so (its port, transport=tls)" \
	grep -q "<sip:$LAB_RTR_GEN_V4:5061;transport=tls;lr;sft=" "$T_TMP/tls.out"
check "SNI picks the certificate: other.test verifies against the test CA" \
	ip netns exec "$LAB_GEN" $PEER ping "${TLS4[@]}" --sni other.test
check "an unknown name gets the default certificate (sift.test), verified" \
	ip netns exec "$LAB_GEN" $PEER ping "${TLS4[@]}" --sni sift.test
ip netns exec "$LAB_GEN" $PEER send "${TLS4[@]}" --sni sift.test --tls-max 1.2 "$inv" "$ack" "$bye" \
	>"$T_TMP/tls12.out"
check_eq "TLS 1.2 works too" "$(finals "$T_TMP/tls12.out")" "200 200"

# --- mutual TLS: a trunk peer by its certificate -------------------------------------------
ip netns exec "$LAB_GEN" $PEER send "${TLS4[@]}" --sni sift.test --cert "$PKI/peer.pem" \
	--key "$PKI/peer.key" "$relay" >"$T_TMP/mtls.out"
check_eq "a peer whose certificate names gw1.carrier.test is trusted: it may call a host that is no backend" \
	"$(finals "$T_TMP/mtls.out")" 200
check "siftd says which peer it recognised" grep -q "trusted peer gw1.carrier.test" "$T_TMP/siftd.log"
ip netns exec "$LAB_GEN" $PEER send "${TLS4[@]}" --sni sift.test "$relay" >"$T_TMP/nomtls.out" 2>&1
check "without the certificate the same request goes nowhere (relay policy)" \
	test "$(finals "$T_TMP/nomtls.out")" != 200
hs0=$(sj .connections.closed.handshake)
for who in rogue expired; do
	ip netns exec "$LAB_GEN" $PEER ping "${TLS4[@]}" --sni sift.test --tls-max 1.2 \
		--cert "$PKI/$who.pem" --key "$PKI/$who.key" >"$T_TMP/$who.out" 2>&1
	check_eq "a certificate from $who is refused: no handshake" "$?" 2
done
check_ge "and counted" "$(sj .connections.closed.handshake)" $((hs0 + 2))

# --- a backend on TCP ------------------------------------------------------------------------
(cd "$T_TMP" && timeout 60 ip netns exec "$LAB_GEN" sipp -sf "$SCN/uac_rr.xml" "$LAB_RTR_GEN_V4:5060" \
	-i "$LAB_GEN_V4" -p 5070 -s 4000 -m 10 -r 10 -nostdin -timeout 40s -timeout_error \
	>"$T_TMP/uac-tcpbe.out" 2>&1)
check_eq "10 UDP calls to a backend declared transport: tcp complete, ACK and BYE along the route" "$?" 0
check_eq "the backend got them over one TCP connection sift opened" \
	"$(grep -c 'TCP message received' "$T_TMP/tcpbe.log")" 30

# --- a backend on TLS: siftd verifies its certificate (the test CA, its IP address) ----------
ip netns exec "$LAB_BE" $PEER serve --host "$BE3" --port 5061 --tls --cert "$PKI/backend.pem" \
	--key "$PKI/backend.key" --seconds 60 --log "$T_TMP/tlsbe.log" >/dev/null 2>&1 &
T_PIDS+=($!)
sleep 0.5
tlsinv=$(msg tlsinv "INVITE sip:5001@$LAB_RTR_GEN_V4:5060 SIP/2.0\nVia: SIP/2.0/UDP $LAB_GEN_V4:5098;branch=z9hG4bK-tb1;rport\nMax-Forwards: 70\nFrom: <sip:u@carrier.test>;tag=tb1\nTo: <sip:5001@sift.test>\nCall-ID: to-tls-backend-1\nCSeq: 1 INVITE\nContact: <sip:u@$LAB_GEN_V4:5098>\nContent-Length: 0\n\n")
exchange "$LAB_GEN_V4:5098" "$LAB_RTR_GEN_V4:5060" "$T_TMP/tlsbe-uac.log" "$tlsinv" >/dev/null 2>&1
check_eq "a UDP caller's INVITE to a transport: tls backend: answered through sift" \
	"$(starts "$T_TMP/tlsbe-uac.log")" "SIP/2.0 200 OK"
check "the backend got it over TLS, sift's Via saying so" \
	grep -q "SIP/2.0/TLS $LAB_RTR_BE_V4:5060;branch=z9hG4bK-sft" "$T_TMP/tlsbe.log"
# one whose certificate (other.test) does not name its address
ip netns exec "$LAB_BE" $PEER serve --host "$BE2" --port 5061 --tls --cert "$PKI/other.pem" \
	--key "$PKI/other.key" --seconds 60 --log "$T_TMP/tlsbad.log" >/dev/null 2>&1 &
T_PIDS+=($!)
sleep 0.5
hs0=$(sj .connections.closed.handshake)
sed 's/sip:5001@/sip:6001@/; s/to-tls-backend-1/to-tls-backend-2/' "$tlsinv" >"$T_TMP/tlsbad.sip"
exchange "$LAB_GEN_V4:5098" "$LAB_RTR_GEN_V4:5060" "$T_TMP/tlsbad-uac.log" "$T_TMP/tlsbad.sip" >/dev/null 2>&1
check "a backend whose certificate does not name its address gets nothing" \
	test ! -s "$T_TMP/tlsbad.log"
check_eq "the handshake refused, counted" "$(sj .connections.closed.handshake)" $((hs0 + 1))

# --- a request too large for UDP goes over TCP (RFC 3261 18.1.1) -----------------------------
TCPLOG=$T_TMP/tcp-be1.log
(exec ip netns exec "$LAB_BE" /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5060)); s.listen(8); s.settimeout(20)
c, _ = s.accept(); c.settimeout(2); data = b""
try:
    while True:
        b = c.recv(65536)
        if not b: break
        data += b
except OSError: pass
open(sys.argv[2], "wb").write(data)' "$BE1" "$TCPLOG") &
T_PIDS+=($!)
TCPLISTENER=$!
sleep 0.3
pad=$(head -c 2400 /dev/zero | tr '\0' 'x')
big=$(msg big "INVITE sip:2002@$LAB_RTR_GEN_V4:5060 SIP/2.0\nVia: SIP/2.0/UDP $LAB_GEN_V4:5099;branch=z9hG4bK-big1\nMax-Forwards: 70\nFrom: <sip:big@carrier.test>;tag=b1\nTo: <sip:2002@sift.test>\nCall-ID: big-invite-1\nCSeq: 1 INVITE\nContact: <sip:big@$LAB_GEN_V4:5099>\nContent-Type: application/sdp\nContent-Length: 2409\n\nv=0\r\ni=$pad\r\n")
check "the INVITE is over 3 KB" test "$(stat -c %s "$big")" -gt 2500
exchange "$LAB_GEN_V4:5099" "$LAB_RTR_GEN_V4:5060" "$T_TMP/big.log" "$big" >/dev/null 2>&1
wait "$TCPLISTENER"
check "a 3 KB INVITE from UDP reached the UDP backend over TCP, sift's Via saying so" \
	grep -q "^Via: *SIP/2.0/TCP $LAB_RTR_BE_V4:5060;branch=z9hG4bK-sft" "$TCPLOG"
check "whole" grep -q "Call-ID: big-invite-1" "$TCPLOG"
check_ge "counted" "$(sj .forwarded.large_tcp)" 1

# --- keep-alives, IPv6 -------------------------------------------------------------------------
check "a CRLF CRLF ping over TCP gets its CRLF pong (RFC 5626)" \
	ip netns exec "$LAB_GEN" $PEER ping --host "$LAB_RTR_GEN_V4" --port 5060
ip netns exec "$LAB_GEN" $PEER send --host "$LAB_RTR_GEN_V6" --port 5060 "$inv" "$ack" "$bye" \
	>"$T_TMP/tcp6.out" 2>&1
check_eq "a call over TCP on IPv6" "$(finals "$T_TMP/tcp6.out")" "200 200"

# --- certificates reload on SIGHUP; established connections stay ------------------------------
# a trunk peer's connections (its certificate makes them past the first-message deadline)
ip netns exec "$LAB_GEN" $PEER hold "${TLS4[@]}" --sni sift.test --conns 5 --seconds 4 \
	--cert "$PKI/peer.pem" --key "$PKI/peer.key" >"$T_TMP/hold.out" &
HOLD=$!
T_PIDS+=("$HOLD")
sleep 1.5
cp "$PKI/other.pem" "$PKI/server.pem"
cp "$PKI/other.key" "$PKI/server.key"
tls_conf ""
kill -HUP "$SIFTD_PID"
wait_for 5 grep -q "reload done" "$T_TMP/siftd.log"
ip netns exec "$LAB_GEN" $PEER ping "${TLS4[@]}" --sni sift.test >/dev/null 2>&1
check_eq "after SIGHUP new handshakes get the new certificate (sift.test no longer verifies)" "$?" 2
check "and it is other.test's" ip netns exec "$LAB_GEN" $PEER ping "${TLS4[@]}" --sni other.test
wait "$HOLD"
check_eq "the 5 connections made before the reload stayed open" "$(jq .still_open "$T_TMP/hold.out")" 5

# --- the connection shield -------------------------------------------------------------------
ip netns exec "$LAB_GEN" $PEER slowloris --host "$LAB_RTR_GEN_V4" --port 5060 \
	--bytes-per-second 20 --seconds 5 >"$T_TMP/loris.out"
cut=$(jq -r .cut_after_s "$T_TMP/loris.out")
check "a slowloris client is cut at the first-message deadline (1.5 s): cut after $cut s" \
	python3 -c "import sys; sys.exit(not (1.4 <= float('$cut') <= 3))"
check_ge "counted as first_message" "$(sj .connections.closed.first_message)" 1
ip netns exec "$LAB_GEN" $PEER slowloris "${TLS4[@]}" --sni other.test --bytes-per-second 20 \
	--seconds 5 >"$T_TMP/loris-tls.out"
cut=$(jq -r .cut_after_s "$T_TMP/loris-tls.out")
check "over TLS too: cut after $cut s" python3 -c "import sys; sys.exit(not (1.4 <= float('$cut') <= 3))"
ip netns exec "$LAB_GEN" $PEER flood --host "$LAB_RTR_GEN_V4" --port 5060 --conns 200 --seconds 1 \
	>"$T_TMP/flood.out"
diag "flood: $(cat "$T_TMP/flood.out")"
check "a connection flood from one source is held to its share (40 at once, 50/s)" \
	test "$(jq .still_open_after "$T_TMP/flood.out")" -le 40
check_ge "and the rest refused, counted by reason" \
	"$(sj '.connections.refused | .per_source + .new_rate')" 100
in_rtr "$SIFTCTL" stats show >"$T_TMP/stats.txt"
check "siftctl stats show says so" grep -qE "refused by the connection shield:.*(per_source|new_rate) [0-9]" "$T_TMP/stats.txt"

# --- RFC 5923: a TLS client's alias; requests to it reuse its connection -----------------------
opt=$(msg alias 'OPTIONS sip:[remote_ip]:[remote_port] SIP/2.0\nVia: SIP/2.0/TLS [local_ip]:5061;branch=[branch];alias\nMax-Forwards: 70\nFrom: <sip:ua@carrier.test>;tag=a1\nTo: <sip:[remote_ip]>\nCall-ID: [call_id]\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n')
ip netns exec "$LAB_GEN" $PEER send "${TLS4[@]}" --sni other.test --expect 2 "$opt" >"$T_TMP/alias.out" 2>&1 &
ALIAS=$!
T_PIDS+=("$ALIAS")
sleep 1
to_alias=$(msg to-alias "INVITE sip:ua@$LAB_GEN_V4:5061;transport=tls SIP/2.0\nVia: SIP/2.0/UDP $BE1:5099;branch=z9hG4bK-al1\nMax-Forwards: 70\nFrom: <sip:core@carrier.test>;tag=c1\nTo: <sip:ua@carrier.test>\nCall-ID: to-alias-1\nCSeq: 1 INVITE\nContent-Length: 0\n\n")
ip netns exec "$LAB_BE" $WIRE send --bind "$BE1:5099" --to "$LAB_RTR_BE_V4:5060" --msg "$to_alias" \
	--seconds 0.5 >/dev/null 2>&1
wait "$ALIAS"
check_eq "a TLS client's Via ;alias: its OPTIONS answered, then a backend's INVITE to its sent-by came on its connection" \
	"$(jq -r .first_line "$T_TMP/alias.out" | paste -sd'|')" "SIP/2.0 200 OK|INVITE sip:ua@$LAB_GEN_V4:5061;transport=tls SIP/2.0"
check_ge "the alias counted" "$(sj .connections.aliases)" 1

# --- idle connections are closed (tcp.idle_timeout) --------------------------------------------
n=$(grep -c "reload done" "$T_TMP/siftd.log")
IDLE=2 tls_conf ""
kill -HUP "$SIFTD_PID"
wait_for 5 bash -c "[ \$(grep -c 'reload done' '$T_TMP/siftd.log') -gt $n ]"
idle0=$(sj .connections.closed.idle)
ip netns exec "$LAB_GEN" $PEER hold "${TLS4[@]}" --sni other.test --conns 3 --seconds 3.5 \
	--cert "$PKI/peer.pem" --key "$PKI/peer.key" >"$T_TMP/idle.out"
check_eq "3 idle TLS connections closed after tcp.idle_timeout (2 s)" "$(jq .still_open "$T_TMP/idle.out")" 0
check_ge "counted as idle" "$(($(sj .connections.closed.idle) - idle0))" 3

# --- the TLS handshake cap (tls.handshake_rate), all sources together -----------------------
n=$(grep -c "reload done" "$T_TMP/siftd.log")
HS_RATE=1 tls_conf ""
kill -HUP "$SIFTD_PID"
wait_for 5 bash -c "[ \$(grep -c 'reload done' '$T_TMP/siftd.log') -gt $n ]"
r0=$(sj .connections.refused.handshake_rate)
ok=0
for i in 1 2 3 4 5; do
	ip netns exec "$LAB_GEN" $PEER ping "${TLS4[@]}" --sni other.test >/dev/null 2>&1 && ok=$((ok + 1))
done
check "5 handshakes at once over a cap of 1 a second: $ok made" test "$ok" -ge 1 -a "$ok" -le 2
check_ge "the rest refused before any TLS work, counted" "$(($(sj .connections.refused.handshake_rate) - r0))" 3

# --- the same message checks as UDP: a scanner over TCP ----------------------------------------
scan=$(msg scan 'OPTIONS sip:100@[remote_ip] SIP/2.0\nVia: SIP/2.0/TCP [local_ip]:[local_port];branch=[branch]\nMax-Forwards: 70\nFrom: <sip:100@[remote_ip]>;tag=s1\nTo: <sip:100@[remote_ip]>\nCall-ID: [call_id]\nCSeq: 1 OPTIONS\nUser-Agent: friendly-scanner\nContent-Length: 0\n\n')
sh0=$(sj .stream_shielded)
ip netns exec "$LAB_GEN" $PEER send --host "$LAB_RTR_GEN_V4" --port 5060 --timeout 1 "$scan" >/dev/null 2>&1
check_eq "a scanner's OPTIONS over TCP gets no answer" "$?" 3
check_eq "the shield dropped it, as over UDP" "$(($(sj .stream_shielded) - sh0))" 1
check_ge "as a scanner" "$(sj .stream_shield.scanner)" 1

# --- banned sources never complete a handshake ------------------------------------------------
in_rtr "$SIFTCTL" ban add "$LAB_GEN_V4" ttl 60 >/dev/null
hs0=$(sj .connections.handshakes)
ip netns exec "$LAB_GEN" $PEER ping "${TLS4[@]}" --sni other.test --timeout 1 >/dev/null 2>&1
check "a banned source's TLS connection goes nowhere" test $? -ne 0
check_eq "no handshake made" "$(sj .connections.handshakes)" "$hs0"

