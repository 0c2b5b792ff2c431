#!/usr/bin/env bash
# The server over loopback: pulls and snapshots. Pages in version order with a key at most once
# per page, cursors that continue where they stopped, rows of the site only (a city-wide policy
# for every site), what the rows hold (keyed hashes and masked names, never a UID, a name or an
# ID number), a delta import delivering only what changed, tombstones, 410 after they expire,
# snapshots paged by key with the cursor fixed by the first page, meals_today from the other
# kiosks of the site, and the 400s of bad queries.
source "$(dirname "$0")/lib.sh"

setup_site
admin site add s2 --name 另一食堂 --city 320100 --district 320104 --street 320104004 > /dev/null
admin import-roster "$SRC/tests/data/roster-sample.csv" --site s1 --mode full > /dev/null
admin import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
admin import-policy "$SRC/tests/policies/pay-by-class.json" --site s1 > /dev/null
run start_server
check "the server starts" test "$status" -eq 0
for d in "k1 s1 c1" "k2 s1 c2" "k9 s2 c9"; do
  run enroll $d
  check "enroll $d" test "$status" -eq 0
done

# pull_all DEVICE STREAM LIMIT [CURSOR]: every page until has_more is false; the changes in
# changes.jsonl, the last cursor in NEXT_CURSOR, pages in PAGES; ORDER_OK=0 when a page repeats
# a key or versions do not grow.
pull_all() {
  local device=$1 stream=$2 limit=$3 cursor=${4:-} last=0
  : > changes.jsonl
  PAGES=0
  ORDER_OK=1
  PULL_CODE=200
  while :; do
    signed "$device" GET "/v1/sync/pull?stream=$stream&cursor=$cursor&limit=$limit"
    if [ "$CODE" != 200 ]; then
      PULL_CODE=$CODE
      return 0
    fi
    PAGES=$((PAGES + 1))
    jq -c '.changes[]' resp.json >> changes.jsonl
    jq -e '[.changes[].key] | length == (unique | length)' resp.json > /dev/null || ORDER_OK=0
    jq -e --argjson last "$last" '[$last] + [.changes[].version] | . == sort and length == (unique | length)' \
      resp.json > /dev/null || ORDER_OK=0
    last=$(jq --argjson last "$last" '[.changes[].version] | max // $last' resp.json)
    cursor=$(jq -r .cursor resp.json)
    [ "$(jq .has_more resp.json)" = true ] && [ "$PAGES" -lt 200 ] || break
  done
  NEXT_CURSOR=$cursor
}
count() { wc -l < changes.jsonl | tr -d ' '; }
row_of() { jq -c "select(.key == \"$1\") | .row" changes.jsonl; }

# --- cards: five pages of five -----------------------------------------------------------------
pull_all k1 cards 5
check "cards pull is 200" eq "$PULL_CODE" 200
check "21 cards" eq "$(count)" 21
check "in 5 pages" eq "$PAGES" 5
check "each key once, versions growing" eq "$ORDER_OK" 1
check "all upserts" eq "$(jq -r .op changes.jsonl | sort -u)" upsert
check "the cursor names the stream" eq "${NEXT_CURSOR%%:*}" cards
check "card_key is the key, 64 hex" eq "$(jq -r 'select(.key != .row.card_key or (.key | test("^[0-9a-f]{64}$") | not)) | .key' changes.jsonl | wc -l)" 0
check "XW-0007's blocked card is blocked" eq "$(jq -r 'select(.row.person_id == "XW-0007") | .row.blocked' changes.jsonl)" true
check "XW-0008 has a lost and a usable card" eq "$(jq -r 'select(.row.person_id == "XW-0008") | .row.blocked' changes.jsonl | sort | tr '\n' ' ')" "false true "
check "XW-0013's card is for canteen XW-C01 only" eq "$(jq -r 'select(.row.person_id == "XW-0013") | .row.issuing_canteen' changes.jsonl)" XW-C01
check "no card UID leaves the server" test "$(grep -ci '04A1B2C3\|1A2B3C4D' changes.jsonl)" -eq 0
CARDS=$NEXT_CURSOR

