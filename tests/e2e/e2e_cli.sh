#!/usr/bin/env bash
# The command line: help, version, bad configuration (exit 2 naming file and line), a damaged
# database (set aside, never deleted, readable rows recovered), roster and policy imports that
# fail cleanly.
source "$(dirname "$0")/lib.sh"

check "--help exits 0" "$K" --help
check "--help lists --headless" bash -c "'$K' --help | grep -q -- --headless"
check "--version prints a version" bash -c "'$K' --version | grep -Eq '^kiosk [0-9]+\.[0-9]+\.[0-9]+$'"

printf '[kiosk]\nkiosk_id = k1\n[voice]\nvolume = 150\n' > bad.ini
run "$K" --config bad.ini --headless 2> err.txt
check "bad config exits 2" test "$status" -eq 2
check "bad config names file and line" grep -q "bad.ini:4: volume must be an integer from 0 to 100" err.txt

run "$K" --no-such-flag 2> err.txt
check "unknown flag exits 2" test "$status" -eq 2
check "unknown flag is named" grep -q -- "--no-such-flag" err.txt

printf '[kiosk]\ntimezone = Mars/Olympus\n' > tz.ini
run "$K" --config tz.ini --db tz.db --headless < /dev/null 2> err.txt
check "unknown time zone exits 2" test "$status" -eq 2

printf '[kiosk]\nmode = marriage\n' > marriage.ini
run "$K" --config marriage.ini --db m.db --headless < /dev/null 2> err.txt
check "marriage mode is refused in this version (exit 2)" test "$status" -eq 2
check "and says so" grep -q "not available in this version" err.txt

# A damaged database is set aside (byte for byte), and the kiosk starts on a fresh one.
head -c 20000 /dev/urandom > damaged.db
cp damaged.db damaged.copy
run "$K" --db damaged.db --headless --reader sim:- --no-voice 2> err.txt < <(printf 'quit\n')
check "damaged database: the kiosk still starts" test "$status" -eq 0
check "damaged database is explained" grep -q "was damaged: it is kept as" err.txt
check "damaged database is kept, unchanged" cmp -s damaged.copy damaged.db.damaged-*
check "a fresh database took its place" test "$(sqlite3 damaged.db 'PRAGMA quick_check')" = ok

# A real kiosk database with a broken index page: every meal comes back.
"$K" --db idx.db --import-roster "$SRC/tests/data/roster-sample.csv" > /dev/null 2>&1
"$K" --db idx.db --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null 2>&1
printf 'time 2026-11-23T11:30:00+08:00\ntap 04A7B8C9\ntap 04A1B2C3\nquit\n' |
  "$K" --db idx.db --headless --reader sim:- --no-voice 2> /dev/null
page=$(sqlite3 idx.db "SELECT rootpage FROM sqlite_schema WHERE name = 'meal_by_person_date'")
printf '\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5' | dd of=idx.db bs=1 seek=$(((page - 1) * 4096)) conv=notrunc 2> /dev/null
printf 'time 2026-11-23T11:40:00+08:00\ntap 04A7B8C9\nquit\n' |
  "$K" --db idx.db --headless --reader sim:- --no-voice --events idx.jsonl 2> err.txt
check "broken index: recovered both meals" grep -q "recovered 20 persons, 21 cards, 2 meals (2 upload records); everything could be read" err.txt
check "and the diner still cannot eat twice" test "$(meals idx.jsonl | jq -r .reason)" = already_had_meal

printf 'person_id,name,birth_date,hukou,card_uid\np1,张三,1950-01-01,local,04A1B2C3\np2,李四,1950-13-01,local,04A1B2C4\n' > roster.csv
run "$K" --db r.db --import-roster roster.csv > out.txt 2> err.txt
check "bad roster exits 2" test "$status" -eq 2
check "bad roster names the line" grep -q "line 3" err.txt
check "bad roster: nothing imported" test "$(sqlite3 r.db 'SELECT count(*) FROM person')" = 0
check "bad roster: no name in the message" bash -c "! grep -q '李四' err.txt"

printf '{"version": 3}' > policy.json
run "$K" --db r.db --import-policy policy.json 2> err.txt
check "bad policy exits 2" test "$status" -eq 2
check "bad policy: nothing stored" test "$(sqlite3 r.db 'SELECT count(*) FROM policy')" = 0

finish
