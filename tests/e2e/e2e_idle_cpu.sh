#!/usr/bin/env bash
# An idle kiosk sleeps: over 10 s headless it uses under 1 % of a core. (bench/idle_cpu.sh
# measures the full 60 s on a release build.)
source "$(dirname "$0")/lib.sh"
mkfifo sim.fifo
"$K" --headless --reader sim:"$WORK/sim.fifo" --db idle.db --no-voice --events ev.jsonl 2> log.txt &
pid=$!
wait_ready ev.jsonl "$pid" # start-up (fonts, database) is not idle time
sleep 1
ticks() { awk '{print $14 + $15}' /proc/"$pid"/stat; }
t0=$(ticks)
sleep 10
t1=$(ticks)
hz=$(getconf CLK_TCK)
echo "idle CPU: $((t1 - t0)) ticks of $((10 * hz)) in 10 s"
check "idle kiosk uses under 1 % of a core" test $(((t1 - t0) * 100)) -lt $((10 * hz))
echo quit > sim.fifo
run wait "$pid"
check "kiosk stopped cleanly" test "$status" -eq 0
finish