# --- roster ------------------------------------------------------------------------------------
pull_all k1 roster 1000
check "20 persons in one page" eq "$(count):$PAGES" 20:1
check "names are masked" eq "$(jq -r 'select(.row.name_masked | test("\\*") | not) | .key' changes.jsonl | wc -l)" 0
check "no name, no ID number" test "$(grep -c '张秀兰\|320102193601200136\|"name"' changes.jsonl)" -eq 0
check "XW-0003's ID number as its keyed hash" jq -s -e 'map(select(.key == "XW-0003"))[0].row.id_key | test("^[0-9a-f]{64}$")' changes.jsonl
check "XW-0001 has none" eq "$(row_of XW-0001 | jq .id_key)" null
check "QH-0015 is inactive" eq "$(row_of QH-0015 | jq .active)" false
check "XW-0012's categories as codes" eq "$(row_of XW-0012 | jq -c .categories)" '["dibao","disabled"]'
check "QH-0018's residence" eq "$(row_of QH-0018 | jq -r .hukou)" resident
check "XW-0002's birth date" eq "$(row_of XW-0002 | jq -r .birth_date)" 1946-07-08
ROSTER=$NEXT_CURSOR

# --- policies ----------------------------------------------------------------------------------
pull_all k1 policy 10
check "site s1: the city's policy and its own" eq "$(jq -r .key changes.jsonl | sort | tr '\n' ' ')" "gl-2026.1 ja-2026.07 "
check "the body is the policy document" eq "$(row_of ja-2026.07 | jq -r '.body.version + " " + .effective_from')" "ja-2026.07 2026-07-01"
pull_all k9 policy 10
check "site s2: the city's only" eq "$(jq -r .key changes.jsonl)" gl-2026.1
pull_all k9 roster 10
check "site s2 has no roster" eq "$(count)" 0

# --- a delta import: only what changed comes ---------------------------------------------------
head -1 "$SRC/tests/data/roster-sample.csv" > changes.csv
cat >> changes.csv << 'EOF'
XW-0005,陈建国,1966-11-22,,320100,320102,320102002,other,active,04C3D4E5,lost,,
XW-0005,陈建国,1966-11-22,,320100,320102,320102002,other,active,04C3D4E6,active,,
XW-0022,韩桂兰,1945-03-03,,320100,320102,320102002,local,active,04A1B2C6,active,,
EOF
admin import-roster changes.csv --site s1 --mode delta > delta.txt
check "the delta's counts are the kiosk's" grep -q "cards: 2 added, 0 moved, 1 blocked, 0 otherwise changed, 0 unchanged" delta.txt
pull_all k1 cards 100 "$CARDS"
check "3 card changes since the cursor" eq "$(count)" 3
check "the lost card is blocked" eq "$(jq -r 'select(.row.blocked) | .row.person_id' changes.jsonl)" XW-0005
CARDS=$NEXT_CURSOR
pull_all k1 roster 100 "$ROSTER"
check "1 roster change: the new person" eq "$(jq -r .key changes.jsonl)" XW-0022
ROSTER_BEFORE_REMOVAL=$NEXT_CURSOR

# --- tombstones and their expiry ---------------------------------------------------------------
admin roster remove XW-0022 --site s1 > /dev/null
pull_all k1 roster 100 "$ROSTER_BEFORE_REMOVAL"
check "a removed person comes as a delete" eq "$(jq -c '[.op, .key, has("row")]' changes.jsonl)" '["delete","XW-0022",false]'
ROSTER_AFTER=$NEXT_CURSOR
pull_all k1 cards 100 "$CARDS"
check "and so does their card" eq "$(jq -r .op changes.jsonl)" delete
admin streams expire --site s1 > expire.txt
check "streams expire drops the two tombstones" grep -q "2 tombstone" expire.txt
signed k1 GET "/v1/sync/pull?stream=roster&cursor=$ROSTER_BEFORE_REMOVAL"
check "a cursor older than the dropped tombstones is 410" eq "$CODE:$(jq -r .error resp.json)" "410:cursor_expired"
check "pointing at the snapshot" eq "$(jq -r .snapshot resp.json)" "/v1/sync/snapshot?stream=roster"
signed k1 GET "/v1/sync/pull?stream=roster&cursor=$ROSTER_AFTER"
check "a cursor after them goes on" eq "$CODE:$(jq '.changes | length' resp.json)" "200:0"
pull_all k1 roster 100
check "from the start: 20 persons, no deletes" eq "$(count):$(grep -c delete changes.jsonl || true)" "20:0"

# --- snapshot: paged by key, the cursor fixed by the first page ---------------------------------
signed k1 GET "/v1/sync/snapshot?stream=roster&limit=7"
check "a snapshot page" eq "$CODE:$(jq '.rows | length' resp.json)" "200:7"
C0=$(jq -r .cursor resp.json)
next=$(jq -r .next resp.json)
jq -c '.rows[]' resp.json > snap.jsonl
# A change between pages: the snapshot keeps its cursor, the change comes with the next pull.
sed -n '1p;2p' "$SRC/tests/data/roster-sample.csv" | sed 's/^\(XW-0001,张秀兰,1956-03-12\),,/\1,dibao,/' > one.csv
admin import-roster one.csv --site s1 --mode delta > /dev/null
pages=1
same=1
while [ "$next" != null ] && [ "$pages" -lt 20 ]; do
  signed k1 GET "/v1/sync/snapshot?stream=roster&limit=7&after=$next"
  [ "$(jq -r .cursor resp.json)" = "$C0" ] || same=0
  jq -c '.rows[]' resp.json >> snap.jsonl
  next=$(jq -r .next resp.json)
  pages=$((pages + 1))
