#!/usr/bin/env bash
# Staff mode through the real binary and the sim reader: a PIN hashed by `kiosk --hash-pin`, a
# staff roster imported by --import-staff, a diner's lunch, then a staff card, the PIN on the
# keypad, a void of that lunch with a reason, and the next diner's tap, which ends staff mode and
# is served. The database then holds the meal and its void, and `--audit-verify` finds the chain
# whole; after an audit row is changed (its trigger dropped first), or removed, it names the
# entry and exits 1. Bad staff files and PINs are refused with exit 2, and the PIN is nowhere in
# the log or the events.
source "$(dirname "$0")/lib.sh"

canteen_kiosk e2e-staff \
  '[timing]' \
  'result_seconds = 3' \
  'repeat_tap_seconds = 1' \
  '[voice]' \
  'enabled = false' \
  '[staff]' \
  'lockout_minutes = 5' \
  'reasons = wrong_person:刷错人;other:其他'

run bash -c "printf '7391\n' | \"$K\" --hash-pin > hash.txt"
check "--hash-pin exits 0" test "$status" -eq 0
check "the hash is a quoted argon2id string" grep -qE '^"\$argon2id\$v=19\$m=65536,t=2,p=1\$[^"]+"$' hash.txt
check "the PIN is not in the hash" bash -c "! grep -q 7391 hash.txt"
run bash -c "printf '73\n' | \"$K\" --hash-pin > short.txt 2> short.err"
check "a short PIN: exit 2" test "$status" -eq 2
check "a short PIN: said why" grep -q "4 to 8 digits" short.err

printf 'staff_id,name,role,card_uids,pin_hash\nE1,陈志远,operator,5AF0E2E1,%s\nE2,刘建华,supervisor,5AF0E2E2,%s\n' "$(cat hash.txt)" "$(cat hash.txt)" > staff.csv
run "$K" --config k.ini --import-staff staff.csv
check "--import-staff exits 0" test "$status" -eq 0
printf 'staff_id,name,role,pin_hash\nE2,某人,boss,%s\n' "$(cat hash.txt)" > bad.csv
run bash -c "\"$K\" --config k.ini --import-staff bad.csv 2> bad.err"
check "a bad role: exit 2" test "$status" -eq 2
check "a bad role: the line and column named" grep -q "line 2: role: must be operator or supervisor" bad.err
check "a bad file changes nothing" test "$(sqlite3 k.db 'SELECT count(*) FROM staff')" = 2

cat > cmds.txt <<'CMDS'
time 2026-11-23T11:30:00+08:00
# XW-0009, 88: age80 lunch
tap 04A7B8C9
time 2026-11-23T11:40:00+08:00
tap 5AF0E2E1
press key7
press key3
press key9
press key1
shot pin.png
press confirm
press void_meal
press meal1
press reason1
shot voided.png
time 2026-11-23T11:42:00+08:00
# the same diner again: staff mode ends, and the voided lunch no longer counts
tap 04A7B8C9
quit
CMDS
run "$K" --config k.ini --headless --reader sim:- --events all.jsonl --size 1280x800 < cmds.txt 2> log.txt
check "exits 0" test "$status" -eq 0
results=$(jq -r 'select(.kind == "meal") | .result' all.jsonl | paste -sd' ')
check "both lunches approved (the first one voided in between)" test "$results" = "approved approved"
[ "$results" = "approved approved" ] || echo "got: $results" >&2
check "two meals, one void" test "$(sqlite3 k.db "SELECT (SELECT count(*) FROM meal) || ' ' || (SELECT count(*) FROM meal_void WHERE reason = 'wrong_person' AND staff_id = 'E1')")" = "2 1"
check "the void voids the first lunch" test "$(sqlite3 k.db "SELECT count(*) FROM meal_void v JOIN meal m ON m.record_id = v.voided_id WHERE m.created_utc_ms = (SELECT min(created_utc_ms) FROM meal)")" = 1
check "the void is queued for the server" test "$(sqlite3 k.db "SELECT count(*) FROM outbox WHERE kind = 'override'")" = 1
check "the PIN, the void and leaving are audited" test "$(sqlite3 k.db "SELECT group_concat(json_extract(payload, '$.action') || ':' || json_extract(payload, '$.outcome'), ' ') FROM (SELECT payload FROM audit ORDER BY seq)")" = "pin:ok void_meal:ok leave:ok"
check "every audit entry is queued for the server" test "$(sqlite3 k.db "SELECT count(*) FROM outbox WHERE kind = 'audit'")" = 3
check "the PIN screen was drawn" test "$(png_size pin.png)" = "1280x800"
check "the PIN is not in the log or the events" bash -c "! grep -q 7391 log.txt all.jsonl"

