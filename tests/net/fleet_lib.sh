# fleet_lib.sh - helpers for tests that run several real kiosk binaries against the real server
# (on top of tests/server/lib.sh): a kiosk's configuration, starting it headless with its
# simulated reader fed through a FIFO, waiting for conditions, reading its database and events.
source "$(dirname "${BASH_SOURCE[0]}")/../server/lib.sh"
: "${KIOSK_BINARY:?run through ctest}"
K=$KIOSK_BINARY

# Every process a test starts here is killed when it ends, however it ends: a kiosk left running
# would hold the output pipe of whoever ran the test open.
FLEET_PIDS=()
fleet_cleanup() {
  local p
  for p in "${FLEET_PIDS[@]}"; do kill -KILL "$p" 2> /dev/null || true; done
  cleanup
}
trap fleet_cleanup EXIT

# kiosk_ini DEVICE CANTEEN URL [extra [sync] lines...]: DEVICE.ini with its database in $WORK.
kiosk_ini() {
  local dev=$1 canteen=$2 url=$3
  shift 3
  {
    printf '[kiosk]\nkiosk_id = %s\ncanteen_id = %s\ndatabase = %s\n' "$dev" "$canteen" "$WORK/$dev.db"
    printf '[timing]\nrepeat_tap_seconds = 0\n'
    printf '[sync]\nurl = %s\nstart_jitter_s = 0\nheartbeat_s = 5\npull_s = 1\n' "$url"
    local line
    for line in "$@"; do printf '%s\n' "$line"; done
  } > "$dev.ini"
}

# kiosk_enroll DEVICE SITE CANTEEN: a token from the server's administrator, then
# `kiosk --enroll`; non-zero when either fails.
kiosk_enroll() {
  local token
  token=$(admin kiosk add "$1" --site "$2" --canteen "$3" 2> /dev/null) || return 1
  "$K" --config "$1.ini" --enroll "$token" > /dev/null 2>> "$1.log"
}

# start_proxy [fault_proxy options...]: the fault proxy in front of the server ($PORT), its
# control FIFO proxy.ctl and stats file proxy.stats; sets PPORT and proxy_pid. A proxy that does
# not listen ends the test there, failed.
start_proxy() {
  "$FAULT_PROXY" --target "127.0.0.1:$PORT" --stats proxy.stats --control "$WORK/proxy.ctl" "$@" \
    > proxy.out 2> proxy.err &
  proxy_pid=$!
  FLEET_PIDS+=($!)
  local until=$((SECONDS + 20))
  PPORT=""
  while [ -z "$PPORT" ] && [ "$SECONDS" -lt "$until" ]; do
    # (proxy.out may not be there yet: the redirection is made in the child.)
    PPORT=$(sed -n 's/^fault_proxy: listening on 127.0.0.1:\([0-9]*\)$/\1/p' proxy.out 2> /dev/null || true)
    kill -0 "$proxy_pid" 2> /dev/null || break
    sleep 0.05
  done
  check "the fault proxy listens" test -n "$PPORT"
  if [ -z "$PPORT" ]; then
    finish || true
    exit 1
  fi
}

kdb() { sqlite3 -cmd '.timeout 5000' "$1.db" "$2"; }
sdb() { sqlite3 -cmd '.timeout 5000' "$WORK/server.db" "$1"; }

# start_kiosk DEVICE: headless, the sim reader on DEVICE.fifo, which stays open on the file
# descriptor in $fd_DEVICE (read-write: opening never waits for a reader); the process id is in
# $pid_DEVICE. Waits for its "ready" line (the events file is appended to over restarts); a
# kiosk that does not start ends the test there, failed.
start_kiosk() {
  [ -p "$1.fifo" ] || mkfifo "$1.fifo"
  "$K" --config "$1.ini" --headless --reader sim:"$WORK/$1.fifo" --no-voice \
    --events "$1.jsonl" 2>> "$1.log" &
  eval "pid_$1=$!"
  FLEET_PIDS+=($!)
  local fd
  exec {fd}<> "$1.fifo"
  eval "fd_$1=$fd"
  # Ready, or the test ends here: nothing after it means anything without the kiosk.
  local pid until=$((SECONDS + 30)) ready
  eval "pid=\$pid_$1"
  while [ "$SECONDS" -lt "$until" ]; do
    ready=$(grep -c '"result":"ready"' "$1.jsonl" 2> /dev/null || true)
    [ "${ready:-0}" -gt "$(eval "echo \${ready_$1:-0}")" ] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.05
  done
  if [ "${ready:-0}" -le "$(eval "echo \${ready_$1:-0}")" ]; then
    check "$1 starts (its log follows)" false
    tail -5 "$1.log" >&2 || true
    finish || true
    exit 1
  fi
  eval "ready_$1=$ready"
}

# say DEVICE LINE: one sim command to the kiosk.
say() {
  local fd
  eval "fd=\$fd_$1"
  printf '%s\n' "$2" >&"$fd"
}

# kill_kiosk DEVICE: SIGKILL, as a power cut would; lines not yet read go with the FIFO.
kill_kiosk() {
  local fd pid
  eval "fd=\$fd_$1 pid=\$pid_$1"
  exec {fd}>&-
  kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

# quit_kiosk DEVICE: the quit command; sets $status to the kiosk's exit status.
quit_kiosk() {
  local fd pid
  eval "fd=\$fd_$1 pid=\$pid_$1"
  printf 'quit\n' >&"$fd"
  exec {fd}>&-
  status=0
  wait "$pid" || status=$?
}


# last_sync DEVICE FIELD: FIELD of the kiosk's latest sync status line in its events file.
last_sync() {
  jq -r --arg f "$2" 'select(.kind == "sync") | .[$f] | tostring' "$1.jsonl" 2> /dev/null | tail -1
}

# all_sent DEVICE: the kiosk's outbox is all acknowledged and its status says nothing waits.
all_sent() {
  [ "$(kdb "$1" "SELECT count(*) FROM outbox WHERE state <> 'acked'")" = 0 ] &&
    [ "$(last_sync "$1" pending)" = 0 ] && [ "$(last_sync "$1" result)" = online ]
}

# outbox_rows DEVICE: "DEVICE SEQ RECORD_ID PAYLOAD_SHA256" per outbox row (hex, lower case).
outbox_rows() {
  kdb "$1" "SELECT '$1', device_seq, lower(hex(record_id)), lower(hex(payload_sha256))
            FROM outbox ORDER BY device_seq" | tr '|' ' '
}

# server_rows: the same for the server's records, the record id without its dashes.
server_rows() {
  sdb "SELECT device_id, device_seq, lower(replace(record_id, '-', '')), lower(payload_sha256)
       FROM records ORDER BY device_id, device_seq" | tr '|' ' '
}
