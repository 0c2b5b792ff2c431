#!/usr/bin/env bash
# Staff mode between the real kiosk and the real server, over loopback: the server's
# administrator imports the site's staff roster; the kiosk pulls it (the "staff" stream) and a
# staff card with its PIN opens staff mode; a void made there and the audit entries reach the
# server, whose settlement leaves the voided meal out and whose audit check finds the chain
# whole; a member the next roster leaves out is made inactive at the kiosk, and their card then
# opens nothing.
source "$(dirname "$0")/lib.sh"
: "${KIOSK_BINARY:?run through ctest}"
K=$KIOSK_BINARY

setup_site
admin import-roster "$SRC/tests/data/roster-sample.csv" --site s1 --mode full > /dev/null
admin import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
# tests/data/staff.csv: S001 (PIN 1234) operator, S002 (PIN 9876) supervisor, S003 inactive.
run admin import-staff "$SRC/tests/data/staff.csv" --site s1
check "the staff roster is imported at the server" test "$status" -eq 0
run admin import-staff "$SRC/tests/data/staff.csv" --site nowhere
check "an unknown site is refused (exit 2)" test "$status" -eq 2
run start_server
check "the server starts" test "$status" -eq 0
today=$(TZ=Asia/Shanghai date +%F)

cat > k1.ini << EOF2
[kiosk]
kiosk_id = k1
canteen_id = c1
database = $WORK/k1.db
[timing]
repeat_tap_seconds = 0
[sync]
url = $URL
start_jitter_s = 0
heartbeat_s = 5
pull_s = 1
EOF2
kdb() { sqlite3 -cmd '.timeout 2000' k1.db "$1"; }
high_water() { admin kiosks | awk -F'\t' '$1 == "k1" {print $9}'; }

token=$(admin kiosk add k1 --site s1 --canteen c1 2> /dev/null)
run "$K" --config k1.ini --enroll "$token"
check "k1 enrolls" test "$status" -eq 0
mkfifo k1.fifo
"$K" --config k1.ini --headless --reader sim:"$WORK/k1.fifo" --no-voice --events k1.jsonl \
  2> k1.log &
pid=$!
exec 7> k1.fifo
echo "time ${today}T11:30:00+08:00" >&7
wait_for "k1 pulled the three staff" 30 '[ "$(kdb "SELECT count(*) FROM staff")" = 3 ]'
check "two active, S003 not" eq "$(kdb "SELECT group_concat(staff_id || ':' || active, ' ') FROM (SELECT * FROM staff ORDER BY staff_id)")" "S001:1 S002:1 S003:0"
check "their three cards, as keyed hashes" eq "$(kdb "SELECT count(*) FROM staff_card")" 3
wait_for "k1 pulled the cards" 30 '[ "$(kdb "SELECT count(*) FROM card")" = 21 ]'

# A lunch, then the operator voids it in staff mode.
echo "tap 04A1B2C3" >&7
wait_for "a lunch at k1" 15 '[ "$(kdb "SELECT count(*) FROM meal")" = 1 ]'
for c in "tap 5AF00001" "press key1" "press key2" "press key3" "press key4" "press confirm" \
  "press void_meal" "press meal1" "press reason1" "press back" "press leave"; do
  echo "$c" >&7
done
wait_for "the void is made" 15 '[ "$(kdb "SELECT count(*) FROM meal_void")" = 1 ]'
wait_for "the PIN, the void and leaving are audited" 15 '[ "$(kdb "SELECT count(*) FROM audit")" = 3 ]'
wait_for "all five records reach the server" 30 '[ "$(high_water)" = 5 ]'
admin settlement --month "${today%-*}" --meals > meals.csv
check "the voided lunch is listed as voided" eq "$(tail -n +2 meals.csv | awk -F, '{print $NF}')" "voided"
admin settlement --month "${today%-*}" > totals.csv
check "and counted in no total" eq "$(tail -n +2 totals.csv | wc -l)" 0
check "the chain arrived whole" eq "$(admin audit-breaks | tail -n +2 | wc -l)" 0

# The next roster leaves S002 out.
grep -v '^S002,' "$SRC/tests/data/staff.csv" > staff2.csv
run admin import-staff staff2.csv --site s1
check "the second roster is imported" test "$status" -eq 0
wait_for "k1 learns that S002 left" 30 '[ "$(kdb "SELECT active FROM staff WHERE staff_id = '"'"'S002'"'"'")" = 0 ]'
check "S002's cards are gone" eq "$(kdb "SELECT count(*) FROM staff_card WHERE staff_id = 'S002'")" 0
echo "tap 5AF00002" >&7
echo "shot $WORK/after.png" >&7
wait_for "S002's card is now an unknown card" 15 '[ "$(jq -r "select(.kind == \"meal\") | .reason // empty" k1.jsonl | tail -1)" = unknown_card ]'

echo quit >&7
exec 7>&-
run wait "$pid"
check "k1 stops cleanly" test "$status" -eq 0
stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0
finish
