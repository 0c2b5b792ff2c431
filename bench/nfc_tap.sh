#!/usr/bin/env bash
# nfc_tap.sh - a card tap through the whole NFC path: the PN532 emulator on a pty paced at
# 115200 baud, libnfc's pn532_uart code in the kiosk-nfc helper process, its lines read by the
# kiosk's nfc driver, and the real kiosk binary.
# Targets: card placed -> result p99 <= 150 ms, removal seen <= 300 ms, idle CPU < 1 % of a core.
#
#   bash bench/nfc_tap.sh [CYCLES]     # default 1000
#
# What is measured, exactly:
#   tap      From the emulator taking `insert` on its control FIFO (the card enters the field; its
#            log's real-time stamp) to the kiosk's log line "-> [RESULT]" (real-time stamp, ms),
#            which the canteen writes after the meal is committed durably and right before the
#            main loop draws that result frame (drawing: ~2-3 ms more, see bench_tap in
#            bench/README.md). CYCLES different diners (a generated roster, all eligible at
#            11:30), each card placed, left until its meal line is in the events file, taken
#            away, and the next placed 300-399 ms later (so placements fall anywhere in the
#            driver's 100 ms poll period). Every cycle must give exactly one approved meal.
#   removal  The kiosk does not log removals, so the driver alone (tests/emu/test_nfc_driver.c
#            --measure) runs CYCLES more placements and removals against the same emulator
#            setup: from `remove` to the driver's DRV_READING_CARD_REMOVED callback (and from
#            `insert` to DRV_READING_CARD, for comparison with the tap figure).
#   idle     utime + stime of the kiosk and of its kiosk-nfc helper (/proc/PID/stat, all
#            threads) over 30 s with the reader connected and polling and no card, after the
#            result screen went back to idle.
#
# Builds the Release tree build-bench/ (targets kiosk, kiosk-nfc, pn532_emu, test_nfc_driver) unless
# NFC_BENCH_BUILD names another built tree. Scratch files in $TMPDIR (default /tmp): keep it
# on the kiosk's real disk, not tmpfs, or the durable commit costs nothing. A measurement: exit
# status 0 when it ran, whatever the figures; "TARGET MET" / "TARGET MISSED" says how it went.
set -euo pipefail
cycles=${1:-1000}
case $cycles in '' | *[!0-9]* | 0) echo "nfc_tap: CYCLES must be a positive integer" >&2; exit 1 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${NFC_BENCH_BUILD:-$src/build-bench}
if [ -z "${NFC_BENCH_BUILD:-}" ]; then
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
  cmake --build "$build" -j"$(nproc)" --target kiosk kiosk-nfc pn532_emu test_nfc_driver > /dev/null
fi
kiosk=$build/kiosk
helper_bin=$build/kiosk-nfc
emu_bin=$build/tests/pn532_emu
driver_test=$build/tests/test_nfc_driver
for f in "$kiosk" "$helper_bin" "$emu_bin" "$driver_test"; do
  [ -x "$f" ] || { echo "nfc_tap: $f not found" >&2; exit 1; }
done
unset LIBNFC_DEVICE
export LIBNFC_AUTO_SCAN=false SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy

work=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-bench-nfc.XXXXXX")
emu_pid=
kiosk_pid=
cleanup() {
  # Only the processes this script started, by pid.
  for pid in $kiosk_pid $emu_pid; do kill "$pid" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap '' PIPE
cd "$work"

# CYCLES diners of 88 (class age80: lunch 15.00, subsidy 5.00), one card each: 04 + the row.
awk -v n="$cycles" 'BEGIN {
  print "person_id,name,birth_date,categories,city,district,street,hukou,status,card_uid,card_status,issuing_canteen,id_number"
  for (i = 0; i < n; i++)
    printf "B%06d,长者%d,1938-05-01,,320100,320102,320102002,local,active,04%06X,active,,\n", i, i, i
}' > roster.csv
cat > k.ini << 'INI'
[timing]
result_seconds = 3
INI
full=() # a binary whose roster import asks how to treat the stored roster gets --mode full
if "$kiosk" --help | grep -q -- '--mode full'; then full=(--mode full); fi
"$kiosk" --config k.ini --db k.db --import-roster roster.csv "${full[@]}" > import.txt 2>&1 &&
  "$kiosk" --config k.ini --db k.db --import-policy "$src/tests/policies/fixed-by-class.json" \
    >> import.txt 2>&1 || { cat import.txt >&2; exit 1; }

"$emu_bin" --control emu.ctl --link "$work/ttyPN532" --log emu.log --baud 115200 > /dev/null &
emu_pid=$!
for _ in $(seq 100); do [ -e ttyPN532 ] && break; sleep 0.05; done
exec 4> emu.ctl
mkfifo cmds
"$kiosk" --config k.ini --headless --no-voice --db k.db --events ev.jsonl --log-level debug \
  --reader "nfc:pn532_uart:$work/ttyPN532:115200" --commands - < cmds 2> kiosk.log &
