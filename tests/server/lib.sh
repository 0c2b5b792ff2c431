# lib.sh - helpers for the server's end-to-end tests: a scratch directory under $TMPDIR, checks
# that count failures, the server process on a free loopback port (SQLite in the scratch
# directory, or the PostgreSQL database tests/server/with_postgres.sh made when KIOSK_TEST_PG is
# set), enrollment, and requests signed as docs/sync-protocol.md says — with openssl and
# sha256sum, an implementation of the contract independent of the server's. Every script must
# fail loudly with a broken binary: e2e_server_broken.sh runs each with SERVER_BINARY=/bin/false.
set -Eeuo pipefail
: "${SERVER_BINARY:?run through ctest}"
: "${SRV_TESTKIT:?run through ctest}"
: "${KIOSK_SOURCE_DIR:?run through ctest}"
SRV=$SERVER_BINARY
SRC=$KIOSK_SOURCE_DIR
WORK=$(mktemp -d "${TMPDIR:-/tmp}/server-e2e.XXXXXX")
SERVER_PID=""
SERVER_STATUS=""
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -n "${KIOSK_TEST_PG:-}" ]; then
  DB=(--pg "$KIOSK_TEST_PG")
  BACKEND=postgresql
else
  DB=(--db "$WORK/server.db")
  BACKEND=sqlite
fi

source "$(dirname "${BASH_SOURCE[0]}")/../e2e/checks.sh" # check, run, wait_for, check_summary
name_failing_commands
cd "$WORK"

# eq A B: A equals B (prints both when not).
eq() {
  if [ "$1" = "$2" ]; then return 0; fi
  echo "  expected '$2', got '$1'" >&2
  return 1
}

admin() { # the server's administrator commands on the test database
  "$SRV" "${DB[@]}" "$@"
}

# start_server [options...]: the server on a free port of 127.0.0.1; sets PORT, URL,
# SERVER_PID. Its output goes to server.out and server.err (appended over restarts).
start_server() {
  : > server.ready
  "$SRV" "${DB[@]}" --listen 127.0.0.1:0 "$@" > server.ready 2>> server.err &
  SERVER_PID=$!
  local until=$((SECONDS + 30))
  PORT=""
  while [ "$SECONDS" -lt "$until" ]; do
    PORT=$(sed -n 's|^server: listening on https*://127.0.0.1:\([0-9]*\) .*|\1|p' server.ready)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2> /dev/null || break
    sleep 0.05
  done
  cat server.ready >> server.out
  if [ -z "$PORT" ]; then
    echo "FAILED: the server did not start (server.err follows)" >&2
    tail -5 server.err >&2 || true
    failures=$((failures + 1))
    SERVER_PID=""
    return 1
  fi
  URL=http://127.0.0.1:$PORT
}

# stop_server: SIGTERM and wait; SERVER_STATUS is its exit status (0 after a clean stop, and
# under AddressSanitizer only when nothing leaked).
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2> /dev/null || true
    SERVER_STATUS=0
    wait "$SERVER_PID" 2> /dev/null || SERVER_STATUS=$?
    SERVER_PID=""
  fi
}

# wait_log PATTERN [SECONDS]: until server.err has a line matching PATTERN (grep -E).
wait_log() {
  local until=$((SECONDS + ${2:-10}))
  while [ "$SECONDS" -lt "$until" ]; do
    grep -qE "$1" server.err 2> /dev/null && return 0
    sleep 0.05
  done
  echo "  no line /$1/ in the server's log" >&2
  return 1
}

# plain METHOD TARGET [BODYFILE] [curl args...]: an unsigned request; CODE, resp.json, resp.hdr.
plain() {
  local method=$1 target=$2 body=${3:-}
  shift $(($# < 3 ? $# : 3))
  local data=()
  [ -n "$body" ] && data=(--data-binary "@$body" -H 'Content-Type: application/json')
  CODE=$(curl -s -o resp.json -D resp.hdr -w '%{http_code}' -X "$method" "${data[@]}" "$@" \
    "$URL$target") || CODE=000
}

# signature SECRET_B64 METHOD TARGET TIME [BODYFILE]
signature() {
  local key hash
  key=$(printf %s "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n')
  if [ -n "${5:-}" ]; then hash=$(sha256sum < "$5" | cut -d' ' -f1); else
    hash=$(printf '' | sha256sum | cut -d' ' -f1)
  fi
  printf 'v1\n%s\n%s\n%s\n%s' "$2" "$3" "$4" "$hash" |
    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64 -w0
}

# signed DEVICE METHOD TARGET [BODYFILE] [curl args...]: signed with DEVICE's secret (or
# $SECRET when set); sets CODE, resp.json and resp.hdr.
signed() {
  local device=$1 method=$2 target=$3 body=${4:-}
  shift $(($# < 4 ? $# : 4))
  local secret=${SECRET:-$(cat "$device.secret" 2> /dev/null || echo AAAA)}
  local now sig data=()
  now=${KIOSK_TIME:-$(date +%s%3N)}
  sig=$(signature "$secret" "$method" "$target" "$now" "$body")
  [ -n "$body" ] && data=(--data-binary "@$body" -H 'Content-Type: application/json')
  CODE=$(curl -s -o resp.json -D resp.hdr -w '%{http_code}' -X "$method" "${data[@]}" \
    -H "X-Kiosk-Device: $device" -H "X-Kiosk-Time: $now" -H "X-Kiosk-Signature: $sig" "$@" \
    "$URL$target") || CODE=000
}

# enroll DEVICE SITE CANTEEN: kiosk add + POST /v1/devices/enroll; DEVICE.secret holds the
# secret. Returns non-zero when either step fails.
enroll() {
  local token
  token=$(admin kiosk add "$1" --site "$2" --canteen "$3" 2> /dev/null) || return 1
  printf '{"token":"%s","hw_info":{"app_version":"test"}}' "$token" > enroll.json
  plain POST /v1/devices/enroll enroll.json
  [ "$CODE" = 201 ] || return 1
  jq -r .device_secret resp.json > "$1.secret"
}

# header NAME: a header of the last response (case-insensitive name), without CR.
header() {
  grep -i "^$1:" resp.hdr | head -1 | cut -d' ' -f2- | tr -d '\r'
}

# make_batch DEVICE OUT: the batch of the spec lines on standard input (srv_testkit).
make_batch() {
  "$SRV_TESTKIT" batch "$1" > "$2"
}

# A site and a roster the tests share.
setup_site() {
  admin site add s1 --name 长者食堂 --city 320100 --district 320102 --street 320102002 > /dev/null
}

finish() {
  stop_server
  if [ "$failures" -ne 0 ]; then
    echo "FAILED: $failures check(s); the server's log:" >&2
    tail -20 server.err >&2 || true
  fi
  check_summary "$(basename "$0") ($BACKEND)"
}
