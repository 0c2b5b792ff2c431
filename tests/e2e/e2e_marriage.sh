#!/usr/bin/env bash
# The marriage hall through the real binary: the appointments and the 2026 calendar imported
# (and a bad file refused whole, naming its line, echoing no ID number), then a morning at the
# check-in kiosk fed by the simulated reader (`id` lines, keypad presses) at 1920x1080, 1280x800
# and 1080x1920 with a screenshot of every screen, then the now-serving board over the same
# database calling counters (`press call:N`). Checked against the events file and the store:
# numbers, refusals, the repeat, the outbox rows, the ticket printed, and no ID number or name
# anywhere in the events or the log.
source "$(dirname "$0")/lib.sh"

A="320102199503152019 张三明"  # A1 with B, 09:00-09:30
B="320102199704202027 李小华"
C="440304199005156819 王大伟"  # A2 (priority) with D, 10:00-10:30
D="440304199208081247 陈美玲"
G="110108198001010074 周建国"  # A4 replacement certificate, alone
N="330106198808081111 高峰"    # A8 divorce certificate, too early in the cooling-off period
O="330106198909092223 罗敏"
I="420102199303033035 郑小龙"  # no booking
L="330106199101011237 林海"    # A7 cancelled
M="330106199303031244 许静"
R="510104199202021515 曹阳"    # A10 with S: by the booking number
S="510104199404042621 彭丽"
PRIVATE='320102199503152019|320102199704202027|440304199005156819|110108198001010074|张三明|李小华|王大伟|周建国|张\*明|李\*华'

cat > k.ini <<INI
[kiosk]
mode = marriage
kiosk_id = hall-k1
site_name = 鼓楼区婚姻登记处
database = $WORK/hall.db
[marriage]
area_marriage = 二楼A区
early_minutes = 30
late_minutes = 30
[timing]
result_seconds = 3
[voice]
enabled = false
INI

# A file with a fault is refused whole, naming the line, without the ID number.
{
  head -1 "$SRC/tests/data/appointments-sample.csv"
  echo "Z1,55551234,marriage,2026-11-23,09:00-09:30,booked,320102199503152019,张三明,320102199704202027,李小华,,"
  echo "Z2,55551235,marriage,2026-11-23,09:00-09:30,booked,320102199503152018,张三明,320102199704202027,李小华,,"
} > bad.csv
run "$K" --config k.ini --import-appointments bad.csv > out.txt 2> err.txt
check "a bad appointment file is refused (exit 2)" test "$status" -eq 2
check "the refusal names line 3 and the column" grep -q "line 3: party1_id: not a valid ID number" err.txt
check "the refusal says nothing was imported" grep -q "nothing was imported" err.txt
check "the refusal echoes no ID number" bash -c "! grep -qE '3201021995031520|3201021997042020' err.txt out.txt"
run "$K" --config k.ini --import-appointments "$SRC/tests/data/appointments-sample.csv" > out.txt 2> err.txt
check "the sample appointments are imported" test "$status" -eq 0
check "ten of them" grep -q "10 appointments imported" out.txt
check "none of the bad file's rows went in" test "$(sqlite3 hall.db "SELECT count(*) FROM appointment WHERE appointment_id LIKE 'Z%'")" = 0
printf 'kind,date,note\nyear,2026,\nwork,2026-03-02,\n' > badcal.csv
run "$K" --config k.ini --import-calendar badcal.csv > out.txt 2> err.txt
check "a calendar with a weekday as a make-up day is refused (exit 2)" test "$status" -eq 2
check "naming its line" grep -q "line 3: 2026-03-02 is a weekday" err.txt
run "$K" --config k.ini --import-calendar "$SRC/tests/data/calendar-2026.csv" > out.txt 2> err.txt
check "the 2026 calendar is imported" test "$status" -eq 0
check "one year" grep -q "calendar of 1 year imported" out.txt

