#!/usr/bin/env bash
# The reading-time rules through the real binary (kiosk/pacing.c in the main loop): the flow
# would leave a result after [timing] result_seconds = 3, but the screen stays T. For this
# success T is 19 s: 30 Chinese characters on it (用餐成功 4, 孙海午餐 4, 请到窗口付款取餐 8,
# the figures' labels 餐费 2, 补贴 2, 本月补贴还剩 6, 您需支付 4), 30 x 0.5 s + 4 s = 19 s, more
# than 12 s and than the (silent) speech + 6 s. "再听一遍" is on it and a press speaks it again
# (a new voice cue: a new screenshot). Measured: the times between the screenshots the kiosk
# saved (their file times). Then 呼叫工作人员: its record in the outbox and the events file, and
# the screen's spoken answer (a new voice cue, a new screenshot).
source "$(dirname "$0")/lib.sh"

canteen_kiosk e2e-pace \
  '[display]' \
  "screenshot_dir = $WORK/shots" \
  '[timing]' \
  'result_seconds = 3' \
  '[voice]' \
  'enabled = false'
mkdir shots

cat > cmds.txt <<'CMDS'
time 2026-11-23T11:30:00+08:00
# XW-0009: lunch, pays 10.00
tap 04A7B8C9
wait 2000
press again
wait 20000
# 呼叫工作人员 in the title bar of the idle screen: a record, an events line, the answer spoken
press call_staff
wait 300
shot call.png
quit
CMDS
run "$K" --config k.ini --headless --reader sim:- --events all.jsonl --size 1280x800 < cmds.txt 2> log.txt
check "exits 0" test "$status" -eq 0
ls shots > shots.txt
check "idle, the result, the result spoken again, idle" \
  test "$(paste -sd' ' shots.txt)" = "0001-idle.png 0002-result.png 0003-result.png 0004-idle.png 0005-idle.png"
result_at=$(stat -c '%.3Y' shots/0002-result.png 2> /dev/null || echo 0)
idle_at=$(stat -c '%.3Y' shots/0004-idle.png 2> /dev/null || echo 0)
stayed=$(awk -v a="$result_at" -v b="$idle_at" 'BEGIN { printf "%.1f", b - a }')
echo "the result stayed ${stayed} s (T = 19 s)"
# At least T, less the difference between the two screenshots' write times (each file is
# written after its frame, 0.1-0.5 s later on a loaded machine); at most T and 2 s more.
check "stayed at least 19 s" awk -v s="$stayed" 'BEGIN { exit !(s >= 18.5) }'
check "stayed at most 21 s" awk -v s="$stayed" 'BEGIN { exit !(s <= 21.0) }'
check "the call in the events file" test "$(jq -r 'select(.kind == "help") | "\(.result) \(.recorded)"' all.jsonl)" = "called true"
check "the call in the outbox for the server" test "$(sqlite3 k.db "SELECT count(*) FROM outbox WHERE kind = 'help_call' AND state = 'pending'")" = 1
check "the call's frame written" test "$(png_size call.png)" = "1280x800"
check "the meal recorded once" test "$(meals all.jsonl | grep -c '"result":"approved"')" -eq 1
finish
