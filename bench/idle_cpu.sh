#!/usr/bin/env bash
# idle_cpu.sh - CPU used by an idle kiosk: the Release binary, headless, fed by a simulated reader
# on a FIFO, nobody tapping. Target: under 1 % of one core.
#
# Why: a canteen kiosk stands idle most of the day on a small fanless box; its main loop is
# designed to sleep until the next deadline (the clock's next minute, a screen's timeout), so
# idle CPU shows at once whether anything polls. tests/e2e/e2e_idle_cpu.sh checks the same for
# 10 s under the sanitizers; this measures the full window on the optimised build.
#
#   bash bench/idle_cpu.sh [SECONDS]      # default 60
#
# It reads utime + stime (fields 14 and 15 of /proc/PID/stat, all threads) before and after the
# window, after 3 s of start-up, and counts the context switches of all threads (a proxy for
# wake-ups). KIOSK_BINARY overrides the binary (default build-bench/kiosk). A measurement: exit
# status 0 unless it cannot run; "TARGET MET" / "TARGET MISSED" says how it went.
set -euo pipefail
window=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
kiosk=${KIOSK_BINARY:-$src/build-bench/kiosk}
if [ ! -x "$kiosk" ]; then
  echo "idle_cpu: $kiosk not found; build it first (bash bench/run.sh does)" >&2
  exit 1
fi
case $window in '' | *[!0-9]* | 0) echo "idle_cpu: SECONDS must be a positive integer" >&2; exit 1 ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-bench-idle.XXXXXX")
pid=
cleanup() {
  # Only the kiosk this script started, by its pid, and only if it is still there.
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A configured kiosk (a policy in force), as it stands in a canteen.
"$kiosk" --db "$work/idle.db" --import-policy "$src/tests/policies/fixed-by-class.json" \
  > /dev/null 2> "$work/import.txt" || { cat "$work/import.txt" >&2; exit 1; }
mkfifo "$work/sim.fifo"
"$kiosk" --headless --reader sim:"$work/sim.fifo" --db "$work/idle.db" --no-voice \
  2> "$work/log.txt" &
pid=$!
sleep 3 # start-up (fonts, database check) is not idle time
if ! kill -0 "$pid" 2>/dev/null; then
  echo "idle_cpu: the kiosk exited during start-up:" >&2
  cat "$work/log.txt" >&2
  exit 1
fi

# utime + stime: fields 14 and 15, counted after the ") " that ends the command name.
ticks() { sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'; }
# Per thread "TID name ticks", to tell the main loop from the reader or SDL's threads.
thread_ticks() {
  for t in /proc/"$pid"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' _ < "$t/comm")" \
      "$(sed 's/.*) //' "$t/stat" | awk '{ print $12 + $13 }')"
  done 2>/dev/null
}
switches() {
  cat /proc/"$pid"/task/*/status 2>/dev/null |
    awk '/^(non)?voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }'
}
hz=$(getconf CLK_TCK)
t0=$(ticks)
s0=$(switches)
thread_ticks > "$work/threads0.txt"
start=$(date +%s.%N)
sleep "$window"
t1=$(ticks)
s1=$(switches)
thread_ticks > "$work/threads1.txt"
end=$(date +%s.%N)

used=$((t1 - t0))
awk -v used="$used" -v hz="$hz" -v w="$window" -v sw="$((s1 - s0))" -v a="$start" -v b="$end" 'BEGIN {
  secs = b - a
  pct = 100 * used / (hz * secs)
  printf "idle CPU: %d ticks of %d per s over %.1f s = %.3f %% of one core\n", used, hz, secs, pct
  printf "context switches (all threads): %d = %.2f per s\n", sw, sw / secs
  printf "%s: idle CPU %.3f %% < 1 %%\n", pct < 1 ? "TARGET MET" : "TARGET MISSED", pct
}'
# Which threads used the ticks (those that used any).
awk 'NR == FNR { before[$1] = $3; next }
     { d = $3 - before[$1]; if (d > 0) printf "  thread %s (%s): %d ticks\n", $1, $2, d }' \
  "$work/threads0.txt" "$work/threads1.txt"

# Stop it the way the sim reader is told to; give it 10 s, then end it by its pid.
# (timeout: a kiosk that died would leave the FIFO without a reader and the write hanging)
# shellcheck disable=SC2016 # $1 is expanded by the inner shell
timeout 5 bash -c 'echo quit > "$1"' _ "$work/sim.fifo" ||
  echo "idle_cpu: could not write quit" >&2
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  echo "idle_cpu: the kiosk did not stop on 'quit'; ending it" >&2
  kill "$pid"
fi
set +e
wait "$pid"
status=$?
set -e
pid=
echo "kiosk exit status after quit: $status"
