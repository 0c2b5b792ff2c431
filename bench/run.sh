#!/usr/bin/env bash
# run.sh - builds the Release tree build-bench/ and runs every benchmark at its default size:
# tap latency against the floor (bench_tap), roster import and lookup at 1,000,000 cards
# (bench_lookup), the staff import's time and peak memory through the real binary
# (import_rss.sh), an idle kiosk's CPU over 60 s (idle_cpu.sh) and the first frame after a cold
# start with 1,000,000 persons (cold_start.sh, root only). Prints a summary at the end;
# the full output of each is kept in build-bench/bench-results/. About 2 minutes on 2 cores.
#
#   bash bench/run.sh
#
# The benchmarks are measurements, not tests: this exits 0 when they all ran, whatever the
# figures; the summary's TARGET lines say which targets were met. Scratch files go to $TMPDIR
# (default /tmp): keep it on the kiosk's real disk, not tmpfs, or fsync costs nothing.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$src/build-bench
results=$build/bench-results

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" -j"$(nproc)" --target kiosk bench_tap bench_lookup > /dev/null
mkdir -p "$results"

run() { # run NAME command... : output to the terminal and to $results/NAME.txt
  local name=$1; shift
  echo "=== $name: $*"
  "$@" 2>&1 | tee "$results/$name.txt"
  echo
}
export KIOSK_BINARY=$build/kiosk
run bench_tap "$build/bench/bench_tap"
run bench_lookup "$build/bench/bench_lookup"
run import_rss bash "$src/bench/import_rss.sh"
run cold_start bash "$src/bench/cold_start.sh" || true
run idle_cpu bash "$src/bench/idle_cpu.sh"

echo "=== summary ($(date -u +%Y-%m-%d), $(nproc) cores, results in $results)"
grep -h -E '^(tap |floor |ratio |first tap)' "$results/bench_tap.txt" | sed 's/^/tap     | /'
grep -h -E '^(import:|store open \(kiosk|lookup )' "$results/bench_lookup.txt" | sed 's/^/lookup  | /'
grep -h -E '^(Elapsed|Maximum|import rate)' "$results/import_rss.txt" | sed 's/^/import  | /'
grep -h -E '^(cold|warm) first frame' "$results/cold_start.txt" | sed 's/^/start   | /'
grep -h -E '^(idle CPU|context)' "$results/idle_cpu.txt" | sed 's/^/idle    | /'
grep -h -E '^TARGET (MET|MISSED)' "$results"/bench_tap.txt "$results"/bench_lookup.txt \
  "$results"/idle_cpu.txt "$results"/cold_start.txt