kiosk_pid=$!
exec 3> cmds
echo "time 2026-11-23T11:30:00+08:00" >&3
meal_lines() { grep -c '"kind":"meal"' ev.jsonl 2> /dev/null || true; }
for _ in $(seq 600); do grep -q '"result":"ready"' ev.jsonl 2> /dev/null && break; sleep 0.05; done
grep -q '"result":"ready"' ev.jsonl || { echo "nfc_tap: the kiosk did not start" >&2; cat kiosk.log >&2; exit 1; }
sleep 1 # the reader connects

echo "nfc_tap: $cycles taps through the emulated reader at 115200 baud"
for ((i = 0; i < cycles; i++)); do
  printf 'insert mfc 04%06X\n' "$i" >&4
  for ((w = 0; w < 400; w++)); do
    [ "$(meal_lines)" -gt "$i" ] && break
    sleep 0.005
  done
  [ "$(meal_lines)" -gt "$i" ] || { echo "nfc_tap: tap $((i + 1)) got no answer in 2 s" >&2; exit 1; }
  echo remove >&4
  sleep "0.3$((RANDOM % 10))"
done
sleep 1
approved=$(grep -c '"result":"approved"' ev.jsonl || true)

# Seconds since the epoch, to the millisecond, of the kiosk's ISO-8601 UTC stamps.
awk '
  function epoch(s,    y, m, d, yy, era, yoe, doy, doe) {
    y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
    yy = m <= 2 ? y - 1 : y
    era = int(yy / 400); yoe = yy - era * 400
    doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
    doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
    return (era * 146097 + doe - 719468) * 86400 + substr(s, 12, 2) * 3600 + substr(s, 15, 2) * 60 + substr(s, 18, 6)
  }
  FILENAME == "emu.log" && $2 == "ctl" && $3 == "insert" { placed[np++] = $1 }
  FILENAME == "kiosk.log" && /-> \[RESULT\]/ { shown[ns++] = epoch($1) }
  END {
    n = np < ns ? np : ns
    for (i = 0; i < n; i++) printf "%.0f\n", (shown[i] - placed[i]) * 1000
  }' emu.log kiosk.log | sort -n > tap_ms.txt

taps=$(wc -l < tap_ms.txt)
pct() { # pct P: nearest rank in tap_ms.txt
  local rank=$(((taps * $1 + 99) / 100))
  sed -n "$((rank > 0 ? rank : 1))p" tap_ms.txt
}
echo "taps answered: $(meal_lines) meal lines, $approved approved, $taps result screens"
echo "tap (card placed -> result screen, after the durable commit): n=$taps p50=$(pct 50) p90=$(pct 90) p99=$(pct 99) max=$(tail -1 tap_ms.txt) ms"

# Idle: back at the idle screen (result_seconds 3), the reader polling an empty field.
sleep 4
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
hz=$(getconf CLK_TCK)
helper_pid=$(pgrep -P "$kiosk_pid" -x kiosk-nfc || true)
[ -n "$helper_pid" ] || { echo "nfc_tap: the kiosk runs no kiosk-nfc helper" >&2; exit 1; }
k0=$(ticks "$kiosk_pid")
h0=$(ticks "$helper_pid")
e0=$(ticks "$emu_pid")
t0=$(date +%s.%N)
sleep 30
k1=$(ticks "$kiosk_pid")
h1=$(ticks "$helper_pid")
e1=$(ticks "$emu_pid")
t1=$(date +%s.%N)
[ "$(pgrep -P "$kiosk_pid" -x kiosk-nfc || true)" = "$helper_pid" ] ||
  echo "nfc_tap: the helper was restarted during the idle window: its figure is short" >&2
pct_core() { awk -v u="$1" -v hz="$hz" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", 100 * u / (hz * (b - a)) }'; }
idle=$(pct_core $((k1 - k0 + h1 - h0)))
echo "idle CPU (reader polling, no card, 30 s): kiosk + helper $((k1 - k0 + h1 - h0)) ticks of $hz per s = $idle % of one core (kiosk $(pct_core $((k1 - k0))) %, kiosk-nfc $(pct_core $((h1 - h0))) %; the emulator: $(pct_core $((e1 - e0))) %)"
echo quit >&3
exec 3>&-
wait "$kiosk_pid" || echo "nfc_tap: the kiosk exited with status $?" >&2
kiosk_pid=

echo "removal: the driver alone, $cycles placements and removals"
"$driver_test" "$emu_bin" "$helper_bin" --measure "$cycles" | tee driver.txt
removal_p99=$(sed -n 's/^driver: card removed.* p99=\([0-9]*\).*/\1/p' driver.txt)

verdict() { if [ "$2" = 1 ]; then echo "TARGET MET: $1"; else echo "TARGET MISSED: $1"; fi; }
verdict "tap p99 $(pct 99) ms <= 150 ms, one approved meal per tap" \
  "$([ "$taps" -eq "$cycles" ] && [ "$approved" -eq "$cycles" ] && [ "$(pct 99)" -le 150 ] && echo 1)"
verdict "removal p99 ${removal_p99:-?} ms <= 300 ms" "$([ "${removal_p99:-999}" -le 300 ] && echo 1)"
verdict "idle CPU $idle % < 1 %" "$(awk -v x="$idle" 'BEGIN { if (x < 1) print 1 }')"
