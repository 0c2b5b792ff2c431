#!/usr/bin/env bash
# Touches through the real binary: a target fires on touch-down, the same target touched again
# within 500 ms is ignored (a tremor, a double tap), and the frame that answers a touch is drawn
# within 100 ms (the events file's latency_ms: from the touch to the frame presented). The
# target is 再听一遍 on a result at 1280x800 (drawn at x 312-506, y 674-770): each counted touch
# is a new voice cue, so a new screenshot.
source "$(dirname "$0")/lib.sh"

canteen_kiosk e2e-touch \
  '[display]' \
  "screenshot_dir = $WORK/shots" \
  '[voice]' \
  'enabled = false'
mkdir shots

cat > cmds.txt <<'CMDS'
time 2026-11-23T11:30:00+08:00
tap 04A7B8C9
touch 409 722
touch 409 722
wait 600
touch 409 722
quit
CMDS
run "$K" --config k.ini --headless --reader sim:- --events all.jsonl --size 1280x800 < cmds.txt 2> log.txt
check "exits 0" test "$status" -eq 0
jq -r 'select(.kind == "touch") | "\(.result) \(.widget)"' all.jsonl > touches.txt
check "answered, ignored within 500 ms, answered after" \
  test "$(paste -sd, touches.txt)" = "answered again,ignored again,answered again"
ls shots > shots.txt
check "two replays, not three" \
  test "$(paste -sd' ' shots.txt)" = "0001-idle.png 0002-result.png 0003-result.png 0004-result.png"
jq -r 'select(.kind == "touch" and .result == "answered") | .latency_ms' all.jsonl > latency.txt
echo "touch to frame: $(paste -sd' ' latency.txt) ms"
check "two answered touches measured" test "$(wc -l < latency.txt)" -eq 2
check "each answered within 100 ms" awk '{ if ($1 < 0 || $1 > 100) bad = 1 } END { exit bad }' latency.txt
finish
