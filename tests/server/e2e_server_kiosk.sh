#!/usr/bin/env bash
# The real kiosk binary against the real server, over loopback, as a city would run them: the
# server's administrator sets up a site, imports the roster and the policy and adds two kiosks;
# each kiosk enrolls with its token and pulls the card key, cards, roster and policy; a meal at
# one kiosk reaches the server and, through meals_today, the other kiosk, which then refuses the
# same diner a second subsidised lunch; a card blocked on the server is refused at the kiosk;
# heartbeats arrive; settlement counts the meals; a revoked kiosk stops and says so.
source "$(dirname "$0")/lib.sh"
: "${KIOSK_BINARY:?run through ctest}"
K=$KIOSK_BINARY

setup_site
admin import-roster "$SRC/tests/data/roster-sample.csv" --site s1 --mode full > /dev/null
admin import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
run start_server
check "the server starts" test "$status" -eq 0
today=$(TZ=Asia/Shanghai date +%F)

kiosk_ini() { # DEVICE CANTEEN
  cat > "$1.ini" << EOF
[kiosk]
kiosk_id = $1
canteen_id = $2
database = $WORK/$1.db
[timing]
repeat_tap_seconds = 0
[sync]
url = $URL
start_jitter_s = 0
heartbeat_s = 5
pull_s = 1
EOF
}
kdb() { sqlite3 -cmd '.timeout 2000' "$1.db" "$2"; }
start_kiosk() { # DEVICE: headless, sim reader on DEVICE.fifo (fd 7 for k1, 8 for k2)
  mkfifo "$1.fifo"
  "$K" --config "$1.ini" --headless --reader sim:"$WORK/$1.fifo" --no-voice \
    --events "$1.jsonl" 2> "$1.log" &
  eval "pid_$1=$!"
}
results() { jq -r 'select(.kind == "meal") | .result + ":" + (.reason // "")' "$1.jsonl" | paste -sd' '; }
high_water() { admin kiosks | awk -F'\t' -v k="$1" '$1 == k {print $9}'; }

for k in k1:c1 k2:c2; do
  d=${k%%:*}
  kiosk_ini "$d" "${k#*:}"
  token=$(admin kiosk add "$d" --site s1 --canteen "${k#*:}" 2> /dev/null)
  run "$K" --config "$d.ini" --enroll "$token"
  check "$d enrolls with its token" test "$status" -eq 0
  check "$d has the city's card key" eq "$(kdb "$d" "SELECT lower(hex(v)) FROM device_state WHERE k = 'card_key'")" "$(admin card-key)"
done

start_kiosk k1
exec 7> k1.fifo
echo "time ${today}T11:30:00+08:00" >&7
wait_for "k1 pulled the 21 cards" 30 '[ "$(kdb k1 "SELECT count(*) FROM card")" = 21 ]'
wait_for "k1 pulled the 20 persons" 30 '[ "$(kdb k1 "SELECT count(*) FROM person")" = 20 ]'
wait_for "k1 pulled the policy" 30 '[ "$(kdb k1 "SELECT count(*) FROM policy")" = 1 ]'
echo "tap 04A1B2C3" >&7
wait_for "XW-0001's lunch at k1" 15 '[ "$(results k1)" = "approved:" ]'
wait_for "it reaches the server" 30 '[ "$(high_water k1)" = 1 ]'

start_kiosk k2
exec 8> k2.fifo
echo "time ${today}T11:40:00+08:00" >&8
wait_for "k2 pulled the cards" 30 '[ "$(kdb k2 "SELECT count(*) FROM card")" = 21 ]'
wait_for "k2 learnt of k1's lunch (meals_today)" 30 '[ "$(kdb k2 "SELECT count(*) FROM meal WHERE source = '"'"'server'"'"'")" = 1 ]'
echo "tap 04A1B2C3" >&8
wait_for "k2 refuses XW-0001 a second lunch" 15 '[ "$(results k2)" = "refused:already_had_meal" ]'
echo "tap 04A1B2C3D4E5F6" >&8
wait_for "k2 serves XW-0002" 15 '[ "$(results k2)" = "refused:already_had_meal approved:" ]'
wait_for "k2's meal reaches the server" 30 '[ "$(high_water k2)" = 1 ]'

# A card blocked at the bureau.
head -1 "$SRC/tests/data/roster-sample.csv" > block.csv
grep '^XW-0009,' "$SRC/tests/data/roster-sample.csv" | sed 's/,04A7B8C9,active,/,04A7B8C9,blocked,/' >> block.csv
admin import-roster block.csv --site s1 --mode delta > /dev/null
wait_for "k1 pulled the block" 30 '[ "$(kdb k1 "SELECT count(*) FROM card WHERE blocked = 1")" = 3 ]'
echo "tap 04A7B8C9" >&7
wait_for "k1 refuses the blocked card" 15 '[ "$(results k1)" = "approved: refused:card_blocked" ]'

wait_for "k1's heartbeats arrive" 30 '[ "$(admin kiosks | awk -F'"'"'\t'"'"' '"'"'$1 == "k1" {print $5}'"'"')" != "-" ]'
admin settlement --month "${today%-*}" --meals > meals.csv
check "settlement has the two meals" eq "$(($(wc -l < meals.csv) - 1))" 2
check "one from each kiosk" eq "$(cut -d, -f4 meals.csv | tail -n +2 | sort | paste -sd' ')" "k1 k2"
check "none to review" eq "$(admin review list)" "no open cases"

admin kiosk revoke k2 > /dev/null
echo "tap 04A1B2C3D4E5F6" >&8 # wakes its sync worker
wait_for "k2 is told it was revoked" 30 'jq -r "select(.kind == \"sync\") | .result" k2.jsonl | grep -q revoked'

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
