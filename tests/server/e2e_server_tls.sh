#!/usr/bin/env bash
# The server over HTTPS as docs/server.md sets it up: a private CA and a server certificate made
# with certtool, the SPKI pin computed two ways (certtool, openssl) and agreeing; curl trusting
# only that CA enrolls and uploads; a wrong pin, an unknown CA, TLS 1.1 and plain HTTP on the TLS
# port are refused; plain HTTP off the loopback is refused at start.
source "$(dirname "$0")/lib.sh"

cat > ca.tmpl << 'EOF'
cn = "Kiosk test CA"
ca
cert_signing_key
expiration_days = 30
EOF
cat > server.tmpl << 'EOF'
cn = "kiosk sync server"
ip_address = "127.0.0.1"
dns_name = "localhost"
tls_www_server
signing_key
encryption_key
expiration_days = 30
EOF
certtool --generate-privkey --key-type=ecdsa --outfile ca-key.pem 2> /dev/null
certtool --generate-self-signed --load-privkey ca-key.pem --template ca.tmpl --outfile ca.pem 2> /dev/null
certtool --generate-privkey --key-type=ecdsa --outfile server-key.pem 2> /dev/null
certtool --generate-certificate --load-privkey server-key.pem --load-ca-certificate ca.pem \
  --load-ca-privkey ca-key.pem --template server.tmpl --outfile server.pem 2> /dev/null
check "certtool made a CA and a server certificate" test -s ca.pem -a -s server.pem

pin_certtool=$(certtool --pubkey-info --infile server.pem 2> /dev/null |
  sed -n 's/.*pin-sha256:\([A-Za-z0-9+/=]*\).*/\1/p' | head -1)
pin_openssl=$(openssl x509 -in server.pem -pubkey -noout | openssl pkey -pubin -outform der |
  openssl dgst -sha256 -binary | base64)
check "certtool gives the pin" test -n "$pin_certtool"
check "openssl gives the same pin" eq "$pin_openssl" "$pin_certtool"

setup_site
run start_server --tls-cert server.pem --tls-key server-key.pem
check "the server starts with TLS" test "$status" -eq 0
check "and says https" grep -q "listening on https://127.0.0.1:" server.out
URL=https://127.0.0.1:$PORT
TLS=(--cacert ca.pem --pinnedpubkey "sha256//$pin_openssl")

token=$(admin kiosk add k1 --site s1 --canteen c1 2> /dev/null)
printf '{"token":"%s"}' "$token" > enroll.json
plain POST /v1/devices/enroll enroll.json "${TLS[@]}"
check "enrollment over HTTPS, CA and pin checked" eq "$CODE" 201
jq -r .device_secret resp.json > k1.secret
printf 'seq=1 person=XW-0001\n' | make_batch k1 b1.json
signed k1 POST /v1/records:batch b1.json "${TLS[@]}" --tlsv1.2 --tls-max 1.2
check "an upload over TLS 1.2" eq "$CODE:$(jq -r '.results[0].status' resp.json)" "200:accepted"
signed k1 GET "/v1/sync/pull?stream=cards" "" "${TLS[@]}" --tlsv1.3
check "a pull over TLS 1.3" eq "$CODE" 200

run curl -s -o /dev/null --cacert ca.pem --pinnedpubkey "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" "$URL/v1/sync/pull"
check "a wrong pin is refused (curl 90)" eq "$status" 90
run curl -s -o /dev/null "$URL/v1/sync/pull"
check "a server whose CA is not trusted is refused (curl 60)" eq "$status" 60
run curl -s -o /dev/null --cacert ca.pem --tlsv1.0 --tls-max 1.1 "$URL/v1/sync/pull"
check "TLS 1.1 is refused" test "$status" -ne 0
run curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$PORT/v1/sync/pull"
check "plain HTTP on the TLS port gets nothing" test "$status" -ne 0
stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0

run "$SRV" "${DB[@]}" --listen 0.0.0.0:0
check "plain HTTP off the loopback is refused at start" eq "$status" 2
run "$SRV" "${DB[@]}" --listen 127.0.0.1:0 --tls-cert server.pem
check "a certificate without its key is refused" eq "$status" 2
run "$SRV" "${DB[@]}" --listen 127.0.0.1:0 --tls-cert ca-key.pem --tls-key server-key.pem
check "a key given as the certificate is refused" test "$status" -ne 0
finish
