#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# siftd answers what the fast path hands it and the parser refuses (issue 12,
# first part): Max-Forwards 0 gets 483, an unknown Request-URI scheme 416,
# Proxy-Require 420, another SIP version 505 (RFC 4475's messages), IPv4 and
# IPv6.  A reply goes to the address the request came from, at its rport or
# its Via's port, never to a host its Via names; a retransmission gets the
# same bytes; each source gets a bounded share of replies.  A STUN Binding
# request on the SIP port gets the source's address (RFC 5626 4.4.2).
. "$(dirname "$0")/lib.sh"
lab_init 09

CORPUS=$TOP/tests/corpus/rfc4475
set -- $LAB_GEN_V4_EXTRA
ATK=$1 VICTIM=$4
SIFT4=$LAB_RTR_GEN_V4 SIFT6=$LAB_RTR_GEN_V6
BE=$(set -- $LAB_BE_V4_ALL; echo "$1")

conf=$T_TMP/sift.yaml
cat >"$conf" <<EOF
interfaces:
  - name: $LAB_RTR_GEN_IF
  - name: $LAB_RTR_BE_IF
groups:
  - name: core
    backends:
      - address: $BE
routes:
  - group: core
health:
  interval: 0
sip:
  reply_burst: 30           # the default rate (10 a second), a burst above the default 20
EOF
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts"

replies() { "$SIFTCTL" -j daemon show | jq -r ".punted.replies.$1"; }
txns() { "$SIFTCTL" -j daemon show | jq -r ".punted.transactions.$1"; }
mf0() { # mf0 NAME SENTBY [VIA_PARAMS]
	msg "$1" "INVITE sip:1000@$(hp "$SIFT4" 5060) SIP/2.0\nVia: SIP/2.0/UDP $2;branch=z9hG4bK$1$3\nMax-Forwards: 0\nTo: <sip:1000@$SIFT4>\nFrom: <sip:a@$2>;tag=f$1\nCall-ID: $1\nCSeq: 1 INVITE\nContent-Length: 0\n\n"
}

# --- Max-Forwards 0: 483, to the source port (rport); the transaction resends it -----------
f=$(mf0 mf4 "$(hp "$LAB_GEN_V4" 5070)" ";rport")
exchange "$(hp "$LAB_GEN_V4" 5070)" "$(hp "$SIFT4" 5060)" "$T_TMP/mf4.log" "$f" "$f"
check_eq "INVITE with Max-Forwards 0, sent twice: 483, resent to the retransmission" \
	"$(starts "$T_TMP/mf4.log" | cut -d'|' -f1-2)" "SIP/2.0 483 Too Many Hops|SIP/2.0 483 Too Many Hops"
check_eq "every copy the same bytes (To tag included)" \
	"$(jq -s 'map(.text) | unique | length' "$T_TMP/mf4.log")" 1
check "with rport filled and received, RFC 3581" \
	grep -q "rport=5070;received=$LAB_GEN_V4" "$T_TMP/mf4.log"
check "and sift's To tag" grep -qE 'To: <sip:1000@[0-9.]+>;tag=sft-[0-9a-f]{16}' \
	<(jq -s -r '.[0].text' "$T_TMP/mf4.log")

# --- Timer G until the ACK (RFC 3261 17.2.1) ---------------------------------------------------
# timer_g SRC SIFT PORT ACK: INVITE with Max-Forwards 0; count the 483s in 2.2 s (no ACK: the
# first and Timer G's at 0.5 and 1.5 s), or acknowledge the first and count what follows
timer_g() {
	ip netns exec "$LAB_GEN" python3 - "$@" <<'PY'
import re, socket, sys, time
src, dst, port, ack = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "ack"
af = socket.AF_INET6 if ":" in src else socket.AF_INET
h = lambda a: f"[{a}]" if ":" in a else a
s = socket.socket(af, socket.SOCK_DGRAM)
s.bind((src, port))
s.settimeout(0.1)
cid = f"tg{port}{time.time()}"
via = f"Via: SIP/2.0/UDP {h(src)}:{port};branch=z9hG4bK{cid};rport\r\n"
common = (f"From: <sip:a@{h(src)}>;tag=f1\r\nCall-ID: {cid}\r\n")
s.sendto((f"INVITE sip:1000@{h(dst)} SIP/2.0\r\n{via}Max-Forwards: 0\r\n{common}"
          f"To: <sip:1000@{h(dst)}>\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n").encode(),
         (dst, 5060))
got, end = [], time.time() + 2.2
while time.time() < end:
    try:
        r = s.recv(4096).decode("latin-1")
    except socket.timeout:
        continue
    got.append(r)
    if ack and len(got) == 1:
        to = re.search(r"^To: (.*)\r$", r, re.M).group(1)
        s.sendto((f"ACK sip:1000@{h(dst)} SIP/2.0\r\n{via}Max-Forwards: 70\r\n{common}"
                  f"To: {to}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n").encode(), (dst, 5060))
print(len(got), len(set(got)))
PY
}
a0=$(txns absorbed)
check_eq "no ACK: the 483 and Timer G's retransmissions at 0.5 and 1.5 s, the same bytes" \
	"$(timer_g "$LAB_GEN_V4" "$SIFT4" 5074 none)" "3 1"
