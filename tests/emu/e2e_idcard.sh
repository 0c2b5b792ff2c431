#!/usr/bin/env bash
# e2e_idcard.sh - the real kiosk reads ID cards through the gat467 driver from the emulated
# reader (idcard_emu, GA/T 467 frames on a pseudo-terminal): a card left on the reader gives
# one meal; a read failure, garbage, bad checksums, a SAM fault, silence, slowness and the
# reader vanishing are survived; a wrong check character is a misread; no ID number or name
# reaches the log or the events file. Sim lines (time, quit) go in through --commands -.
source "$(dirname "$0")/../e2e/lib.sh"
if [ -z "${IDCARD_EMU:-}" ]; then
  echo "FAILED: IDCARD_EMU (the emulator's path) is not set: run through ctest" >&2
  exit 1
fi
EMU=$IDCARD_EMU

# The diners of tests/data/roster-sample.csv that have an ID number.
HUANG="320102193401010020 2 19340101 黄桂香" # XW-0014: 92, dibao: lunch 800 off 1500
WANG="320102193601200136 1 19360120 王德顺"  # XW-0003: tekun
LIANG="810000196404040139 1 19640404 梁志明" # QH-0019: a Hong Kong residence permit
SONG="32010419390707004X 2 19390707 宋凤琴"  # QH-0020: X as check character
PRIVATE=(320102193401010020 320102193601200136 810000196404040139 32010419390707004 黄桂香 王德顺
  梁志明 宋凤琴 320102193401010021)

ctl() { printf '%s\n' "$*" >&4; }          # a control line to the emulator
say() { printf '%s\n' "$*" >&3; }          # a sim line to the kiosk
meal_count() { jq -c 'select(.kind == "meal")' ev.jsonl | wc -l; }
meals_at_least() { [ "$(meal_count)" -ge "$1" ]; }
last_meal() { jq -c 'select(.kind == "meal")' ev.jsonl | tail -n 1; }
# new_meal: true once a meal line has come since `expect_meal` was called.
expect_meal() { meals_before=$(meal_count); }
new_meal() { meals_at_least $((meals_before + 1)); }
emu_lines() { grep -c -- "$1" emu.log || true; }
emu_at_least() { [ "$(emu_lines "$1")" -ge "$2" ]; }
log_has() { grep -q -- "$1" kiosk.log; }
log_count() { grep -c -- "$1" kiosk.log || true; }
log_count_at_least() { [ "$(log_count "$1")" -ge "$2" ]; }
# The reader's state reports in the log: "[idcard] ... ready" and the others (down, with why).
downs() { grep "\[idcard\]" kiosk.log | grep -vc " ready$" || true; }
downs_at_least() { [ "$(downs)" -ge "$1" ]; }
result_screens() { find shots -name '*-result.png' 2> /dev/null | wc -l; }

# until_ok SECONDS command...: runs the command every 0.1 s until it succeeds; false when the
# time is up or the kiosk has ended.
until_ok() {
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 10; i++)); do
    if "$@"; then return 0; fi
    kill -0 "${KIOSK_PID:-}" 2> /dev/null || return 1
    sleep 0.1
  done
  return 1
}

# polls_since N: true once the driver has sent N more finds than when `mark` was called.
mark() { marked=$(emu_lines "20 01 ->"); }
polls_since() { emu_at_least "20 01 ->" $((marked + $1)); }
# lift: takes the card off and waits until the driver has polled the empty reader (a hand cannot
# swap cards within one poll, and the driver cannot tell such a swap from a card left there).
lift() {
  ctl remove
  mark
  check "the driver saw the card lifted" until_ok 10 polls_since 2
}

check "roster imported" "$K" --db db --import-roster "$SRC/tests/data/roster-sample.csv" --mode full
check "policy imported" "$K" --db db --import-policy "$SRC/tests/policies/fixed-by-class.json"

