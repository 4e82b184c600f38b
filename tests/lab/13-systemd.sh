#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install and systemd (issue 13): `make install` puts the binaries, man pages,
# siftd.service and an example /etc/sift/sift.yaml (never over one already
# there) under DESTDIR, `make uninstall` takes them away again; the unit passes
# `systemd-analyze verify`.  siftd runs under exactly the unit's capability
# bounding set, tells a systemd-like NOTIFY_SOCKET READY once attached,
# RELOADING then READY around SIGHUP, STOPPING; its log lines carry a time, or
# journald's priorities when JOURNAL_STREAM says stderr is the journal.
. "$(dirname "$0")/lib.sh"
lab_init 13

# --- make install / uninstall ---------------------------------------------------------------
D=$T_TMP/dest
mkdir -p "$D/etc/sift"
echo "# mine" >"$D/etc/sift/sift.yaml"
make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr >"$T_TMP/install.log" 2>&1
check_eq "make install DESTDIR=... PREFIX=/usr" "$?" 0
for f in usr/sbin/siftd usr/sbin/siftctl usr/share/man/man8/siftd.8 usr/share/man/man8/siftctl.8 \
	usr/lib/systemd/system/siftd.service; do
	check "installs /$f" test -s "$D/$f"
done
check_eq "an existing /etc/sift/sift.yaml is kept" "$(cat "$D/etc/sift/sift.yaml")" "# mine"
UNIT=$D/usr/lib/systemd/system/siftd.service
check "the unit runs siftd from where it was installed" grep -q '^ExecStart=/usr/sbin/siftd -c /etc/sift/sift.yaml$' "$UNIT"
check "Type=notify, ExecReload, restart on failure" bash -c \
	"grep -q '^Type=notify$' '$UNIT' && grep -q '^ExecReload=' '$UNIT' && grep -q '^Restart=on-failure$' '$UNIT'"
# verify resolves ExecStart on the host: the unit as it would be installed under /usr/local
sed "s|/usr/sbin/siftd|$SIFTD|g" "$UNIT" >"$T_TMP/siftd.service"
systemd-analyze verify --man=no "$T_TMP/siftd.service" >"$T_TMP/verify.log" 2>&1
check_eq "systemd-analyze verify: no complaint" "$(grep -v '^$' "$T_TMP/verify.log" | head -3)" ""
rm "$D/etc/sift/sift.yaml"
make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
check "with none there, the example configuration" cmp -s "$TOP/etc/sift.yaml" "$D/etc/sift/sift.yaml"
check "which siftd --check accepts, but for its interface (none in rtr)" bash -c \
	"nsenter --net=/run/netns/$LAB_RTR '$SIFTD' --check -c '$D/etc/sift/sift.yaml' 2>&1 |
	 grep -q \"sift.yaml:4: interface 'eth0' does not exist\""
make -s -C "$TOP" uninstall DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
check_eq "make uninstall leaves nothing behind" "$(find "$D" -type f | wc -l)" 0

# --- siftd under the unit's capabilities, with a notify socket -----------------------------
CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$T_TMP/siftd.service")
BSET=$(for c in $CAPS; do printf ',+%s' "$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")"; done)
NOTIFY=$T_TMP/notify.sock
python3 - "$NOTIFY" "$T_TMP/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
with open(sys.argv[2], "w") as log:
    end = time.time() + 30
    while time.time() < end:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            break
        log.write(m.replace("\n", " ") + "\n")
        log.flush()
        if "STOPPING=1" in m:
            break
PY
T_PIDS+=($!)
wait_for 5 test -S "$NOTIFY"
conf=$T_TMP/sift.yaml
sift_conf "$conf" </dev/null
LOG=$T_TMP/siftd.log
: >"$LOG"
NOTIFY_SOCKET=$NOTIFY nsenter --net="/run/netns/$LAB_RTR" setpriv --bounding-set="-all$BSET" \
	"$SIFTD" -p "$PIN" -r "$SIFT_RUN_DIR" -c "$conf" 2>"$LOG" &
SIFTD_PID=$!
T_PIDS+=("$SIFTD_PID")
check "siftd runs under the unit's capability set ($CAPS)" wait_for 10 grep -q "running (pid" "$LOG"
check "and attached the program" test -n "$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")"
check "READY=1 once attached" wait_for 5 grep -q '^READY=1 STATUS=running on 2 interfaces MAINPID=' "$T_TMP/notify.log"
kill -HUP "$SIFTD_PID"
check "SIGHUP: RELOADING=1, then READY=1" wait_for 5 bash -c \
	"sed -n '2,3p' '$T_TMP/notify.log' | tr '\n' '|' | grep -q '^RELOADING=1 STATUS=reloading|READY=1 STATUS=running|\$'"
stop_pid "$SIFTD_PID"
check "SIGTERM: STOPPING=1" wait_for 5 grep -q '^STOPPING=1' "$T_TMP/notify.log"
# a restart takes over the program a --keep-attached siftd left, under the same set
under_caps() { # under_caps LOG ARGS...: siftd in rtr under the unit's bounding set
	local log=$1
	shift
	nsenter --net="/run/netns/$LAB_RTR" setpriv --bounding-set="-all$BSET" \
		"$SIFTD" -p "$PIN" -r "$SIFT_RUN_DIR" -c "$conf" "$@" 2>"$log" &
	SIFTD_PID=$!
	T_PIDS+=("$SIFTD_PID")
	wait_for 10 grep -q "running (pid" "$log"
}
under_caps "$T_TMP/k1.log" --keep-attached
stop_pid "$SIFTD_PID"
id=$(xdp_prog_id "$LAB_RTR" "$LAB_RTR_GEN_IF")
check "a restart under the same set adopts what --keep-attached left" under_caps "$T_TMP/k2.log"
check "the same program (id $id)" grep -q "adopting the attached sift_xdp (id $id)" "$T_TMP/k2.log"
stop_pid "$SIFTD_PID"
check "not under journald: each line starts with an RFC 3339 time" bash -c \
	"! grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z siftd: ' '$LOG'"
check "and carries its level" grep -qE 'Z siftd: warn: ' "$LOG"

# journald's stream: JOURNAL_STREAM names stderr; lines then carry <priority> for it
: >"$LOG"
JOURNAL_STREAM=$(stat -c '%d:%i' "$LOG") "$SIFTD" --check -c "$T_TMP/nosuch.yaml" 2>>"$LOG"
check "under journald: <3> for an error, no time of its own" grep -q '^<3>.*nosuch.yaml' "$LOG"
