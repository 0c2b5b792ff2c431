#!/usr/bin/env bash
# fake_systemctl.sh - the few systemctl verbs kiosk-update uses, played by kiosk_supervise for
# one service whose command line is in $FAKE_SVC_DIR/command (one argument a line), for tests
# on machines where systemd is not PID 1:
#   start UNIT          starts it and waits for READY (exit 1 when it ends before READY)
#   stop UNIT           SIGTERM (the supervisor stops the kiosk as TimeoutStopSec would)
#   kill -s SIG UNIT    signals the main process
#   show -p PROP --value UNIT   ActiveState (active, activating, failed, inactive), MainPID,
#                       StatusText
# The supervisor gets packaging/kiosk.service's WatchdogSec=, RestartSec= and
# RestartPreventExitStatus=2, and at most 3 starts (StartLimitBurst, scaled down).
set -uo pipefail
: "${FAKE_SVC_DIR:?}" "${KIOSK_SUPERVISE:?}"
D=$FAKE_SVC_DIR
log=$D/sup.log

sup_running() { [ -f "$D/sup.pid" ] && kill -0 "$(cat "$D/sup.pid")" 2> /dev/null; }
main_pid() { awk '$2 == "start" { p = $3 } END { print p }' "$log" 2> /dev/null; }
# The main process's state from the log: ready, ended, or starting.
main_state() {
  local pid
  pid=$(main_pid)
  [ -n "$pid" ] || { echo none; return; }
  awk -v p="$pid" '$3 == p && $2 == "ready" { s = "ready" }
                   $3 == p && ($2 == "exit" || $2 == "killed") { s = "ended" }
                   END { print s ? s : "starting" }' "$log"
}
active_state() {
  if ! sup_running; then
    if [ -f "$D/failed" ]; then echo failed; else echo inactive; fi
    return
  fi
  case $(main_state) in
    ready) echo active ;;
    *) echo activating ;;
  esac
}

verb=${1:-}
shift || true
case $verb in
  start)
    sup_running && exit 0
    rm -f "$D/failed"
    : >> "$log"
    mapfile -t cmd < "$D/command"
    before=$(grep -c ' start ' "$log" || true)
    setsid "$KIOSK_SUPERVISE" --log "$log" --watchdog-ms 5000 --restart-ms 500 --max-starts 3 \
      --prevent-status 2 --abstract -- "${cmd[@]}" >> "$D/stdout.txt" 2>> "$D/stderr.txt" &
    echo $! > "$D/sup.pid"
    until=$((SECONDS + 60))
    while [ "$SECONDS" -lt "$until" ]; do
      if [ "$(grep -c ' start ' "$log" || true)" -gt "$before" ] && [ "$(main_state)" = ready ]; then
        exit 0
      fi
      if ! sup_running; then
        touch "$D/failed"
        exit 1
      fi
      sleep 0.05
    done
    exit 1
    ;;
  stop)
    if sup_running; then
      pid=$(cat "$D/sup.pid")
      kill -s TERM "$pid"
      while kill -0 "$pid" 2> /dev/null; do sleep 0.05; done
    fi
    rm -f "$D/sup.pid"
    ;;
  kill)
    [ "${1:-}" = -s ] || exit 2
    sup_running && kill -s "$2" "$(main_pid)"
    ;;
  show)
    [ "${1:-}" = -p ] || exit 2
    prop=$2
    case $prop in
      ActiveState) active_state ;;
      MainPID) if sup_running; then main_pid; else echo 0; fi ;;
      StatusText)
        pid=$(main_pid)
        sup_running && awk -v p="$pid" '$2 == "status" && $3 == p { $1 = $2 = $3 = ""; s = $0 }
          END { sub(/^ +/, "", s); print s }' "$log"
        ;;
      *) exit 2 ;;
    esac
    ;;
  *)
    echo "fake systemctl: $verb is not played here" >&2
    exit 2
    ;;
esac
