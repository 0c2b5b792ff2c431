#!/usr/bin/env bash
# Three real kiosks against the real server (SQLite) through the TCP fault proxy: diners keep
# tapping while the proxy breaks connections (latency, drop, reset mid-reply, truncated reply,
# trickled reply, black hole) and the server injects its own faults (500 before and after the
# commit, 503 with Retry-After, exit after the commit before the reply, then a restart on a new
# port); one kiosk is killed with SIGKILL during its uploads and started again. After at least
# 500 injected faults the proxy passes traffic through, and once everything has drained: the
# server's records are exactly the union of the kiosks' outboxes (record ids, sequence numbers
# and payload hashes), none twice, each kiosk's sequence contiguous from 1, every kiosk says all
# is sent. FLEET_FAULTS (default 500) sets the number of faults; FLEET_SEED the proxy's seed.
source "$(dirname "$0")/fleet_lib.sh"
: "${FAULT_PROXY:?run through ctest}"
WANT=${FLEET_FAULTS:-500}
SEED=${FLEET_SEED:-$RANDOM}
echo "fault proxy seed $SEED (FLEET_SEED=$SEED reruns the same schedule)"

setup_site
admin import-roster "$SRC/tests/data/roster-sample.csv" --site s1 --mode full > /dev/null
admin import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
SFIFO=$WORK/server.faults
run start_server --faults "$SFIFO"
check "the server starts with fault injection" test "$status" -eq 0

# The proxy, in pass-through mode while the kiosks enrol.
start_proxy --seed "$SEED" --rate 70 --latency-ms 150
PFIFO=$WORK/proxy.ctl
stat_of() { awk -v k="$1" '$1 == k {print $2}' proxy.stats; }
# proxy LINE EXPECT_KEY EXPECT_VALUE: a control line, waited for in the stats file.
proxy() {
  printf '%s\n' "$1" > "$PFIFO"
  local until=$((SECONDS + 10))
  while [ "$SECONDS" -lt "$until" ]; do
    [ "$(stat_of "$2")" = "$3" ] && return 0
    sleep 0.05
  done
  echo "  the proxy did not take '$1'" >&2
  return 1
}
check "the proxy passes traffic through" proxy pass mode pass

# server_fault COMMAND: armed through the server's FIFO (never blocks on a dead server).
server_fault() { timeout 5 bash -c 'printf "%s\n" "$1" > "$2"' _ "$1" "$SFIFO" || true; }
server_faults() { grep -c 'fault injected:' server.err || true; }

DEVICES=(k1 k2 k3)
for i in 0 1 2; do
  d=${DEVICES[$i]}
  kiosk_ini "$d" "c$((i + 1))" "http://127.0.0.1:$PPORT" "timeout_s = 1" "retry_max_ms = 300" \
    "batch_records = 3"
  run kiosk_enroll "$d" s1 "c$((i + 1))"
  check "$d enrolls through the proxy" test "$status" -eq 0
  start_kiosk "$d"
done
for d in "${DEVICES[@]}"; do
  wait_for "$d pulled the cards" 60 '[ "$(kdb '"$d"' "SELECT count(*) FROM card")" = 21 ]'
done