check_eq "ACKed: nothing after the first" "$(timer_g "$LAB_GEN_V4" "$SIFT4" 5075 ack)" "1 1"
check_eq "IPv6, ACKed: likewise" "$(timer_g "$LAB_GEN_V6" "$SIFT6" 5076 ack)" "1 1"
check_eq "the fast path handed both ACKs to siftd, whose transactions absorbed them" \
	"$(($(txns absorbed) - a0))" 2
check_eq "and forwarded none" "$(stat_get forward requests packets)" 0

# --- RFC 4475: the answers the RFC asks of a proxy, IPv4 and IPv6 ------------------------------
for fam in 4 6; do
	if [ $fam = 4 ]; then src=$LAB_GEN_V4 sift=$SIFT4; else src=$LAB_GEN_V6 sift=$SIFT6; fi
	for c in unkscm:416 novelsc:416 bext01:420 badvers:505 zeromf:483; do
		# these Vias name hosts without rport: the reply goes to the source address, port 5060
		# a branch of its own per family: the same one would be a retransmission (RFC 3261
		# 17.2.3), answered to where the first copy came from
		sed "0,/branch=/s/branch=\([^;,\r]*\)/branch=\1v$fam/" "$CORPUS/${c%%:*}.dat" >"$T_TMP/${c%%:*}-$fam.dat"
		exchange "$(hp "$src" 5060)" "$(hp "$sift" 5060)" "$T_TMP/$c.log" "$T_TMP/${c%%:*}-$fam.dat"
		check_eq "IPv$fam: RFC 4475 ${c%%:*} gets ${c##*:}" \
			"$(starts "$T_TMP/$c.log" | cut -d' ' -f2)" "${c##*:}"
	done
done
check "420 lists the Proxy-Require tags as Unsupported" grep -q \
	'Unsupported: noProxiesSupportThis, norDoAnyProxiesSupportThis' "$T_TMP/bext01:420.log"

# --- a Via naming a bystander: the reply goes to the source, not there -------------------------
rm -f "$T_TMP/vic.log" "$T_TMP/vic.log.ready"
ip netns exec "$LAB_GEN" $WIRE listen --bind "$(hp "$VICTIM" 5060)" --seconds 4 \
	--log "$T_TMP/vic.log" --ready "$T_TMP/vic.log.ready" &
T_PIDS+=($!)
wait_for 5 test -e "$T_TMP/vic.log.ready"
f=$(mf0 refl "$(hp "$VICTIM" 5060)")
exchange "$(hp "$ATK" 5060)" "$(hp "$SIFT4" 5060)" "$T_TMP/refl.log" "$f"
check_eq "a Via naming a bystander: the 483 went to the source" \
	"$(starts "$T_TMP/refl.log" | cut -d'|' -f1)" "SIP/2.0 483 Too Many Hops"
check "carrying received= the source" grep -q "received=$ATK" "$T_TMP/refl.log"
sleep 1
check_eq "and the bystander (listening) got nothing" "$([ -s "$T_TMP/vic.log" ] && wc -l <"$T_TMP/vic.log" || echo 0)" 0

