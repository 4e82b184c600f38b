#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# siftd's slow path (issue 12): OPTIONS keepalives to sift answered a second
# by siftd, against Kamailio answering the same OPTIONS with sl_send_reply on
# one core (children=1), in the same lab and run; rounds alternate, medians
# reported.  Then siftd's memory: RSS with an empty transaction table and with
# every slot of a 65,536-slot table holding a response (MESSAGEs with
# Max-Forwards 0: a 483 each, kept for Timer J), and what each slot cost.
BENCH=slow
. "$(dirname "$0")/lib.sh"
LOAD=$B/bench/sipload
ROUNDS=${BENCH_ROUNDS:-3}
WINDOW=64
SLOTS=65536

sift_config "$TMP/sift.yaml" <<EOF
sip:
  reply_rate: 1000000       # one source here: siftd's per-source share out of the way
  reply_burst: 1000000
  transactions: $SLOTS
shield:
  enabled: false            # likewise the shield's per-source OPTIONS limit (20 a second)
health:
  interval: 0
EOF
kamailio_config "$TMP/kamailio.cfg" <<'EOF'
loadmodule "sl.so"
request_route {
	if (method == "OPTIONS") {
		sl_send_reply("200", "OK");
		exit;
	}
	sl_send_reply("404", "Not Found");
}
EOF
sed -i 's/^children=4$/children=1/' "$TMP/kamailio.cfg"

load() { # load MODE [MAX]: the closed loop from gen to rtr's address; prints answers a second
	ip netns exec "$LAB_GEN" "$LOAD" "$LAB_GEN_V4" "$LAB_RTR_GEN_V4" 5060 "$SECS" "$WINDOW" "$@" |
		awk '{ print $8 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$TMP/sift.rates"
: >"$TMP/kam.rates"
for r in $(seq "$ROUNDS"); do
	siftd_start "$TMP/sift.yaml"
	load options >>"$TMP/sift.rates"
	siftd_stop
	kamailio_start "$TMP/kamailio.cfg"
	load options >>"$TMP/kam.rates"
	kamailio_stop
	echo "bench-slow: round $r: siftd $(tail -1 "$TMP/sift.rates"), kamailio $(tail -1 "$TMP/kam.rates")" >&2
done
SIFT=$(median <"$TMP/sift.rates")
KAM=$(median <"$TMP/kam.rates")
echo "BENCH slow_options_pps $SIFT msg/s"
echo "BENCH slow_kamailio_options_pps $KAM msg/s"
echo "BENCH slow_ratio_kamailio $(ratio "$SIFT" "$KAM") ratio"

# memory: the table empty, then full
siftd_start "$TMP/sift.yaml"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$SIFTD/status"; }
RSS0=$(rss)
ip netns exec "$LAB_GEN" "$LOAD" "$LAB_GEN_V4" "$LAB_RTR_GEN_V4" 5060 20 256 mf0 $((SLOTS + SLOTS / 16)) >/dev/null # some are lost on the way: the table sheds the rest
INUSE=$(siftctl -j daemon show | jq .punted.transactions.in_use)
RSS1=$(rss)
siftd_stop
[ "$INUSE" = "$SLOTS" ] || echo "bench-slow: only $INUSE of $SLOTS transactions held" >&2
echo "BENCH slow_bytes_per_transaction $(((RSS1 - RSS0) * 1024 / INUSE)) B"
echo "BENCH slow_rss_full_mb $(awk -v k="$RSS1" 'BEGIN { printf "%.1f", k / 1024 }') MB"
