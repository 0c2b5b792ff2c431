# checks.sh - counted checks for every shell test (sourced by tests/e2e/lib.sh,
# tests/server/lib.sh and the package tests): `check WHAT COMMAND...` counts a check and says
# "FAILED: WHAT" when the command fails; `run COMMAND...` keeps its exit status in $status
# without tripping `set -e`; `wait_for WHAT SECONDS 'CONDITION'` evaluates the shell CONDITION
# every 0.1 s until it holds (WHAT passes) or SECONDS have gone by (WHAT fails, "(within SECONDS
# s)" added), giving up at once when the process WAIT_FOR_PID names (when set) has ended;
# `check_summary LABEL` prints the counts and fails when a check failed or none ran;
# `name_failing_commands` makes a command that stops a `set -Ee` script say which it was.
failures=0
checks=0

check() { # check "description" command...
  local what=$1
  shift
  checks=$((checks + 1))
  if "$@"; then :; else
    echo "FAILED: $what" >&2
    failures=$((failures + 1))
  fi
}

# (Under `set -e` a failing command would end the script before the line that checks it.)
run() {
  status=0
  "$@" || status=$?
}

# A command that fails outside `check` or `run` stops the script: say which one, so a broken
# binary (or anything else) never fails silently - inside a function too (set -E: set -e ends the
# script there, where an ERR trap is not otherwise run). Not inside a command substitution,
# which set -e does not end: its status reaches the command around it (a `grep -c` that counts
# none there is no failure).
name_failing_commands() {
  trap 'status=$?; [ "$BASH_SUBSHELL" -gt 0 ] ||
    echo "FAILED: $(basename "$0") line $LINENO: \"$BASH_COMMAND\" exited $status" >&2' ERR
}

wait_for() {
  local until=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$until" ]; do
    if eval "$3" > /dev/null 2>&1; then
      check "$1" true
      return 0
    fi
    [ -z "${WAIT_FOR_PID:-}" ] || kill -0 "$WAIT_FOR_PID" 2> /dev/null || break
    sleep 0.1
  done
  check "$1 (within $2 s)" eval "$3"
}

check_summary() {
  echo "$1: $((checks - failures)) passed, $failures failed"
  if [ "$checks" -eq 0 ]; then
    echo "FAILED: no check ran" >&2
    return 1
  fi
  [ "$failures" -eq 0 ]
}