# One morning, at each screen size: the same commands against a fresh copy of the database.
cp hall.db fresh.db
morning() {
  cat <<CMDS
time 2026-11-23T09:05:00+08:00
id $A
id $B
press back
time 2026-11-23T09:45:00+08:00
id $D
id $C
press back
id $G
press back
id $N
id $O
press back
id $A
id $C
press back
id $I
press back
id $L
id $M
press back
id $B
id $A
press back
id 320102199503152018 张三明
press back
id $A
id $A
press cancel
press booking
press key2
press key0
press key2
press key6
press key1
press key1
press key2
press key3
press key0
press key1
press key0
press confirm
id $S
id $R
press back
press help
wait 100
quit
CMDS
}
sizes="1920x1080 1280x800 1080x1920"
for size in $sizes; do
  cp fresh.db hall.db
  rm -f hall.db-wal hall.db-shm
  mkdir -p "shots-$size"
  morning > cmds.txt
  run "$K" --config k.ini --headless --reader sim:- --printer "escpos:$WORK/ticket-$size.bin" \
    --events "ev-$size.jsonl" --size "$size" --screenshot-dir "shots-$size" < cmds.txt 2> "log-$size.txt"
  check "$size: exits 0" test "$status" -eq 0
  for screen in idle second ticket result booking cards help; do
    shot=$(ls "shots-$size"/*-"$screen".png 2> /dev/null | head -1 || true)
    check "$size: a screenshot of the $screen screen" test "$(png_size "${shot:-none}")" = "$size"
  done
done
ev=ev-1920x1080.jsonl
jq -c 'select(.kind == "checkin")' "$ev" > checkins.jsonl || true
results=$(jq -r '.result + ":" + (.reason // "") + ":" + (.number // "")' checkins.jsonl | paste -sd' ' || true)
expected="issued::J001 issued::J002 issued::B001 refused:cooling_early: refused:not_together: refused:no_booking: refused:cancelled: repeat::J001 error:bad_check: cancelled:: issued::J003"
check "every check-in answered as worked out by hand" test "$results" = "$expected"
[ "$results" = "$expected" ] || echo "got: $results" >&2
check "the same morning at every size" test "$(jq -c 'select(.kind == "checkin") | [.result, .reason, .number]' ev-1280x800.jsonl | paste -sd' ')" = "$(jq -c 'select(.kind == "checkin") | [.result, .reason, .number]' "$ev" | paste -sd' ')"
check "the priority couple's lane" test "$(jq -r 'select(.number == "J002") | .lane' checkins.jsonl)" = priority
check "four tickets stored, four check-ins to upload" test "$(sqlite3 hall.db "SELECT (SELECT count(*) FROM checkin) || ' ' || (SELECT count(*) FROM outbox WHERE kind = 'checkin' AND state = 'pending')")" = "4 4"
# hall.db is the last run's (portrait): its record ids are that run's events'.
check "the stored record ids are the events'" test "$(sqlite3 hall.db "SELECT lower(hex(record_id)) FROM checkin ORDER BY 1" | paste -sd,)" = "$(jq -r 'select(.kind == "checkin" and .result == "issued") | .record_id | gsub("-"; "")' ev-1080x1920.jsonl | sort | paste -sd,)"
check "the outbox payloads carry number, appointment and kiosk" test "$(sqlite3 hall.db "SELECT json_extract(payload, '\$.number') || '/' || json_extract(payload, '\$.appointment_id') || '/' || json_extract(payload, '\$.kiosk_id') FROM outbox WHERE kind = 'checkin' ORDER BY device_seq" | paste -sd' ')" = "J001/A1/hall-k1 J002/A2/hall-k1 B001/A4/hall-k1 J003/A10/hall-k1"
check "the checked-in bookings say so" test "$(sqlite3 hall.db "SELECT group_concat(appointment_id) FROM (SELECT appointment_id FROM appointment WHERE status = 'checked_in' ORDER BY 1)")" = "A1,A10,A2,A4"
check "four tickets were printed" test "$(grep -aoE 'J001|J002|B001|J003' ticket-1920x1080.bin | sort -u | wc -l)" -eq 4
check "no ID number or name in the events or the log" bash -c "! grep -qE '$PRIVATE' ev-*.jsonl log-*.txt"

# The now-serving board over the same database: counter 3 serves J, counter 5 B; old calls are
# not announced; every call is an events line with its number and counter.
cat > board.ini <<INI
[kiosk]
mode = board
kiosk_id = hall-board
site_name = 鼓楼区婚姻登记处
database = $WORK/hall.db
[board]
counter3 = J
counter5 = B
call_seconds = 5
[voice]
enabled = false
INI
cat > board.txt <<'CMDS'
time 2026-11-23T10:10:00+08:00
wait 1500
press call:3
press call:3
press call:5
shot board-1920.png
press call:5
press call:4
wait 200
quit
CMDS
run "$K" --config board.ini --headless --reader sim:- --events board.jsonl --size 1920x1080 < board.txt 2> board-log.txt
check "board: exits 0" test "$status" -eq 0
check "board: ready, then stopped" test "$(jq -r 'select(.kind == "kiosk") | .result' board.jsonl | paste -sd' ')" = "ready stopped"
calls=$(jq -r 'select(.kind == "call") | .result + ":" + (.counter | tostring) + ":" + (.number // "")' board.jsonl | paste -sd' ' || true)
check "board: priority first, then booked, each counter its prefixes" test "$calls" = "called:3:J002 called:3:J001 called:5:B001 nobody_waiting:5: called:4:J003"
[ "$calls" = "called:3:J002 called:3:J001 called:5:B001 nobody_waiting:5: called:4:J003" ] || echo "got: $calls" >&2
check "board: the calls are stored" test "$(sqlite3 hall.db "SELECT group_concat(number || '@' || counter, ' ') FROM (SELECT * FROM queue_call ORDER BY call_id)")" = "J002@3 J001@3 B001@5 J003@4"
check "board: a screenshot" test "$(png_size board-1920.png)" = "1920x1080"
check "board: a call button that is not a counter is refused" bash -c "printf 'press call:99\nquit\n' | '$K' --config board.ini --headless --reader sim:- 2>&1 | grep -q 'press call:99: no such button'"
finish
