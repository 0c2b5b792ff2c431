#!/usr/bin/env bash
# Signals: SIGTERM and SIGINT stop an idle kiosk within a second (it may be asleep until the
# next minute), with its "stopped" line and exit status 0; SIGHUP neither stops it nor drops the
# taps queued behind a sim `wait`.
source "$(dirname "$0")/lib.sh"
"$K" --db s.db --import-roster "$SRC/tests/data/roster-sample.csv" --mode full > /dev/null
"$K" --db s.db --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null

# start_kiosk NAME: a headless kiosk reading the FIFO NAME.fifo, events in NAME.jsonl.
start_kiosk() {
  mkfifo "$1.fifo"
  "$K" --headless --reader sim:"$WORK/$1.fifo" --db s.db --no-voice --events "$1.jsonl" \
    2>> log.txt &
  pid=$!
  wait_ready "$1.jsonl" "$pid"
  exec 7> "$1.fifo" # hold the FIFO open so the kiosk never sees its end
}

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

for sig in TERM INT; do
  start_kiosk "$sig"
  sleep 0.5 # idle: asleep until the next minute
  t0=$(date +%s%N)
  kill -s "$sig" "$pid"
  run wait "$pid"
  took=$(ms_since "$t0")
  exec 7>&-
  echo "SIG$sig: stopped in $took ms"
  check "SIG$sig: exit status 0" test "$status" -eq 0
  check "SIG$sig: stopped within a second ($took ms)" test "$took" -lt 1000
  check "SIG$sig: the stopped line was written" grep -q '"result":"stopped"' "$sig.jsonl"
done

start_kiosk HUP
printf 'time 2026-11-23T11:30:00+08:00\nwait 1500\ntap 04A7B8C9\n' >&7
sleep 0.3
kill -s HUP "$pid"
WAIT_FOR_PID=$pid # wait_for gives up at once when the kiosk has ended
wait_for "SIGHUP: the tap queued behind the wait was served" 20 \
  '[ "$(jq -r '"'"'select(.kind == "meal") | .result'"'"' HUP.jsonl)" = approved ]'
unset WAIT_FOR_PID
check "SIGHUP: the kiosk still runs" kill -0 "$pid"
echo quit >&7
exec 7>&-
run wait "$pid"
check "SIGHUP: then quit exits 0" test "$status" -eq 0
check "no sanitizer report" bash -c "! grep -q Sanitizer log.txt"
finish
