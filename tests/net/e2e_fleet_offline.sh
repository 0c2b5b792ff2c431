#!/usr/bin/env bash
# Two real kiosks, the same card, both offline: the server goes down after the kiosks have pulled
# their cards, XW-0001 lunches at k1 and ten minutes later at k2 (which cannot know of the
# first), both kiosks say their records wait; when the server is back (on another port, the
# proxy in pass-through keeps the kiosks' address) both meals are accepted, the later one is
# flagged, one review case opens, and the month's settlement counts the subsidy once. On SQLite,
# and on PostgreSQL through tests/server/with_postgres.sh.
source "$(dirname "$0")/fleet_lib.sh"
: "${FAULT_PROXY:?run through ctest}"

setup_site
admin import-roster "$SRC/tests/data/roster-sample.csv" --site s1 --mode full > /dev/null
admin import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
run start_server
check "the server starts" test "$status" -eq 0
start_proxy --rate 0

today=$(TZ=Asia/Shanghai date +%F)
for k in k1:c1 k2:c2; do
  d=${k%%:*}
  kiosk_ini "$d" "${k#*:}" "http://127.0.0.1:$PPORT" "offline_after_s = 1" "retry_max_ms = 500"
  run kiosk_enroll "$d" s1 "${k#*:}"
  check "$d enrolls" test "$status" -eq 0
  start_kiosk "$d"
  wait_for "$d pulled the cards" 60 '[ "$(kdb '"$d"' "SELECT count(*) FROM card")" = 21 ]'
  wait_for "$d pulled the policy" 30 '[ "$(kdb '"$d"' "SELECT count(*) FROM policy")" = 1 ]'
  wait_for "$d pulled the roster" 30 '[ "$(kdb '"$d"' "SELECT count(*) FROM person")" = 20 ]'
done

stop_server
check "the server goes down" eq "$SERVER_STATUS" 0
# Offline for offline_after_s (1 s) without anything waiting: the staff line says 离线, and
# meals now count as made offline.
for d in k1 k2; do
  wait_for "$d finds the server gone (staff line 离线)" 30 '[ "$(last_sync '"$d"' staff_line)" = 离线 ]'
done
results() { jq -r 'select(.kind == "meal") | .result + ":" + (.reason // "")' "$1.jsonl" | paste -sd' '; }
say k1 "time ${today}T11:30:00+08:00"
say k1 "tap 04A1B2C3"
wait_for "k1 serves XW-0001 a subsidised lunch" 20 '[ "$(results k1)" = "approved:" ]'
say k2 "time ${today}T11:40:00+08:00"
say k2 "tap 04A1B2C3"
wait_for "k2, offline, serves XW-0001 too" 20 '[ "$(results k2)" = "approved:" ]'
for d in k1 k2; do
  wait_for "$d says 1 record waits, offline" 30 \
    '[ "$(last_sync '"$d"' result):$(last_sync '"$d"' pending)" = offline:1 ]'
  check "$d's meal is marked as made offline" eq \
    "$(kdb "$d" "SELECT json_extract(payload, '\$.offline') FROM outbox")" 1
done

run start_server
check "the server is back (port $PORT)" test "$status" -eq 0
printf 'target %s\n' "$PORT" > proxy.ctl
for d in k1 k2; do
  wait_for "$d says all sent" 60 "all_sent $d"
done

# What the server holds, through its own commands (the same on SQLite and PostgreSQL).
month=${today%-*}
admin settlement --month "$month" --meals > meals.csv
check "both meals are at the server, k2's (the later) flagged" eq \
  "$(tail -n +2 meals.csv | awk -F, '{print $4 ":" $6 ":" $8 ":" ($21 == "" ? "-" : $21)}' | sort | paste -sd' ')" \
  "k1:XW-0001:lunch:- k2:XW-0001:lunch:duplicate_subsidy_suspected"
admin review list > review.txt
check "one review case" eq "$(grep -c '^case ' review.txt)" 1
check "for XW-0001's lunch today" grep -q "^case [0-9]*  open  person XW-0001  lunch $today" review.txt

# By hand: XW-0001 (born 1956-03-12) is 70 on the day: class age70, lunch 300 fen, funded 60 %
# by the city (180) and 40 % by the district (120). Paid once, at c1; held back at c2.
cat > expected.csv << EOF
month,site_id,canteen_id,class_id,funding_level,meals,subsidy_fen,held_meals,held_subsidy_fen
$month,s1,c1,age70,city,1,180,0,0
$month,s1,c1,age70,district,1,120,0,0
$month,s1,c1,age70,street,1,0,0,0
$month,s1,c1,age70,canteen,1,0,0,0
$month,s1,c2,age70,city,0,0,1,180
$month,s1,c2,age70,district,0,0,1,120
$month,s1,c2,age70,street,0,0,1,0
$month,s1,c2,age70,canteen,0,0,1,0
EOF
admin settlement --month "$month" --site s1 > settlement.csv
check "settlement counts the subsidy once" diff expected.csv settlement.csv

for d in k1 k2; do
  quit_kiosk "$d"
  check "$d stops cleanly" test "$status" -eq 0
done
kill -TERM "$proxy_pid"
wait "$proxy_pid" 2> /dev/null || true
stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0
finish