run bash -c "\"$K\" --config k.ini --audit-verify > verify.txt"
check "--audit-verify: the chain holds (exit 0)" test "$status" -eq 0
check "--audit-verify: three entries" grep -q "holds: 3 entries" verify.txt

cp k.db changed.db
sqlite3 changed.db "DROP TRIGGER audit_immutable; UPDATE audit SET payload = replace(payload, 'wrong_person', 'other') WHERE seq = 2"
sed "s|$WORK/k.db|$WORK/changed.db|" k.ini > changed.ini
run bash -c "\"$K\" --config changed.ini --audit-verify > changed.txt"
check "a changed entry: exit 1" test "$status" -eq 1
check "a changed entry: named" grep -q "BROKEN at entry 2: entry 2: its content does not match its stored hash" changed.txt

cp k.db removed.db
sqlite3 removed.db "DROP TRIGGER audit_nodelete; DELETE FROM audit WHERE seq = 2"
sed "s|$WORK/k.db|$WORK/removed.db|" k.ini > removed.ini
run bash -c "\"$K\" --config removed.ini --audit-verify > removed.txt"
check "a removed entry: exit 1" test "$status" -eq 1
check "a removed entry: named" grep -q "BROKEN at entry 2: entry 2 is missing" removed.txt

# A supervisor leaves to the operating system (同步和设备 · 本机设置): the kiosk stops by itself (exit 0) with its input
# still open, and the audit log says who did it.
cat > exit.txt <<'CMDS'
time 2026-11-23T12:00:00+08:00
tap 5AF0E2E2
press key7
press key3
press key9
press key1
press confirm
press status
press settings
press exit_os
CMDS
exec 3< <(cat exit.txt; exec sleep 60)
feeder=$!
run timeout 50 "$K" --config k.ini --headless --reader sim:- --size 1280x800 <&3 2> exit.log
exec 3<&-
kill "$feeder" 2> /dev/null || true
check "exit to the system: the kiosk stopped by itself, exit 0" test "$status" -eq 0
check "exit to the system: audited" test "$(sqlite3 k.db "SELECT count(*) FROM audit WHERE json_extract(payload, '$.action') = 'exit_os' AND json_extract(payload, '$.staff_id') = 'E2' AND json_extract(payload, '$.outcome') = 'ok'")" = 1

# The supervisor turns the voice down twice (本机设置): applied at once, kept, audited, and the
# kiosk started again speaks at it, not at [voice] volume (80 by default).
cat > volume.txt <<'CMDS'
time 2026-11-23T12:05:00+08:00
tap 5AF0E2E2
press key7
press key3
press key9
press key1
press confirm
press status
press settings
press volume_down
press volume_down
quit
CMDS
run "$K" --config k.ini --headless --reader sim:- --size 1280x800 < volume.txt 2> volume.log
check "volume: exit 0" test "$status" -eq 0
check "volume: applied at once, 70 then 60" test "$(grep -o 'staff set the voice volume to [0-9]*' volume.log | paste -sd,)" = "staff set the voice volume to 70,staff set the voice volume to 60"
check "volume: kept" test "$(sqlite3 k.db "SELECT v FROM device_state WHERE k = 'voice_volume'")" = 60
check "volume: audited, old -> new" test "$(sqlite3 k.db "SELECT group_concat(json_extract(payload, '$.detail'), ',') FROM audit WHERE json_extract(payload, '$.action') = 'settings' AND json_extract(payload, '$.target') = 'voice_volume'")" = "voice_volume 80 -> 70,voice_volume 70 -> 60"
printf 'quit\n' > quit.txt
run "$K" --config k.ini --headless --reader sim:- --size 1280x800 < quit.txt 2> restart.log
check "volume: after a restart, the kept level" grep -q "voice volume 60, as staff set it (\[voice\] volume 80)" restart.log
run "$K" --config k.ini --audit-verify
check "the chain still holds" test "$status" -eq 0

finish
