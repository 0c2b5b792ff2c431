#!/usr/bin/env bash
# sync_pull.sh - the sync worker's figures against the scripted server (tests/sync/sync_server.c):
#   1. tap latency (bench_tap) at rest, then while the worker applies a 1,000,000-person roster
#      pull (bench_tap --sync): each against its floor, goal p99 <= 1.5 x the floor's p99;
#   2. 100,000 queued records pushed (bench_sync push): goal <= 10 s;
#   3. 1,000,000 persons pulled into an empty database (bench_sync pull): goal <= 30 s.
# Builds a Release tree ($BUILD, default build-bench/) first. Scratch files go to $TMPDIR (default
# /tmp): keep it on the kiosk's real disk, not tmpfs, or fsync costs nothing.
#
#   bash bench/sync_pull.sh [--taps N] [--persons N] [--records N]
#
# A measurement, not a test: exits 0 when everything ran, whatever the figures.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build-bench}
taps=500 persons=1000000 records=100000
while [ $# -gt 0 ]; do
  case $1 in
    --taps) taps=$2; shift 2 ;;
    --persons) persons=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    *) echo "usage: $0 [--taps N] [--persons N] [--records N]" >&2; exit 2 ;;
  esac
done
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" -j"$(nproc)" --target bench_tap bench_sync sync_server > /dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-bench-syncpull.XXXXXX")
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null; rm -rf "$work"' EXIT

# The identity and card key the benchmarks store in their databases (bench/bench_sync_id.h).
device="k-bench:QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="
key=2424242424242424242424242424242424242424242424242424242424242424

start_server() { # start_server ARGS...: a fresh server; sets $url. Niced: on a kiosk the server
  # is another machine, here it shares the cores with the kiosk under test.
  rm -f "$work/port"
  nice -n 10 "$build/tests/sync_server" --port-file "$work/port" --device "$device" --card-key "$key" \
    --no-echo-meals "$@" 2> "$work/server.err" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
  url="http://127.0.0.1:$(cat "$work/port")"
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2> /dev/null || true; server_pid=; }

echo "=== tap latency at rest (bench_tap --taps $taps)"
"$build/bench/bench_tap" --taps "$taps" | tee "$work/rest.txt"
echo
echo "=== tap latency while a $persons-person roster pull is applied (bench_tap --sync)"
start_server --roster-gen "$persons"
"$build/bench/bench_tap" --taps "$taps" --sync "$url" 2> "$work/tap-sync.err" | tee "$work/pull.txt"
stop_server
echo
echo "=== push $records queued records (bench_sync push)"
start_server
"$build/bench/bench_sync" push --server "$url" --records "$records" 2> "$work/push.err" |
  tee "$work/push.txt"
stop_server
echo
echo "=== pull $persons persons into an empty database (bench_sync pull)"
start_server --roster-gen "$persons"
"$build/bench/bench_sync" pull --server "$url" 2> "$work/pull.err" | tee "$work/roster.txt"
stop_server
echo
echo "=== summary"
grep -E '^(tap |floor |ratio )' "$work/rest.txt" | sed 's/^/at rest     | /'
grep -E '^(sync:|tap |floor |ratio )' "$work/pull.txt" | sed 's/^/during pull | /'
grep -h -E '^(push|pull):' "$work/push.txt" "$work/roster.txt" | sed 's/^/sync        | /'
grep -h -E '^TARGET' "$work/rest.txt" "$work/pull.txt" | grep 'x floor'
grep -h -E '^TARGET' "$work/push.txt" "$work/roster.txt"
