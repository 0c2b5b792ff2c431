#!/usr/bin/env bash
# The long press that asks for a staff card, through the real binary (its main loop waking at
# the hold's deadline) and the sim reader's `hold` and `release`: a finger kept 1 s in the
# top-left corner, or 3.5 s in the middle of the screen, changes nothing (the idle screen stays,
# no new screen is drawn); kept 3.5 s in the corner (x, y < 133 at 1280x800), the screen asks
# for a staff card (staff_card_prompt), and nothing is recorded.
source "$(dirname "$0")/lib.sh"

canteen_kiosk e2e-corner \
  '[display]' \
  "screenshot_dir = $WORK/shots" \
  '[voice]' \
  'enabled = false'
mkdir shots

cat > cmds.txt <<'CMDS'
time 2026-11-23T11:30:00+08:00
hold 40 40
wait 1000
release
hold 640 400
wait 3500
release
hold 40 40
wait 3500
release
quit
CMDS
run "$K" --config k.ini --headless --reader sim:- --size 1280x800 < cmds.txt 2> log.txt
check "exits 0" test "$status" -eq 0
ls shots > shots.txt
check "idle, then only the staff card's request" \
  test "$(paste -sd' ' shots.txt)" = "0001-idle.png 0002-staff_card_prompt.png"
check "nothing recorded" test "$(sqlite3 k.db 'SELECT (SELECT count(*) FROM meal) + (SELECT count(*) FROM audit)')" = 0
finish
