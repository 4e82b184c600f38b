#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prometheus (issue 13): siftd serves /metrics on metrics.listen.  A real
# client (python3-prometheus-client's parser) reads the scrape; every fast-path
# counter is there with the value `siftctl -j stats show` gives, as one family
# per kind with the reason/class/method... as a label; siftd's answers by code,
# its transactions, backend state, a probe RTT histogram, build and interface
# info are there too; another path is 404.
. "$(dirname "$0")/lib.sh"
lab_init 14

set -- $LAB_BE_V4_ALL
BE=$1
SIFT4=$LAB_RTR_GEN_V4
conf=$T_TMP/sift.yaml
write_conf() { # write_conf INTERVAL
	sift_conf "$conf" <<EOF
groups:
  - name: core
    backends:
      - address: $BE
routes:
  - prefix: "1"
    group: core
health:
  interval: $1
metrics:
  listen: "127.0.0.1:9477"
EOF
}
write_conf 1
(cd "$T_TMP" && exec ip netns exec "$LAB_BE" sipp -sn uas -i "$BE" -p 5060 -aa -nostdin \
	-timeout 60s >/dev/null 2>&1) &
T_PIDS+=($!)
start_siftd "$T_TMP/siftd.log" -c "$conf" || { not_ok "siftd starts"; exit 1; }
ok "siftd starts with metrics.listen 127.0.0.1:9477"
check "and says where" grep -q "metrics: http://127.0.0.1:9477/metrics" "$T_TMP/siftd.log"
scrape() { in_rtr curl -s -o "$1" -w '%{http_code} %{content_type}' "http://127.0.0.1:9477${2:-/metrics}"; }
probes_answered() { # the scrape's own probe count: 3 or more
	scrape "$T_TMP/p.txt" >/dev/null &&
		awk '/^sift_probe_rtt_seconds_count/ { n = $2 } END { exit !(n >= 3) }' "$T_TMP/p.txt"
}
check "the backend answers 3 probes (as the scrape counts them)" wait_for 10 probes_answered
# quiet from here: no more probes, so no counter moves between the scrape and siftctl
n=$(grep -c "reload done" "$T_TMP/siftd.log")
write_conf 0
kill -HUP "$SIFTD_PID"
wait_for 5 bash -c "[ \$(grep -c 'reload done' '$T_TMP/siftd.log') -gt $n ]"
sleep 1.2

# traffic: 5 OPTIONS keepalives to sift (200), 3 INVITEs nobody routes (404)
for i in 1 2 3 4 5; do
	f=$(msg "o$i" "OPTIONS sip:$SIFT4 SIP/2.0\nVia: SIP/2.0/UDP $LAB_GEN_V4:507$i;branch=z9hG4bKo$i;rport\nMax-Forwards: 70\nTo: <sip:$SIFT4>\nFrom: <sip:m@$LAB_GEN_V4>;tag=o$i\nCall-ID: o$i\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n")
	EXCHANGE_SECONDS=0.2 exchange "$LAB_GEN_V4:507$i" "$SIFT4:5060" "$T_TMP/o$i.log" "$f"
done
for i in 1 2 3; do
	f=$(msg "n$i" "MESSAGE sip:2000@$SIFT4 SIP/2.0\nVia: SIP/2.0/UDP $LAB_GEN_V4:508$i;branch=z9hG4bKn$i;rport\nMax-Forwards: 70\nTo: <sip:2000@$SIFT4>\nFrom: <sip:m@$LAB_GEN_V4>;tag=n$i\nCall-ID: n$i\nCSeq: 1 MESSAGE\nContent-Length: 0\n\n")
	EXCHANGE_SECONDS=0.2 exchange "$LAB_GEN_V4:508$i" "$SIFT4:5060" "$T_TMP/n$i.log" "$f"
done
# and a TCP connection held open over the scrape (ip netns exec execs: $! is the peer's pid)
ip netns exec "$LAB_GEN" /usr/bin/python3 "$TOP/tests/lab/tlspeer.py" hold --host "$SIFT4" --port 5060 \
	--conns 1 --seconds 3 >/dev/null 2>&1 &
T_PIDS+=($!)
sleep 0.5

check_eq "GET /metrics: 200, Prometheus' text format" "$(scrape "$T_TMP/m.txt")" \
	"200 text/plain; version=0.0.4; charset=utf-8"
