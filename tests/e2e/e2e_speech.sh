#!/usr/bin/env bash
# Speech starts within 500 ms of the result screen appearing, and a touch whose answer has no
# voice of its own is answered by the key sound within 100 ms, through the real binary with its
# voice on SDL's disk audio driver played at real-time pace (a 1024-frame buffer every 46 ms):
# the events file's speech line is the ms from the frame with the new voice cue to the device
# taking its first samples; the samples written must be the prompt (not silence).
source "$(dirname "$0")/lib.sh"

canteen_kiosk e2e-speech \
  '[voice]' \
  'enabled = true' \
  "dir = $SRC/assets/voice"

# After the result's voice has ended, a touch beside the buttons (it holds the result, a frame
# without a voice of its own) is answered by the key sound.
printf 'time 2026-11-23T11:30:00+08:00\ntap 04A7B8C9\nwait 9000\ntouch 640 400\nwait 800\nquit\n' > cmds.txt
SDL_AUDIODRIVER=disk SDL_DISKAUDIOFILE="$WORK/out.raw" SDL_DISKAUDIODELAY=46 \
  run "$K" --config k.ini --headless --reader sim:- --events all.jsonl --size 1280x800 < cmds.txt 2> log.txt
check "exits 0" test "$status" -eq 0
jq -r 'select(.kind == "speech") | "\(.screen) \(.start_ms)"' all.jsonl > speech.txt
echo "speech start: $(paste -sd, speech.txt) ms"
check "the result's voice started" grep -q '^result ' speech.txt
check "within 500 ms of its frame" \
  awk '$1 == "result" { seen = 1; if ($2 < 0 || $2 > 500) bad = 1 } END { exit !(seen && !bad) }' speech.txt
check "a touch that brings no voice is answered by the key sound within 100 ms of the touch" \
  awk '$1 == "touch" { seen = 1; if ($2 < 0 || $2 > 100) bad = 1 } END { exit !(seen && !bad) }' speech.txt
# Something was played: the output holds samples that are not silence.
check "the prompt was played" test "$(od -An -tx1 -v out.raw 2> /dev/null | tr -d ' \n' | tr -d 0 | wc -c)" -gt 1000
finish
