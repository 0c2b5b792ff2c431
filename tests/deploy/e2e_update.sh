#!/usr/bin/env bash
# kiosk-update with 500 unsent records and a locally edited kiosk.ini, against the real server,
# on a scratch root (dpkg --root) with systemctl played by kiosk_supervise
# (tests/deploy/fake_systemctl.sh): two builds of the kiosk, the current one (v1) and kiosk_next
# (v2, one more migration), packaged as small .debs that ship /etc/kiosk/kiosk.ini
# (packaging/kiosk.ini; v2's differs by one line) as a conffile.
#   0. the server (embedded SQLite) has a site, the sample roster and policy; the kiosk is
#      enrolled, pulls the cards, and its kiosk.ini is edited on the box (its own database, the
#      server's address, no voice...). The server then goes away, and 500 meals are made by taps
#      through the real v1 binary's simulated reader: 500 records, not sent.
#   1. v1 -> v2: updated, the database migrated, the 500 records pending and sound;
#   2. v1's binary over v2's database: refused with exit 2 and a clear message, the file
#      byte for byte untouched;
#   3. "update" to v1 again (a downgrade): v1 refuses the database, the check fails, v2 and its
#      database come back (exit 1), the 500 records intact;
#   4. a v3 that serves (the next build's binary) while the server comes back, uploads the 500,
#      and then fails its check (its database moved on a schema): rolled back to v2 with the
#      database copy put back - taken before the upload, so all 500 are pending again and v2
#      sends them a second time. The server holds exactly 500 meal records of this kiosk, each
#      once, the same record ids, sequence numbers and payload hashes as the kiosk's outbox; it
#      answered the second sending "duplicate"; integrity_check ok.
# After every step kiosk.ini is byte for byte the one edited on the box, and no dpkg question
# held the update up (kiosk-update runs dpkg with --force-confdef --force-confold).
source "$(dirname "$0")/../e2e/lib.sh"
: "${KIOSK_SUPERVISE:?run through ctest}" "${KIOSK_NEXT_BINARY:?run through ctest}"
: "${SERVER_BINARY:?run through ctest}"
export KIOSK_SUPERVISE
UPDATE=$SRC/packaging/kiosk-update
ROOT=$WORK/root
INI=$ROOT/etc/kiosk/kiosk.ini
DB=$WORK/kiosk.db
mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" "$ROOT/var/lib/dpkg/triggers" \
  svc state bin
touch "$ROOT/var/lib/dpkg/status"
arch=$(dpkg --print-architecture)
SYSTEMCTL=$SRC/tests/deploy/fake_systemctl.sh

# Whatever ends the test, nothing it started is left running: the service, the tapping kiosk,
# the server.
SERVER_PID="" TAPPER_PID="" UPDATE_PID=""
end_all() {
  [ -z "$UPDATE_PID" ] || { kill -TERM "$UPDATE_PID" 2> /dev/null && wait "$UPDATE_PID"; } || true
  FAKE_SVC_DIR=$WORK/svc "$SYSTEMCTL" stop kiosk.service 2> /dev/null || true
  [ -z "$TAPPER_PID" ] || kill -KILL "$TAPPER_PID" 2> /dev/null || true
  [ -z "$SERVER_PID" ] || kill -KILL "$SERVER_PID" 2> /dev/null || true
  rm -rf "$WORK"
}
trap end_all EXIT

# --- the server -------------------------------------------------------------------------------
srv() { "$SERVER_BINARY" --db "$WORK/server.db" "$@"; }
sdb() { sqlite3 -cmd '.timeout 5000' "$WORK/server.db" "$1"; }
# start_server PORT: on 127.0.0.1:PORT (0: a free one); sets PORT and SERVER_PID, or the test
# ends here (nothing after it means anything without the server).
start_server() {
  : > server.ready
  "$SERVER_BINARY" --db "$WORK/server.db" --listen "127.0.0.1:$1" > server.ready 2>> server.err &
  SERVER_PID=$!
  local until=$((SECONDS + 30)) port=""
  while [ -z "$port" ] && [ "$SECONDS" -lt "$until" ]; do
    port=$(sed -n 's|^server: listening on http://127.0.0.1:\([0-9]*\) .*|\1|p' server.ready)
    kill -0 "$SERVER_PID" 2> /dev/null || break
    [ -n "$port" ] || sleep 0.05
  done
  check "the server listens (port ${port:-none})" test -n "$port"
  if [ -z "$port" ]; then
    tail -5 server.err >&2 || true
    finish || true
    exit 1
  fi
  PORT=$port
}
stop_server() {
  kill -TERM "$SERVER_PID"
  server_status=0
  wait "$SERVER_PID" || server_status=$?
  SERVER_PID=""
}
srv site add s1 --name 长者食堂 --city 320100 --district 320102 --street 320102002 > /dev/null
srv import-roster "$SRC/tests/data/roster-sample.csv" --site s1 --mode full > /dev/null
srv import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
start_server 0

