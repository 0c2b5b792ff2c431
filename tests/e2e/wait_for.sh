# wait_for.sh - one check that waits: `wait_for WHAT SECONDS 'CONDITION'` evaluates the shell
# CONDITION every 0.1 s until it holds (then WHAT passes) or SECONDS have gone by (then WHAT fails,
# "(within SECONDS s)" added); it stops waiting at once when the process WAIT_FOR_PID names (when
# set) has ended. Sourced by tests/e2e/lib.sh and tests/server/lib.sh, whose `check` it calls.
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
