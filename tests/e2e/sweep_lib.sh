# sweep_lib.sh - the loop shared by the broken-binary sweeps (tests/e2e/e2e_broken_binary.sh,
# tests/server/e2e_server_broken.sh, tests/net/e2e_fleet_broken.sh): an end-to-end test run with
# a program it tests replaced by /bin/false (a binary that does nothing and exits 1) must exit
# non-zero, say FAILED on its stderr, and do so well before its time limit. A test whose checks
# could never fail (a status test reached only when the status was already 0, under set -e)
# passes there and fails its sweep; a test that waits out a long timeout instead of noticing that
# the program died fails its sweep too. Each sweep first proves, on four stand-in scripts, that
# it tells such tests apart.
set -uo pipefail
: "${KIOSK_SOURCE_DIR:?run through ctest}"
SRC=$KIOSK_SOURCE_DIR
SWEEP_WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-sweep.XXXXXX")
trap 'rm -rf "$SWEEP_WORK"' EXIT
# Seconds one broken run may take: a broken binary shows within seconds, so this is far below
# any test's own limit, yet above what a loaded machine needs to start ASan builds of the rest.
SWEEP_LIMIT=${SWEEP_LIMIT:-60}
sweep_checks=0
sweep_failures=0
sweep_tried=0

# sweep_verdict VAR COMMAND... : runs COMMAND with VAR=/bin/false for at most SWEEP_LIMIT
# seconds; returns 0 when it failed as it should, else prints why and returns 1.
sweep_verdict() {
  local var=$1 status=0 pid left
  shift
  # timeout makes a process group of its own (its pid): what the test left running when it
  # ended is ended here, and named, so broken runs do not pile up servers on the machine.
  env "$var=/bin/false" timeout "$SWEEP_LIMIT" "$@" > "$SWEEP_WORK/out" 2> "$SWEEP_WORK/err" &
  pid=$!
  wait "$pid" || status=$?
  # (a process the test signalled as it ended is given 2 s to go)
  local until=$((SECONDS + 2))
  while pgrep -g "$pid" > /dev/null && [ "$SECONDS" -lt "$until" ]; do sleep 0.1; done
  left=$(pgrep -g "$pid" | paste -sd,)
  sweep_left=""
  if [ -n "$left" ]; then
    sweep_left=$(ps -o comm= -p "$left" | paste -sd' ')
    kill -KILL -- "-$pid" 2> /dev/null
  fi
  sweep_status=$status
  if [ "$status" -eq 0 ]; then
    echo "  exit 0: its checks passed with $var=/bin/false" >&2
  elif [ "$status" -eq 124 ]; then
    echo "  ran into the ${SWEEP_LIMIT} s limit instead of noticing that $var died" >&2
  elif ! grep -q FAILED "$SWEEP_WORK/err"; then
    echo "  exit $status but no FAILED line on its stderr" >&2
  else
    return 0
  fi
  tail -n 5 "$SWEEP_WORK/err" | sed 's/^/  | /' >&2
  return 1
}

# broken NAME VAR COMMAND... : one test run broken; a FAILED line when it did not fail properly.
broken() {
  local name=$1 var=$2 t0=$SECONDS
  shift 2
  sweep_checks=$((sweep_checks + 1))
  sweep_tried=$((sweep_tried + 1))
  if sweep_verdict "$var" "$@"; then
    echo "$name with $var=/bin/false: failed (exit $sweep_status) in $((SECONDS - t0)) s"
    [ -z "$sweep_left" ] || echo "  and left running: $sweep_left (ended now)"
  else
    echo "FAILED: $name with $var=/bin/false (exit $sweep_status, $((SECONDS - t0)) s)" >&2
    sweep_failures=$((sweep_failures + 1))
  fi
}

# The sweep's own control: stand-in scripts that ignore the binary, that say FAILED but exit 0,
# that fail without saying FAILED, and that say FAILED but then wait out the limit must each be
# caught, each by a different one of sweep_verdict's three tests.
sweep_selftest() {
  local limit=$SWEEP_LIMIT what script
  SWEEP_LIMIT=2
  for what in "ignores the binary:echo all fine" \
    "exits 0 whatever it says:\"\$KIOSK_BINARY\" || echo FAILED >&2; exit 0" \
    "fails silently:\"\$KIOSK_BINARY\" || exit 1" \
    "waits out the limit:\"\$KIOSK_BINARY\" || echo FAILED >&2; sleep 30; exit 1"; do
    script=${what#*:}
    sweep_checks=$((sweep_checks + 1))
    if sweep_verdict KIOSK_BINARY bash -c "$script" 2> /dev/null; then
      echo "FAILED: the sweep does not notice a script that ${what%%:*}" >&2
      sweep_failures=$((sweep_failures + 1))
    fi
  done
  SWEEP_LIMIT=$limit
}

# sweep_finish MIN: the summary; fails when fewer than MIN tests were tried.
sweep_finish() {
  sweep_checks=$((sweep_checks + 1))
  if [ "$sweep_tried" -lt "$1" ]; then
    echo "FAILED: only $sweep_tried tests were tried (at least $1 expected)" >&2
    sweep_failures=$((sweep_failures + 1))
  fi
  echo "$(basename "$0"): $((sweep_checks - sweep_failures)) passed, $sweep_failures failed" \
    "($sweep_tried tests run broken)"
  [ "$sweep_failures" -eq 0 ]
}

sweep_selftest