# --- the packages -----------------------------------------------------------------------------
# make_deb VERSION PROGRAM INI: a kiosk package holding PROGRAM as /usr/lib/kiosk/kiosk and INI
# as the conffile /etc/kiosk/kiosk.ini.
make_deb() {
  local d=pkg-$1
  mkdir -p "$d/DEBIAN" "$d/usr/lib/kiosk" "$d/etc/kiosk"
  cp "$2" "$d/usr/lib/kiosk/kiosk"
  chmod 0755 "$d/usr/lib/kiosk/kiosk"
  cp "$3" "$d/etc/kiosk/kiosk.ini"
  echo /etc/kiosk/kiosk.ini > "$d/DEBIAN/conffiles"
  printf 'Package: kiosk\nVersion: %s\nArchitecture: %s\nMaintainer: test <t@example.org>\nDescription: test kiosk\n' \
    "$1" "$arch" > "$d/DEBIAN/control"
  dpkg-deb -Zgzip -z1 --root-owner-group -b "$d" "kiosk_$1.deb" > /dev/null
}
# v2's shipped kiosk.ini changes a default, so dpkg sees the file changed on both sides and
# would ask what to do.
cp "$SRC/packaging/kiosk.ini" shipped-v1.ini
sed 's/^result_seconds = 8$/result_seconds = 6/' shipped-v1.ini > shipped-v2.ini
check "v2 ships a different kiosk.ini" bash -c '! cmp -s shipped-v1.ini shipped-v2.ini'
make_deb 1.0 "$K" shipped-v1.ini
make_deb 2.0 "$KIOSK_NEXT_BINARY" shipped-v2.ini
# v3: the next build's kiosk serves (and uploads). Its side of kiosk-update's check (the database
# opened in a second process, kiosk --day-report) waits until everything is uploaded, then moves
# the schema on as a newer migration would, and fails: the copy put back holds records the
# server already has.
cat > v3.sh << V3
#!/bin/sh
case " \$* " in
  *" --day-report "*)
    i=0
    while [ "\$(sqlite3 -cmd '.timeout 2000' "file:$DB?mode=ro" \\
      "SELECT count(*) FROM outbox WHERE state <> 'acked'")" != 0 ] && [ \$i -lt 600 ]; do
      sleep 0.1
      i=\$((i + 1))
    done
    sqlite3 -cmd '.timeout 5000' "$DB" "PRAGMA user_version = 99"
    exit 1
    ;;
esac
touch "$WORK/v3.started"
exec "$KIOSK_NEXT_BINARY" "\$@"
V3
make_deb 3.0 v3.sh shipped-v2.ini

# dpkg on the scratch root; with nothing on its standard input, a conffile question would end the
# install with an error instead of waiting for an answer.
printf '#!/bin/sh\nexec dpkg --root=%s --force-not-root --log=/dev/null "$@" < /dev/null\n' \
  "$ROOT" > bin/dpkg
chmod +x bin/dpkg
printf '%s\n' "$ROOT/usr/lib/kiosk/kiosk" --config "$INI" --headless --size 640x480 > svc/command
export FAKE_SVC_DIR=$WORK/svc KIOSK_UPDATE_SYSTEMCTL=$SYSTEMCTL \
  KIOSK_UPDATE_DPKG=$WORK/bin/dpkg KIOSK_UPDATE_ADMINDIR=$ROOT/var/lib/dpkg \
  KIOSK_UPDATE_DB=$DB KIOSK_UPDATE_STATE_DIR=$WORK/state KIOSK_UPDATE_CONFIG=$INI \
  KIOSK_UPDATE_SHOT=$WORK/screen.png KIOSK_UPDATE_KIOSK=$ROOT/usr/lib/kiosk/kiosk \
  KIOSK_UPDATE_RUN_AS='' KIOSK_UPDATE_IDLE_HOLD=1 KIOSK_UPDATE_READY_TIMEOUT=30 KIOSK_UPDATE_HOLD=2

