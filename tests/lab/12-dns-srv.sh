#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Next hops by name (RFC 3263, issue 12): a trusted caller's INVITEs to
# sip:N@name.test, where name.test has NAPTR and SRV records in a dnsmasq in
# the lab (target t1 at priority 10, t2 at 20), complete through siftd's
# client transactions, on t1; the answer is cached (no query per call).
# With t1 down the calls fail over to t2 and still complete.  An untrusted
# caller may not make sift resolve and relay anywhere: 404.
. "$(dirname "$0")/lib.sh"
lab_init 12

SCN=$TOP/tests/lab/scenarios
SIFT4=$LAB_RTR_GEN_V4
set -- $LAB_BE_V4_ALL
T1=$1 T2=$2 DNS=$3
set -- $LAB_GEN_V4_EXTRA
STRANGER=$1

# dnsmasq in be, on the third backend address: NAPTR -> SRV -> A
(exec ip netns exec "$LAB_BE" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
	--no-dhcp-interface= --bind-interfaces --listen-address="$DNS" --port=53 --pid-file= \
	--log-facility=- --log-queries \
	--naptr-record=name.test,10,50,s,SIP+D2U,,_sip._udp.name.test \
	--srv-host=_sip._udp.name.test,t1.name.test,5060,10,50 \
	--srv-host=_sip._udp.name.test,t2.name.test,5060,20,50 \
	--host-record=t1.name.test,"$T1" --host-record=t2.name.test,"$T2" \
	--local-ttl=300 >"$T_TMP/dnsmasq.log" 2>&1) &
T_PIDS+=($!)
check "dnsmasq answers in the lab" wait_for 5 grep -q 'started' "$T_TMP/dnsmasq.log"

conf=$T_TMP/sift.yaml
sift_conf "$conf" <<EOF
groups:
  - name: core
    backends:
      - address: $DNS
routes:
  - prefix: "9"
    group: core
shield:
  allow:
    - prefix: $LAB_GEN_V4/32
      trusted: true
sip:
  failover_ms: 500
dns:
  servers: "$DNS:53"
health:
  interval: 0
EOF
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts"
byname() { "$SIFTCTL" -j daemon show | jq -r ".punted.by_name.$1"; }

UAS_PIDS=()
start_uas() { # start_uas SCENARIO ADDR...: a sipp callee per address, each logging what it receives
	local scn=$1
	shift
	for a in "$@"; do
		(cd "$T_TMP" && exec ip netns exec "$LAB_BE" sipp -sf "$SCN/$scn" -i "$a" -p 5060 \
			-nostdin -timeout 60s -trace_msg -message_file "$T_TMP/uas-$a.log" \
			>/dev/null 2>&1) &
		UAS_PIDS+=($!)
		T_PIDS+=($!)
	done
	sleep 0.3
}
invites() { local n; n=$(grep -c '^INVITE sip:' "$T_TMP/uas-$1.log" 2>/dev/null); echo "${n:-0}"; }
for scn in uac_rr uac_cancel; do
	sed 's/@\[remote_ip\]:\[remote_port\]/@name.test/g' "$SCN/$scn.xml" >"$T_TMP/$scn.xml"
done
calls() { # calls N SRC [SCENARIO]: N calls from SRC to sip:1000@name.test through sift; sets UAC_RC
	(cd "$T_TMP" && timeout 60 ip netns exec "$LAB_GEN" sipp -sf "$T_TMP/${3:-uac_rr}.xml" \
		"$SIFT4:5060" -i "$2" -p 5090 -s 1000 -m "$1" -r 10 -d 100 -nostdin -timeout 40s \
		-timeout_error >"$T_TMP/uac.out" 2>&1)
	UAC_RC=$?
}

start_uas uas.xml "$T1" "$T2"
calls 10 "$LAB_GEN_V4"
check_eq "10 calls to sip:1000@name.test (NAPTR, SRV, A in dnsmasq): complete" "$UAC_RC" 0
check_eq "all on the priority-10 target, t1" "$(invites "$T1"):$(invites "$T2")" "10:0"
q=$(byname dns.queries)
check "the name was resolved once, then cached (queries: $q)" test "$q" -le 6
check_ge "siftctl counts the requests by name" "$(byname requests)" 10

stop_pid "${UAS_PIDS[0]}"
calls 5 "$LAB_GEN_V4"
check_eq "t1 down: 5 more calls complete" "$UAC_RC" 0
check_eq "on t2, the next SRV target" "$(invites "$T2")" 5
check_ge "each INVITE failed over once" "$(byname transactions.failovers)" 5

# CANCEL: siftd answers it and sends it on to the target; the 487 comes back, both ACKs
stop_pid "${UAS_PIDS[1]}"
start_uas uas_cancel_stateful.xml "$T1"
calls 5 "$LAB_GEN_V4" uac_cancel
check_eq "5 calls by name cancelled while ringing: 200 for the CANCEL, 487, ACK" "$UAC_RC" 0
check_eq "siftd sent the CANCELs on" "$(byname cancels)" 5
check_ge "and ACKed the 487s itself, absorbing the callers' ACKs" "$(byname acks_absorbed)" 5

f=$(msg stranger "INVITE sip:1000@name.test SIP/2.0\nVia: SIP/2.0/UDP $STRANGER:5071;branch=z9hG4bKstr;rport\nMax-Forwards: 70\nTo: <sip:1000@name.test>\nFrom: <sip:a@$STRANGER>;tag=f1\nCall-ID: stranger\nCSeq: 1 INVITE\nContent-Length: 0\n\n")
exchange "$STRANGER:5071" "$SIFT4:5060" "$T_TMP/stranger.log" "$f"
check_eq "a caller not trusted, to a name sift does not serve: 404, nothing resolved for it" \
	"$(starts "$T_TMP/stranger.log" | cut -d'|' -f1)" "SIP/2.0 404 Not Found"

# a stranger's forged 200s with the branches siftd's client transactions use (slot, generation,
# attempt: guessable), its Via below aimed at a victim: the INVITEs' transactions still linger
set -- $LAB_GEN_V4_EXTRA
VICTIM=$2
udp_listen "$LAB_GEN" "$VICTIM" 5099 "$T_TMP/victim.log"
python3 - "$T_TMP/forged" "$SIFT4" "$VICTIM" <<'PY'
import sys
out, sift, victim = sys.argv[1:]
n = 0
for slot in range(8):
    for gen in range(1, 5):
        for att in range(2):
            b = "z9hG4bK-sfc%08x%08x%08x" % (slot, gen, att)
            m = ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP %s:5060;branch=%s\r\n"
                 "Via: SIP/2.0/UDP %s:5099;branch=z9hG4bKv;rport=5099;received=%s\r\n"
                 "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: forged\r\n"
                 "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n") % (sift, b, victim, victim)
            open("%s%d.sip" % (out, n), "w").write(m)
            n += 1
PY
args=()
for f in "$T_TMP"/forged*.sip; do args+=("$f"); done
EXCHANGE_SECONDS=1 exchange "$STRANGER:5072" "$SIFT4:5060" "$T_TMP/forged.log" "${args[@]}"
sleep 0.5
check_eq "forged responses to siftd's client transactions: nothing reaches the Via they name" \
	"$(grep -vc '^ready$' "$T_TMP/victim.log")" 0
stop_pid "$SIFTD_PID"
