#!/usr/bin/env bash
# The real kiosk binary against the scripted server (sync_server, docs/sync-protocol.md):
#   1. enrollment with a one-time token; the city's card key replaces the database's; the cards
#      and the roster come from the server;
#   2. the server goes away: meals made meanwhile are marked offline, the staff line says
#      "离线 · 待上传 N", past [sync] offline_meal_limit a subsidised meal waits for staff; the
#      server comes back: every record is delivered exactly once, the staff line clears;
#   3. outcome unknown: the server stores a batch and closes the connection without an answer;
#      the kiosk sends the same batch (same batch_id) again, the server says duplicate, acked;
#   4. 503 with Retry-After: 3 - the next try comes no sooner than 3 s later;
#   5. a card blocked on the server is refused on the next tap once pulled;
#   6. the roster's cursor expires (410): a snapshot is taken and swapped in; a person it no
#      longer has becomes inactive (their meals stay), the others are served;
#   7. heartbeats carry the protocol's fields; a revoked device stops and says so to staff.
source "${KIOSK_SOURCE_DIR:?run through ctest}/tests/e2e/lib.sh"
S=${SYNC_SERVER:?run through ctest}

# --- the scripted server ----------------------------------------------------------------------
PORT=0
SP=""
# The server goes with the script however it ends (a kiosk that failed early too).
trap '[ -z "$SP" ] || kill "$SP" 2> /dev/null || true; rm -rf "$WORK"' EXIT
start_server() {
  rm -f port
  "$S" --port "$PORT" --port-file port --state state.json --token tok1 --log server.log \
    2>> server.err &
  SP=$!
  local until=$((SECONDS + 10))
  while [ ! -s port ] && [ "$SECONDS" -lt "$until" ]; do sleep 0.05; done
  [ -s port ] || { echo "FAILED: the sync server did not start" >&2; cat server.err >&2; exit 1; }
  PORT=$(cat port)
}
stop_server() { kill "$SP"; wait "$SP" || true; }
ctl() { curl -sf -X POST "http://127.0.0.1:$PORT/_ctl/$1" "${@:2}"; }
server() { curl -sf "http://127.0.0.1:$PORT/_ctl/state" | jq -r ".$1"; }

# cond 'SHELL CONDITION': evaluates it (again at each call).
cond() { eval "$1" > /dev/null 2>&1; }
db() { sqlite3 -cmd '.timeout 2000' k.db "$1"; }
# the last sync line of the events file, and its staff line
sync_line() { jq -c 'select(.kind == "sync")' ev.jsonl | tail -1; }
staff_line_is() { [ "$(sync_line | jq -r .staff_line)" = "$1" ]; }
meal_results() { jq -r 'select(.kind == "meal") | .result + ":" + (.reason // "")' ev.jsonl | paste -sd' '; }
last_meal() { meal_results | awk '{print $NF}'; }
pending() { db "SELECT count(*) FROM outbox WHERE state = 'pending'"; }
cards() { db 'SELECT count(*) FROM card'; }
blocked_cards() { db 'SELECT count(*) FROM card WHERE blocked = 1'; }
pulled_persons() { db 'SELECT count(*) FROM person WHERE sync_version IS NOT NULL'; }
tap() { echo "tap $1" >&7; }

start_server
cat > k.ini << EOF_INI
[kiosk]
kiosk_id = k1
database = $WORK/k.db
[timing]
repeat_tap_seconds = 0
[sync]
url = http://127.0.0.1:$PORT
start_jitter_s = 0
heartbeat_s = 5
pull_s = 1
offline_after_s = 2
offline_meal_limit = 2
EOF_INI

"$K" --config k.ini --import-roster "$SRC/tests/data/roster-sample.csv" --mode full > /dev/null
"$K" --config k.ini --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
key_before=$(db "SELECT hex(v) FROM device_state WHERE k = 'card_key'")

# --- 1. enrollment ------------------------------------------------------------------------------
run "$K" --config k.ini --enroll tok1
check "enroll: exit 0" test "$status" -eq 0
check "enroll: the identity is stored" test "$(db "SELECT v FROM device_state WHERE k = 'sync_device_id'")" = k-0001
check "enroll: the city's card key replaced the database's" \
  test "$(db "SELECT hex(v) FROM device_state WHERE k = 'card_key'")" != "$key_before"
