#!/usr/bin/env bash
# import_rss.sh - the staff import of a city-sized roster through the real binary: wall time,
# peak memory (maximum resident set size) and how long the write lock was held, of
# `kiosk --db DB --import-roster roster.csv --mode full`.
#
# Why: bench_lookup times the import inside one process; this runs the command staff actually
# type, under /usr/bin/time -v, because a kiosk box has little memory and the import of the
# whole roster (one transaction: all rows or none) must not need memory in proportion to it.
#
#   bash bench/import_rss.sh [ROWS]        # default 1000000
#
# KIOSK_BINARY overrides the binary (default build-bench/kiosk, see bench/run.sh); TMPDIR where
# the scratch directory goes. A measurement: no target, exit status 0 unless it cannot run.
set -euo pipefail
rows=${1:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
kiosk=${KIOSK_BINARY:-$src/build-bench/kiosk}
if [ ! -x "$kiosk" ]; then
  echo "import_rss: $kiosk not found; build it first (bash bench/run.sh does)" >&2
  exit 1
fi
if [ ! -x /usr/bin/time ]; then
  # GNU time (package `time`) is what prints "Maximum resident set size"; bash's time does not.
  echo "import_rss: installing the 'time' package for /usr/bin/time" >&2
  sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y time > /dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-bench-import.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The roster of docs/roster.md, as every benchmark makes it (bench/roster.awk).
LC_ALL=C awk -v rows="$rows" -f "$here/roster.awk" > "$work/roster.csv"
csv_bytes=$(stat -c %s "$work/roster.csv")
echo "import_rss: $rows rows, $csv_bytes bytes of CSV in $work"

set +e
/usr/bin/time -v -o "$work/time.txt" "$kiosk" --db "$work/kiosk.db" \
  --import-roster "$work/roster.csv" --mode full > "$work/out.txt" 2> "$work/err.txt"
status=$?
set -e
cat "$work/out.txt"
if [ "$status" -ne 0 ]; then
  echo "import_rss: the import failed (exit $status):" >&2
  cat "$work/err.txt" >&2
  exit 1
fi
elapsed=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
user_s=$(sed -n 's/.*User time (seconds): //p' "$work/time.txt")
sys_s=$(sed -n 's/.*System time (seconds): //p' "$work/time.txt")
# h:mm:ss or m:ss.ss -> seconds
secs=$(echo "$elapsed" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
echo "Elapsed (wall clock) time: $elapsed ($secs s; user $user_s s, system $sys_s s)"
rss_mib=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
echo "Maximum resident set size: $rss_kb kB ($rss_mib MiB)"
awk -v n="$rows" -v s="$secs" 'BEGIN { if (s > 0) printf "import rate: %.0f rows/s\n", n / s }'
echo "database: $(stat -c %s "$work/kiosk.db") bytes"
