#!/usr/bin/env bash
# The command line: help, version, bad configuration (exit 2 naming file and line), a damaged
# database (set aside, never deleted, readable rows recovered), roster and policy imports that
# fail cleanly, and the roster import's modes and messages word for word.
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

printf '[kiosk]\nmode = chess\n' > chess.ini
run "$K" --config chess.ini --db m.db --headless < /dev/null 2> err.txt
check "a mode this version does not have is refused (exit 2)" test "$status" -eq 2
check "and says so, naming the modes" grep -q "not available in this version (modes: canteen, marriage, board" err.txt

# A damaged database is set aside (byte for byte), and the kiosk starts on a fresh one.
head -c 20000 /dev/urandom > damaged.db
cp damaged.db damaged.copy
run "$K" --db damaged.db --headless --reader sim:- --no-voice 2> err.txt < <(printf 'quit\n')
check "damaged database: the kiosk still starts" test "$status" -eq 0
check "damaged database is explained" grep -q "was damaged: it is kept as" err.txt
check "damaged database is kept, unchanged" cmp -s damaged.copy damaged.db.damaged-*
check "a fresh database took its place" test "$(sqlite3 damaged.db 'PRAGMA quick_check')" = ok

# A real kiosk database with a broken index page: every meal comes back.
"$K" --db idx.db --import-roster "$SRC/tests/data/roster-sample.csv" --mode full > /dev/null 2>&1
"$K" --db idx.db --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null 2>&1
printf 'time 2026-11-23T11:30:00+08:00\ntap 04A7B8C9\ntap 04A1B2C3\nquit\n' |
  "$K" --db idx.db --headless --reader sim:- --no-voice 2> /dev/null
page=$(sqlite3 idx.db "SELECT rootpage FROM sqlite_schema WHERE name = 'meal_by_person_date'")
printf '\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5' | dd of=idx.db bs=1 seek=$(((page - 1) * 4096)) conv=notrunc 2> /dev/null
# The opening checks only what a start needs, so the first tap meets the damage: that tap is an
# error (nothing recorded), the kiosk recovers in place and the second tap is served.
printf 'time 2026-11-23T11:40:00+08:00\ntap 04A7B8C9\ntap 04A7B8C9\nquit\n' |
  "$K" --db idx.db --headless --reader sim:- --no-voice --events idx.jsonl 2> err.txt
check "broken index: recovered both meals" grep -q "recovered 20 persons, 21 cards, 2 meals (2 upload records); everything could be read" err.txt
check "the tap that met the damage is an error" test "$(meals idx.jsonl | head -1 | jq -r .result)" = error
check "the kiosk was out of service while it recovered" \
  test "$(jq -r 'select(.result == "damaged") | .mode' idx.jsonl)" = out_of_service
check "and serves again after it" test "$(grep -c '"result":"ready"' idx.jsonl)" -eq 2
check "and the diner still cannot eat twice" test "$(meals idx.jsonl | tail -1 | jq -r .reason)" = already_had_meal

printf 'person_id,name,birth_date,hukou,card_uid\np1,张三,1950-01-01,local,04A1B2C3\np2,李四,1950-13-01,local,04A1B2C4\n' > roster.csv
run "$K" --db r.db --import-roster roster.csv --mode full > out.txt 2> err.txt
check "bad roster exits 2" test "$status" -eq 2
check "bad roster names the line" grep -q "line 3" err.txt
check "bad roster: nothing imported" test "$(sqlite3 r.db 'SELECT count(*) FROM person')" = 0
check "bad roster: no name in the message" bash -c "! grep -q '李四' err.txt"

# The roster import. Log lines stay out of the way (--log-level warn) so that stderr holds the
# message alone; each is compared word for word.
roster() { # roster DB FILE [MODE...]: the import command, its output in out.txt and err.txt
  local db=$1 file=$2
  shift 2
  run "$K" --db "$db" --log-level warn --import-roster "$file" "$@" > out.txt 2> err.txt
}
said() { # said FILE TEXT: FILE holds exactly TEXT (and a final line break)
  printf '%s\n' "$2" | diff -u - "$1" >&2
}
persons() { sqlite3 "$1" "SELECT count(*) FROM person WHERE active"; }
cp "$SRC/tests/data/roster-sample.csv" sample.csv

# No default: a clerk must say which import she means.
roster m.db sample.csv
check "import without --mode exits 2" test "$status" -eq 2
check "and explains both modes" said err.txt "kiosk: --import-roster needs --mode full or --mode delta:
  --mode full   the file is the whole roster: persons it leaves out become inactive (their
                meals and cards stay on record; their taps are refused), and cards it no
                longer lists for its persons are blocked
  --mode delta  only the persons and cards in the file change; nothing else is touched"
check "and makes no database" test ! -e m.db
run "$K" --db m.db --log-level warn --mode full 2> err.txt
check "--mode full without an import exits 2" test "$status" -eq 2
check "and says why" said err.txt "kiosk: --mode: full and delta go with --import-roster (see --help)"

roster m.db sample.csv --mode full
check "full import of the sample exits 0" test "$status" -eq 0
check "and says what it did" said out.txt "sample.csv: full import: 22 rows, 20 persons, 21 cards
persons: 20 added, 0 changed, 0 unchanged, 0 made inactive (not in the file)
cards: 21 added, 0 moved, 0 blocked, 0 otherwise changed, 0 unchanged
$(tail -n 1 out.txt)"
check "and how long the database was locked" \
  grep -Eq '^took ([0-9]+ ms|[0-9]+\.[0-9] s); the database was locked for writing during [0-9]+ ms of it$' out.txt
