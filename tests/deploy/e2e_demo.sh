#!/usr/bin/env bash
# e2e_demo.sh - README's first command, scripts/demo.sh, with this build's kiosk and server
# (KIOSK_DEMO_KIOSK, KIOSK_DEMO_SERVER: nothing installed or built) and its files in the
# scratch folder (KIOSK_DEMO_RUN). Typed at as a person would, through a FIFO that stays open as
# a terminal does: the kiosk enrols and takes its cards from the server, the 88-year-old diner's
# card gets lunch (15.00, subsidy 5.00) on today's date at 11:30, the meal reaches the server,
# and `quit` ends the demo at once, with the server and the line forwarder stopped, even though
# its input is still open.
source "$(dirname "$0")/../e2e/lib.sh"
: "${SERVER_BINARY:?run through ctest}"
RUN=$WORK/run
TODAY=$(TZ=Asia/Shanghai date +%F)

mkfifo typed.fifo
exec 7<> typed.fifo # held open for reading and writing: like a terminal, no end of input
KIOSK_DEMO_KIOSK=$K KIOSK_DEMO_SERVER=$SERVER_BINARY KIOSK_DEMO_RUN=$RUN \
  bash "$SRC/scripts/demo.sh" < typed.fifo > demo.out 2>&1 &
demo=$!
WAIT_FOR_PID=$demo # every wait_for gives up at once when the demo has ended
cleanup_demo() {
  kill "$demo" 2> /dev/null || true
  pkill -f -- "--db $RUN/server.db" 2> /dev/null || true
  [ ! -s "$RUN/input.pid" ] || kill "$(cat "$RUN/input.pid")" 2> /dev/null || true
  rm -rf "$WORK"
}
trap cleanup_demo EXIT

kdb() { sqlite3 -cmd '.timeout 5000' "file:$RUN/kiosk.db?mode=ro" "$1" 2> /dev/null; }
wait_for "the demo's kiosk enrols and starts" 60 'grep -q "ready (canteen, reader sim:-" demo.out'
# All of the sample's cards, persons and its policy (as e2e_update counts them), and the policy
# in force: a tap before that is, rightly, an unknown card.
wait_for "the kiosk takes the sample's 21 cards, 20 persons and policy from the server" 30 \
  '[ "$(kdb "SELECT count(*) FROM card"):$(kdb "SELECT count(*) FROM person")" = 21:20 ] &&
   [ "$(kdb "SELECT count(*) FROM policy")" = 1 ]'
wait_for "the pulled policy is in force" 30 'grep -q "subsidy policies reloaded after a pull" demo.out'
echo 'tap 04A7B8C9' >&7
meal() { jq -c 'select(.kind == "meal")' "$RUN/events.jsonl" 2> /dev/null || true; }
wait_for "the tap gives a meal" 20 '[ -n "$(meal)" ]'
check "lunch for the 88-year-old: approved, 15.00, subsidy 5.00" \
  test "$(meal | jq -r '"\(.result) \(.price_fen) \(.subsidy_fen)"')" = "approved 1500 500"
[ "$(meal | jq -r .result)" = approved ] || { meal; tail -n 8 demo.out; } >&2
check "the success screen was drawn" test -s "$RUN/shots/0002-result.png"
# (The demo's clock starts at 11:30 today; the server files the meal under today's date too.)
wait_for "the meal reaches the server: today, 11:30, this kiosk, lunch 15.00, subsidy 5.00" 30 \
  '"$SERVER_BINARY" --db "$RUN/server.db" settlement --month "${TODAY%-*}" --meals |
    grep -q ",$TODAY,11:30,demo-kiosk-01,gulou-hql,[^,]*,age80,lunch,1500,500,1000,"'

echo quit >&7
t0=$SECONDS
while kill -0 "$demo" 2> /dev/null && [ $((SECONDS - t0)) -lt 15 ]; do sleep 0.1; done
check "quit ends the demo although its input is still open (within 15 s)" \
  bash -c "! kill -0 $demo 2> /dev/null"
run wait "$demo"
check "the demo exits 0" test "$status" -eq 0
forwarder=$(cat "$RUN/input.pid" 2> /dev/null || true)
check "the demo wrote its line forwarder's pid" test -n "$forwarder"
# (Ended, or a zombie nobody waits for any more: the demo that started it has ended.)
check "the line forwarder is stopped" bash -c "! ps -o stat= -p '$forwarder' | grep -qv '^Z'"
check "the server is stopped" bash -c "! pgrep -f -- '[-]-db $RUN/server.db' > /dev/null"
exec 7>&-
finish
