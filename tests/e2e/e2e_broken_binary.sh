#!/usr/bin/env bash
# Every end-to-end script of the kiosk must be able to fail (sweep_lib.sh): run with
# KIOSK_BINARY=/bin/false (and with SERVER_BINARY or KIOSK_NEXT_BINARY=/bin/false, where it runs
# the server or installs the next build too),
# each one of tests/e2e, tests/emu, tests/sync, tests/i18n and tests/deploy must exit non-zero,
# say FAILED, and not run into the time limit.
# tests/deploy/e2e_package.sh is not run here: it tests no binary it is given but builds the
# packages itself; tests/deploy/e2e_package_broken.sh (not run here either) runs it on a build
# broken on purpose.
source "$(dirname "$0")/sweep_lib.sh"
for script in "$SRC"/tests/{e2e,emu,sync,i18n,deploy}/e2e_*.sh; do
  name=$(basename "$script")
  case $name in e2e_broken_binary.sh | e2e_package.sh | e2e_package_broken.sh) continue ;; esac
  broken "$name" KIOSK_BINARY env KIOSK_CRASH_RUNS=2 bash "$script"
  # A script that runs the server as well (e2e_update) must fail when that is broken too.
  if grep -q SERVER_BINARY "$script"; then broken "$name" SERVER_BINARY bash "$script"; fi
  # And one that installs the next build (e2e_update's v2 and v3) when that one is broken. The
  # next build is first run only after v1 has served its 500 meals (25 s at -j2, over 60 s on a
  # machine loaded three times over), so this run has a longer limit; it still catches a wait
  # that never ends.
  if grep -q KIOSK_NEXT_BINARY "$script"; then
    SWEEP_LIMIT=180 broken "$name" KIOSK_NEXT_BINARY bash "$script"
  fi
done
sweep_finish 26