cleanup() {
  kill ${KIOSK_PID:-} ${EMU_PID:-} 2> /dev/null || true
  wait ${KIOSK_PID:-} ${EMU_PID:-} 2> /dev/null || true # reaped, not left as zombies
  rm -rf "$WORK"
}
trap cleanup EXIT
mkfifo nobody.fifo cmd.fifo ctl.fifo
# Both FIFOs are opened read-write, so opening never blocks and a write never meets a closed
# pipe: a dead kiosk or emulator shows up as a failed check, not a hang.
exec 4<> ctl.fifo
"$EMU" --link "$WORK/reader" --control "$WORK/ctl.fifo" > emu.out 2> emu.log &
EMU_PID=$!
for ((i = 0; i < 100; i++)); do
  [ -e reader ] && break
  sleep 0.05
done
check "the emulator made its pty" test -e reader
exec 3<> cmd.fifo
"$K" --reader "sim:$WORK/nobody.fifo" --idcard "gat467:$WORK/reader" --commands - \
  --events ev.jsonl --headless --no-voice --db db --log-level debug --screenshot-dir shots \
  < cmd.fifo 2> kiosk.log &
KIOSK_PID=$!

checks=$((checks + 1)) # wait_ready counts its own failure
if ! wait_ready ev.jsonl "$KIOSK_PID" || [ "$failures" -ne 0 ]; then
  cat kiosk.log >&2 || true
  finish || exit 1
fi
say "time 2026-11-23T11:30:00+08:00"

# --- 1. A card left on the reader: one approved lunch (the reader answers 80 after a read).
expect_meal
ctl card resident $HUANG
check "a card read gives a meal" until_ok 10 new_meal
check "approved lunch: subsidy 800, pay 700" test \
  "$(last_meal | jq -r '"\(.result) \(.meal_type) \(.subsidy_fen) \(.pay_fen)"')" = "approved lunch 800 700"
mark
check "the driver keeps polling while the card lies there" until_ok 10 polls_since 5
check "still exactly one meal with the card left on" test "$(meal_count)" -eq 1
check "the card was read once" test "$(emu_lines "30 01 -> 90")" -eq 1
lift

# --- 2. A reader that still finds a card it has read (sticky): no second read until lifted.
ctl sticky on
expect_meal
ctl card resident $WANG
check "sticky: a meal" until_ok 10 new_meal
mark
check "sticky: polls go on" until_ok 10 polls_since 5
check "sticky: one meal, one read" test "$(meal_count)-$(emu_lines "30 01 -> 90")" = "2-2"
check "sticky: finds answer 9F while the card lies there" emu_at_least "20 01 -> 9F" 6
lift
ctl sticky off

# --- 3. A read that fails (41): no meal, a misread screen and an error line; the driver gives up on that
# placement after a few tries and waits for the card to be lifted.
screens=$(result_screens)
expect_meal
ctl fault readfail 99
ctl card resident $HUANG
check "read failure: the reader answered 41" until_ok 10 emu_at_least "30 01 -> 41" 1
mark
check "read failure: polls go on" until_ok 10 polls_since 6
check "read failure: one outcome line" test "$(meal_count)" -eq $((meals_before + 1))
check "read failure: no meal, an unreadable card" test \
  "$(last_meal | jq -r '"\(.result) \(.reason)"')" = "error idcard_unreadable"
check "read failure: at most 3 tries on one placement" test "$(emu_lines "30 01 -> 41")" -le 3
check "read failure: the diner is asked to place it again" \
  test "$(result_screens)" -gt "$screens"
lift
ctl fault none

# --- 4. Garbage before replies and bad checksums: survived, and the next read works.
ctl fault garbage 3
mark
check "garbage: polls go on" until_ok 10 polls_since 4
check "garbage: three replies came after garbage" test "$(emu_lines "after garbage")" -eq 3
expect_meal
ctl fault garbage 1 read
ctl card J $LIANG
check "garbage before the read reply: a meal (HK permit)" until_ok 10 new_meal
lift
ctl fault checksum 1
mark
check "bad checksum on a find: polls go on" until_ok 10 polls_since 3
# A read reply spoilt on the wire: the reader has read the card (it answers 80 until the card is
# lifted), the kiosk has nothing; placing the card again reads it.
expect_meal
ctl fault checksum 1 read
ctl card resident $SONG
check "bad checksum on the read reply: sent" until_ok 10 emu_at_least "30 01 -> 90 with a bad" 1
mark
check "bad checksum on the read reply: polls go on" until_ok 10 polls_since 3
check "bad checksum on the read reply: no meal" \
  test "$(jq -r 'select(.kind == "meal") | .result' ev.jsonl | tail -n +$((meals_before + 1)) | sort -u | paste -sd,)" = error
