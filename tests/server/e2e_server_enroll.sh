#!/usr/bin/env bash
# The server over loopback: enrollment (one-time tokens, expiry, a device enrolled twice),
# request signatures (wrong secret, unknown device, missing headers, a signature over other
# bytes), revocation, a device signing another's batch, the headers of every reply, 404 and 405.
source "$(dirname "$0")/lib.sh"

setup_site
run start_server
check "the server starts" test "$status" -eq 0

# --- enrollment -------------------------------------------------------------------------------
token=$(admin kiosk add k1 --site s1 --canteen c1 2> add.err)
check "kiosk add prints a token" test -n "$token"
check "the token is 43 characters of base64url" eq "$(printf %s "$token" | tr -d 'A-Za-z0-9_-' | wc -c)$(printf %s "$token" | wc -c)" "043"
check "kiosk add says how long it is valid" grep -q "valid until" add.err
printf '{"token":"%s","hw_info":{"app_version":"0.3.0"}}' "$token" > enroll.json
plain POST /v1/devices/enroll enroll.json
check "enrollment answers 201" eq "$CODE" 201
check "the reply names the device" eq "$(jq -r .device_id resp.json)" k1
check "the reply names the site" eq "$(jq -r .site_id resp.json)" s1
check "the reply names the canteen" eq "$(jq -r .canteen_id resp.json)" c1
check "the reply carries the city's card key" eq "$(jq -r .card_key resp.json)" "$(admin card-key)"
check "the secret is 32 bytes" eq "$(jq -r .device_secret resp.json | base64 -d | wc -c)" 32
check "the reply carries the site's area and zone" eq "$(jq -r '.site.city + "/" + .site.timezone' resp.json)" "320100/Asia/Shanghai"
check "every reply has Date" test -n "$(header Date)"
check "every reply has X-Server-Time-Ms" test -n "$(header X-Server-Time-Ms)"
check "the body's server_time_ms is the header's" eq "$(jq -r .server_time_ms resp.json)" "$(header X-Server-Time-Ms)"
now=$(date +%s%3N)
check "server time is now" test $(($(header X-Server-Time-Ms) - now)) -lt 5000
jq -r .device_secret resp.json > k1.secret

plain POST /v1/devices/enroll enroll.json
check "a token works once" eq "$CODE" 401
check "a used token is token_invalid" eq "$(jq -r .error resp.json)" token_invalid
check "the error reply has server_time_ms" test "$(jq -r .server_time_ms resp.json)" -gt 0
printf '{"token":"%s"}' "AAAAnotatokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" > unknown.json
plain POST /v1/devices/enroll unknown.json
check "an unknown token is 401" eq "$CODE:$(jq -r .error resp.json)" "401:token_invalid"

# A token that expired: valid one second.
token2=$(admin kiosk add k2 --site s1 --canteen c1 --expires-in 1 2> /dev/null)
sleep 2
printf '{"token":"%s"}' "$token2" > expired.json
plain POST /v1/devices/enroll expired.json
check "an expired token is 401" eq "$CODE:$(jq -r .error resp.json)" "401:token_invalid"
check "and says so" grep -q expired resp.json

# Two tokens for one kiosk: the first enrolls it, the second finds it enrolled.
t3a=$(admin kiosk add k3 --site s1 --canteen c1 2> /dev/null)
t3b=$(admin kiosk add k3 --site s1 --canteen c1 2> /dev/null)
check "a second token is a new one" test "$t3a" != "$t3b"
printf '{"token":"%s"}' "$t3a" > e3a.json
printf '{"token":"%s"}' "$t3b" > e3b.json
plain POST /v1/devices/enroll e3a.json
check "the first token enrolls" eq "$CODE" 201
jq -r .device_secret resp.json > k3.secret
plain POST /v1/devices/enroll e3b.json
check "the second finds the device enrolled: 409" eq "$CODE:$(jq -r .error resp.json)" "409:already_enrolled"
run admin kiosk add k1 --site s1 --canteen c1
check "kiosk add refuses an enrolled device" test "$status" -eq 2
run admin kiosk add k9 --site nowhere --canteen c1
check "kiosk add refuses an unknown site" test "$status" -eq 2

printf '{"tok":"x"}' > bad.json
plain POST /v1/devices/enroll bad.json
check "a malformed enrollment is 400" eq "$CODE:$(jq -r .error resp.json)" "400:bad_request"
check "naming the field" eq "$(jq -r .detail resp.json)" "token: missing"
printf '{"token": "x",' > cut.json
plain POST /v1/devices/enroll cut.json
check "broken JSON is 400 with its position" eq "$CODE:$(jq -r .detail resp.json | cut -c1-6)" "400:line 1"

# --- signatures -------------------------------------------------------------------------------
signed k1 GET "/v1/sync/pull?stream=cards"
check "a signed pull is 200" eq "$CODE" 200
printf '{"pending":0}' > beat.json
signed k1 POST /v1/devices/heartbeat beat.json
check "a signed heartbeat is 204" eq "$CODE" 204
check "204 has X-Server-Time-Ms too" test -n "$(header X-Server-Time-Ms)"
SECRET=$(head -c 32 /dev/urandom | base64) signed k1 GET "/v1/sync/pull?stream=cards"
check "a wrong secret is 401" eq "$CODE:$(jq -r .error resp.json)" "401:signature_invalid"
SECRET=$(cat k1.secret) signed nobody GET "/v1/sync/pull?stream=cards"
check "an unknown device is 401" eq "$CODE:$(jq -r .error resp.json)" "401:signature_invalid"
SECRET=$(cat k1.secret) signed k2 GET "/v1/sync/pull?stream=cards"
check "a device not enrolled yet is 401" eq "$CODE" 401
plain GET "/v1/sync/pull?stream=cards"
check "no signature is 401" eq "$CODE:$(jq -r .error resp.json)" "401:signature_invalid"
# The signature covers the path and query as sent, the time and the body.
t=$(date +%s%3N)
sig=$(signature "$(cat k1.secret)" GET "/v1/sync/pull?stream=cards" "$t")
CODE=$(curl -s -o resp.json -w '%{http_code}' -H "X-Kiosk-Device: k1" -H "X-Kiosk-Time: $t" \
  -H "X-Kiosk-Signature: $sig" "$URL/v1/sync/pull?stream=roster")
