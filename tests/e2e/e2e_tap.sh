#!/usr/bin/env bash
# The issue's acceptance command: a tap through the sim reader in a headless kiosk writes a PNG
# of the result screen and a JSON line; then the same with the sample roster and policy, where
# the tap is an approved, durably recorded meal.
source "$(dirname "$0")/lib.sh"

# An empty database: the card is unknown, a refusal screen.
run "$K" --headless --reader sim:- --events ev.jsonl --db empty.db --no-voice 2> log.txt \
  < <(printf 'tap 04A1B2C3\nshot out.png\nquit\n')
check "exits 0" test "$status" -eq 0
check "PNG of 1920x1080 written" test "$(png_size out.png)" = "1920x1080"
check "one meal line, between ready and stopped" test "$(jq -r .result ev.jsonl | paste -sd' ')" = "ready refused stopped"
check "refused: unknown card" test "$(meals ev.jsonl | jq -r '.kind + " " + .result + " " + .reason')" = "meal refused unknown_card"
check "no UID in the log" bash -c "! grep -qi 04A1B2C3 log.txt"

# The sample roster and policy: an approved lunch at 11:30.
"$K" --db meal.db --import-roster "$SRC/tests/data/roster-sample.csv" --mode full > /dev/null
for p in "$SRC"/tests/policies/fixed-by-class.json; do "$K" --db meal.db --import-policy "$p" > /dev/null; done
run "$K" --headless --reader sim:- --events all.jsonl --db meal.db --no-voice --size 1280x800 \
  2> log.txt < <(printf 'time 2026-11-23T11:30:00+08:00\ntap 04A1B2C3\nshot meal.png\nquit\n')
check "exits 0 (meal)" test "$status" -eq 0
meals all.jsonl > meal.jsonl
check "PNG of 1280x800 written" test "$(png_size meal.png)" = "1280x800"
check "approved" test "$(jq -r .result meal.jsonl)" = "approved"
id=$(jq -r .record_id meal.jsonl)
hex=$(echo "$id" | tr -d '-')
check "record is in the store" test "$(sqlite3 meal.db "SELECT count(*) FROM meal WHERE lower(hex(record_id)) = '$hex'")" = 1
check "outbox row with it" test "$(sqlite3 meal.db "SELECT count(*) FROM outbox WHERE lower(hex(record_id)) = '$hex' AND state = 'pending'")" = 1
amounts=$(jq -r '"\(.price_fen) \(.subsidy_fen) \(.pay_fen)"' meal.jsonl)
check "events amounts match the store" test "$amounts" = "$(sqlite3 -separator ' ' meal.db "SELECT price_fen, subsidy_fen, pay_fen FROM meal")"
# Headless with a screenshot directory: every new screen is saved, even in a burst of events.
printf 'time 2026-11-23T11:40:00+08:00\ntap 04A7B8C9\ntap 0A0B0C0D\npress back\npress help\nquit\n' |
  "$K" --headless --reader sim:- --db meal.db --no-voice --screenshot-dir shots 2> log.txt
check "a PNG per screen" test "$(ls shots | paste -sd' ')" = "0001-idle.png 0002-result.png 0003-result.png 0004-idle.png 0005-help.png"
finish
