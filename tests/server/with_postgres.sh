#!/usr/bin/env bash
# with_postgres.sh CMD... : runs CMD beside a private PostgreSQL 15 started for it — a fresh
# cluster under $TMPDIR on a free port of 127.0.0.1 — with KIOSK_TEST_PG set to its connection
# string (user kiosk, database kiosk_test), then stops the cluster and removes it. Debian's
# PostgreSQL refuses to run as root, so as root the cluster belongs to the user postgres
# (runuser). When PostgreSQL cannot start, this FAILS with the reason: it never skips.
# WITH_PG_FAST=1 turns fsync off (benchmarks of the server's own code, not of the disk).
set -uo pipefail
BIN=/usr/lib/postgresql/15/bin
fail() {
  echo "FAILED: with_postgres.sh: $*" >&2
  exit 1
}
[ $# -ge 1 ] || fail "usage: with_postgres.sh CMD..."
[ -x "$BIN/initdb" ] && [ -x "$BIN/pg_ctl" ] ||
  fail "$BIN/initdb not found: install Debian's postgresql 15 (scripts/deps.sh does)"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-pg.XXXXXX") || fail "cannot make a directory in ${TMPDIR:-/tmp}"
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop() {
  if [ -f "$DIR/data/postmaster.pid" ]; then
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 30 stop > /dev/null 2>&1 ||
      echo "with_postgres.sh: pg_ctl stop failed (log: $DIR/log)" >&2
  fi
  rm -rf "$DIR"
}
trap stop EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" -eq 0 ]; then
  id postgres > /dev/null 2>&1 || fail "there is no user 'postgres' to run the server as"
  chown postgres "$DIR" || fail "cannot give $DIR to the user postgres"
fi
chmod 700 "$DIR"
as_pg test -w "$DIR" ||
  fail "the user postgres cannot write $DIR (is ${TMPDIR:-/tmp} closed to other users?)"
as_pg "$BIN/initdb" -D "$DIR/data" -A trust -U kiosk -E UTF8 --no-sync > "$DIR/initdb.log" 2>&1 ||
  fail "initdb failed: $(tail -3 "$DIR/initdb.log")"

extra=""
[ "${WITH_PG_FAST:-0}" = 1 ] && extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
port=""
for attempt in 1 2 3 4 5; do
  candidate=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
  ss -ltn 2> /dev/null | grep -q ":$candidate " && continue
  if as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 60 \
    -o "-p $candidate -k $DIR -c listen_addresses=127.0.0.1 $extra" start > /dev/null 2>&1; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || fail "PostgreSQL did not start: $(tail -5 "$DIR/log" 2> /dev/null)"
"$BIN/createdb" -h 127.0.0.1 -p "$port" -U kiosk kiosk_test ||
  fail "createdb failed on port $port"

export KIOSK_TEST_PG="host=127.0.0.1 port=$port user=kiosk dbname=kiosk_test"
"$@"
status=$?
exit $status
