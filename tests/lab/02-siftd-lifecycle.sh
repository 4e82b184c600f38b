#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# siftd's life: bad configs change nothing, one siftd per interface, SIGHUP
# reloads (and a bad reload keeps the running state), --keep-attached restarts
# adopt the attached program, native falls back to skb where it must, purge.
. "$(dirname "$0")/lib.sh"
lab_init 02

conf=$T_TMP/sift.yaml
udp_to() { # udp_to PORT: one SIP-looking datagram from gen to be
	in_gen "$UDPSEND" "$LAB_BE_V4" "$1" 'OPTIONS sip:be SIP/2.0\r\n\r\n'
}
# Probes that must not count go first: once the one that counts has been seen,
# the earlier ones on the same path have been through sift too.
sip_count() { stat_get class sip packets; }

# --- bad configurations: exit 2, file:line, nothing attached ---------------
cat >"$conf" <<EOF
interfaces:
  - name: $LAB_RTR_GEN_IF
sip:
  ports: [5060, 70000]
EOF
out=$(in_rtr "$SIFTD" -p "$PIN" -c "$conf" 2>&1)
check_eq "out-of-range port: exit 2" "$?" 2
check "out-of-range port: names file:line:col" grep -q "$conf:4:[0-9]*: 'port' must be between 1 and 65535" <<<"$out"
check_eq "out-of-range port: nothing attached" "$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")" ""

cat >"$conf" <<EOF
interfaces:
  - name: $LAB_RTR_GEN_IF
  - name: nosuch0
EOF
out=$(in_rtr "$SIFTD" -p "$PIN" -c "$conf" 2>&1)
check_eq "missing interface: exit 2" "$?" 2
check "missing interface: names file:line" grep -q "$conf:3: interface 'nosuch0' does not exist" <<<"$out"
check_eq "missing interface: nothing attached to the good one" \
	"$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")" ""
check "missing interface: no maps pinned" test ! -e "$PIN/sift_stats"

# --- a good configuration -------------------------------------------------
cat >"$conf" <<EOF
# the lab router
interfaces:
  - name: $LAB_RTR_GEN_IF
    mode: native
    addresses: [$LAB_RTR_GEN_V4, "$LAB_RTR_GEN_V6"]
sip:
  ports: [5060, 5080]
daemon:
  log_level: info
EOF
check "--check accepts it" in_rtr "$SIFTD" -p "$PIN" -c "$conf" --check >/dev/null
start_siftd "$T_TMP/d1.log" -c "$conf" || { not_ok "siftd starts with the file"; exit 1; }
ok "siftd starts with the file"
id1=$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")
check "attached" test -n "$id1"

base=$(sip_count)
udp_to 5090
udp_to 5080
stat_at_least 3 class sip $((base + 1))
check_eq "port 5080 from the file is SIP, 5090 is not" "$(sip_count)" $((base + 1))

out=$(in_rtr "$SIFTD" -p "$PIN" -i "$LAB_RTR_GEN_IF" 2>&1)
check_eq "a second siftd on the interface exits 1" "$?" 1
check "and names the running one" grep -q "already managed by siftd (pid $SIFTD_PID)" <<<"$out"

# --- SIGHUP ---------------------------------------------------------------
sed -i 's/ports: \[5060, 5080\]/ports: [5060, 5090]/' "$conf"
kill -HUP "$SIFTD_PID"
wait_for 5 grep -q "reload done" "$T_TMP/d1.log"
base=$(sip_count)
udp_to 5080
udp_to 5090
stat_at_least 3 class sip $((base + 1))
check_eq "after SIGHUP 5090 is SIP and 5080 is not" "$(sip_count)" $((base + 1))

