#!/usr/bin/env bash
# A marriage hall synced through the real server: the administrator imports the working-day
# calendar and the day's bookings at the server (a bad file refused whole, naming its line,
# echoing no ID number; the same file again changes nothing); two check-in kiosks of the hall
# enrol and pull both; a couple checks in at k1; the check-in reaches the server and, through
# checkins_today, k2, where the same couple is shown the number they already have; k2 gives the
# next couple a number k1 can never give (numbering rule: slot + hall_kiosks x (n - 1)); a
# booking cancelled at the server is cancelled at the kiosk at the next pull.
source "$(dirname "$0")/lib.sh"
: "${KIOSK_BINARY:?run through ctest}"
K=$KIOSK_BINARY

A="320102199503152019 张三明" # booking H1 with B
B="320102199704202027 李小华"
C="440304199005156819 王大伟" # booking H2 with D
D="440304199208081247 陈美玲"
today=$(TZ=Asia/Shanghai date +%F)
header=$(head -1 "$SRC/tests/data/appointments-sample.csv")
bookings() { # STATUS_OF_H3
  echo "$header"
  echo "H1,20260001001,marriage,$today,00:00-24:00,booked,${A% *},${A#* },${B% *},${B#* },,booked"
  echo "H2,20260001002,marriage,$today,00:00-24:00,booked,${C% *},${C#* },${D% *},${D#* },,booked"
  echo "H3,20260001003,reissue_marriage,$today,00:00-24:00,booked,110108198001010074,周建国,,,,$1"
}

setup_site
run admin import-calendar "$SRC/tests/data/calendar-2026.csv"
check "the calendar is imported at the server" test "$status" -eq 0
printf 'kind,date,note\nyear,2026,\nwork,2026-03-02,\n' > badcal.csv
run admin import-calendar badcal.csv 2> err.txt
check "a calendar with a weekday as a make-up day is refused (exit 2)" test "$status" -eq 2
check "naming its line" grep -q "line 3: 2026-03-02 is a weekday" err.txt

{
  bookings booked
  echo "H9,20260001009,marriage,$today,09:00-09:30,booked,320102199503152018,张三明,${B% *},${B#* },,booked"
} > bad.csv
run admin import-appointments bad.csv --site s1 > out.txt 2> err.txt
check "a bad appointment file is refused (exit 2)" test "$status" -eq 2
check "naming line 5 and the column" grep -q "line 5: party1_id: not a valid ID number" err.txt
check "echoing no ID number or name" bash -c "! grep -qE '3201021995031520|张三明' err.txt out.txt"
run admin import-appointments bad.csv 2> err.txt
check "without --site: usage (exit 2)" test "$status" -eq 2
bookings booked > day.csv
run admin import-appointments day.csv --site s1 > out.txt
check "the day's bookings are imported" test "$status" -eq 0
check "three, all new" grep -q "3 appointment(s) for site s1, 3 new or changed" out.txt
run admin import-appointments day.csv --site s1 > out.txt
check "the same file again changes nothing" grep -q "3 appointment(s) for site s1, 0 new or changed" out.txt

run start_server
check "the server starts" test "$status" -eq 0

kiosk_ini() { # DEVICE SLOT
  cat > "$1.ini" << INI
[kiosk]
mode = marriage
kiosk_id = $1
site_name = 鼓楼区婚姻登记处
database = $WORK/$1.db
[marriage]
hall_kiosks = 2
kiosk_slot = $2
[timing]
result_seconds = 3
[sync]
url = $URL
start_jitter_s = 0
heartbeat_s = 5
pull_s = 1
INI
}
kdb() { sqlite3 -cmd '.timeout 2000' "$1.db" "$2"; }
checkins() { jq -r 'select(.kind == "checkin") | .result + ":" + (.number // "")' "$1.jsonl" | paste -sd' '; }
for k in k1:1 k2:2; do
  d=${k%%:*}
  kiosk_ini "$d" "${k#*:}"
  token=$(admin kiosk add "$d" --site s1 --canteen hall 2> /dev/null)
  run "$K" --config "$d.ini" --enroll "$token"
  check "$d enrolls" test "$status" -eq 0
  mkfifo "$d.fifo"
  "$K" --config "$d.ini" --headless --reader sim:"$WORK/$d.fifo" --no-voice \
    --events "$d.jsonl" 2> "$d.log" &
  eval "pid_$d=$!"
