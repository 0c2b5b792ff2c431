#!/usr/bin/env bash
# A real kiosk whose clock is stepped hours ahead while it runs (3 to 27 hours, through the sim
# reader's `time` command; the offset it measured before must be forgotten) serves XW-0001 a
# dinner at 23:59:59 and a breakfast at 00:00:01 of its own clock (a policy whose dinner runs to
# midnight and breakfast from it). The kiosk files them under its own dates, D and D + 1, and
# reports its clock offset (events and heartbeat) as the hours it is ahead; the server marks both
# records clock_suspect and files them under the day they were really served: the date of their
# estimated time in the site's zone (docs/sync-protocol.md, "Clock"), while the payloads keep
# the kiosk's dates.
source "$(dirname "$0")/fleet_lib.sh"

setup_site
admin import-roster "$SRC/tests/data/roster-sample.csv" --site s1 --mode full > /dev/null
sed 's/"start": "07:00", "end": "09:00"/"start": "00:00", "end": "09:00"/;
     s/"start": "17:00", "end": "19:00"/"start": "17:00", "end": "24:00"/' \
  "$SRC/tests/policies/fixed-by-class.json" > midnight.json
check "the test policy has meals up to and from midnight" grep -q '"end": "24:00"' midnight.json
admin import-policy midnight.json > /dev/null
run start_server
check "the server starts" test "$status" -eq 0

kiosk_ini k1 c1 "$URL"
run kiosk_enroll k1 s1 c1
check "k1 enrolls" test "$status" -eq 0

# M: the first midnight (Asia/Shanghai) at least 3 hours from now; the kiosk's 23:59:59 is M - 1.
sh_date() { TZ=Asia/Shanghai date -d "@$1" "+${2:-%F}"; }
now_s=$(date +%s)
M=$(TZ=Asia/Shanghai date -d "$(sh_date $((now_s + 3 * 3600))) + 1 day 00:00" +%s)
D=$(sh_date $((M - 1)))
D1=$(sh_date "$M")
at() { sh_date "$1" '%FT%T+08:00'; }

near() { # near A B TOLERANCE_MS (A may be missing or null: not near)
  [[ "$1" =~ ^-?[0-9]+$ ]] || return 1
  local d=$(($1 - $2))
  [ "${d#-}" -le "$3" ]
}
start_kiosk k1
wait_for "k1 pulled the cards" 60 '[ "$(kdb k1 "SELECT count(*) FROM card")" = 21 ]'
wait_for "k1 pulled the roster" 30 '[ "$(kdb k1 "SELECT count(*) FROM person")" = 20 ]'
wait_for "k1 pulled the policy" 30 '[ "$(kdb k1 "SELECT count(*) FROM policy")" = 1 ]'
# The offset k1 reported in its latest heartbeat (server - kiosk, ms).
hb_offset() { admin kiosks | awk -F'\t' '$1 == "k1" {print $8}'; }
# First the right time, measured (samples the kiosk must forget once its clock is stepped) ...
wait_for "k1's heartbeat: its clock is right (within 3 s)" 30 'near "$(hb_offset)" 0 3000'
# ... then the clock stepped ahead; expected: server - kiosk from that moment.
say k1 "time $(at $((M - 30)))"
expected=$(($(date +%s%3N) - (M - 30) * 1000))
echo "kiosk clock set $((-expected / 1000)) s ahead: $(at $((M - 30)))"
wait_for "k1's heartbeat: its new offset, about $((expected / 1000)) s" 30 \
  'near "$(hb_offset)" "$expected" 3000'

meals() { jq -r 'select(.kind == "meal") | .result' k1.jsonl | paste -sd' '; }
say k1 "time $(at $((M - 1)))"
say k1 "tap 04A1B2C3"
wait_for "a dinner at 23:59:59" 20 '[ "$(meals)" = approved ]'
say k1 "time $(at $((M + 1)))"
say k1 "tap 04A1B2C3"
wait_for "a breakfast at 00:00:01" 20 '[ "$(meals)" = "approved approved" ]'
# (Within a minute: the clock was set twice more since, by less than 30 s each time. Each step
# makes the kiosk forget its samples, so the status line has an offset again only after its next
# exchange with the server: waited for, not read at once.)
wait_for "its status line says the same" 30 \
  'near "$(last_sync k1 clock_offset_ms)" "$expected" 60000'
real_lo=$(sh_date $(($(date +%s) - 120)))
real_hi=$(sh_date $(($(date +%s) + 120)))
check "the kiosk's dates: dinner on $D, breakfast on $D1" eq \
  "$(kdb k1 "SELECT group_concat(json_extract(payload, '\$.meal_type') || ' ' || json_extract(payload, '\$.business_date'), ', ') FROM (SELECT payload FROM outbox ORDER BY device_seq)")" \
  "dinner $D, breakfast $D1"
wait_for "both reach the server" 30 'all_sent k1'
check "the server finds k1's clock suspect" eq "$(sdb "SELECT group_concat(clock_suspect) FROM records")" "1,1"
got=$(sdb "SELECT group_concat(meal_type || ' ' || business_date, ', ') FROM (SELECT * FROM records ORDER BY device_seq)")
if [ "$real_lo" = "$real_hi" ]; then
  check "and files them under the day they were really served" eq "$got" \
    "dinner $real_lo, breakfast $real_lo"
else # run within 2 minutes of a real midnight: either side of it is right
  check "and files them under the day they were really served" \
    grep -Eq "^dinner ($real_lo|$real_hi), breakfast ($real_lo|$real_hi)\$" <<< "$got"
fi
check "the payloads keep the kiosk's dates" eq \
  "$(sdb "SELECT group_concat(json_extract(payload, '\$.business_date'), ' ') FROM (SELECT * FROM records ORDER BY device_seq)")" \
  "$D $D1"
check "the estimated times are the real ones (within 40 s)" near \
  "$(sdb "SELECT max(abs(est_created_ms - received_ms)) FROM records")" 0 40000
check "no review case (a dinner and a breakfast)" eq "$(admin review list)" "no open cases"

quit_kiosk k1
check "k1 stops cleanly" test "$status" -eq 0
stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0
finish
