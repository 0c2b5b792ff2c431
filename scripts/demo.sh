#!/usr/bin/env bash
# The demo: installs what is missing, builds, and starts the reference server on its embedded
# SQLite database (demo/run/server.db) beside the kiosk. At the server it creates the site and
# the kiosk (with a one-time enrollment token) and imports the sample roster and policy; the
# kiosk enrols with the token and from then on uploads its meals and pulls cards, roster and
# policy from the server. The kiosk runs with the simulated reader on standard input: type
# commands such as `tap 04A1B2C3` (see README.md); `quit` or Ctrl-D ends it, and the server with
# it. Without a display it runs headless and writes a screenshot of every new screen to
# demo/run/shots/.
# Its test (tests/deploy/e2e_demo.sh) gives binaries it built (KIOSK_DEMO_KIOSK and
# KIOSK_DEMO_SERVER: then nothing is installed or built) and a folder of its own for what the
# demo writes (KIOSK_DEMO_RUN, demo/run by default).
set -euo pipefail
cd "$(dirname "$0")/.."
KIOSK=${KIOSK_DEMO_KIOSK:-build/kiosk}
SERVER=${KIOSK_DEMO_SERVER:-build/server/server}
RUN=${KIOSK_DEMO_RUN:-demo/run}
if [ -z "${KIOSK_DEMO_KIOSK:-}${KIOSK_DEMO_SERVER:-}" ]; then
  bash scripts/deps.sh
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" >/dev/null
fi
mkdir -p "$RUN"
rm -f "$RUN"/kiosk.db* "$RUN"/server.db* "$RUN"/server.out
server=("$SERVER" --db "$RUN/server.db")
"${server[@]}" site add gulou --name 鼓楼区华侨路长者食堂 --city 320100 --district 320102 \
  --street 320102002 > /dev/null
"${server[@]}" import-roster tests/data/roster-sample.csv --site gulou --mode full
"${server[@]}" import-policy tests/policies/fixed-by-class.json
token=$("${server[@]}" kiosk add demo-kiosk-01 --site gulou --canteen gulou-hql)

# The server on a free port of this machine; it stops when the kiosk does.
"${server[@]}" --listen 127.0.0.1:0 > "$RUN/server.out" 2> "$RUN/server.log" &
server_pid=$!
trap 'kill "$server_pid" 2> /dev/null; wait "$server_pid" 2> /dev/null || true' EXIT
url=""
for _ in $(seq 100); do
  url=$(sed -n 's|^server: listening on \(http://127.0.0.1:[0-9]*\).*|\1|p' "$RUN/server.out")
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2> /dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "the server did not start; $RUN/server.log says:" >&2
  tail -5 "$RUN/server.log" >&2
  exit 1
fi
echo "Reference server at $url (log: $RUN/server.log)"
{ sed "s|demo/run/|$RUN/|" demo/kiosk.ini; printf '\n[sync]\nurl = %s\nstart_jitter_s = 0\npull_s = 10\nheartbeat_s = 60\n' "$url"; } \
  > "$RUN/kiosk.ini"
"$KIOSK" --config "$RUN/kiosk.ini" --enroll "$token"
extra=()
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: running headless; screenshots go to $RUN/shots/"
  extra+=(--headless)
fi
cat <<'HELP'
Sample cards (tests/data/roster-sample.csv):
  tap 04A7B8C9   an 88-year-old diner: lunch 15.00, subsidy 5.00
  tap 04A1B2C3   a 70-year-old diner: lunch 15.00, subsidy 3.00
  tap 04B2C3D4E5F607  a 90-year-old on 特困 support: a free lunch
  tap 04E5F6A7   a blocked card
  tap 0A0B0C0D   a card that is not registered
Other commands: time 2026-11-23T18:00, press help, shot out.png, quit
The demo clock starts at 11:30 today (lunch time) so a tap gives a meal at once.
The kiosk takes its cards from the server in the first second or two; each meal goes to the
server at once: build/server/server --db demo/run/server.db settlement --month YYYY-MM --meals
lists them.
HELP
today=$(TZ=Asia/Shanghai date +%F)
status=0
# The clock's line, then what is typed. When the kiosk ends (`quit`), the cat that forwards the
# terminal is ended too: a pipe would keep the demo waiting for one more line or Ctrl-D.
"$KIOSK" --config "$RUN/kiosk.ini" "${extra[@]}" "$@" \
  < <(echo "$BASHPID" > "$RUN/input.pid"; echo "time ${today}T11:30:00+08:00"; exec cat) ||
  status=$?
kill "$(cat "$RUN/input.pid")" 2> /dev/null || true
exit "$status"