check "enroll: the old card hashes were dropped" test "$(db 'SELECT count(*) FROM card')" = 0
run "$K" --config k.ini --enroll tok1
check "enroll again: refused with exit 2" test "$status" -eq 2

# The server's roster and cards (the persons the test taps, as in the sample roster).
for p in XW-0001:1956-03-12 XW-0002:1946-07-08 XW-0009:1938-04-30 XW-0010:1952-08-18 \
  XW-0011:1958-06-06 XW-0012:1962-10-10 XW-0016:1943-02-14; do
  ctl "person?id=${p%%:*}&birth=${p#*:}" > /dev/null
done
for c in 04A1B2C3:XW-0001 04A1B2C3D4E5F6:XW-0002 04A7B8C9:XW-0009 04B8C9DA:XW-0010 \
  04C9DAEB:XW-0011 04DAEBFC:XW-0012 040D1E2F:XW-0016; do
  ctl "card?uid=${c%%:*}&person=${c#*:}" > /dev/null
done

mkfifo cmd.fifo
"$K" --config k.ini --headless --reader sim:"$WORK/cmd.fifo" --no-voice --events ev.jsonl \
  2> log.txt &
pid=$!
WAIT_FOR_PID=$pid # wait_for (tests/e2e/checks.sh) gives up when the kiosk has ended
wait_ready ev.jsonl "$pid"
exec 7> cmd.fifo
echo "time 2026-11-23T11:30:00+08:00" >&7
wait_for "online after the first contact" 20 'grep -q "\"result\":\"online\"" ev.jsonl'
wait_for "the server's cards pulled" 20 '[ "$(cards)" = 7 ]'
wait_for "the server's roster pulled" 20 '[ "$(pulled_persons)" = 7 ]'
tap 04A1B2C3
wait_for "an online meal" 10 '[ "$(meal_results)" = approved: ]'
wait_for "an online meal is delivered at once" 10 '[ "$(server records)" = 1 ]'
check "an online meal is not marked offline" test "$(server offline_records)" = 0

# --- 2. offline, then back --------------------------------------------------------------------
stop_server
wait_for "meals count as offline after offline_after_s" 15 '[ "$(sync_line | jq .offline)" = true ]'
tap 04A1B2C3D4E5F6
tap 04A7B8C9
tap 04B8C9DA
wait_for "offline: two meals, the third waits for staff" 10 \
  '[ "$(meal_results)" = "approved: approved: approved: refused:offline_limit" ]'
wait_for "staff line: 离线 · 待上传 2" 15 'staff_line_is "离线 · 待上传 2"'
check "offline meals marked in their payloads" \
  test "$(db "SELECT count(*) FROM outbox WHERE state = 'pending' AND payload LIKE '%\"offline\":true%'")" = 2
start_server # the same port, its records kept
wait_for "back online: every record delivered" 45 '[ "$(pending)" = 0 ]'
check "the server holds each record once (3)" test "$(server records)" = 3
check "nothing was sent twice" test "$(server duplicates)" = 0
check "the server saw the two offline meals as offline" test "$(server offline_records)" = 2
wait_for "staff line: nothing once all is sent" 15 'staff_line_is ""'
check "the staff line said it in the log" grep -q "staff line (sync): 离线 · 待上传 2" log.txt
tap 04B8C9DA
wait_for "online again: the diner refused offline is served" 15 '[ "$(last_meal)" = approved: ]'

# --- 3. outcome unknown: stored, no answer, the same batch again ---------------------------------
wait_for "the last meal delivered" 20 '[ "$(server records)" = 4 ]'
ctl "fault?path=batch&kind=close&count=1" > /dev/null
tap 04C9DAEB
wait_for "outcome unknown: delivered after a resend" 30 '[ "$(server duplicates)" = 1 ] && [ "$(pending)" = 0 ]'
check "outcome unknown: the server stored it once (5)" test "$(server records)" = 5
check "outcome unknown: the resend was a duplicate" test "$(server duplicates)" = 1
ids=$(curl -sf "http://127.0.0.1:$PORT/_ctl/log" | grep 'records:batch batch=' | tail -2 | awk '{print $3 " " $4}')
check "outcome unknown: the first try got no answer, the second 200" \
  test "$(curl -sf "http://127.0.0.1:$PORT/_ctl/log" | grep 'records:batch batch=' | tail -2 | awk '{print $NF}' | paste -sd' ')" = "0 200"
