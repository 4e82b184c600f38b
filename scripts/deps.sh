#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages sift needs, but only those missing: a second
# run installs nothing.  Used by `make check`, `make demo`, `make bench` and
# .ci/run.  `deps.sh bench` adds what the benchmarks compare sift with.
set -euo pipefail

PKGS=(
	# build
	make gcc clang llvm pkg-config libc6-dev
	libbpf-dev libxdp-dev libelf-dev zlib1g-dev bpftool xdp-tools
	libyaml-dev libjansson-dev libc-ares-dev libsystemd-dev libmicrohttpd-dev libpcap-dev libssl-dev
	# tests
	check libsubunit-dev libclang-rt-14-dev
	iproute2 ethtool iputils-ping procps util-linux jq python3 python3-scapy curl
	sip-tester sipvicious dnsmasq-base systemd python3-prometheus-client tshark sngrep openssl
)
if [ "${1:-}" = bench ]; then
	PKGS+=(kamailio kamailio-tls-modules)
fi

missing=()
for p in "${PKGS[@]}"; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