check "a signature of another query is 401" eq "$CODE" 401
CODE=$(curl -s -o resp.json -w '%{http_code}' -H "X-Kiosk-Device: k1" -H "X-Kiosk-Time: $((t + 1))" \
  -H "X-Kiosk-Signature: $sig" "$URL/v1/sync/pull?stream=cards")
check "a signature of another time is 401" eq "$CODE" 401
sig=$(signature "$(cat k1.secret)" POST /v1/devices/heartbeat "$t" beat.json)
printf '{"pending":1}' > other.json
CODE=$(curl -s -o resp.json -w '%{http_code}' -X POST --data-binary @other.json \
  -H "X-Kiosk-Device: k1" -H "X-Kiosk-Time: $t" -H "X-Kiosk-Signature: $sig" \
  "$URL/v1/devices/heartbeat")
check "a signature of another body is 401" eq "$CODE" 401
CODE=$(curl -s -o resp.json -w '%{http_code}' -X POST --data-binary @beat.json \
  -H "X-Kiosk-Device: k1" -H "X-Kiosk-Time: $t" -H "X-Kiosk-Signature: $sig" \
  "$URL/v1/devices/heartbeat")
check "the same signature with its own body passes" eq "$CODE" 204
KIOSK_TIME=1000 signed k1 GET "/v1/sync/pull?stream=cards"
check "a kiosk clock far off is still served" eq "$CODE" 200

# A device signing a batch that says it comes from another.
printf 'seq=1\n' | make_batch k1 k1-batch.json
signed k3 POST /v1/records:batch k1-batch.json
check "a batch of another device is 403" eq "$CODE:$(jq -r .error resp.json)" "403:device_mismatch"

# --- revocation -------------------------------------------------------------------------------
run admin kiosk revoke k1
check "kiosk revoke succeeds" test "$status" -eq 0
signed k1 GET "/v1/sync/pull?stream=cards"
check "a revoked device is 403" eq "$CODE:$(jq -r .error resp.json)" "403:device_revoked"
signed k1 POST /v1/devices/heartbeat beat.json
check "a revoked device cannot send heartbeats" eq "$CODE" 403
run admin kiosk revoke k1
check "revoking twice is refused" test "$status" -eq 2
signed k3 GET "/v1/sync/pull?stream=cards"
check "the other device still works" eq "$CODE" 200

# --- garbage on the wire ------------------------------------------------------------------------
# Random bytes, a request line without end, a header far too long, a body shorter than its
# Content-Length: each connection ends, the server goes on.
# The server may close first: the writer ignores SIGPIPE, in a subshell of its own.
garbage() { # garbage COMMAND...: its output sent on one connection
  ( trap '' PIPE; exec 3<> "/dev/tcp/127.0.0.1/$PORT" && "$@" >&3 ) 2> /dev/null || true
}
garbage head -c 65536 /dev/urandom
garbage bash -c 'printf "GET /v1/sync/pull?stream=cards HTTP/1.1\r\nHost: x\r\nX-Long: "; head -c 200000 /dev/zero | tr "\0" a; printf "\r\n\r\n"'
garbage printf 'POST /v1/devices/enroll HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"tok'
signed k3 GET "/v1/sync/pull?stream=cards"
check "the server still answers after garbage" eq "$CODE" 200

# --- routes -----------------------------------------------------------------------------------
plain GET /v1/nothing
check "an unknown path is 404" eq "$CODE:$(jq -r .error resp.json)" "404:not_found"
plain GET /v1/records:batch
check "GET on the batch endpoint is 405" eq "$CODE" 405
check "with Allow: POST" eq "$(header Allow)" POST

stop_server
check "the server stops cleanly on SIGTERM" eq "$SERVER_STATUS" 0

# --- behind a reverse proxy: --base-path ------------------------------------------------------
run start_server --base-path /kiosk-api
check "the server starts with --base-path" test "$status" -eq 0
signed k3 GET "/kiosk-api/v1/sync/pull?stream=cards"
check "a request under the base path, signed with it" eq "$CODE" 200
t=$(date +%s%3N)
sig=$(signature "$(cat k3.secret)" GET "/kiosk-api/v1/sync/pull?stream=cards" "$t")
CODE=$(curl -s -o resp.json -w '%{http_code}' -H "X-Kiosk-Device: k3" -H "X-Kiosk-Time: $t" \
  -H "X-Kiosk-Signature: $sig" "$URL/v1/sync/pull?stream=cards")
check "a proxy that strips the base path: the kiosk's signature still holds" eq "$CODE" 200
sig=$(signature "$(cat k3.secret)" GET "/other/v1/sync/pull?stream=cards" "$t")
CODE=$(curl -s -o resp.json -w '%{http_code}' -H "X-Kiosk-Device: k3" -H "X-Kiosk-Time: $t" \
  -H "X-Kiosk-Signature: $sig" "$URL/v1/sync/pull?stream=cards")
check "another prefix in the signature does not" eq "$CODE" 401
stop_server
finish
