#!/usr/bin/env bash
# Every server end-to-end script must be able to fail: run with SERVER_BINARY=/bin/false (a
# server that does nothing and exits 1), each one must exit non-zero, say FAILED, and not just
# run into its time limit. A script whose checks could never fail would pass here and fail this.
source "$(dirname "$0")/lib.sh"
scripts=("$SRC"/tests/server/e2e_server_*.sh)
tested=0
for script in "${scripts[@]}"; do
  name=$(basename "$script")
  [ "$name" = "e2e_server_broken.sh" ] && continue
  run env SERVER_BINARY=/bin/false timeout 120 bash "$script" > out.txt 2> err.txt
  tested=$((tested + 1))
  check "$name fails with /bin/false" test "$status" -ne 0
  check "$name says FAILED" grep -q FAILED err.txt
  check "$name did not just time out" test "$status" -ne 124
done
check "every server e2e script was tried" test "$tested" -ge 7
finish