lift
ctl card resident $SONG
check "placed again: a meal" until_ok 10 new_meal
lift
check "no meal was refused for a damaged reply (errors, never refusals)" \
  test "$(jq -r 'select(.kind == "meal") | .result' ev.jsonl | sort -u | paste -sd,)" = "approved,error"

# --- 5. A wrong check character: read fine, refused by the kiosk as a misread.
expect_meal
ctl card resident 320102193401010021 2 19340101 黄桂香
check "wrong check character: an outcome" until_ok 10 new_meal
check "wrong check character: a misread (bad_check)" test \
  "$(last_meal | jq -r '"\(.result) \(.reason)"')" = "error bad_check"
lift

# --- 6. SAM faults: one that a reset clears (still ready), one that stays (down, then back).
ctl fault sam
check "SAM fault: reset sent" until_ok 10 emu_at_least "10 FF -> 90" 1
mark
check "SAM fault cleared: polls go on" until_ok 10 polls_since 3
check "SAM fault cleared: the reader never went down" test "$(downs)" -eq 0
ctl fault samstuck
check "stuck SAM: reported down" until_ok 15 log_has "\[idcard\].*self-test"
ctl fault none
check "stuck SAM cleared: ready again" until_ok 15 log_count_at_least "\[idcard\].* ready$" 1

# --- 7. Silence: down after a few unanswered polls, ready when it answers again.
ctl fault silence
check "silence: reported down" until_ok 15 log_has "\[idcard\].*did not answer"
ctl fault none
check "silence over: ready again" until_ok 15 log_count_at_least "\[idcard\].* ready$" 2

# --- 8. The reader vanishes (unplugged) and returns: down, ready, and reading works.
ctl vanish
check "vanish: reported down" until_ok 15 downs_at_least 3
ctl return
check "return: ready again" until_ok 20 log_count_at_least "\[idcard\].* ready$" 3
say "time 2026-11-23T17:30:00+08:00"
ctl fault slow 300
expect_meal
ctl card resident $HUANG
check "after the return, with slow replies: a meal" until_ok 15 new_meal
check "an approved dinner, subsidy 600" \
  test "$(last_meal | jq -r '"\(.result) \(.meal_type) \(.subsidy_fen)"')" = "approved dinner 600"

# --- 9. Quitting while the driver waits on a slow reader returns promptly.
ctl fault slow 2000
sleep 0.5
started=$(date +%s%N)
say quit
status=0
wait "$KIOSK_PID" || status=$?
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
echo "the kiosk quit in ${elapsed_ms} ms with a command in flight"
check "the kiosk exits 0" test "$status" -eq 0
check "the kiosk quits within 2 s while a command is in flight (${elapsed_ms} ms)" \
  test "$elapsed_ms" -lt 2000
ctl quit

# --- Personal data: never in the log or the events file.
for secret in "${PRIVATE[@]}"; do
  check "no '$secret' in the log" bash -c "! grep -q -- '$secret' kiosk.log"
  check "no '$secret' in the events" bash -c "! grep -q -- '$secret' ev.jsonl"
  check "no '$secret' in the emulator's log" bash -c "! grep -q -- '$secret' emu.log"
done
if [ "$failures" -ne 0 ]; then
  echo "--- kiosk.log (tail)" >&2
  tail -40 kiosk.log >&2 || true
  echo "--- emu.log (tail)" >&2
  tail -40 emu.log >&2 || true
fi
finish
