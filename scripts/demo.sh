#!/usr/bin/env bash
# The demo: installs what is missing, builds, loads the sample roster and policy into a fresh
# database and starts the kiosk with the simulated reader on standard input. Type commands such
# as `tap 04A1B2C3` (see README.md); `quit` or Ctrl-D ends it. Without a display it runs headless
# and writes a screenshot of every new screen to demo/run/shots/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
mkdir -p demo/run
rm -f demo/run/kiosk.db demo/run/kiosk.db-wal demo/run/kiosk.db-shm
build/kiosk --config demo/kiosk.ini --import-roster tests/data/roster-sample.csv --mode full
for policy in tests/policies/fixed-by-class.json; do
  build/kiosk --config demo/kiosk.ini --import-policy "$policy"
done
extra=()
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: running headless; screenshots go to demo/run/shots/"
  extra+=(--headless)
fi
cat <<'HELP'
Sample cards (tests/data/roster-sample.csv):
  tap 04A7B8C9   an 88-year-old diner: lunch 15.00, subsidy 5.00
  tap 04A1B2C3   a 70-year-old diner: lunch 15.00, subsidy 3.00
  tap 04B2C3D4E5F607  a 90-year-old on 特困 support: a free lunch
  tap 04E5F6A7   a blocked card
  tap 0A0B0C0D   a card that is not registered
Other commands: time 2026-11-23T18:00, press help, press dayview, shot out.png, quit
The demo clock starts at 11:30 today (lunch time) so a tap gives a meal at once.
HELP
today=$(TZ=Asia/Shanghai date +%F)
{ echo "time ${today}T11:30:00+08:00"; cat; } | exec build/kiosk --config demo/kiosk.ini "${extra[@]}" "$@"
