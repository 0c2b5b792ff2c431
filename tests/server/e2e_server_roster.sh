#!/usr/bin/env bash
# The server's roster and policy imports decide as the kiosk's do: the same files imported by the
# server (for a site) and by the real kiosk binary (with the server's card key) give the same
# counts, the same messages for bad files, and the same persons and cards — card keys and
# ID-number keys byte for byte. Then the policy import: a policy the domain parser refuses is
# refused with the field named, a city-wide and a site's version may not share a string, the
# same document again changes nothing. And the command line's refusals.
source "$(dirname "$0")/lib.sh"
: "${KIOSK_BINARY:?run through ctest}"

setup_site
printf '[kiosk]\ndatabase = %s/kiosk.db\ncard_key = %s\n' "$WORK" "$(admin card-key)" > kiosk.ini

# both_run FILE MODE: the server's import (for site s1) and the kiosk's; their outputs in
# srv.out/srv.err and kiosk.out/kiosk.err, their exit statuses in srv_status and kiosk_status.
both_run() {
  run admin import-roster "$1" --site s1 --mode "$2" > srv.out 2> srv.err
  srv_status=$status
  run "$KIOSK_BINARY" --config kiosk.ini --log-level warn --import-roster "$1" --mode "$2" \
    > kiosk.out 2> kiosk.err
  kiosk_status=$status
}
counts() { grep -E '^(persons|cards|duplicate rows):' "$1"; }
message() { sed -e 's/^[a-z]*: //' "$1"; } # "kiosk: " / "server: " off
server_persons() {
  sqlite3 server.db "SELECT body FROM stream_row WHERE site_id = 's1' AND stream = 'roster' AND body IS NOT NULL" |
    jq -r '[.person_id, .name_masked, .birth_date, (.active | tostring), (.id_key // "")] | join("|")' | sort
}
kiosk_persons() {
  sqlite3 kiosk.db "SELECT person_id || '|' || name_masked || '|' || birth_date || '|' ||
    CASE WHEN active THEN 'true' ELSE 'false' END || '|' || coalesce(lower(hex(id_key)), '')
    FROM person" | sort
}
server_cards() {
  sqlite3 server.db "SELECT body FROM stream_row WHERE site_id = 's1' AND stream = 'cards' AND body IS NOT NULL" |
    jq -r '[.card_key, .person_id, (.blocked | tostring), .issuing_canteen] | join("|")' | sort
}
kiosk_cards() {
  sqlite3 kiosk.db "SELECT lower(hex(card_key)) || '|' || person_id || '|' ||
    CASE WHEN blocked THEN 'true' ELSE 'false' END || '|' || issuing_canteen FROM card" | sort
}
same_data() { # STEP: the persons and cards of both sides agree
  server_persons > sp.txt
  kiosk_persons > kp.txt
  server_cards > sc.txt
  kiosk_cards > kc.txt
  check "$1: both sides hold the same persons" diff kp.txt sp.txt
  check "$1: and the same cards, key for key" diff kc.txt sc.txt
  check "$1: persons were compared" test -s sp.txt
}

sample=$SRC/tests/data/roster-sample.csv
both_run "$sample" full
check "the sample: both succeed" eq "$srv_status:$kiosk_status" 0:0
check "the sample: the same counts" diff <(counts kiosk.out) <(counts srv.out)
check "20 persons added" grep -q "^persons: 20 added" srv.out
same_data "the sample"

# Next month's file (docs/roster.md): XW-0009 and QH-0016 left out, XW-0002 now tekun, XW-0010's
# card lost, XW-0021 new.
grep -v '^XW-0009,\|^QH-0016,' "$sample" |
  sed -e 's/^\(XW-0002,李桂芳,1946-07-08\),dibao,/\1,tekun,/' \
    -e 's/^\(XW-0010,.*,04B8C9DA\),active,/\1,lost,/' > next.csv
printf 'XW-0021,冯秀英,1947-05-05,,320100,320102,320102002,local,active,04A1B2C5,active,,\n' >> next.csv
both_run next.csv full
check "next month: both succeed" eq "$srv_status:$kiosk_status" 0:0
check "next month: the same counts" diff <(counts kiosk.out) <(counts srv.out)
check "as the documentation says" grep -q "persons: 1 added, 1 changed, 17 unchanged, 2 made inactive" srv.out
check "cards too" grep -q "cards: 1 added, 0 moved, 1 blocked, 0 otherwise changed, 18 unchanged" srv.out
same_data "next month"

