#!/usr/bin/env bash
# Every end-to-end test of the server must be able to fail (tests/e2e/sweep_lib.sh): run with
# SERVER_BINARY=/bin/false, each script of tests/server and the admin page's browser test (on
# SQLite, and on PostgreSQL through with_postgres.sh, whose exit status must carry the test's)
# must exit non-zero, say FAILED, and not run into the time limit.
source "$(dirname "$0")/../e2e/sweep_lib.sh"
for script in "$SRC"/tests/server/e2e_*.sh; do
  name=$(basename "$script")
  [ "$name" = e2e_server_broken.sh ] && continue
  broken "$name" SERVER_BINARY bash "$script"
done
for script in "$SRC"/tests/server/e2e_*.py; do
  name=$(basename "$script")
  broken "$name" SERVER_BINARY /usr/bin/python3 "$script"
  broken "$name on PostgreSQL" SERVER_BINARY bash "$SRC/tests/server/with_postgres.sh" \
    /usr/bin/python3 "$script"
done
sweep_finish 15