done
exec 7> k1.fifo 8> k2.fifo
echo "time ${today}T10:00:00+08:00" >&7
echo "time ${today}T10:05:00+08:00" >&8
for d in k1 k2; do
  wait_for "$d pulled the three bookings" 30 '[ "$(kdb '$d' "SELECT count(*) FROM appointment")" = 3 ]'
  wait_for "$d pulled the 2026 calendar" 30 '[ "$(kdb '$d' "SELECT group_concat(year) FROM calendar_year")" = 2026 ]'
done
# The calendar that came through the server is the file as a kiosk's own import reads it.
printf '[kiosk]\nmode = marriage\ndatabase = %s/local.db\n' "$WORK" > local.ini
run "$K" --config local.ini --import-calendar "$SRC/tests/data/calendar-2026.csv" > /dev/null
days() { sqlite3 -cmd '.timeout 2000' "$1" "SELECT date || working || note FROM calendar_day ORDER BY date" | md5sum; }
check "k1's calendar days are the file's, notes and all" eq "$(days k1.db)" "$(days local.db)"
check "and not nothing" test "$(kdb k1 "SELECT count(*) FROM calendar_day")" -gt 20

# The couple of H1 at k1.
echo "id $A" >&7
echo "id $B" >&7
wait_for "k1 gives H1 J001 (slot 1)" 15 '[ "$(checkins k1)" = "issued:J001" ]'
wait_for "the check-in reaches the server" 30 '[ "$(admin kiosks | awk -F"\t" "\$1 == \"k1\" {print \$9}")" = 1 ]'
wait_for "k2 learnt of it (checkins_today)" 30 '[ "$(kdb k2 "SELECT number || source FROM checkin")" = J001server ]'
# The same couple, confused, at k2: the number they have, in either order.
echo "id $B" >&8
echo "id $A" >&8
wait_for "k2 shows them J001 again" 15 '[ "$(checkins k2)" = "repeat:J001" ]'
echo "press back" >&8
echo "id $C" >&8
echo "id $D" >&8
wait_for "k2 gives H2 J002 (slot 2), never one of k1's" 15 '[ "$(checkins k2)" = "repeat:J001 issued:J002" ]'
wait_for "k1 learnt of J002" 30 '[ "$(kdb k1 "SELECT group_concat(number, \" \") FROM (SELECT number FROM checkin ORDER BY number)")" = "J001 J002" ]'
check "the server holds each check-in once" eq "$(admin kiosks | awk -F'\t' '$1 == "k1" || $1 == "k2" {print $1 "=" $9}' | paste -sd' ')" "k1=1 k2=1"

# H3 cancelled at the bureau: the kiosks cancel it at their next pull.
bookings cancelled > day2.csv
run admin import-appointments day2.csv --site s1 > out.txt
check "one booking changed" grep -q "3 appointment(s) for site s1, 1 new or changed" out.txt
wait_for "k1 has H3 cancelled" 30 '[ "$(kdb k1 "SELECT status FROM appointment WHERE appointment_id = \"H3\"")" = cancelled ]'
echo "press back" >&7
echo "id 110108198001010074 周建国" >&7
wait_for "k1 refuses the cancelled booking" 15 '[ "$(jq -r "select(.kind == \"checkin\") | .reason // \"\"" k1.jsonl | tail -1)" = cancelled ]'

check "no ID number or name in the logs or events" bash -c "! grep -qE '320102199503152019|440304199005156819|张三明|王大伟' k1.log k2.log k1.jsonl k2.jsonl server.err server.out"

echo quit >&7
echo quit >&8
exec 7>&- 8>&-
for d in k1 k2; do
  eval "p=\$pid_$d"
  run wait "$p"
  check "$d stops cleanly" test "$status" -eq 0
done
stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0
finish
