#!/usr/bin/env bash
# kiosk-update with 500 unsent records, on a scratch root (dpkg --root) with systemctl played by
# kiosk_supervise (tests/deploy/fake_systemctl.sh): two builds of the kiosk, the current one
# (v1) and kiosk_next (v2, one more migration), packaged as small .debs.
#   1. v1 -> v2: updated, the database migrated, the 500 records pending and sound;
#   2. v1's binary over v2's database: refused with exit 2 and a clear message, the file
#      byte for byte untouched;
#   3. "update" to v1 again (a downgrade): v1 refuses the database, the check fails, v2 and its
#      database come back (exit 1), the 500 records intact;
#   4. a v3 that moves the schema on and then fails: rolled back to v2 with the database copy
#      put back (the v3 file kept beside it), the 500 records intact, integrity_check ok.
source "$(dirname "$0")/../e2e/lib.sh"
: "${KIOSK_SUPERVISE:?run through ctest}" "${KIOSK_NEXT_BINARY:?run through ctest}"
export KIOSK_SUPERVISE
UPDATE=$SRC/packaging/kiosk-update
ROOT=$WORK/root
mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" "$ROOT/var/lib/dpkg/triggers" \
  svc state bin
touch "$ROOT/var/lib/dpkg/status"
arch=$(dpkg --print-architecture)

# make_deb VERSION PROGRAM: a kiosk package holding PROGRAM as /usr/lib/kiosk/kiosk.
make_deb() {
  local d=pkg-$1
  mkdir -p "$d/DEBIAN" "$d/usr/lib/kiosk"
  cp "$2" "$d/usr/lib/kiosk/kiosk"
  chmod 0755 "$d/usr/lib/kiosk/kiosk"
  printf 'Package: kiosk\nVersion: %s\nArchitecture: %s\nMaintainer: test <t@example.org>\nDescription: test kiosk\n' \
    "$1" "$arch" > "$d/DEBIAN/control"
  dpkg-deb -Zgzip -z1 --root-owner-group -b "$d" "kiosk_$1.deb" > /dev/null
}
make_deb 1.0 "$K"
make_deb 2.0 "$KIOSK_NEXT_BINARY"
# v3: moves the schema on (as a newer kiosk's migration would), then fails before READY.
cat > v3.sh <<V3
#!/bin/sh
sqlite3 "$WORK/kiosk.db" "PRAGMA user_version = 99" 2> /dev/null
exit 1
V3
make_deb 3.0 v3.sh

printf '#!/bin/sh\nexec dpkg --root=%s --force-not-root --log=/dev/null "$@"\n' "$ROOT" > bin/dpkg
chmod +x bin/dpkg
cat > k.ini << INI
[kiosk]
database = $WORK/kiosk.db
[display]
signal_shot = $WORK/screen.png
[reader]
device =
[voice]
enabled = false
INI
printf '%s\n' "$ROOT/usr/lib/kiosk/kiosk" --config "$WORK/k.ini" --headless --size 640x480 \
  > svc/command
export FAKE_SVC_DIR=$WORK/svc KIOSK_UPDATE_SYSTEMCTL=$SRC/tests/deploy/fake_systemctl.sh \
  KIOSK_UPDATE_DPKG=$WORK/bin/dpkg KIOSK_UPDATE_ADMINDIR=$ROOT/var/lib/dpkg \
  KIOSK_UPDATE_DB=$WORK/kiosk.db KIOSK_UPDATE_STATE_DIR=$WORK/state KIOSK_UPDATE_CONFIG=$WORK/k.ini \
  KIOSK_UPDATE_SHOT=$WORK/screen.png KIOSK_UPDATE_KIOSK=$ROOT/usr/lib/kiosk/kiosk \
  KIOSK_UPDATE_RUN_AS='' KIOSK_UPDATE_IDLE_HOLD=1 KIOSK_UPDATE_READY_TIMEOUT=30 KIOSK_UPDATE_HOLD=2
SYSTEMCTL=$KIOSK_UPDATE_SYSTEMCTL

# v1 installed and running over a database with 500 records not yet uploaded.
"$WORK/bin/dpkg" -i kiosk_1.0.deb > /dev/null
"$K" --config k.ini --import-roster "$SRC/tests/data/roster-sample.csv" --mode full > /dev/null
"$K" --config k.ini --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
sqlite3 kiosk.db << 'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO meal(record_id, person_id, kiosk_id, canteen_id, business_date, local_minute,
  meal_type, created_utc_ms, price_fen, subsidy_fen, pay_fen, city_fen, district_fen, street_fen,
  class_id, policy_version, payment_method)
