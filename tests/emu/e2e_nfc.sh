#!/usr/bin/env bash
# e2e_nfc.sh - the real kiosk binary with its nfc driver on an emulated PN532 (pn532_emu on a
# pty, through libnfc's own pn532_uart code), fed sim commands on standard input: a card left on
# the reader is one meal, a card taken away and placed again after the repeat window is a new
# tap (and within it a repeat), an unknown card is refused, and after every fault the emulator
# injects (silence, garbage, bad checksum, slow replies, unplug and replug, and status bit 7, on
# which libnfc calls abort(): only the kiosk-nfc helper dies, the kiosk says the reader is down,
# starts a new helper and serves on) the kiosk is still running and reads the next card. Ends
# with `quit` and exit status 0, leaving no helper behind.
source "$(dirname "$0")/../e2e/lib.sh"
: "${PN532_EMU:?run through ctest}"
unset LIBNFC_DEVICE           # the reader is named on the command line, nowhere else
export LIBNFC_AUTO_SCAN=false # and libnfc never goes looking for others
export LIBNFC_LOG_LEVEL=1     # errors only: at 3 libnfc prints every frame, UIDs and all
trap '' PIPE                  # a kiosk that died makes `say` fail, not kill this script

emu_pid=
kiosk_pid=
cleanup() {
  # Only what this script started, by pid.
  for pid in $kiosk_pid $emu_pid; do kill "$pid" 2> /dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

fatal() { # fatal "what": the rest cannot run; say why, show the kiosk's log, fail
  echo "FAILED: $1" >&2
  [ -f log.txt ] && tail -n 30 log.txt >&2
  echo "$(basename "$0"): stopped early after $checks checks, $((failures + 1)) failures"
  exit 1
}

# A short repeat window, so "again after the window" takes 2 s rather than 10. Debug lines, so
# the test sees each removal ("card removed", no UID) rather than guessing how long one takes.
cat > k.ini << 'INI'
[timing]
repeat_tap_seconds = 2
result_seconds = 3
[log]
level = debug
INI
# A binary whose roster import asks how to treat the stored roster gets --mode full.
full=()
if "$K" --help 2> /dev/null | grep -q -- '--mode full'; then full=(--mode full); fi
run "$K" --config k.ini --db k.db --import-roster "$SRC/tests/data/roster-sample.csv" "${full[@]}"
check "roster imported" test "$status" -eq 0
run "$K" --config k.ini --db k.db --import-policy "$SRC/tests/policies/fixed-by-class.json"
check "policy imported" test "$status" -eq 0

"$PN532_EMU" --control "$WORK/emu.ctl" --link "$WORK/ttyPN532" --log emu.log > emu.out 2>&1 &
emu_pid=$!
for _ in $(seq 100); do [ -e "$WORK/ttyPN532" ] && break; sleep 0.05; done
[ -e "$WORK/ttyPN532" ] || fatal "the PN532 emulator made no pty"
exec 4> "$WORK/emu.ctl"
emu() { echo "$*" >&4; }

mkfifo cmds
"$K" --config k.ini --headless --no-voice --db k.db --events ev.jsonl \
  --reader "nfc:pn532_uart:$WORK/ttyPN532" --commands - < cmds 2> log.txt &
kiosk_pid=$!
exec 3> cmds
say() { echo "$*" >&3 2> /dev/null || true; }

say "time 2026-11-23T11:30:00+08:00"
wait_ready ev.jsonl "$kiosk_pid" || fatal "the kiosk did not start"

# wait_meals N [SECONDS]: until the events file holds N meal lines; fails when the kiosk ended
# or the time (default 10 s) passed.
wait_meals() {
  local want=$1 until=$((SECONDS + ${2:-10}))
  while [ "$SECONDS" -lt "$until" ]; do
    [ "$(grep -c '"kind":"meal"' ev.jsonl || true)" -ge "$want" ] && return 0
    kill -0 "$kiosk_pid" 2> /dev/null || return 1
    sleep 0.05
  done
  return 1
}
# wait_log PATTERN COUNT: until the log holds COUNT lines matching PATTERN (10 s at most).
wait_log() {
  local until=$((SECONDS + 10))
  while [ "$SECONDS" -lt "$until" ]; do
    [ "$(grep -c -- "$1" log.txt || true)" -ge "$2" ] && return 0
    sleep 0.05
  done
  return 1
}
removals=0
# lift WHAT: takes the card away and waits until the kiosk has seen it go.
lift() {
  emu remove
  removals=$((removals + 1))
  check "$1: the card is seen taken away" wait_log "card removed" "$removals"
}
outcome() { meals ev.jsonl | sed -n "${1}p" | jq -r '.result + ":" + (.reason // "")'; }
alive() { kill -0 "$kiosk_pid" 2> /dev/null; }
n=0
# tap WHAT EXPECTED [SECONDS]: the next meal line is EXPECTED ("approved:", "refused:REASON").
tap() {
  n=$((n + 1))
  check "$1: answered" wait_meals "$n" "${3:-10}"
  check "$1: $2" test "$(outcome "$n")" = "$2"
}

# Placed and left there for 3 s (longer than the repeat window): one meal, not one per poll.
emu insert mfc 04A7B8C9
tap "first placement" "approved:"
check "lunch 15.00, subsidy 5.00" test "$(meals ev.jsonl | head -1 | jq -r '"\(.price_fen) \(.subsidy_fen)"')" = "1500 500"
sleep 3
check "a card left on the reader is one tap" test "$(meals ev.jsonl | wc -l)" -eq 1
# Taken away and placed again: after the window a new tap (lunch already had), within it a repeat.
lift "the first placement"
emu insert mfc 04A7B8C9
tap "placed again after the window" "refused:already_had_meal"
lift "placed again after the window"
emu insert mfc 04A7B8C9
tap "placed again within the window" "repeat:"
lift "placed again within the window"
emu insert mfc 0A0B0C0D
tap "an unknown card" "refused:unknown_card"
lift "an unknown card"

# after_fault NAME KIND UID: after a fault (injected and healed by the caller) the kiosk runs
# and the next card is read; each card is a different diner, so each is a meal. A reader that
# never comes back ends the test here, rather than at its time limit.
after_fault() {
  check "$1: the kiosk is still running" alive
  emu insert "$2" "$3"
  wait_meals $((n + 1)) 25 || fatal "no card was read after $1: the reader did not come back"
  tap "a card after $1" "approved:"
  lift "a card after $1"
}
emu silence
sleep 2
emu resume
after_fault "silence" mfc 04A1B2C3
emu garbage 3
sleep 1
after_fault "garbage" ul 04A1B2C3D4E5F6
emu badsum 3
sleep 1
after_fault "bad checksums" mfc 08aa5511cc3344dd9900
emu slow 200 # slower than a PN532, within libnfc's timeouts: it keeps working
after_fault "slow replies (200 ms)" iso4a 04B2C3D4E5F607
emu slow 800 # beyond them: the reader is down until it answers in time again
sleep 2
emu slow 0
after_fault "slow replies (800 ms)" mfc 042F3041
emu vanish
check "unplugged: the reader is reported down" \
  wait_log "\[reader\] nfc: the reader stopped answering" 1
emu return
after_fault "unplug and replug" mfc 04B8C9DA

# Status bit 7 in the reply to the presence check of a card lying on the reader (an Ultralight:
# READ through InDataExchange): libnfc abort()s its process, which is the helper, not the kiosk.
helper() { pgrep -P "$kiosk_pid" -x kiosk-nfc || true; }
emu insert ul 04D4E5F6A7B8C9
tap "a card before the helper dies" "approved:"
first_helper=$(helper)
check "the reader is read by a kiosk-nfc helper" test -n "$first_helper"
ready_lines=$(grep -c '\[reader\] nfc: reader ready' log.txt || true)
emu nad 1
check "libnfc's abort: the staff log says the helper stopped (signal 6)" \
  wait_log "\[reader\] nfc: the NFC reader's helper stopped (signal 6)" 1
check "libnfc's abort: then the reader is ready again" \
  wait_log '\[reader\] nfc: reader ready' $((ready_lines + 1))
check "libnfc's abort: the kiosk is still running" alive
check "libnfc's abort: a new helper" bash -c "[ -n '$(helper)' ] && [ '$(helper)' != '$first_helper' ]"
sleep 1
check "the card still on the reader is one tap" test "$(meals ev.jsonl | wc -l)" -eq "$n"
lift "the card that lay through the abort"
after_fault "libnfc's abort()" mfc 04F6A7B9
# A card on the reader while the line is noisy is still one tap.
emu insert mfc 041E2F30
tap "a card left on a noisy reader" "approved:"
emu garbage 3
sleep 1.5
check "noise does not make a second tap" test "$(meals ev.jsonl | wc -l)" -eq "$n"
lift "the card on a noisy reader"

check "the helper died only of the injected abort" test "$(grep -c "helper stopped" log.txt || true)" -eq 1
check "the reader went down and came back" test "$(grep -c '\[reader\] nfc: reader ready' log.txt)" -ge 3
last_helper=$(helper) # before quit: the kiosk may have stopped it by the time pgrep looks
say quit
exec 3>&-
run wait "$kiosk_pid"
kiosk_pid=
check "exits 0 on quit" test "$status" -eq 0
check "no helper left behind" bash -c "[ -n '$last_helper' ] && ! kill -0 '$last_helper' 2> /dev/null"
check "a stopped line" test "$(jq -r 'select(.kind == "kiosk") | .result' ev.jsonl | tail -1)" = stopped
check "no card UID in the log or the events" bash -c "! grep -qiE '04A7B8C9|0A0B0C0D|04A1B2C3|08aa5511|04B2C3D4|042F3041|04B8C9DA|041E2F30|04D4E5F6|04F6A7B9' log.txt ev.jsonl"
finish
