#!/usr/bin/env bash
# server_ingest.sh - how many records a second the reference server stores when kiosks upload
# 500-record batches over loopback, on SQLite and on PostgreSQL side by side. KIOSKS enrolled
# kiosks (default 4) each send BATCHES batches (default 20) back to back on one connection, all
# at once (bench/server_ingest_client.c: the kiosk's own meal payloads, signed, made before the
# clock starts); then the same again gzip'd. The server runs with 4 threads, plain HTTP on
# 127.0.0.1, SQLite with synchronous=FULL in $TMPDIR, PostgreSQL 15 with fsync on (a private
# cluster from tests/server/with_postgres.sh). Target: >= 20,000 records/s on SQLite, 2 cores.
# A measurement, not a test: exits 0 when it ran, and says TARGET MET or TARGET MISSED. The
# records/s depend on the machine being otherwise idle (the load average is printed); the server's
# CPU time per record does much less, and is printed too.
#
#   bash bench/server_ingest.sh [KIOSKS] [BATCHES]
#
# Builds the Release tree build-bench/ (or $BUILD). Keep $TMPDIR on a real disk, not tmpfs.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build-bench}

if [ "${1:-}" = --backend ]; then
  # One backend: bash server_ingest.sh --backend NAME KIOSKS BATCHES DB-OPTIONS...
  name=$2 kiosks=$3 batches=$4
  shift 4
  db=("$@")
  [ "$name" = postgresql ] && db=(--pg "$KIOSK_TEST_PG")
  work=$(mktemp -d "${TMPDIR:-/tmp}/server-bench.XXXXXX")
  srv=$build/server/server
  "$srv" "${db[@]}" site add b1 --name bench --city 320100 --district 320102 --street 320102002 > /dev/null
  "$srv" "${db[@]}" --listen 127.0.0.1:0 --threads 4 --log-level warn > "$work/ready" 2> "$work/server.err" &
  pid=$!
  trap 'kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; rm -rf "$work"' EXIT
  port=""
  for _ in $(seq 1 200); do
    port=$(sed -n 's|^server: listening on http://127.0.0.1:\([0-9]*\) .*|\1|p' "$work/ready")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "the server did not start: $(cat "$work/server.err")" >&2; exit 1; }
  devices=()
  for i in $(seq 1 "$kiosks"); do
    token=$("$srv" "${db[@]}" kiosk add "bk$i" --site b1 --canteen c1 2> /dev/null)
    secret=$(curl -s -X POST --data "{\"token\":\"$token\"}" "http://127.0.0.1:$port/v1/devices/enroll" |
      jq -r .device_secret)
    devices+=(--device "bk$i:$secret")
  done
  cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
  ticks=$(getconf CLK_TCK)
  for mode in plain gzip; do
    extra=()
    start_seq=1
    if [ "$mode" = gzip ]; then
      extra=(--gzip)
      start_seq=$((batches * 500 + 1))
    fi
    c0=$(cpu)
    "$build/bench/server_ingest_client" --url "http://127.0.0.1:$port" "${devices[@]}" \
      --batches "$batches" --records 500 --start-seq "$start_seq" "${extra[@]}" > "$work/out"
    c1=$(cpu)
    rate=$(sed -n 's/^records\/s //p' "$work/out")
    secs=$(sed -n 's/.* in \([0-9.]*\) s$/\1/p' "$work/out")
    cpu_s=$(awk -v a="$c0" -v b="$c1" -v t="$ticks" 'BEGIN {printf "%.2f", (b - a) / t}')
    echo "$name $mode: $(head -1 "$work/out")"
    accepted=$(sed -n 's/^accepted \([0-9]*\),.*/\1/p' "$work/out")
    echo "$name $mode: $(sed -n 2p "$work/out"); server CPU ${cpu_s} s ($(awk -v c="$cpu_s" -v s="$secs" 'BEGIN {printf "%.0f", 100 * c / s}') % of one core, $(awk -v c="$cpu_s" -v n="$accepted" 'BEGIN {printf "%.0f", n ? 1e6 * c / n : 0}') µs a record)"
    echo "$name $mode: $(sed -n 4p "$work/out")"
    echo "RESULT $name $mode $rate"
  done
  exit 0
fi

kiosks=${1:-4}
batches=${2:-20}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" -j"$(nproc)" --target server server_ingest_client > /dev/null
scratch=$(mktemp -d "${TMPDIR:-/tmp}/server-bench-db.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
echo "=== $kiosks kiosks x $batches batches x 500 records, $(nproc) cores, $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
bash "$0" --backend sqlite "$kiosks" "$batches" --db "$scratch/bench.sqlite" | tee "$scratch/sqlite.txt"
bash "$src/tests/server/with_postgres.sh" bash "$0" --backend postgresql "$kiosks" "$batches" |
  tee "$scratch/pg.txt"
echo "=== records stored per second"
printf '%-12s %12s %12s\n' backend plain gzip
for b in sqlite postgresql; do
  f=$scratch/sqlite.txt
  [ "$b" = postgresql ] && f=$scratch/pg.txt
  printf '%-12s %12s %12s\n' "$b" "$(awk -v b="$b" '$1 == "RESULT" && $2 == b && $3 == "plain" {print $4}' "$f")" \
    "$(awk -v b="$b" '$1 == "RESULT" && $2 == b && $3 == "gzip" {print $4}' "$f")"
done
sqlite_rate=$(awk '$1 == "RESULT" && $2 == "sqlite" && $3 == "plain" {print $4}' "$scratch/sqlite.txt")
if [ "${sqlite_rate:-0}" -ge 20000 ]; then
  echo "TARGET MET: SQLite stores >= 20,000 records/s ($sqlite_rate)"
else
  echo "TARGET MISSED: SQLite stores ${sqlite_rate:-0} records/s, the target is 20,000"
fi
