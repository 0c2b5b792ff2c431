#!/usr/bin/env bash
# The server under concurrent load (and, in the ThreadSanitizer build, under its eye): three
# kiosks upload at once (bench/server_ingest_client, several threads of the server writing
# through one writer connection while SQLite's checkpoints run on their own thread) while a
# fourth pulls meals_today in a loop; every record is accepted once, every high water is right,
# every pull succeeds, and settlement counts each meal once.
source "$(dirname "$0")/lib.sh"
: "${SERVER_INGEST_CLIENT:?run through ctest}"

setup_site
run start_server --threads 4
check "the server starts" test "$status" -eq 0
devices=()
for k in k1 k2 k3 k4; do
  run enroll "$k" s1 c1
  check "enroll $k" test "$status" -eq 0
done
for k in k1 k2 k3; do
  devices+=(--device "$k:$(cat "$k.secret")")
done

# A reader during the uploads.
(
  fails=0
  for _ in $(seq 1 40); do
    signed k4 GET "/v1/sync/pull?stream=meals_today&limit=100" 2> /dev/null
    [ "$CODE" = 200 ] || fails=$((fails + 1))
    sleep 0.05
  done
  echo "$fails" > reader.fails
) &
reader=$!
run "$SERVER_INGEST_CLIENT" --url "$URL" "${devices[@]}" --batches 3 --records 200 > load.txt 2> load.err
check "every batch of the three kiosks is accepted" test "$status" -eq 0
check "600 records each" grep -q "^accepted 1800, other 0, failed batches 0" load.txt
wait "$reader"
check "every pull during the uploads succeeded" eq "$(cat reader.fails)" 0

# The same batches again, gzip'd: all duplicates now (the client says "other").
run "$SERVER_INGEST_CLIENT" --url "$URL" "${devices[@]}" --batches 3 --records 200 --gzip > again.txt 2>&1
check "the same sequence numbers again are never stored twice" grep -q "^accepted 0, other 1800" again.txt
admin kiosks > kiosks.txt
for k in k1 k2 k3; do
  check "$k's high water is 600" eq "$(awk -F'\t' -v k="$k" '$1 == k {print $9}' kiosks.txt)" 600
  check "$k has nothing missing" eq "$(awk -F'\t' -v k="$k" '$1 == k {print $10}' kiosks.txt)" 0
done
admin settlement --month 2026-11 --meals > meals.csv
check "settlement counts each meal once" eq "$(($(wc -l < meals.csv) - 1))" 1800
check "no record id twice" eq "$(cut -d, -f1 meals.csv | sort | uniq -d | wc -l)" 0

stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0
finish