check "outcome unknown: the same batch_id both times" \
  test "$(echo "$ids" | awk '{print $2}' | sort -u | wc -l)" = 1

# --- 4. 503 + Retry-After -------------------------------------------------------------------------
ctl "fault?path=batch&status=503&retry_after=3&count=1" > /dev/null
tap 04DAEBFC
wait_for "503: delivered after the wait" 30 '[ "$(server records)" = 6 ]'
times=$(curl -sf "http://127.0.0.1:$PORT/_ctl/log" | grep 'POST /v1/records:batch' | tail -2)
gap=$(echo "$times" | awk 'NR == 1 {a = $1} NR == 2 {print $1 - a}')
echo "503: the next batch came $gap ms later"
check "503: the first answer was 503" test "$(echo "$times" | head -1 | awk '{print $NF}')" = 503
check "503: Retry-After honoured (>= 3000 ms: $gap)" test "$gap" -ge 3000
check "503: and not much later (< 6000 ms: $gap)" test "$gap" -lt 6000

# --- 5. a card blocked on the server ----------------------------------------------------------------
ctl "card?uid=040D1E2F&person=XW-0016&blocked=1" > /dev/null
wait_for "the blocked card pulled" 15 '[ "$(blocked_cards)" = 1 ]'
tap 040D1E2F
wait_for "the next tap of the blocked card is refused" 10 '[ "$(last_meal)" = refused:card_blocked ]'

# --- 6. the cursor expires: a snapshot --------------------------------------------------------------
ctl "person?id=XW-0012&purge=1" > /dev/null # gone from the server without a tombstone
ctl "expire?stream=roster" > /dev/null
wait_for "410: a snapshot was swapped in" 20 'grep -q "roster snapshot swapped in" log.txt'
check "410: the server was asked for a snapshot" \
  grep -q "GET /v1/sync/snapshot?stream=roster" <(curl -sf "http://127.0.0.1:$PORT/_ctl/log")
check "410: the person the snapshot lacks is inactive, not deleted" \
  test "$(db "SELECT active FROM person WHERE person_id = 'XW-0012'")" = 0
check "410: their meal stays" test "$(db "SELECT count(*) FROM meal WHERE person_id = 'XW-0012'")" = 1
check "410: persons only the old import had are inactive" \
  test "$(db "SELECT active FROM person WHERE person_id = 'XW-0003'")" = 0
check "410: the server's persons stay active" \
  test "$(db "SELECT count(*) FROM person WHERE active = 1")" = 6
check "410: the roster cursor moved past the snapshot" \
  test "$(db "SELECT cursor FROM sync_cursor WHERE stream = 'roster'")" -ge 8

# --- 7. heartbeat, revocation ------------------------------------------------------------------------
wait_for "a heartbeat arrived" 15 '[ "$(server heartbeats)" -ge 1 ]'
hb=$(curl -sf "http://127.0.0.1:$PORT/_ctl/state" | jq -c .last_heartbeat)
hb_is() { jq -e "$1" <<< "$hb" > /dev/null; }
for field in pending oldest_pending_ms rejected last_ack_ms clock_offset_ms stream_ages_ms \
  offline_meals disk_free_bytes app_version staff_notice; do
  check "heartbeat has $field" hb_is "has(\"$field\")"
done
check "heartbeat: the roster's age is known" hb_is '.stream_ages_ms.roster >= 0'
check "heartbeat: the clock offset is a number" hb_is '.clock_offset_ms | type == "number"'
check "no request had a bad signature" test "$(server bad_signatures)" = 0
ctl revoke > /dev/null
tap 04A1B2C3 # a repeat or a refusal: it only wakes the worker
wait_for "revoked: the staff line says so" 20 'sync_line | jq -r .staff_line | grep -q 本机已停用'
check "revoked: state revoked" test "$(sync_line | jq -r .result)" = revoked

echo quit >&7
exec 7>&-
run wait "$pid"
check "the kiosk exits 0" test "$status" -eq 0
check "no sanitizer report" bash -c "! grep -q Sanitizer log.txt"
check "no UID in the log" bash -c "! grep -qi 04A1B2C3 log.txt"
stop_server
finish