done
check "three pages" eq "$pages" 3
check "every page carries the first page's cursor" eq "$same" 1
check "20 live rows" eq "$(wc -l < snap.jsonl | tr -d ' ')" 20
check "in key order" jq -s -e '[.[].key] == ([.[].key] | sort)' snap.jsonl
pull_all k1 roster 100 "$C0"
check "the change made during the snapshot comes with the next pull" eq "$(jq -r .key changes.jsonl)" XW-0001
check "as it is now" eq "$(jq -c .row.categories changes.jsonl)" '["dibao"]'

# --- bad queries -------------------------------------------------------------------------------
signed k1 GET "/v1/sync/pull?stream=cards&cursor=garbage"
check "a garbage cursor is 400 bad_cursor" eq "$CODE:$(jq -r .error resp.json)" "400:bad_cursor"
signed k1 GET "/v1/sync/pull?stream=cards&cursor=$ROSTER_AFTER"
check "another stream's cursor is 400 bad_cursor" eq "$CODE:$(jq -r .error resp.json)" "400:bad_cursor"
signed k1 GET "/v1/sync/pull?stream=cards&cursor=cards:999999999"
check "a cursor ahead of the server is 410" eq "$CODE" 410
signed k1 GET "/v1/sync/pull?stream=menus"
check "an unknown stream is 400 unknown_stream" eq "$CODE:$(jq -r .error resp.json)" "400:unknown_stream"
signed k1 GET "/v1/sync/pull?stream=cards&limit=0"
check "limit 0 is 400 naming limit" eq "$CODE:$(jq -r .detail resp.json | cut -d: -f1)" "400:limit"
signed k1 GET "/v1/sync/pull?stream=cards&limit=1001"
check "limit 1001 is 400" eq "$CODE" 400
signed k1 GET "/v1/sync/pull"
check "no stream is 400" eq "$CODE:$(jq -r .detail resp.json)" "400:stream: missing"
signed k1 GET "/v1/sync/snapshot?stream=roster&after=garbage"
check "a bad snapshot token is 400" eq "$CODE" 400

# --- meals_today: the other kiosks' meals of today and yesterday --------------------------------
today=$(TZ=Asia/Shanghai date +%F)
old=$(TZ=Asia/Shanghai date -d '3 days ago' +%F)
make_batch k2 m2.json << EOF
seq=1 person=XW-0001 date=$today time=00:01 canteen=c2
seq=2 person=XW-0002 date=$old time=12:00 canteen=c2
EOF
signed k2 POST /v1/records:batch m2.json
check "k2 uploads two meals" eq "$(jq -r '[.results[].status] | join(" ")' resp.json)" "accepted accepted"
pull_all k1 meals_today 100
check "k1 sees k2's meal of today only" eq "$(jq -r .key changes.jsonl)" "$(jq -r '.records[0].record_id' m2.json)"
check "the row is the record id and its payload" eq "$(jq -cS '.row | [.record_id, .payload]' changes.jsonl)" \
  "$(jq -cS '.records[0] | [.record_id, .payload]' m2.json)"
MEALS_K1=$NEXT_CURSOR
pull_all k2 meals_today 100
check "k2 does not get its own meals back" eq "$(count)" 0
MEALS_K2=$NEXT_CURSOR
pull_all k9 meals_today 100
check "another site's kiosk gets none" eq "$(count)" 0
signed k1 GET "/v1/sync/snapshot?stream=meals_today"
check "the meals_today snapshot has it" eq "$(jq '.rows | length' resp.json):$(jq -r '.rows[0].row.payload.person_id' resp.json)" "1:XW-0001"
printf 'seq=1 person=XW-0003 date=%s time=00:02\n' "$today" | make_batch k1 m1.json
signed k1 POST /v1/records:batch m1.json
pull_all k1 meals_today 100 "$MEALS_K1"
check "k1's own meal does not come back to it" eq "$(count)" 0
pull_all k2 meals_today 100 "$MEALS_K2"
check "k2 gets k1's meal after its cursor" eq "$(jq -r .row.payload.person_id changes.jsonl)" XW-0003

stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0
finish
