#!/usr/bin/env bash
# Every fleet test fails, and says so, when one of the programs it runs is broken
# (tests/e2e/sweep_lib.sh): each script in tests/net runs with the server, then the kiosk, then
# (where it uses one) the fault proxy replaced by /bin/false, and must exit non-zero with a
# FAILED line, well within the time limit.
source "$(dirname "$0")/../e2e/sweep_lib.sh"
for script in "$SRC"/tests/net/e2e_fleet_*.sh; do
  name=$(basename "$script")
  [ "$name" = e2e_fleet_broken.sh ] && continue
  broken=(SERVER_BINARY KIOSK_BINARY)
  grep -q FAULT_PROXY "$script" && broken+=(FAULT_PROXY)
  for var in "${broken[@]}"; do
    broken "$name" "$var" env FLEET_FAULTS=50 bash "$script"
  done
done
sweep_finish 8
