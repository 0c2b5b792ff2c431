#!/usr/bin/env bash
# The canteen flow through the real binary and the sim reader: the sample roster and policy, a
# lunch rush with every kind of answer, then the store, the day report and the settlement export
# are checked against the events file. Expected amounts are worked out by hand from
# tests/policies/fixed-by-class.json and tests/data/roster-sample.csv (see the comments).
source "$(dirname "$0")/lib.sh"

canteen_kiosk e2e-k1 \
  '[timing]' \
  'result_seconds = 3' \
  'repeat_tap_seconds = 1' \
  '[voice]' \
  'enabled = false'

cat > cmds.txt <<'CMDS'
time 2026-11-23T11:30:00+08:00
# XW-0009, 88: age80, lunch 15.00 - 5.00 = 10.00
tap 04A7B8C9
shot lunch.png
# the same card at once: the same screen, nothing recorded
tap 04A7B8C9
wait 1500
# after the repeat window: refused, already had lunch here
tap 04A7B8C9
# XW-0007's blocked card; XW-0008's lost card, then the same person's active card:
# 82 and severe_disability: disabled 6.00 beats age80 5.00 (highest), pays 9.00
tap 04E5F6A7
tap 04F6A7B8
tap 04F6A7B9
# not on the roster
tap 0A0B0C0D
# QH-0015 is inactive; XW-0005's hukou is 'other' (the policy wants local or resident)
tap 04FC0D1E
tap 04C3D4E5
# XW-0013's card is only valid at canteen XW-C01
tap 04EBFC0D
# XW-0014 has no card: the ID card; 92 and dibao: dibao's 8.00 beats age90's 7.00, pays 7.00
id 320102193401010020 黄桂香
time 2026-11-23T15:00:00+08:00
tap 04A1B2C3
time 2026-11-23T17:30:00+08:00
# XW-0003, 90, tekun: dinner 12.00 all subsidised (the 15.00 subsidy is capped at the price)
tap 04B2C3D4E5F607
# no day view for diners any more (staff mode has it): the press changes nothing
press dayview
shot day.png
quit
CMDS
run "$K" --config k.ini --headless --reader sim:- --events all.jsonl --size 1280x800 < cmds.txt 2> log.txt
check "exits 0" test "$status" -eq 0
check "ready, then stopped" test "$(jq -r 'select(.kind == "kiosk") | .result' all.jsonl | paste -sd' ')" = "ready stopped"
meals all.jsonl > ev.jsonl

results=$(jq -r '.result + ":" + (.reason // "")' ev.jsonl | paste -sd' ')
expected="approved: repeat: refused:already_had_meal refused:card_blocked refused:card_blocked approved: refused:unknown_card refused:person_inactive refused:not_eligible_residence refused:wrong_canteen approved: refused:outside_meal_hours approved:"
check "every tap answered as worked out by hand" test "$results" = "$expected"
[ "$results" = "$expected" ] || echo "got: $results" >&2

check "amounts of the approved meals" test "$(jq -r 'select(.result=="approved") | "\(.class_id) \(.meal_type) \(.price_fen) \(.subsidy_fen) \(.pay_fen)"' ev.jsonl | paste -sd,)" = "age80 lunch 1500 500 1000,disabled lunch 1500 600 900,dibao lunch 1500 800 700,tekun dinner 1200 1200 0"
check "the repeat points at the first record" test "$(jq -r 'select(.result=="repeat") | .record_id' ev.jsonl)" = "$(jq -r 'select(.result=="approved") | .record_id' ev.jsonl | head -1)"
check "four meals stored, four pending uploads" test "$(sqlite3 k.db "SELECT (SELECT count(*) FROM meal) || ' ' || (SELECT count(*) FROM outbox WHERE state = 'pending')")" = "4 4"
check "stored subsidies match the events" test "$(sqlite3 k.db 'SELECT sum(subsidy_fen) FROM meal')" = "$(jq -s 'map(select(.result=="approved") | .subsidy_fen) | add' ev.jsonl)"
check "every stored record is in the events" test "$(sqlite3 k.db "SELECT lower(hex(record_id)) FROM meal ORDER BY 1" | paste -sd,)" = "$(jq -r 'select(.result=="approved") | .record_id | gsub("-";"")' ev.jsonl | sort | paste -sd,)"
check "policy version and kiosk on every record" test "$(sqlite3 k.db "SELECT count(*) FROM meal WHERE policy_version = 'gl-2026.1' AND kiosk_id = 'e2e-k1'")" = 4
check "result screen written" test "$(png_size lunch.png)" = "1280x800"
check "no day view for diners: the result screen stays" test "$(png_size day.png)" = "1280x800"
check "no day view for diners: the press finds no such button" grep -q "press dayview: no such button on this screen" log.txt

