#!/usr/bin/env bash
# Every fleet test fails, and says so, when one of the programs it runs is broken: each script in
# tests/net runs with the server, then the kiosk, then (where it uses one) the fault proxy
# replaced by /bin/false, and must exit non-zero with a FAILED line, well within its time limit.
set -uo pipefail
: "${KIOSK_SOURCE_DIR:?run through ctest}"
failures=0
checks=0
for script in "$KIOSK_SOURCE_DIR"/tests/net/e2e_fleet_*.sh; do
  name=$(basename "$script")
  [ "$name" = e2e_fleet_broken.sh ] && continue
  broken=(SERVER_BINARY KIOSK_BINARY)
  grep -q FAULT_PROXY "$script" && broken+=(FAULT_PROXY)
  for var in "${broken[@]}"; do
    checks=$((checks + 1))
    out=$(env "$var=/bin/false" FLEET_FAULTS=50 timeout 60 bash "$script" 2>&1)
    status=$?
    if [ "$status" -eq 0 ] || [ "$status" -eq 124 ] || ! grep -q FAILED <<< "$out"; then
      echo "FAILED: $name with $var=/bin/false: exit $status (0 or a hang is wrong), or no FAILED line" >&2
      failures=$((failures + 1))
    fi
  done
done
echo "e2e_fleet_broken.sh: $((checks - failures)) passed, $failures failed"
[ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]