# --- 0. v1 installed, kiosk.ini edited on the box, enrolled, 500 meals made offline ----------
"$WORK/bin/dpkg" -i kiosk_1.0.deb > /dev/null
check "v1 installed kiosk.ini as shipped" cmp -s "$INI" shipped-v1.ini
sed -i -e "s|^kiosk_id = .*|kiosk_id = k1|" -e "s|^canteen_id = .*|canteen_id = c1|" \
  -e "s|^database = .*|database = $DB|" -e "s|^signal_shot = .*|signal_shot = $WORK/screen.png|" \
  -e "s|^enabled = true|enabled = false|" -e "s|^repeat_tap_seconds = .*|repeat_tap_seconds = 0|" \
  "$INI"
# Small intervals, so that the kiosk finds the server soon after it comes back: a heartbeat
# every 5 s (the least), pulls every second, at most 0.5 s between two tries, 50 records a batch.
cat >> "$INI" << SYNC

[sync]
url = http://127.0.0.1:$PORT
start_jitter_s = 0
heartbeat_s = 5
pull_s = 1
retry_max_ms = 500
batch_records = 50
timeout_s = 5
SYNC
cp "$INI" edited.ini
check "kiosk.ini is edited on the box" bash -c '! cmp -s edited.ini shipped-v1.ini'
# ini_kept: kiosk.ini byte for byte as edited, and dpkg left no half-done file of its own.
ini_kept() { cmp -s "$INI" edited.ini && [ ! -e "$INI.dpkg-new" ] && [ ! -e "$INI.dpkg-tmp" ]; }

token=$(srv kiosk add k1 --site s1 --canteen c1 2>> admin.err)
run "$K" --config "$INI" --enroll "$token"
check "the kiosk enrolls with the server" test "$status" -eq 0

report() { sed -n "s/^$1 = //p" "$DB-update.ini" 2> /dev/null; } # the updater's report
kdb() { sqlite3 -cmd '.timeout 5000' "file:$DB?mode=ro" "$1"; }
mkfifo taps.fifo
"$ROOT/usr/lib/kiosk/kiosk" --config "$INI" --headless --reader sim:"$WORK/taps.fifo" \
  --no-voice --events taps.jsonl 2> taps.log &
TAPPER_PID=$!
exec 7<> taps.fifo
# Without a kiosk that starts, nothing after this means anything: the test ends here.
if ! wait_ready taps.jsonl "$TAPPER_PID"; then
  tail -5 taps.log >&2 || true
  finish || true
  exit 1
fi
wait_for "the cards are pulled from the server" 60 '[ "$(kdb "SELECT count(*) FROM card")" = 21 ]'
wait_for "the policy is pulled" 30 '[ "$(kdb "SELECT count(*) FROM policy")" = 1 ]'
wait_for "the roster is pulled" 30 '[ "$(kdb "SELECT count(*) FROM person")" = 20 ]'
stop_server
check "the server stops cleanly" test "$server_status" -eq 0

# Lunch and dinner on the first two days of each month of 2026 (no one on the roster turns 60
# that year before November; two days a month stay far below the policy's monthly cap). The
# first lunch shows which cards are served here (active, old enough, of this canteen); then
# those cards alone, meal after meal, until 500 meals are made.
meals() { jq -c 'select(.kind == "meal")' taps.jsonl | wc -l; }
approved() { jq -c 'select(.kind == "meal" and .result == "approved")' taps.jsonl | wc -l; }
mapfile -t CARDS < <(tail -n +2 "$SRC/tests/data/roster-sample.csv" | cut -d, -f10 |
  grep -E '^[0-9A-Fa-f]{8,}$')
echo "time 2026-01-01T11:30:00+08:00" >&7
for c in "${CARDS[@]}"; do echo "tap $c" >&7; done
wait_for "the first lunch's taps are answered" 30 '[ "$(meals)" = ${#CARDS[@]} ]'
# (The kiosk answers taps in their order, one meal line each; the lines name no card.)
mapfile -t SERVED < <(jq -r 'select(.kind == "meal") | .result' taps.jsonl |
  paste -d' ' - <(printf '%s\n' "${CARDS[@]}") | awk '$1 == "approved" { print $2 }')