# No personal data in the events file or the log: no names, no card UIDs.
check "no names in events or log" bash -c "! grep -qE '王德顺|孙长海|吴凤英|黄桂香|王\*顺|孙\*海|黄\*香' ev.jsonl log.txt"
check "no ID number in events or log" bash -c "! grep -q 320102193401010020 ev.jsonl log.txt"
check "no UIDs in events or log" bash -c "! grep -qiE '04A7B8C9|04F6A7B9|04B2C3D4E5F607' ev.jsonl log.txt"

# The staff's day report and the settlement export agree with the store.
"$K" --config k.ini --day-report 2026-11-23 > report.txt
check "day report counts 4 meals" grep -Eq '^total +all +4 meals' report.txt
check "day report shows the subsidy total 31.00" grep -Eq '^total .*subsidy +¥31\.00' report.txt
"$K" --config k.ini --export 2026-11 --output nov.csv
check "export: header and 4 rows" test "$(wc -l < nov.csv)" -eq 5
check "export: subsidies add up" test "$(awk -F, 'NR > 1 { s += $10 } END { print s }' nov.csv)" = 3100
check "export: the record ids of the events" test "$(awk -F, 'NR > 1 { print $1 }' nov.csv | sort | paste -sd,)" = "$(jq -r 'select(.result=="approved") | .record_id' ev.jsonl | sort | paste -sd,)"
check "export: funding split city 60 % / district 40 %" test "$(awk -F, 'NR > 1 { c += $12; d += $13 } END { print c, d }' nov.csv)" = "1860 1240"
"$K" --config k.ini --export 2026-Q4 --output q4.csv
check "export of the quarter: the same rows" cmp -s nov.csv q4.csv
"$K" --config k.ini --export 2026-11-23..2026-11-23 --output day.csv
check "export of a date range: the same rows" cmp -s nov.csv day.csv
check "no partial file left" test ! -e day.csv.part
run "$K" --config k.ini --export 2026-11-24..2026-11-23 --output bad.csv 2> err.txt
check "a range backwards is refused (exit 2)" test "$status" -eq 2
check "and names the forms" grep -q "YYYY-Qn" err.txt
"$K" --config k.ini --export 2026-10 --output oct.csv
check "export of an empty month: header only" test "$(wc -l < oct.csv)" -eq 1

# A canteen that sells by the bill: the cash register's line (sim `bill`), then the card. A card
# before any bill is asked for the bill and records nothing. 04A1B2C3 is 70 (age70): lunch 300
# off whatever the bill, so a bill of 18.50 pays 15.50.
sed 's/^\[voice\]/[canteen]\npricing = bill\n[voice]/' k.ini > bill.ini
sed -i "s#^database = .*#database = $WORK/bill.db#" bill.ini
"$K" --config bill.ini --import-roster "$SRC/tests/data/roster-sample.csv" --mode full > /dev/null 2>&1
"$K" --config bill.ini --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null 2>&1
printf 'time 2026-11-23T11:30:00+08:00\ntap 04A1B2C3\nbill 1850\ntap 04A1B2C3\nquit\n' |
  "$K" --config bill.ini --headless --reader sim:- --events bill.jsonl 2> /dev/null
check "bill: one meal, on the bill" \
  test "$(meals bill.jsonl | jq -r '[.result, .price_fen, .subsidy_fen, .pay_fen, .price_source] | join(" ")')" = "approved 1850 300 1550 bill"
"$K" --config bill.ini --export 2026-11 --output bill.csv
col=$(head -1 bill.csv | tr ',' '\n' | grep -nx price_source | cut -d: -f1)
check "bill: the export says where the price came from" \
  test "$(awk -F, -v c="${col:-0}" 'NR == 2 { print $c }' bill.csv)" = bill
finish
