#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tls_certs.sh DIR: test PKI for the TLS listeners, EC P-256, openssl CLI only.
#
#   ca.pem/ca.key          test CA
#   server.pem/server.key  sift's certificate, chain file (leaf then CA):
#                          CN sift.test, SAN sift.test, localhost, 198.18.0.1,
#                          127.0.0.1, 2001:db8::1
#   other.pem/other.key    a second server certificate, other.test (SNI)
#   backend.pem/.key       a backend's: IP 198.18.2.2-4 (the lab's backends)
#   peer.pem/peer.key      client gw1.carrier.test, signed by the test CA
#   rogue.pem/rogue.key    client gw1.carrier.test, from another CA (rogue-ca.*)
#   expired.pem/expired.key client gw1.carrier.test, test CA, valid 2020-01-01
#                          to 2020-01-02 only
#
# Everything is made anew on each run; prints nothing on success.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 1; }
D=$1
mkdir -p "$D"
cd "$D"
W=$(mktemp -d "$PWD/.tlswork.XXXXXX")
trap 'rm -rf "$W"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

self_ca() { # self_ca NAME CN
	key "$1.key"
	openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 3650 -subj "/O=sift test/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash" 2>/dev/null
}

leaf() { # leaf NAME CA CN EKU SAN
	local name=$1 ca=$2 cn=$3 eku=$4 san=$5
	key "$name.key"
	openssl req -new -key "$name.key" -out "$W/$name.csr" -subj "/O=sift test/CN=$cn" 2>/dev/null
	cat >"$W/$name.ext" <<-EOF
	basicConstraints=critical,CA:FALSE
	keyUsage=critical,digitalSignature,keyEncipherment
	extendedKeyUsage=$eku
	subjectKeyIdentifier=hash
	authorityKeyIdentifier=keyid
	subjectAltName=$san
	EOF
	openssl x509 -req -in "$W/$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -set_serial "0x$(openssl rand -hex 8)" \
		-days 825 -extfile "$W/$name.ext" -out "$name.pem" 2>/dev/null
}

self_ca ca "sift test CA"
self_ca rogue-ca "rogue CA"

leaf server ca sift.test serverAuth \
	"DNS:sift.test,DNS:localhost,IP:198.18.0.1,IP:127.0.0.1,IP:2001:db8::1"
cat ca.pem >>server.pem
leaf other ca other.test serverAuth "DNS:other.test"
cat ca.pem >>other.pem
leaf backend ca backend.test serverAuth "IP:198.18.2.2,IP:198.18.2.3,IP:198.18.2.4"
cat ca.pem >>backend.pem
leaf peer ca gw1.carrier.test clientAuth "DNS:gw1.carrier.test"
leaf rogue rogue-ca gw1.carrier.test clientAuth "DNS:gw1.carrier.test"

# Expired: x509 -req of OpenSSL 3.0 cannot set notBefore, `openssl ca` can.
key expired.key
openssl req -new -key expired.key -out "$W/expired.csr" -subj "/O=sift test/CN=gw1.carrier.test" 2>/dev/null
: >"$W/index.txt"
cat >"$W/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
dir = $W
database = $W/index.txt
new_certs_dir = $W
serial = $W/serial
certificate = $PWD/ca.pem
private_key = $PWD/ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
x509_extensions = client
[any]
organizationName = optional
commonName = supplied
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:gw1.carrier.test
EOF
openssl rand -hex 8 >"$W/serial"
openssl ca -batch -notext -config "$W/ca.cnf" -in "$W/expired.csr" -out expired.pem \
	-startdate 20200101000000Z -enddate 20200102000000Z >/dev/null 2>&1
