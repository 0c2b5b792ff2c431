#!/usr/bin/env bash
# Damage found while the kiosk runs, and damage it cannot recover from:
# - a data page of the person table, which the opening does not check: the whole-file check
#   finds it after the first frame; the kiosk is out of service while it recovers in place,
#   then serves again; the staff line (and the ready line) says rows were lost, at every start,
#   until a full roster import;
# - a database the recovery cannot read: the kiosk shows that it is out of service, records
#   nothing, leaves the file byte for byte as it was and exits 3; the next start says the same.
source "$(dirname "$0")/lib.sh"
"$K" --db r.db --import-roster "$SRC/tests/data/roster-sample.csv" --mode full > /dev/null 2>&1
"$K" --db r.db --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null 2>&1
printf 'time 2026-11-23T11:30:00+08:00\ntap 04A7B8C9\nquit\n' |
  "$K" --db r.db --headless --reader sim:- --no-voice 2> /dev/null
page=$(sqlite3 r.db "SELECT rootpage FROM sqlite_schema WHERE name = 'person'")
check "the person table has a page" test "$page" -gt 1
head -c 4096 /dev/zero | tr '\0' '\245' |
  dd of=r.db bs=4096 seek=$((page - 1)) conv=notrunc 2> /dev/null
cp r.db damaged.copy

# --- found while running ---
mkfifo a.fifo
"$K" --headless --reader sim:"$WORK/a.fifo" --db r.db --no-voice --events a.jsonl \
  --screenshot-dir shots 2> a.err &
pid=$!
exec 7> a.fifo # held open so the kiosk never sees its end
wait_ready a.jsonl "$pid" 2 30 || true
check "found by the whole-file check after the first frame" grep -q "whole-file check found damage" a.err
check "out of service while it recovered" \
  test "$(jq -r 'select(.result == "damaged") | .mode' a.jsonl)" = out_of_service
check "serving again afterwards" \
  test "$(jq -r 'select(.result == "ready") | .mode' a.jsonl | tail -1)" = canteen
check "the staff are told rows were lost" \
  test "$(jq -r 'select(.result == "ready") | .staff_notice' a.jsonl | tail -1)" = "数据曾损坏，部分记录未能恢复 · 请联系管理员"
check "stderr counts what could not be read" grep -q "pages could not be read" a.err
check "the damaged file is kept byte for byte" cmp -s damaged.copy r.db.damaged-*Z
# The persons were on the damaged page: a card is now unknown, and the meal before is kept.
printf 'time 2026-11-23T11:40:00+08:00\ntap 04A7B8C9\n' >&7
for _ in $(seq 100); do [ -n "$(meals a.jsonl)" ] && break; sleep 0.05; done
check "a card of a lost person is unknown, not an error" \
  test "$(meals a.jsonl | jq -r .reason)" = unknown_card
check "the meal recorded before the damage is kept" \
  test "$(sqlite3 r.db 'SELECT count(*) FROM meal')" -eq 1
echo quit >&7
exec 7>&-
run wait "$pid"
check "then quit exits 0" test "$status" -eq 0
check "the out-of-service screen was drawn" bash -c "ls shots | grep -q out_of_service"

# The notice is kept: the next start says it again, until a full roster import.
printf 'quit\n' | "$K" --db r.db --headless --reader sim:- --no-voice --events b.jsonl 2> /dev/null
check "the next start still tells the staff" \
  test "$(jq -r 'select(.result == "ready") | .staff_notice' b.jsonl)" = "数据曾损坏，部分记录未能恢复 · 请联系管理员"
run "$K" --db r.db --import-roster "$SRC/tests/data/roster-sample.csv" --mode delta > out.txt 2>&1
check "a delta import leaves the notice" bash -c "! grep -q 'notice' out.txt"
run "$K" --db r.db --import-roster "$SRC/tests/data/roster-sample.csv" --mode full > out.txt 2>&1
check "a full roster import clears it" grep -q "notice after the database recovery is cleared" out.txt
printf 'time 2026-11-23T11:50:00+08:00\ntap 04A7B8C9\nquit\n' |
  "$K" --db r.db --headless --reader sim:- --no-voice --events c.jsonl 2> /dev/null
check "and the start after it has none" \
  test "$(jq -r 'select(.result == "ready") | .staff_notice' c.jsonl)" = null
check "and the diner is known again (lunch already had)" \
  test "$(meals c.jsonl | jq -r .reason)" = already_had_meal

# --- beyond recovery: a UTF-16 database is one the page reader refuses ---
sqlite3 u.db "PRAGMA encoding = 'UTF-16le'; CREATE TABLE t(x TEXT);
  INSERT INTO t SELECT printf('row %05d', value) FROM generate_series(1, 500);" 2> /dev/null ||
  sqlite3 u.db "PRAGMA encoding = 'UTF-16le'; CREATE TABLE t(x TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
  INSERT INTO t SELECT printf('row %05d', i) FROM n;"
head -c 3996 /dev/zero | tr '\0' '\245' | dd of=u.db bs=1 seek=100 conv=notrunc 2> /dev/null
cp u.db u.copy
run "$K" --db u.db --headless --reader sim:- --no-voice --events u.jsonl \
  --screenshot-dir ushots 2> u.err < <(printf 'time 2026-11-23T11:30:00+08:00\ntap 04A7B8C9\nwait 200\nquit\n')
check "beyond recovery: exit status 3 ($status)" test "$status" -eq 3
check "beyond recovery: out of service" \
  test "$(jq -r 'select(.result == "ready") | .mode' u.jsonl)" = out_of_service
check "beyond recovery: the staff line says so" \
  test "$(jq -r 'select(.result == "ready") | .staff_notice' u.jsonl)" = "本机数据损坏未能修复 · 请联系管理员"
check "beyond recovery: a tap records nothing" test -z "$(meals u.jsonl)"
check "beyond recovery: the file is as it was" cmp -s u.copy u.db
check "beyond recovery: stderr says to keep the files" grep -q "keep every" u.err
check "beyond recovery: the screen was drawn" bash -c "ls ushots | grep -q out_of_service"
run "$K" --db u.db --headless --reader sim:- --no-voice --events u2.jsonl 2> /dev/null < <(printf 'quit\n')
check "beyond recovery: the next start is out of service too" \
  test "$(jq -r 'select(.result == "ready") | .mode' u2.jsonl)" = out_of_service
check "beyond recovery: one copy set aside, however many starts" \
  test "$(ls u.db.damaged-* | grep -vc -- '-wal$')" -eq 1
check "no sanitizer report" bash -c "! grep -q Sanitizer a.err u.err"
finish
