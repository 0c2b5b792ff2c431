#!/usr/bin/env bash
# e2e_print.sh - the real kiosk prints canteen receipts through the escpos driver, and the test
# decoder (escpos_dump) reads what would come out of the printer: with `receipt = always` every
# approved meal prints its receipt (the masked name, the amounts, the record id of the events
# line); with `receipt = ask` only a press of the success screen's print button does, once; a
# refusal prints nothing; a printer that cannot be opened never holds up a meal; a receipt
# setting without a printer is refused at start.
source "$(dirname "$0")/../e2e/lib.sh"
if [ -z "${ESCPOS_DUMP:-}" ]; then
  echo "FAILED: ESCPOS_DUMP (the decoder's path) is not set: run through ctest" >&2
  exit 1
fi
"$K" --db p.db --import-roster "$SRC/tests/data/roster-sample.csv" --mode full > /dev/null 2>&1
"$K" --db p.db --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null 2>&1

# kiosk_with INI_LINES EVENTS SIM_LINES: a headless kiosk on p.db with the extra INI lines.
kiosk_with() {
  printf "$1" > k.ini
  run "$K" --config k.ini --db p.db --headless --reader sim:- --no-voice \
    --events "$2" 2> log.txt < <(printf "$3")
  cat log.txt >> all.log
}
paper() { "$ESCPOS_DUMP" "$1"; }

# --- always: 04A7B8C9 is 88 (age80): lunch 15.00, subsidy 5.00, pays 10.00.
kiosk_with "[canteen]\nreceipt = always\n[printer]\ndevice = escpos:$WORK/a.bin\n" a.jsonl \
  'time 2026-11-23T11:30:00+08:00\ntap 04A7B8C9\ntap 0A0B0C0D\nwait 500\nquit\n'
check "always: the kiosk exits 0" test "$status" -eq 0
check "always: the meal was approved" \
  test "$(meals a.jsonl | head -1 | jq -r .result)" = approved
check "always: the bytes are ESC/POS the kiosk sends, nothing else" paper a.bin
paper a.bin > a.txt || true
check "always: one receipt (one init, one job)" test "$(grep -c '^1 ' a.txt)" -gt 5
check "always: only one job for two taps (the refusal prints nothing)" \
  test "$(grep -c '^2 ' a.txt || true)" -eq 0
check "always: the masked name" grep -qE '^1 normal left\|姓名 +孙\*海$' a.txt
check "always: the subsidy" grep -qE '^1 normal left\|补贴 +￥5\.00$' a.txt
check "always: what to pay, big" grep -qE '^1 big left\|实付 +￥10\.00$' a.txt
record=$(meals a.jsonl | head -1 | jq -r .record_id)
printed=$(grep '^1 normal center|' a.txt | tail -n +2 | cut -d'|' -f2 | tr -d '\n')
check "always: the record id of the events line ($record)" test "$printed" = "$record"
check "always: fed and done" grep -q '^trace: init kanji .*feed:4$' a.txt

# --- ask: nothing until the diner presses 打印小票, and then only once.
kiosk_with "[canteen]\nreceipt = ask\n[printer]\ndevice = escpos:$WORK/b.bin\n" b.jsonl \
  'time 2026-11-24T11:30:00+08:00\ntap 04A7B8C9\nwait 300\nshot b1.png\npress print\npress print\nwait 500\nquit\n'
check "ask: exits 0" test "$status" -eq 0
check "ask: the meal was approved" test "$(meals b.jsonl | jq -r .result)" = approved
check "ask: one receipt after the press" test "$(paper b.bin | grep -cE '\|姓名 +孙\*海$')" -eq 1
check "ask: a second press finds no button" grep -q "press print: no such button" log.txt
kiosk_with "[canteen]\nreceipt = ask\n[printer]\ndevice = escpos:$WORK/c.bin\n" c.jsonl \
  'time 2026-11-25T11:30:00+08:00\ntap 04A7B8C9\nwait 300\nquit\n'
check "ask: no press, no paper" test ! -s c.bin

# --- a printer that is not there: the meal is served and recorded all the same. The sim lines
# go through a FIFO, each after the log shows what the one before led to, so the printer's state
# report never queues behind `quit` however slow the machine.
printf "[canteen]\nreceipt = always\n[printer]\ndevice = escpos:$WORK/no/such/dir/p.bin\n" > k.ini
mkfifo d.fifo
"$K" --config k.ini --db p.db --headless --reader sim:"$WORK/d.fifo" --no-voice \
  --events d.jsonl 2> log.txt &
WAIT_FOR_PID=$!
exec 7<> d.fifo # read and write: opening never blocks, writing never meets a closed pipe
echo 'time 2026-11-26T11:30:00+08:00' >&7
wait_for "no printer: staff are told (the log; the staff line says 打印机未连接)" 20 \
  'grep -q "\[printer\] escpos: cannot open" log.txt'
echo 'tap 04A7B8C9' >&7
wait_for "no printer: and the receipt was not printed" 20 'grep -q "not printed" log.txt'
echo quit >&7
run wait "$WAIT_FOR_PID"
unset WAIT_FOR_PID
exec 7>&-
cat log.txt >> all.log
check "no printer: exits 0" test "$status" -eq 0
check "no printer: the meal was approved" test "$(meals d.jsonl | jq -r .result)" = approved
check "no printer: recorded" \
  test "$(sqlite3 p.db "SELECT count(*) FROM meal WHERE business_date = '2026-11-26'")" -eq 1

# --- a receipt setting with no printer to print it on: refused at start, with the reason.
kiosk_with "[canteen]\nreceipt = always\n" e.jsonl 'quit\n'
check "receipt without a printer: refused" test "$status" -ne 0
check "receipt without a printer: says why" grep -q "needs a receipt printer" log.txt
check "no sanitizer report" bash -c "! grep -q Sanitizer all.log"
finish
