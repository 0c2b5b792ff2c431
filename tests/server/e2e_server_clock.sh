#!/usr/bin/env bash
# The server's view of a kiosk's clock (docs/sync-protocol.md, "Clock"), with signed requests:
# the offset of a fresh heartbeat is used while the request's own one-way estimate agrees with it
# within a minute; a kiosk whose clock was set hours ahead since that heartbeat is judged by the
# request instead: its records are clock_suspect and its meals are filed under the date of their
# estimated time in the site's zone, the payload keeping the kiosk's date.
source "$(dirname "$0")/lib.sh"

setup_site
run start_server
check "the server starts" test "$status" -eq 0
run enroll k1 s1 c1
check "k1 enrolls" test "$status" -eq 0
rec() { # rec SEQ COLUMNS: a column list of k1's record SEQ
  case "$BACKEND" in
    sqlite) sqlite3 "$WORK/server.db" "SELECT $2 FROM records WHERE device_seq = $1" ;;
    *) psql "$KIOSK_TEST_PG" -AtqF'|' -c "SELECT $2 FROM records WHERE device_seq = $1" ;;
  esac
}

# A heartbeat: the kiosk's own estimate, 420 ms behind.
printf '{"pending":0,"oldest_pending_ms":null,"rejected":0,"last_ack_ms":null,"clock_offset_ms":-420,"stream_ages_ms":{},"offline_meals":0,"disk_free_bytes":null,"app_version":"t","staff_notice":null}' > beat.json
signed k1 POST /v1/devices/heartbeat beat.json
check "a heartbeat with clock_offset_ms -420" eq "$CODE" 204

now=$(date +%s%3N)
today=$(TZ=Asia/Shanghai date -d "@$((now / 1000))" +%F)
month=${today%-*}
# A lunch now by a right clock: the heartbeat's offset is used, the kiosk's date kept.
printf 'seq=1 person=XW-0001 date=%s time=%s created=%s\n' "$today" \
  "$(TZ=Asia/Shanghai date -d "@$((now / 1000))" +%H:%M)" "$now" | make_batch k1 b1.json
KIOSK_TIME=$now signed k1 POST /v1/records:batch b1.json
check "a batch by a right clock is accepted" eq "$CODE:$(jq -r '.results[0].status' resp.json)" "200:accepted"
check "its offset is the heartbeat's, not suspect, the kiosk's date" eq \
  "$(rec 1 "clock_offset_ms || ' ' || clock_suspect || ' ' || business_date")" "-420 0 $today"

# The kiosk's clock set 30 hours ahead since: a lunch at 11:30 of its tomorrow-or-later date.
ahead=$((30 * 3600 * 1000))
kiosk_now=$((now + ahead))
kdate=$(TZ=Asia/Shanghai date -d "@$((kiosk_now / 1000))" +%F)
printf 'seq=2 person=XW-0002 date=%s time=11:30 created=%s\n' "$kdate" "$kiosk_now" |
  make_batch k1 b2.json
KIOSK_TIME=$kiosk_now signed k1 POST /v1/records:batch b2.json
check "a batch by a clock 30 h ahead is accepted" eq "$CODE:$(jq -r '.results[0].status' resp.json)" "200:accepted"
got=$(rec 2 "clock_offset_ms || ' ' || clock_suspect || ' ' || business_date || ' ' || (est_created_ms - received_ms)")
read -r off suspect bdate est_gap <<< "$got"
check "its offset is the request's, about -30 h (got $off)" test "$off" -le $((-ahead + 60000)) -a "$off" -ge $((-ahead - 1000))
check "it is clock_suspect" eq "$suspect" 1
real_date=$(TZ=Asia/Shanghai date -d "@$((now / 1000))" +%F)
check "it is filed under the day it was really made ($real_date, not $kdate)" eq "$bdate" "$real_date"
check "its estimated time is the real one (within a minute)" test "${est_gap#-}" -le 60000
check "the payload keeps the kiosk's date" eq \
  "$(rec 2 "payload" | jq -r .business_date)" "$kdate"

stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0
finish
