#!/usr/bin/env bash
# The server's test-only fault injection (--faults FIFO, server/faults.h), each command against
# a real batch: 503 and 429 with Retry-After and nothing stored; 500 before the commit (nothing
# stored: the resend is accepted) and after it (stored: the resend is a duplicate); slow replies
# (a client that gives up finds its records stored); kill-after-commit (the process exits 99
# before answering, and after a restart the resend is a duplicate); N-fold arming, clear, bad
# commands, and faults touching only authenticated, well-formed batches.
source "$(dirname "$0")/lib.sh"

setup_site
FIFO=$WORK/faults.fifo
run start_server --faults "$FIFO"
check "the server starts with --faults" test "$status" -eq 0
check "and says fault injection is on" wait_log "fault injection is on"
run enroll k1 s1 c1
check "k1 enrolls" test "$status" -eq 0

# fault COMMAND: writes it to the FIFO and waits until the server has taken it.
fault() {
  local before
  before=$(grep -c 'fault armed\|fault refused' server.err || true)
  printf '%s\n' "$1" > "$FIFO"
  local until=$((SECONDS + 10))
  while [ "$SECONDS" -lt "$until" ]; do
    [ "$(grep -c 'fault armed\|fault refused' server.err || true)" -gt "$before" ] && return 0
    sleep 0.05
  done
  echo "  the server did not take '$1'" >&2
  return 1
}
batch_of() { # SEQ -> bSEQ.json, a one-meal batch
  printf 'seq=%s person=XW-%04d\n' "$1" "$1" | make_batch k1 "b$1.json"
}
status_of() { jq -r '.results[0].status' resp.json; }

# --- 503 and 429 -------------------------------------------------------------------------------
batch_of 1
check "arm 503" fault "503 5"
signed k1 POST /v1/records:batch b1.json
check "503" eq "$CODE:$(jq -r .error resp.json)" "503:unavailable"
check "with Retry-After: 5" eq "$(header Retry-After)" 5
check "and the usual headers" test -n "$(header X-Server-Time-Ms)"
signed k1 POST /v1/records:batch b1.json
check "nothing was stored: the resend is accepted" eq "$CODE:$(status_of)" "200:accepted"

batch_of 2
check "arm 429 twice" fault "429 7 2"
signed k1 POST /v1/records:batch b2.json
check "429" eq "$CODE:$(header Retry-After)" "429:7"
signed k1 POST /v1/records:batch b2.json
check "429 again" eq "$CODE" 429
signed k1 POST /v1/records:batch b2.json
check "then accepted" eq "$CODE:$(status_of)" "200:accepted"

# --- 500 before and after the commit ------------------------------------------------------------
batch_of 3
check "arm 500-before-commit" fault "500-before-commit"
signed k1 POST /v1/records:batch b3.json
check "500 before the commit" eq "$CODE:$(jq -r .error resp.json)" "500:internal"
signed k1 POST /v1/records:batch b3.json
check "it was rolled back: the resend is accepted" eq "$(status_of)" accepted
check "high water 3" eq "$(jq .device_high_water resp.json)" 3

batch_of 4
check "arm 500-after-commit" fault "500-after-commit"
signed k1 POST /v1/records:batch b4.json
check "500 after the commit" eq "$CODE" 500
signed k1 POST /v1/records:batch b4.json
check "it was committed: the resend is a duplicate" eq "$CODE:$(status_of)" "200:duplicate"

# --- slow ----------------------------------------------------------------------------------------
batch_of 5
check "arm slow 800" fault "slow 800"
t0=$(date +%s%3N)
signed k1 POST /v1/records:batch b5.json
t1=$(date +%s%3N)
check "a slow reply is still 200" eq "$CODE:$(status_of)" "200:accepted"
check "after at least 800 ms" test $((t1 - t0)) -ge 800
batch_of 6
check "arm slow 2000" fault "slow 2000"
signed k1 POST /v1/records:batch b6.json --max-time 0.5
check "a client that gives up gets no answer" eq "$CODE" 000
sleep 2
signed k1 POST /v1/records:batch b6.json
check "but its records were stored: duplicate" eq "$(status_of)" duplicate

# --- faults touch only good batches; pulls are never affected ----------------------------------
check "arm 503" fault "503 1"
signed k1 GET "/v1/sync/pull?stream=cards"
check "a pull is not a batch" eq "$CODE" 200
printf '{"device_id":"k1"}' > bad.json
signed k1 POST /v1/records:batch bad.json
check "a malformed batch is 400, not the fault" eq "$CODE" 400
SECRET=$(head -c 32 /dev/urandom | base64) signed k1 POST /v1/records:batch b6.json
check "a batch with a bad signature is 401, not the fault" eq "$CODE" 401
batch_of 7
signed k1 POST /v1/records:batch b7.json
check "the next good batch takes it" eq "$CODE" 503

# --- clear and bad commands ----------------------------------------------------------------------
check "arm 503 3 times" fault "503 1 3"
check "clear" fault "clear"
signed k1 POST /v1/records:batch b7.json
check "nothing armed after clear" eq "$CODE:$(status_of)" "200:accepted"
check "a bad command is refused" fault "explode now"
check "and logged" grep -q "fault refused: unknown command" server.err

# --- kill after commit ---------------------------------------------------------------------------
batch_of 8
check "arm kill-after-commit" fault "kill-after-commit"
signed k1 POST /v1/records:batch b8.json --max-time 10
check "the client gets no answer" eq "$CODE" 000
pid=$SERVER_PID
SERVER_PID=""
exit_status=0
wait "$pid" 2> /dev/null || exit_status=$?
check "the server exited with 99" eq "$exit_status" 99
run start_server --faults "$FIFO"
check "it starts again" test "$status" -eq 0
signed k1 POST /v1/records:batch b8.json
check "the batch was committed before the exit: duplicate" eq "$CODE:$(status_of)" "200:duplicate"
check "high water 8" eq "$(jq .device_high_water resp.json)" 8

stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0
finish
