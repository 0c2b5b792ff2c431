#!/usr/bin/env bash
# Every end-to-end script must be able to fail: run with KIOSK_BINARY=/bin/false (a kiosk that
# does nothing and exits 1) each one must exit non-zero and say "FAILED". A script whose checks
# could never fail (a status test reached only when the status was already 0, under set -e)
# would pass here and fail this test.
source "$(dirname "$0")/lib.sh"
scripts=("$SRC"/tests/e2e/e2e_*.sh "$SRC"/tests/emu/e2e_*.sh "$SRC"/tests/sync/e2e_*.sh)
tested=0
for script in "${scripts[@]}"; do
  [ -f "$script" ] || continue
  name=$(basename "$script")
  [ "$name" = "e2e_broken_binary.sh" ] && continue
  run env KIOSK_BINARY=/bin/false KIOSK_CRASH_RUNS=2 timeout 120 bash "$script" > out.txt 2> err.txt
  tested=$((tested + 1))
  check "$name fails with /bin/false" test "$status" -ne 0
  check "$name says FAILED" grep -q FAILED err.txt
  check "$name did not just time out" test "$status" -ne 124
done
check "every e2e script was tried" test "$tested" -ge 5
finish