check "19 of 20 persons active (QH-0015 is inactive in the file)" test "$(persons m.db)" = 19

# Delta: one person changed, one new (on two rows, one a repeat); nobody else touched.
{
  head -n 1 sample.csv
  grep '^XW-0001,' sample.csv | sed 's/,local,active,04A1B2C3/,resident,active,04A1B2C3/'
  echo 'XW-9001,测试员,1950-01-01,,320100,320102,320102002,local,active,04FFEE01,active,,'
  echo 'XW-9001,测试员,1950-01-01,,320100,320102,320102002,local,active,04FFEE01,active,,'
} > delta.csv
roster m.db delta.csv --mode delta
check "delta import exits 0" test "$status" -eq 0
check "and counts a person once, the repeated row as a duplicate" said out.txt "delta.csv: delta import: 3 rows, 2 persons, 2 cards
persons: 1 added, 1 changed, 0 unchanged
cards: 1 added, 0 moved, 0 blocked, 0 otherwise changed, 1 unchanged
duplicate rows, counted once: 1 (line 4 repeats line 3)
$(tail -n 1 out.txt)"
check "delta: the others are untouched" test "$(persons m.db)" = 20

# Full: the file is the whole roster; XW-0009 and XW-9001 are left out and become inactive, and
# XW-0009's card is then refused with person_inactive (the card itself stays on record).
grep -v '^XW-0009,' sample.csv > full.csv
roster m.db full.csv --mode full
check "full import without two persons exits 0" test "$status" -eq 0
check "and makes them inactive" said out.txt "full.csv: full import: 21 rows, 19 persons, 20 cards
persons: 0 added, 1 changed, 18 unchanged, 2 made inactive (not in the file)
cards: 0 added, 0 moved, 0 blocked, 0 otherwise changed, 20 unchanged
$(tail -n 1 out.txt)"
check "full: 18 active" test "$(persons m.db)" = 18
check "full: their cards stay on record" test "$(sqlite3 m.db 'SELECT count(*) FROM card')" = 22
run "$K" --db m.db --log-level warn --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
check "policy for the tap" test "$status" -eq 0
run "$K" --db m.db --headless --reader sim:- --no-voice --events inactive.jsonl 2> /dev/null \
  < <(printf 'time 2026-11-23T11:30:00+08:00\ntap 04A7B8C9\nquit\n')
check "the kiosk ran" test "$status" -eq 0
check "a left-out person's tap is refused: person_inactive" \
  test "$(meals inactive.jsonl | jq -r .reason)" = person_inactive

# A clerk's usual mistakes: each refused with exit 2, the words below, and nothing imported.
printf 'person_id,name,birth_date,hukou,card_uid\nT-1,张三,1950-01-01,local,04ABCDEF\nT-2,李四,1950-01-01,local,04abcdef\n' > dup.csv
roster m.db dup.csv --mode delta
check "the same card on two persons exits 2" test "$status" -eq 2
check "and names both lines" said err.txt "kiosk: dup.csv: line 3: card_uid: this card is also on line 2, for person_id T-1; a card belongs to one person; nothing was imported"
check "and not the UID" bash -c "! grep -qi 'ABCDEF' err.txt"
printf 'person_id,name,birth_date,hukou,card_uid\nT-1,张三,1950-01-01,local,04A1B2C3\n' > taken.csv
roster m.db taken.csv --mode delta
check "a card of a person not in the file exits 2" test "$status" -eq 2
check "and names who holds it" said err.txt "kiosk: taken.csv: line 2: card_uid: this card belongs to person_id XW-0001 in the database, who is not in this file (if it really moved, add a row for XW-0001 too); nothing was imported"
printf 'person_id\tname\tbirth_date\thukou\nT-1\t张三\t1950-01-01\tlocal\n' > roster.tsv
roster m.db roster.tsv --mode full
check "a tab-separated file exits 2" test "$status" -eq 2
check "and is named as such" said err.txt "kiosk: roster.tsv: line 1: this looks like a tab-separated file; save it as CSV (comma-separated); nothing was imported"
mkdir folder
roster m.db folder --mode full
check "a folder exits 2" test "$status" -eq 2
check "and is named as such" said err.txt "kiosk: folder: is a folder, not a file; give the roster's CSV file"
printf 'person_id,name,birth_date,hukou\nT-1,张三,1950-01-01,local\n320102193401010020,李四,1934-01-01,local\n' > idpid.csv
roster m.db idpid.csv --mode delta
check "a person_id that is an ID number exits 2" test "$status" -eq 2
check "and says so" said err.txt "kiosk: idpid.csv: line 3: person_id: looks like an ID number; use the bureau's person id here (an ID number belongs in id_number); nothing was imported"
check "without repeating it" bash -c "! grep -q '3201021934' err.txt out.txt"
check "nothing of the refused files was imported" test "$(sqlite3 m.db 'SELECT count(*) FROM person')" = 21

printf '{"version": 3}' > policy.json
run "$K" --db r.db --import-policy policy.json 2> err.txt
check "bad policy exits 2" test "$status" -eq 2
check "bad policy: nothing stored" test "$(sqlite3 r.db 'SELECT count(*) FROM policy')" = 0

finish