echo "cards served: ${#SERVED[@]} of ${#CARDS[@]}"
check "most of the sample's cards are served (${#SERVED[@]})" test "${#SERVED[@]}" -ge 10
t0=$SECONDS
tapped=$(approved) sent=${#CARDS[@]}
for month in 01 02 03 04 05 06 07 08 09 10; do
  for at in 01T11:30 01T17:30 02T11:30 02T17:30; do
    [ "$month$at" != 0101T11:30 ] || continue # the first lunch, above
    echo "time 2026-$month-$at:00+08:00" >&7
    for c in "${SERVED[@]}"; do
      [ "$tapped" -lt 500 ] || break 3
      echo "tap $c" >&7
      tapped=$((tapped + 1)) sent=$((sent + 1))
    done
  done
done
wait_for "every tap is answered" 60 '[ "$(meals)" = "$sent" ]'
echo "500 meals made by taps in $((SECONDS - t0)) s"
check "500 meals served" test "$(approved)" -eq 500
[ "$(approved)" = 500 ] || # why not
  jq -r 'select(.kind == "meal") | .result + " " + (.reason // "")' taps.jsonl | sort | uniq -c >&2
echo quit >&7
exec 7>&-
run wait "$TAPPER_PID"
TAPPER_PID=""
check "the tapping kiosk quits with exit 0 ($status)" test "$status" -eq 0

records() { kdb "SELECT count(*) FROM outbox o JOIN meal m USING (record_id)
                 WHERE o.state = 'pending' AND o.kind = 'meal'"; }
schema() { kdb 'PRAGMA user_version'; }
sound() { test "$(kdb 'PRAGMA integrity_check')" = ok; }
installed() { dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${Version}' kiosk; }
check "500 records pending before the updates" test "$(records)" -eq 500
check "and nothing else in the outbox" test "$(kdb 'SELECT count(*) FROM outbox')" -eq 500
check "the server has none of them" test "$(sdb 'SELECT count(*) FROM records')" -eq 0
v1_schema=$(schema)
run "$SYSTEMCTL" start kiosk.service
check "v1 serves" test "$("$SYSTEMCTL" show -p ActiveState --value kiosk.service)" = active

# --- 1. v1 -> v2 ------------------------------------------------------------------------------
# Copies from three earlier updates, each with the -wal and -shm that checking it leaves: after a
# good update the three newest copies stay (this one and the two latest of these), whole.
for stamp in 20250101T000000Z 20250201T000000Z 20250301T000000Z; do
  touch "state/kiosk.db.before-$stamp" "state/kiosk.db.before-$stamp-wal" \
    "state/kiosk.db.before-$stamp-shm"
done
t0=$SECONDS
run timeout 120 "$UPDATE" kiosk_2.0.deb --previous kiosk_1.0.deb
echo "update v1 -> v2: exit $status in $((SECONDS - t0)) s"
check "1: v1 -> v2 succeeds" test "$status" -eq 0
check "1: v2 installed" test "$(installed)" = 2.0
check "1: v2 serves" test "$("$SYSTEMCTL" show -p ActiveState --value kiosk.service)" = active
check "1: the database moved on one schema" test "$(schema)" -eq $((v1_schema + 1))
check "1: 500 records pending" test "$(records)" -eq 500
check "1: a backup copy was made by SQLite's backup" bash -c "ls state/kiosk.db.before-* > /dev/null"
check "1: the three newest copies kept, the oldest gone with its -wal and -shm" \
  test "$(ls state | grep -c -v -e '-wal$' -e '-shm$' -e '^lock$' -e '^installed.deb$')|$(ls state |
    grep -c '^kiosk.db.before-20250101')|$(ls state | grep -c '^kiosk.db.before-20250301')" = "3|0|3"
check "1: the screenshot of the check was not kept" test ! -e screen.png
check "1: kiosk.ini as edited on the box" ini_kept
check "1: v2's kiosk.ini left beside it" cmp -s "$INI.dpkg-dist" shipped-v2.ini
check "1: the update's report beside the database: updated 2.0 from 1.0, no reason" \
  test "$(report result) $(report version) $(report previous) $(report reason)" = "updated 2.0 1.0 "
check "1: the report is readable by the kiosk's user" test "$(stat -c %a "$DB-update.ini")" = 644

# Every later step starts from v2 serving: without it they would only wait out their timeouts.
if [ "$(installed)" != 2.0 ]; then
  echo "FAILED: v2 is not installed after step 1; steps 2 to 4 need it" >&2
  finish || true
  exit 1
fi

# --- 2. The older binary over the newer database: refused, untouched --------------------------
"$SYSTEMCTL" stop kiosk.service
before=$(sha256sum "$DB" | cut -d' ' -f1)
# (A refusal comes before the first frame: 10 s is plenty, and a v1 that serves, because v2 never
# came, does not hold the test for long.)
run timeout 10 "$K" --config "$INI" --headless --size 640x480 2> refused.txt < /dev/null
check "2: v1 refuses v2's database with exit 2 ($status)" test "$status" -eq 2
check "2: and says why" grep -q 'made by a newer kiosk' refused.txt
check "2: the database file is untouched" test "$(sha256sum "$DB" | cut -d' ' -f1)" = "$before"
run "$SYSTEMCTL" start kiosk.service
check "2: v2 serves again" test "$status" -eq 0

# --- 3. A downgrade to v1: v1 refuses the database, so the check fails and v2 comes back --------
t0=$SECONDS
run timeout 120 "$UPDATE" kiosk_1.0.deb
echo "downgrade to v1: exit $status in $((SECONDS - t0)) s (rolled back)"
check "3: the downgrade is rolled back (exit 1)" test "$status" -eq 1
check "3: the report: rolled_back 1.0 from 2.0" \
  test "$(report result) $(report version) $(report previous)" = "rolled_back 1.0 2.0"
check "3: with the failed check as its reason ($(report reason))" \
  grep -q -E '^reason = the kiosk (did not start|did not stay up)' "$DB-update.ini"
check "3: v2 installed again" test "$(installed)" = 2.0
check "3: v2 serves" test "$("$SYSTEMCTL" show -p ActiveState --value kiosk.service)" = active
check "3: the schema is still v2's" test "$(schema)" -eq $((v1_schema + 1))
check "3: 500 records pending" test "$(records)" -eq 500
check "3: kiosk.ini as edited on the box" ini_kept
check "3: the server has none of them yet" test "$(sdb 'SELECT count(*) FROM records')" -eq 0

# --- 4. v3 serves, the server comes back, v3 uploads, fails its check: v2 and the copy back ----
t0=$SECONDS
timeout 150 "$UPDATE" kiosk_3.0.deb &
UPDATE_PID=$!
# The server comes back once v3 runs: kiosk-update made its copy of the database before.
until [ -e v3.started ] || ! kill -0 "$UPDATE_PID" 2> /dev/null; do sleep 0.05; done
check "4: v3 was started" test -e v3.started
start_server "$PORT"
server_back=$(date +%s.%N)
run wait "$UPDATE_PID"
UPDATE_PID=""
echo "failed v3: exit $status in $((SECONDS - t0)) s (rolled back with the database copy)"
check "4: the failed update is rolled back (exit 1)" test "$status" -eq 1
check "4: v2 installed again" test "$(installed)" = 2.0
check "4: v2 serves" test "$("$SYSTEMCTL" show -p ActiveState --value kiosk.service)" = active
check "4: the database copy is back (v2's schema)" test "$(schema)" -eq $((v1_schema + 1))
check "4: v3's file is kept beside it" bash -c "ls kiosk.db.after-failed-update-* > /dev/null"
check "4: kiosk.ini as edited on the box" ini_kept
aside=$(ls kiosk.db.after-failed-update-* 2> /dev/null | grep -v -e '-wal$' -e '-shm$' | head -1 ||
  true)
# (The newest copy by its name's time stamp; opening a copy leaves -wal and -shm beside it.)
copy4=$(ls state/kiosk.db.before-* 2> /dev/null | grep -v -e '-wal$' -e '-shm$' | tail -1 || true)
check "4: v3 had uploaded all 500 (its file)" test "$(sqlite3 "file:$WORK/$aside?mode=ro" \
  "SELECT count(*) FROM outbox WHERE state = 'acked'")" -eq 500
check "4: the copy put back was taken before: 500 pending in it" test "$(sqlite3 \
  "file:$WORK/$copy4?mode=ro" "SELECT count(*) FROM outbox WHERE state = 'pending'")" -eq 500
# log_time PATTERN first|last: the time (s) of the server's first or last log line matching it.
log_time() {
  local line
  line=$({ grep -E "$1" server.err || true; } | if [ "$2" = first ]; then head -1; else tail -1; fi)
  [ -z "$line" ] || date -d "${line%% *}" +%s.%N
}
last_accepted=$(log_time 'device k1: batch .* [1-9][0-9]* accepted' last)
[ -z "$last_accepted" ] ||
  printf 'the 500 records reached the server from v3 %.2f s after it came back\n' \
    "$(echo "$last_accepted - $server_back" | bc)"
# The failed update reaches the server with the rolled-back kiosk's next heartbeat (written
# before v2 started again; heartbeat_s 5): its report, then server fleet's update column.
check "4: the report: rolled_back 3.0 from 2.0, the database check as its reason" \
  test "$(report result) $(report version) $(report previous)|$(report reason)" = \
  "rolled_back 3.0 2.0|the database does not open in a second process"
reported_at=$(report at_ms)
fleet_update() { srv fleet 2> /dev/null | awk -F'\t' '$1 == "k1" { print $16 }'; }
wait_for "4: a heartbeat brings the rolled-back update to the server" 30 \
  '[ "$(sdb "SELECT json_extract(body, '"'\$.update.at_ms'"') FROM heartbeat")" = "$reported_at" ]'
check "4: server fleet shows it: $(fleet_update)" \
  bash -c '[[ "$1" == "rolled_back 3.0 (from 2.0) at "*": the database does not open in a second process" ]]' \
  _ "$(fleet_update)"

# v2 sends the 500 again: the server answers duplicate and keeps one of each.
wait_for "4: v2 has sent the 500 again (nothing pending)" 60 \
  '[ "$(kdb "SELECT count(*) FROM outbox WHERE state <> '"'acked'"'")" = 0 ]'
# How long the second sending took, from the server's log: its first batch to its last.
dup_first=$(log_time 'device k1: batch .* [1-9][0-9]* duplicate' first)
dup_last=$(log_time 'device k1: batch .* [1-9][0-9]* duplicate' last)
[ -z "$dup_first" ] ||
  printf 'after the rollback v2 sent the 500 again in %.2f s (its first batch to its last)\n' \
    "$(echo "$dup_last - $dup_first" | bc)"
outbox_rows() { kdb "SELECT device_seq, lower(hex(record_id)), lower(hex(payload_sha256))
                     FROM outbox ORDER BY device_seq" | tr '|' ' '; }
server_rows() { sdb "SELECT device_seq, lower(replace(record_id, '-', '')), lower(payload_sha256)
                     FROM records WHERE device_id = 'k1' ORDER BY device_seq" | tr '|' ' '; }
check "4: the server holds exactly 500 meal records of this kiosk" \
  test "$(sdb "SELECT count(*) FROM records WHERE device_id = 'k1' AND kind = 'meal'")" -eq 500
check "4: and nothing else" test "$(sdb 'SELECT count(*) FROM records')" -eq 500
check "4: 500 distinct record ids" \
  test "$(sdb "SELECT count(DISTINCT record_id) FROM records WHERE device_id = 'k1'")" -eq 500
outbox_rows > kiosk.rows
server_rows > server.rows
check "4: the kiosk's 500 records, ids, sequence numbers and payload hashes, are the server's" \
  cmp -s kiosk.rows server.rows
# The server's log of each batch: "N accepted, N duplicate, N conflict, N rejected".
batch_sum() { sed -n "s/.*device k1: batch .*[:,] \([0-9]*\) $1[,;].*/\1/p" server.err |
  awk '{ s += $1 } END { print s + 0 }'; }
echo "server: $(batch_sum accepted) accepted, $(batch_sum duplicate) duplicate"
check "4: the server accepted each record once" test "$(batch_sum accepted)" -eq 500
check "4: the second sending was answered duplicate" test "$(batch_sum duplicate)" -ge 500
check "4: no conflict, nothing rejected" test "$(batch_sum conflict)$(batch_sum rejected)" = 00

"$SYSTEMCTL" stop kiosk.service
check "4: the database is sound" sound
check "4: the kiosk's outbox still holds 500" test "$(kdb 'SELECT count(*) FROM outbox')" -eq 500
stop_server
check "the server stops cleanly" test "$server_status" -eq 0
check "no sanitizer report" bash -c "! grep -q Sanitizer svc/stderr.txt taps.log server.err"
finish