# Each kiosk serves its own third of the cards, one day after another (the sim reader's clock),
# so every round makes new meals to upload.
mapfile -t CARDS < <(tail -n +2 "$SRC/tests/data/roster-sample.csv" | cut -d, -f10 | grep -E '^[0-9A-Fa-f]{8,}$')
day0=$(date -u -d '-60 days' +%F)
round=0
turn=0
kills=0
armed=0
restarts=0
server_cycle=("500-before-commit" "500-after-commit" "503 1" "500-before-commit" "500-after-commit" "503 1" "kill-after-commit")
check "the proxy injects faults" proxy faults mode faults
deadline=$((SECONDS + 150))
total=0
while :; do
  total=$(($(stat_of total) + $(server_faults)))
  [ "$total" -ge "$WANT" ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    check "$WANT faults injected within 150 s (only $total)" false
    break
  fi
  # A new day's lunches every other turn (about a second).
  if [ $((turn % 2)) -eq 0 ]; then
    day=$(date -u -d "$day0 + $round days" +%F)
    for i in 0 1 2; do
      d=${DEVICES[$i]}
      say "$d" "time ${day}T11:30:00+08:00"
      for ((c = i; c < ${#CARDS[@]}; c += 3)); do say "$d" "tap ${CARDS[$c]}"; done
    done
    round=$((round + 1))
  fi
  turn=$((turn + 1))
  # A few server faults waiting at any time (the queue is not let grow).
  if [ -n "$SERVER_PID" ] && [ $((armed - $(server_faults))) -lt 3 ]; then
    server_fault "${server_cycle[$((armed % ${#server_cycle[@]}))]}"
    armed=$((armed + 1))
  fi
  # The server exited after a commit (exit status 99): start it again; the proxy follows.
  if [ -n "$SERVER_PID" ] && ! kill -0 "$SERVER_PID" 2> /dev/null; then
    st=0
    wait "$SERVER_PID" 2> /dev/null || st=$?
    check "the server exited on kill-after-commit (99)" eq "$st" 99
    SERVER_PID=""
    run start_server --faults "$SFIFO"
    check "the server starts again" test "$status" -eq 0
    check "the proxy follows it to port $PORT" proxy "target $PORT" target "$PORT"
    restarts=$((restarts + 1))
  fi
  # A power cut at k2 while it has records on the way.
  if [ "$kills" -lt 2 ] && [ "$turn" -eq $((8 + kills * 12)) ]; then
    kill_kiosk k2
    start_kiosk k2
    kills=$((kills + 1))
  fi
  sleep 0.5
done

echo "faults injected: proxy $(awk '$1 != "mode" && $1 != "target" {printf "%s %s, ", $1, $2}' proxy.stats)"
for kind in 500-before-commit 500-after-commit 503 kill-after-commit; do
  n=$(grep -c "fault injected: $kind " server.err || true)
  echo "  server $kind: $n"
  check "the server injected $kind" test "$n" -ge 1
done
echo "  total $total, server restarts $restarts, kiosk kills $kills, rounds $round"
for kind in latency drop reset truncate slow timeout; do
  check "the proxy injected $kind" test "$(stat_of "$kind")" -ge 1
done
check "at least $WANT faults in all" test "$total" -ge "$WANT"
check "k2 was killed and restarted twice" eq "$kills" 2

# Pass-through, nothing armed at the server: everything must drain.
check "the proxy passes traffic through again" proxy pass mode pass
server_fault clear
for d in "${DEVICES[@]}"; do
  wait_for "$d says all sent" 90 "all_sent $d"
done

cat /dev/null > kiosks.rows
for d in "${DEVICES[@]}"; do
  n=$(kdb "$d" "SELECT count(*) FROM outbox")
  echo "$d: $n records"
  check "$d made meals under faults (got $n)" test "$n" -ge 20
  outbox_rows "$d" >> kiosks.rows
done
sort kiosks.rows > kiosks.sorted
server_rows | sort > server.sorted
check "the server's records are the union of the outboxes" cmp -s kiosks.sorted server.sorted
if ! cmp -s kiosks.sorted server.sorted; then diff kiosks.sorted server.sorted | head -5 >&2 || true; fi
check "no record id twice at the server" eq "$(sdb "SELECT count(*) - count(DISTINCT record_id) FROM records")" 0
# Each card is tapped once a day at one kiosk: a meal twice would be a tap recorded twice.
check "no meal twice (device, person, meal, the kiosk's date)" eq "$(sdb "SELECT count(*) - count(DISTINCT device_id || ' ' || json_extract(payload, '\$.person_id') || ' ' || json_extract(payload, '\$.meal_type') || ' ' || json_extract(payload, '\$.business_date')) FROM records")" 0
for d in "${DEVICES[@]}"; do
  check "$d's sequence is contiguous from 1" eq \
    "$(sdb "SELECT min(device_seq) || ' ' || max(device_seq) || ' ' || count(*) FROM records WHERE device_id = '$d'")" \
    "1 $(kdb "$d" "SELECT count(*) FROM outbox") $(kdb "$d" "SELECT count(*) FROM outbox")"
  check "$d's meals are its outbox" eq "$(kdb "$d" "SELECT count(*) FROM meal WHERE source <> 'server'")" \
    "$(kdb "$d" "SELECT count(*) FROM outbox WHERE kind = 'meal'")"
done
for d in "${DEVICES[@]}"; do
  check "the server holds $d's numbers as one range from 1" eq \
    "$(sdb "SELECT group_concat(lo || '-' || hi) FROM seq_range WHERE device_id = '$d'")" \
    "1-$(kdb "$d" "SELECT count(*) FROM outbox")"
done

for d in "${DEVICES[@]}"; do
  quit_kiosk "$d"
  check "$d stops cleanly" test "$status" -eq 0
done
kill -TERM "$proxy_pid"
wait "$proxy_pid" 2> /dev/null || true
stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0
finish