SELECT CAST(printf('%016d', i) AS BLOB), 'P' || i, 'kiosk-01', 'canteen-01', '2026-11-23', 690,
  'lunch', 1795404600000 + i, 1500, 500, 1000, 300, 200, 0, 'age80', 'v1', 'cash' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO outbox(record_id, device_seq, kind, payload, payload_sha256, created_wall_ms)
SELECT CAST(printf('%016d', i) AS BLOB), i, 'meal', '{"n":' || i || '}', randomblob(32),
  1795404600000 + i FROM n;
SQL
records() { sqlite3 "file:$WORK/kiosk.db?mode=ro" \
  "SELECT count(*) FROM outbox o JOIN meal m USING (record_id) WHERE o.state = 'pending'"; }
schema() { sqlite3 "file:$WORK/kiosk.db?mode=ro" 'PRAGMA user_version'; }
sound() { test "$(sqlite3 "file:$WORK/kiosk.db?mode=ro" 'PRAGMA integrity_check')" = ok; }
installed() { dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${Version}' kiosk; }
check "500 records pending before the updates" test "$(records)" -eq 500
v1_schema=$(schema)
"$SYSTEMCTL" start kiosk.service
check "v1 serves" test "$("$SYSTEMCTL" show -p ActiveState --value kiosk.service)" = active

# 1. v1 -> v2.
t0=$SECONDS
run "$UPDATE" kiosk_2.0.deb --previous kiosk_1.0.deb
echo "update v1 -> v2: exit $status in $((SECONDS - t0)) s"
check "1: v1 -> v2 succeeds" test "$status" -eq 0
check "1: v2 installed" test "$(installed)" = 2.0
check "1: v2 serves" test "$("$SYSTEMCTL" show -p ActiveState --value kiosk.service)" = active
check "1: the database moved on one schema" test "$(schema)" -eq $((v1_schema + 1))
check "1: 500 records pending" test "$(records)" -eq 500
check "1: a backup copy was made by SQLite's backup" bash -c "ls state/kiosk.db.before-* > /dev/null"
check "1: the screenshot of the check was not kept" test ! -e screen.png

# 2. The older binary over the newer database: refused, untouched.
"$SYSTEMCTL" stop kiosk.service
before=$(sha256sum kiosk.db | cut -d' ' -f1)
run timeout 30 "$K" --config k.ini --headless --size 640x480 2> refused.txt < /dev/null
check "2: v1 refuses v2's database with exit 2 ($status)" test "$status" -eq 2
check "2: and says why" grep -q 'made by a newer kiosk' refused.txt
check "2: the database file is untouched" test "$(sha256sum kiosk.db | cut -d' ' -f1)" = "$before"
"$SYSTEMCTL" start kiosk.service

# 3. A downgrade to v1: v1 refuses the database, so the check fails and v2 comes back.
t0=$SECONDS
run "$UPDATE" kiosk_1.0.deb
echo "downgrade to v1: exit $status in $((SECONDS - t0)) s (rolled back)"
check "3: the downgrade is rolled back (exit 1)" test "$status" -eq 1
check "3: v2 installed again" test "$(installed)" = 2.0
check "3: v2 serves" test "$("$SYSTEMCTL" show -p ActiveState --value kiosk.service)" = active
check "3: the schema is still v2's" test "$(schema)" -eq $((v1_schema + 1))
check "3: 500 records pending" test "$(records)" -eq 500

# 4. v3 moves the schema on and fails: v2 and the database copy come back.
t0=$SECONDS
run "$UPDATE" kiosk_3.0.deb
echo "failed v3: exit $status in $((SECONDS - t0)) s (rolled back with the database copy)"
check "4: the failed update is rolled back (exit 1)" test "$status" -eq 1
check "4: v2 installed again" test "$(installed)" = 2.0
check "4: v2 serves" test "$("$SYSTEMCTL" show -p ActiveState --value kiosk.service)" = active
check "4: the database copy is back (v2's schema)" test "$(schema)" -eq $((v1_schema + 1))
check "4: v3's file is kept beside it" bash -c "ls kiosk.db.after-failed-update-* > /dev/null"
check "4: 500 records pending" test "$(records)" -eq 500
"$SYSTEMCTL" stop kiosk.service
check "4: the database is sound" sound
check "no sanitizer report" bash -c "! grep -q Sanitizer svc/stderr.txt"
finish