# A delta: a lost card replaced, a new person, and a card handed from XW-0001 to XW-0004.
head -1 "$sample" > delta.csv
cat >> delta.csv << 'EOF'
XW-0005,陈建国,1966-11-22,,320100,320102,320102002,other,active,04C3D4E5,lost,,
XW-0005,陈建国,1966-11-22,,320100,320102,320102002,other,active,04C3D4E6,active,,
XW-0022,韩桂兰,1945-03-03,,320100,320102,320102002,local,active,04A1B2C6,active,,
XW-0001,张秀兰,1956-03-12,,320100,320102,320102002,local,active,,,,
XW-0004,赵淑珍,1926-05-04,veteran,320100,320102,320102003,local,active,04A1B2C3,active,,
XW-0022,韩桂兰,1945-03-03,,320100,320102,320102002,local,active,04A1B2C6,active,,
EOF
both_run delta.csv delta
check "the delta: both succeed" eq "$srv_status:$kiosk_status" 0:0
check "the delta: the same counts" diff <(counts kiosk.out) <(counts srv.out)
check "one card moved" grep -q "cards: 2 added, 1 moved, 1 blocked" srv.out
check "a repeated row is counted once, as on the kiosk" grep -q "^duplicate rows, counted once: 1 (line 7 repeats line 4)" srv.out
same_data "the delta"

# Bad files: the same refusal, word for word, and nothing changes.
head -1 "$sample" > twocards.csv
cat >> twocards.csv << 'EOF'
XW-0030,甲,1950-01-01,,,,,local,active,04AA0001,active,,
XW-0031,乙,1950-01-01,,,,,local,active,04aa0001,active,,
EOF
both_run twocards.csv delta
check "one card on two persons: both refuse" eq "$srv_status:$kiosk_status" 2:2
check "with the same words" diff <(message kiosk.err) <(message srv.err)
check "naming the lines" grep -q "line 3: card_uid: this card is also on line 2, for person_id XW-0030" srv.err
head -1 "$sample" > elsewhere.csv
printf 'XW-0040,丙,1950-01-01,,,,,local,active,04A1B2C3,active,,\n' >> elsewhere.csv
both_run elsewhere.csv delta
check "a card stored for a person not in the file: both refuse" eq "$srv_status:$kiosk_status" 2:2
check "with the same words" diff <(message kiosk.err) <(message srv.err)
printf 'person_id,name,birth_date,hukou\np1,张三,1950-02-30,local\n' > baddate.csv
both_run baddate.csv delta
check "a bad date: both refuse" eq "$srv_status:$kiosk_status" 2:2
check "with the parser's words" diff <(message kiosk.err) <(message srv.err)
same_data "after the refusals"
head -1 "$sample" > empty.csv
run admin import-roster empty.csv --site s1 --mode full
check "a full import of no rows is refused" eq "$status" 2
run admin import-roster "$sample" --site s1
check "an import without --mode is refused" eq "$status" 2
run admin import-roster "$sample" --site nowhere --mode full
check "an import for an unknown site is refused" eq "$status" 2

# --- policies ----------------------------------------------------------------------------------
run admin import-policy "$SRC/tests/policies/fixed-by-class.json"
check "a city-wide policy" eq "$status" 0
admin import-policy "$SRC/tests/policies/fixed-by-class.json" > again.txt
check "the same document again: unchanged" grep -q unchanged again.txt
run admin import-policy "$SRC/tests/policies/fixed-by-class.json" --site s1
check "the same version for a site is refused" eq "$status" 2
jq '.version = "gl-2026.1-bad" | .rules[0].percent = 120 | .rules[0].kind = "percent"' \
  "$SRC/tests/policies/fixed-by-class.json" > bad-policy.json
run admin import-policy bad-policy.json > /dev/null 2> policy.err
check "an invalid policy is refused" eq "$status" 2
check "naming the field, as the kiosk's parser does" grep -q "rules\[0\]" policy.err
jq '.effective_from = "2027-01-01"' "$SRC/tests/policies/fixed-by-class.json" > changed.json
admin import-policy changed.json > changed.txt
check "another body under the same version replaces it" grep -q "stored for every site" changed.txt
run admin import-policy "$SRC/tests/policies/pay-by-class.json" --site nowhere
check "a policy for an unknown site is refused" eq "$status" 2

# --- the command line --------------------------------------------------------------------------
run admin site add s1 --name x --city 1 --district 2 --street 3
check "a site twice is refused" eq "$status" 2
run admin site add 's 3' --name x --city 1 --district 2 --street 3
check "a site id with a space is refused" eq "$status" 2
run admin site add s3 --name x --city 1 --district 2 --street 3 --timezone Mars/Base
check "an unknown time zone is refused" eq "$status" 2
run admin site add s3 --name x --city 1 --district 2
check "a site without --street is refused" eq "$status" 2
run admin frobnicate
check "an unknown command is refused" eq "$status" 2
run "$SRV" card-key
check "a command without a database is refused" eq "$status" 2
key1=$(admin card-key)
key2=$(admin card-key)
check "the card key is 64 hex digits" eq "$(printf %s "$key1" | tr -d '0-9a-f' | wc -c)$(printf %s "$key1" | wc -c)" 064
check "and stays" eq "$key1" "$key2"
finish
