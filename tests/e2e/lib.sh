# lib.sh - helpers for the end-to-end tests: a scratch directory under $TMPDIR, checks that
# count failures, a runner that records an exit status without tripping `set -e`, waiting on
# the kiosk's "ready" line, and PNG checks. Every script must fail loudly when the kiosk binary
# is broken: tests/e2e/e2e_broken_binary.sh runs each one with KIOSK_BINARY=/bin/false.
set -Eeuo pipefail
: "${KIOSK_BINARY:?run through ctest}"
: "${KIOSK_SOURCE_DIR:?run through ctest}"
K=$KIOSK_BINARY
SRC=$KIOSK_SOURCE_DIR
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh" # check, run, wait_for, check_summary
name_failing_commands
cd "$WORK"

# wait_ready EVENTS_FILE PID [COUNT] [SECONDS]: waits until the events file holds COUNT (default
# 1) lines {"kind":"kiosk","result":"ready"}; fails at once when process PID has ended, or
# after SECONDS (default 30) of wall time, however loaded the machine.
wait_ready() {
  local file=$1 pid=$2 want=${3:-1} limit=${4:-30}
  local until=$((SECONDS + limit))
  while [ "$SECONDS" -lt "$until" ]; do
    if [ -f "$file" ] && [ "$(grep -c '"result":"ready"' "$file" || true)" -ge "$want" ]; then
      return 0
    fi
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.05
  done
  echo "FAILED: no ready line in $file (the kiosk ended, or ${limit} s passed)" >&2
  failures=$((failures + 1))
  return 1
}

# png_size FILE -> "WIDTHxHEIGHT" read from the IHDR chunk (and checks the signature).
png_size() {
  [ -f "$1" ] || { echo "no-file"; return; }
  local sig
  sig=$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')
  [ "$sig" = "89504e470d0a1a0a" ] || { echo "not-a-png"; return; }
  local w h
  w=$(od -An -tu4 --endian=big -j16 -N4 "$1" | tr -d ' ')
  h=$(od -An -tu4 --endian=big -j20 -N4 "$1" | tr -d ' ')
  echo "${w}x${h}"
}

# meals FILE: the meal outcome lines of an events file (lifecycle lines left out).
meals() {
  jq -c 'select(.kind == "meal")' "$1"
}

# canteen_kiosk ID [LINE...]: k.ini for kiosk ID at the sample canteen (its area; the database
# k.db here) with the further INI lines given, one argument each, and the sample roster and the
# fixed-by-class policy imported into its database.
canteen_kiosk() {
  local id=$1
  shift
  {
    printf '[kiosk]\nkiosk_id = %s\ncanteen_id = gulou-hql\narea_city = 320100\n' "$id"
    printf 'area_district = 320102\narea_street = 320102002\ndatabase = %s/k.db\n' "$WORK"
    printf '%s\n' "$@"
  } > k.ini
  "$K" --config k.ini --import-roster "$SRC/tests/data/roster-sample.csv" --mode full > /dev/null
  "$K" --config k.ini --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
}

finish() {
  check_summary "$(basename "$0")"
}
