#!/usr/bin/env bash
# The admin page over HTTPS (the API's certificate, made here with certtool as docs/server.md
# says): its cookies are Secure as well as HttpOnly and SameSite=Strict, HSTS and the security
# headers are on every answer, a login over TLS works and a session's POST without the page's
# origin is refused; plain HTTP on the admin port is refused, and so is plain HTTP off the
# loopback at start (exit 2), as is a malformed --admin-listen.
source "$(dirname "$0")/lib.sh"

cat > ca.tmpl << 'TMPL'
cn = "Kiosk test CA"
ca
cert_signing_key
expiration_days = 30
TMPL
cat > server.tmpl << 'TMPL'
cn = "kiosk sync server"
ip_address = "127.0.0.1"
tls_www_server
signing_key
encryption_key
expiration_days = 30
TMPL
certtool --generate-privkey --key-type=ecdsa --outfile ca-key.pem 2> /dev/null
certtool --generate-self-signed --load-privkey ca-key.pem --template ca.tmpl --outfile ca.pem 2> /dev/null
certtool --generate-privkey --key-type=ecdsa --outfile server-key.pem 2> /dev/null
certtool --generate-certificate --load-privkey server-key.pem --load-ca-certificate ca.pem \
  --load-ca-privkey ca-key.pem --template server.tmpl --outfile server.pem 2> /dev/null
check "certtool made a CA and a server certificate" test -s ca.pem -a -s server.pem

run admin admin-user add alice <<< "correct horse battery"
check "admin-user add" test "$status" -eq 0
run admin admin-user add bob <<< "short"
check "a password under 10 characters is refused (exit 2)" test "$status" -eq 2
run admin admin-user add 'no spaces' <<< "correct horse battery"
check "a name that is no id is refused (exit 2)" test "$status" -eq 2

run "$SRV" "${DB[@]}" --listen 127.0.0.1:0 --admin-listen 0.0.0.0:0
check "plain HTTP admin page off the loopback: refused at start (exit 2)" test "$status" -eq 2
run "$SRV" "${DB[@]}" --listen 127.0.0.1:0 --admin-listen 127.0.0.1
check "--admin-listen without a port: exit 2" test "$status" -eq 2

run start_server --tls-cert server.pem --tls-key server-key.pem --admin-listen 127.0.0.1:0
check "the server starts with TLS and the admin page" test "$status" -eq 0
until=$((SECONDS + 10))
# Until the admin page is announced, or the server has ended (then it never will be).
while [ "$SECONDS" -lt "$until" ] && ! grep -q "admin page on" server.ready &&
  kill -0 "$SERVER_PID" 2> /dev/null; do sleep 0.05; done
ADMIN_PORT=$(sed -n 's|^server: admin page on https://127.0.0.1:\([0-9]*\)$|\1|p' server.ready)
check "the admin page says https" test -n "$ADMIN_PORT"
A=https://127.0.0.1:$ADMIN_PORT
CURL=(curl -s --cacert ca.pem)

"${CURL[@]}" -D login.hdr -c jar -o login.html "$A/login" || true
check "the login form over TLS" grep -q 'id="login"' login.html
check "its cookie is Secure, HttpOnly, SameSite=Strict" \
  grep -qiE '^Set-Cookie: pre=[A-Za-z0-9_-]{43}; Path=/login; HttpOnly; SameSite=Strict; Secure' login.hdr
check "HSTS" grep -qi '^Strict-Transport-Security: max-age=31536000' login.hdr
check "the CSP" grep -qi "^Content-Security-Policy: default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'" login.hdr
check "no framing" grep -qi '^X-Frame-Options: DENY' login.hdr
token=$(sed -n 's/.*name="login_token" value="\([^"]*\)".*/\1/p' login.html)
code=$("${CURL[@]}" -o /dev/null -D in.hdr -b jar -c jar -w '%{http_code}' -H "Origin: $A" \
  --data-urlencode "login_token=$token" -d user=alice \
  --data-urlencode "password=correct horse battery" "$A/login") || code=000
check "login: 303 to the overview" eq "$code" 303
check "the session cookie is Secure, HttpOnly, SameSite=Strict" \
  grep -qiE '^Set-Cookie: sid=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Secure' in.hdr
"${CURL[@]}" -b jar -o sites.html "$A/sites" || true
csrf=$(grep -o 'name="csrf" value="[^"]*' sites.html | head -1 | sed 's/.*value="//')
check "the sites page has the session's CSRF token" test "${#csrf}" -eq 43
post() { # ORIGIN_HEADER... -> the status of adding a site
  "${CURL[@]}" -o post.html -w '%{http_code}' -b jar "$@" --data-urlencode "csrf=$csrf" \
    -d site_id=s9 -d name=x -d city=1 -d district=2 -d street=3 "$A/sites/new" || echo 000
}
check "a POST with the http:// origin of the same host: 403" eq "$(post -H "Origin: http://127.0.0.1:$ADMIN_PORT")" 403
check "a POST with neither Origin nor Referer: 403" eq "$(post)" 403
check "a POST with the page's Referer (no Origin): 200" eq "$(post -H "Referer: $A/sites")" 200
check "and the site is added" grep -q '站点 s9 已添加' post.html
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ADMIN_PORT/login") || code=000
check "plain HTTP on the admin port gets no page" test "$code" != 200
finish
