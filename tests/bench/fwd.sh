#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-fwd: forwarded INVITEs per second through the lab's router, in
# one run, for
#   sift          sift_xdp forwarding gen -> be, in-kernel generator in gen
#                 (BPF_PROG_RUN, live frames), 1 and 2 threads
#   scan+redirect a bare XDP program that scans the payload for line feeds
#                 and redirects: the ceiling for any XDP forwarder here
#   Kamailio 5.6  stateless forward() in rtr, a userspace blaster in gen
# A counting XDP sink in be counts what arrives.  Each figure is the count
# at the sink over the run's duration.  Prints BENCH lines.
#
# BENCH_SECONDS (default 5) sets each run's length.
BENCH=fwd
. "$(dirname "$0")/lib.sh"

sink_start
ip -n "$LAB_RTR" neigh replace "$LAB_GEN_V4" lladdr "$GEN_MAC" nud permanent dev "$LAB_RTR_GEN_IF"
flood() { rate gen "$LAB_GEN_V4" "$1" "$SECS"; } # flood THREADS

# --- sift -------------------------------------------------------------------------
sift_config "$TMP/sift.yaml" <<EOF
routes:
  - group: core
health:
  interval: 0
shield:
  enabled: false             # the proxy alone here; make bench-shield measures the shield
EOF
siftd_start "$TMP/sift.yaml"
read -r SIFT1 OFF_SIFT1 < <(flood 1)
read -r SIFT2 OFF_SIFT2 < <(flood 2)
STATS=$(siftctl -j stats show)
siftd_stop
PUNTS=$(jq '.forward.punt.packets + .forward.drop.packets' <<<"$STATS")

# --- the bare XDP reference ----------------------------------------------------------
"$FWD" scan "$LAB_RTR" "$LAB_RTR_GEN_IF" "$LAB_RTR_BE_IF"
read -r SCAN1 _ < <(flood 1)
read -r SCAN2 _ < <(flood 2)
"$FWD" detach "$LAB_RTR" "$LAB_RTR_GEN_IF"

# --- Kamailio ------------------------------------------------------------------------
# stateless forwarding, as light as Kamailio does it: Max-Forwards, forward()
kamailio_config "$TMP/kamailio.cfg" <<EOF
loadmodule "maxfwd.so"
request_route {
	if (!mf_process_maxfwd_header("10")) {
		drop;
	}
	force_send_socket(udp:$LAB_RTR_BE_V4:5060);
	forward("$BE", 5060);
	exit;
}
EOF
kamailio_start "$TMP/kamailio.cfg"
read -r KAM1 OFF_KAM1 < <(rate "$FWD" blast "$LAB_GEN" "$MSG" "$LAB_GEN_V4" "$LAB_RTR_GEN_V4" 1 "$SECS")
kamailio_stop

best() { [ "$1" -ge "$2" ] && echo "$1" || echo "$2"; }
SIFT=$(best "$SIFT1" "$SIFT2")
echo "BENCH fwd_sift_pps_1t $SIFT1 msg/s"
echo "BENCH fwd_sift_pps_2t $SIFT2 msg/s"
echo "BENCH fwd_scan_redirect_pps_1t $SCAN1 msg/s"
echo "BENCH fwd_scan_redirect_pps_2t $SCAN2 msg/s"
echo "BENCH fwd_kamailio_pps $KAM1 msg/s"
echo "BENCH fwd_kamailio_offered_pps $OFF_KAM1 msg/s"
echo "BENCH fwd_sift_offered_pps_1t $OFF_SIFT1 msg/s"
echo "BENCH fwd_sift_offered_pps_2t $OFF_SIFT2 msg/s"
echo "BENCH fwd_sift_refused $PUNTS msgs"
echo "BENCH fwd_ratio_kamailio $(ratio "$SIFT" "$KAM1") ratio"
echo "BENCH fwd_ratio_scan $(ratio "$SIFT1" "$SCAN1") ratio"
echo "BENCH fwd_ratio_scan_2t $(ratio "$SIFT2" "$SCAN2") ratio"