echo "sip: { ports: [5060, banana] }" >>"$conf"
kill -HUP "$SIFTD_PID"
wait_for 5 grep -q "reload rejected" "$T_TMP/d1.log"
check "a bad reload is rejected with file:line" grep -q "$conf:[0-9]*:[0-9]*: " "$T_TMP/d1.log"
base=$(sip_count)
udp_to 5090
stat_at_least 3 class sip $((base + 1))
check_eq "and the running ports stay as they were" "$(sip_count)" $((base + 1))
check "siftd survived it" kill -0 "$SIFTD_PID"
# the same through siftctl, which says how it went
out=$("$SIFTCTL" daemon reload 2>&1)
check_eq "siftctl daemon reload, the file broken: exit 1" "$?" 1
check "with the error at file:line:col" grep -q "error: $conf:[0-9]*:[0-9]*: " <<<"$out"
check "and that the running configuration stays" grep -q "not reloaded; the running configuration stays" <<<"$out"
sed -i '$d' "$conf"
out=$("$SIFTCTL" -j daemon reload 2>&1)
check_eq "fixed: exit 0" "$?" 0
check_eq "and -j says ok, no errors" "$(jq -c '[.ok, .errors]' <<<"$out")" '[true,[]]'
# a change siftd refuses is the user's mistake: exit 2, as when siftctl itself refuses
out=$("$SIFTCTL" route add 7 group nosuch 2>&1)
check_eq "siftctl route add to a group that does not exist: exit 2" "$?" 2
check "saying why (the group)" grep -q "nosuch" <<<"$out"
"$SIFTCTL" route add 7 2>/dev/null
check_eq "a missing argument siftctl catches: exit 2 as well" "$?" 2

# --- control clients that say nothing cost a slot, not time ------------------
# 8 connections that never send (each stalled siftd's loop 2 s before); siftctl answers at once
python3 - "$SIFT_RUN_DIR/siftd.sock" 8 6 >"$T_TMP/idle.log" 2>&1 <<'PY' &
import socket, sys, time
path, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
conns = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    conns.append(s)
print("connected", flush=True)
time.sleep(secs)
closed = 0
for s in conns:
    s.settimeout(0.1)
    try:
        closed += s.recv(1) == b""
    except OSError:
        pass
print("closed by siftd:", closed, flush=True)
PY
IDLE=$!
T_PIDS+=("$IDLE")
wait_for 5 grep -q connected "$T_TMP/idle.log"
check "with 8 idle control connections open, siftctl still answers (within 3 s; 16 s before)" \
	timeout 3 "$SIFTCTL" route show
wait "$IDLE"
check "siftd closed the idle ones after 5 s" grep -q "closed by siftd: 8" "$T_TMP/idle.log"

# --- --keep-attached: a restart adopts the program --------------------------
stop_pid "$SIFTD_PID"
start_siftd "$T_TMP/d2.log" -c "$conf" --keep-attached || not_ok "restart with --keep-attached"
id2=$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")
stop_pid "$SIFTD_PID"
check_eq "with --keep-attached the program stays after SIGTERM" \
	"$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")" "$id2"
check_eq "prog show works without siftd" "$("$SIFTCTL" -j prog show | jq -r '.[0].siftd_running')" false
base=$(sip_count)
udp_to 5090
stat_at_least 3 class sip $((base + 1))
check_eq "and the fast path keeps counting without siftd" "$(sip_count)" $((base + 1))

start_siftd "$T_TMP/d3.log" -c "$conf" || not_ok "restart after --keep-attached"
check_eq "the restart adopts the same program (no detach)" \
	"$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")" "$id2"
check "and says so" grep -q "adopting the attached sift_xdp (id $id2)" "$T_TMP/d3.log"
check_eq "prog show: siftd running again" "$("$SIFTCTL" -j prog show | jq -r '.[0].siftd_running')" true
check_ge "counters survived the restarts" "$(sip_count)" 3
stop_pid "$SIFTD_PID"
check_eq "without --keep-attached SIGTERM detaches" "$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")" ""

# --- native falls back to skb, logged; an explicit mode does not -------------
# veth refuses native XDP when the peer's MTU exceeds a page.
ip -n "$LAB_BE" link set "$LAB_BE_IF" mtu 9000
ip -n "$LAB_RTR" link set "$LAB_RTR_BE_IF" mtu 9000
start_siftd "$T_TMP/d4.log" -i "$LAB_RTR_BE_IF" || not_ok "siftd starts on a jumbo veth"
check "native failure is logged as a fallback" grep -q "falling back to skb mode" "$T_TMP/d4.log"
check_eq "prog show reports skb, marked as fallback" \
	"$("$SIFTCTL" -j prog show | jq -r '.[0] | "\(.mode) \(.fallback)"')" "skb true"
stop_pid "$SIFTD_PID"
out=$(in_rtr timeout 10 "$SIFTD" -p "$PIN" -m native -i "$LAB_RTR_BE_IF" 2>&1)
check_eq "explicit -m native does not fall back: exit 1" "$?" 1
check_eq "and leaves nothing attached" "$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_BE_IF")" ""

# --- purge ----------------------------------------------------------------
check "purge removes the pinned maps" in_rtr "$SIFTD" -p "$PIN" --purge 2>/dev/null
check "the pin directory is gone" test ! -e "$PIN"