# --- STUN Binding on the SIP port (RFC 5626 4.4.2): the mapped address is the source's ------
stun() { # stun FAMILY SRC SIFT PORT: send a Binding request, print the XOR-MAPPED-ADDRESS
	ip netns exec "$LAB_GEN" python3 - "$@" <<'PY'
import ipaddress, os, socket, struct, sys
fam, src, dst, port = sys.argv[1:5]
af = socket.AF_INET if fam == "4" else socket.AF_INET6
s = socket.socket(af, socket.SOCK_DGRAM)
s.bind((src, int(port)))
s.settimeout(2)
tid = os.urandom(12)
s.sendto(struct.pack("!HHI", 1, 0, 0x2112A442) + tid, (dst, 5060))
try:
    r, _ = s.recvfrom(2048)
except socket.timeout:
    print("none"); sys.exit(0)
typ, ln, cookie = struct.unpack("!HHI", r[:8])
assert typ == 0x0101 and cookie == 0x2112A442 and r[8:20] == tid and ln + 20 == len(r), r
at, alen, _, f, xport = struct.unpack("!HHBBH", r[20:28])
assert at == 0x20
key = struct.pack("!I", 0x2112A442) + tid
addr = bytes(a ^ k for a, k in zip(r[28:28 + alen - 4], key))
print(ipaddress.ip_address(addr), xport ^ 0x2112)
PY
}
check_eq "IPv4: a STUN Binding request gets the source's address and port, XOR-mapped" \
	"$(stun 4 "$LAB_GEN_V4" "$SIFT4" 40001)" "$LAB_GEN_V4 40001"
check_eq "IPv6: likewise" "$(stun 6 "$LAB_GEN_V6" "$SIFT6" 40002)" "$LAB_GEN_V6 40002"
check_eq "siftctl daemon show counts them" "$(replies stun)" 2

# --- a bounded share per source ----------------------------------------------------------------
s0=$(replies sent) l0=$(replies limited)
files=()
for i in $(seq 60); do
	files+=("$(msg "burst$i" "INFO sip:1000@$SIFT4 SIP/2.0\nVia: SIP/2.0/UDP $ATK:5072;branch=z9hG4bKb$i;rport\nMax-Forwards: 0\nTo: <sip:1000@$SIFT4>\nFrom: <sip:a@$ATK>;tag=f$i\nCall-ID: burst$i\nCSeq: 1 INFO\nContent-Length: 0\n\n")")
done
t_burst=$(date +%s%N)
exchange "$(hp "$ATK" 5072)" "$(hp "$SIFT4" 5060)" "$T_TMP/burst.log" "${files[@]}"
sent=$(($(replies sent) - s0)) limited=$(($(replies limited) - l0))
diag "60 requests at once: $sent answered, $limited turned away"
check_eq "60 requests at once from one source: each answered or turned away" $((sent + limited)) 60
check "the configured burst (sip.reply_burst: 30) was answered" test "$sent" -ge 30
check "and no more than it and a little rate" test "$sent" -le 35
check_ge "the rest were turned away, counted" "$limited" 25
check_eq "what was answered arrived" "$(jq -s length "$T_TMP/burst.log")" "$sent"
# a retransmission's resend takes from the same share: 40 copies of one answered request
l0=$(replies limited) r0=$(txns resent)
copies=()
for _ in $(seq 40); do copies+=("${files[0]}"); done
exchange "$(hp "$ATK" 5072)" "$(hp "$SIFT4" 5060)" "$T_TMP/burst2.log" "${copies[@]}"
elapsed_ms=$((($(date +%s%N) - t_burst) / 1000000))
resent=$(($(txns resent) - r0))
arrived=$([ -s "$T_TMP/burst2.log" ] && jq -s length "$T_TMP/burst2.log" || echo 0)
limited=$(($(replies limited) - l0))
diag "40 retransmissions: $arrived resends arrived ($resent resent), $limited turned away"
check_eq "40 retransmissions of one request: each resent or turned away" $((arrived + limited)) 40
# GCRA: over both bursts, at most the burst and 10 a second of the time they took
check "no more answers in all than sip.reply_burst and sip.reply_rate allow (${elapsed_ms} ms)" \
	test $((sent + arrived)) -le $((30 + elapsed_ms / 100 + 2))
check_eq "the transactions count what they resent" "$resent" "$arrived"
check_ge "siftctl daemon show counts the 483s" "$("$SIFTCTL" -j daemon show | jq '.punted.replies.by_code["483"]')" 4
check "and says it in text" grep -qE '^  local replies sent: [0-9]+ \(.*483 [0-9]+.*\), STUN answers: 2, [0-9]+ over a source' \
	<("$SIFTCTL" daemon show)
stop_pid "$SIFTD_PID"
