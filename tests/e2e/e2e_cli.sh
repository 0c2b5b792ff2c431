#!/usr/bin/env bash
# The command line: help, version, bad configuration (exit 2 naming file and line), a damaged
# database (exit 3, file left in place), roster and policy imports that fail cleanly.
source "$(dirname "$0")/lib.sh"

check "--help exits 0" "$K" --help
check "--help lists --headless" bash -c "'$K' --help | grep -q -- --headless"
check "--version prints a version" bash -c "'$K' --version | grep -Eq '^kiosk [0-9]+\.[0-9]+\.[0-9]+$'"

printf '[kiosk]\nkiosk_id = k1\n[voice]\nvolume = 150\n' > bad.ini
set +e
"$K" --config bad.ini --headless 2> err.txt; status=$?
set -e
check "bad config exits 2" test "$status" -eq 2
check "bad config names file and line" grep -q "bad.ini:4: volume must be an integer from 0 to 100" err.txt

set +e
"$K" --no-such-flag 2> err.txt; status=$?
set -e
check "unknown flag exits 2" test "$status" -eq 2
check "unknown flag is named" grep -q -- "--no-such-flag" err.txt

printf '[kiosk]\ntimezone = Mars/Olympus\n' > tz.ini
set +e
"$K" --config tz.ini --db tz.db --headless < /dev/null 2> err.txt; status=$?
set -e
check "unknown time zone exits 2" test "$status" -eq 2

head -c 20000 /dev/urandom > damaged.db
set +e
"$K" --db damaged.db --headless < /dev/null 2> err.txt; status=$?
set -e
check "damaged database exits 3" test "$status" -eq 3
check "damaged database is explained" grep -q "is damaged" err.txt
check "damaged database is left in place" test -s damaged.db

printf 'person_id,name,birth_date,hukou,card_uid\np1,张三,1950-01-01,local,04A1B2C3\np2,李四,1950-13-01,local,04A1B2C4\n' > roster.csv
set +e
"$K" --db r.db --import-roster roster.csv > out.txt 2> err.txt; status=$?
set -e
check "bad roster exits 2" test "$status" -eq 2
check "bad roster names the line" grep -q "line 3" err.txt
check "bad roster: nothing imported" test "$(sqlite3 r.db 'SELECT count(*) FROM person')" = 0
check "bad roster: no name in the message" bash -c "! grep -q '李四' err.txt"

printf '{"version": 3}' > policy.json
set +e
"$K" --db r.db --import-policy policy.json 2> err.txt; status=$?
set -e
check "bad policy exits 2" test "$status" -eq 2
check "bad policy: nothing stored" test "$(sqlite3 r.db 'SELECT count(*) FROM policy')" = 0

finish