"$SIFTCTL" -j stats show >"$T_TMP/stats.json"
/usr/bin/python3 - "$T_TMP/m.txt" "$T_TMP/stats.json" "$BE" >"$T_TMP/check.log" 2>&1 <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
text, stats, be = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), sys.argv[3]
fams = {f.name: f for f in text_string_to_metric_families(text)}   # raises on a bad format
def samples(name):
    return [s for f in fams.values() for s in f.samples if s.name == name]
def value(name, **labels):
    got = [s.value for s in samples(name) if all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(got) == 1, (name, labels, got)
    return got[0]
bad = []
# every fast-path counter, packets and bytes, under its family and label
families = {"class": ("sift_packets", "class"), "verdict": ("sift_sip_verdicts", "verdict"),
            "forward": ("sift_forward", "outcome"), "sip_punt": ("sift_punted", "reason"),
            "sip_drop": ("sift_dropped", "reason"), "transit": ("sift_transit", "outcome"),
            "method": ("sift_sip_messages", "method"), "shield": ("sift_shield_drops", "reason"),
            "action": ("sift_xdp_actions", "action"),
            "health": ("sift_backend_signals", "signal"), "trace": ("sift_trace_events", "outcome")}
n = 0
conns = stats.pop("connections")  # siftd's, not the fast path's: below
for group, counters in stats.items():
    fam, label = families[group]
    for name, c in counters.items():
        if group == "shield" and name == "bans_imposed":
            pairs = [("sift_shield_bans_imposed_total", {}, c["packets"])]
        else:
            pairs = [(fam + "_total", {label: name}, c["packets"]),
                     (fam + "_bytes_total", {label: name}, c["bytes"])]
        for metric, labels, want in pairs:
            n += 1
            try:
                got = value(metric, **labels)
            except AssertionError as e:
                bad.append("missing %s" % (e,))
                continue
            if got != want:
                bad.append("%s%s = %s, siftctl says %s" % (metric, labels, got, want))
print("compared", n, "fast-path counters")
# the connection shield's counts, as siftctl stats show has them from siftd
for why, want in conns["refused"].items():
    if value("sift_connections_refused_total", reason=why) != want:
        bad.append("refused %s: %s, siftctl says %s" % (why, value("sift_connections_refused_total", reason=why), want))
for why, want in conns["closed"].items():
    if value("sift_connections_closed_total", reason=why) != want:
        bad.append("closed %s differs" % why)
checks = {
    "the 5 keepalives answered 200": value("sift_siftd_replies_total", code="200") == 5,
    "the 3 unrouted MESSAGEs answered 404": value("sift_siftd_replies_total", code="404") == 3,
    "no_route counted as a label": value("sift_siftd_not_forwarded_total", reason="no_route") == 3,
    "server transactions held (8) and the table's size": value("sift_siftd_transactions", table="server") == 8
        and value("sift_siftd_transactions_capacity", table="server") == 4096,
    "the backend up": value("sift_backend_state", group="core", backend=be + ":5060", state="up") == 1
        and value("sift_backend_state", group="core", backend=be + ":5060", state="down") == 0,
    "a probe RTT histogram with 3+ answers, cumulative": (lambda b: b == sorted(b) and b[-1] >= 3
        and value("sift_probe_rtt_seconds_count", group="core", backend=be + ":5060") == b[-1])(
        [s.value for s in samples("sift_probe_rtt_seconds_bucket")]),
    "both interfaces attached": len(samples("sift_interface_attached")) == 2,
    "build info": len(samples("sift_build_info")) == 1,
    "counters typed as counters": fams["sift_punted"].type == "counter",
    "a TCP connection open (the test's), accepted": value("sift_connections", transport="tcp") == conns["open"] == 1
        and value("sift_connections_opened_total", direction="in") == conns["accepted"] >= 1,
}
for what, ok in checks.items():
    if not ok:
        bad.append(what)
print("\n".join(bad) if bad else "all good")
PY
check "the scrape parses; every counter siftctl shows has its value there" grep -q "^all good$" "$T_TMP/check.log"
sed 's/^/# /' "$T_TMP/check.log" | head -8
check_ge "siftctl's counters were all compared" "$(sed -n 's/^compared \([0-9]*\).*/\1/p' "$T_TMP/check.log")" 150
check_eq "another path: 404" "$(scrape /dev/null /nosuch | cut -d' ' -f1)" 404
stop_pid "$SIFTD_PID"
