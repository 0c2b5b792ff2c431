#!/usr/bin/env bash
# The server over loopback: upload batches. Accepted, then duplicate on a resend; another
# payload under a stored record id (conflict payload_differs); a new record on a taken sequence
# number (conflict seq_taken); rejected records (hash, schema naming the field, kind); missing
# sequence ranges filling up; gzip bodies; 413 for a body over 4 MiB (as sent or after gunzip)
# and for 501 records; 415; 400 naming the field; heartbeats and `server kiosks`.
source "$(dirname "$0")/lib.sh"

setup_site
admin import-roster "$SRC/tests/data/roster-sample.csv" --site s1 --mode full > /dev/null
run start_server
check "the server starts" test "$status" -eq 0
run enroll k1 s1 c1
check "k1 enrolls" test "$status" -eq 0

statuses() { jq -r '[.results[] | .status + (if .code then "/" + .code else "" end)] | join(" ")' resp.json; }
ranges() { jq -c .missing_seq_ranges resp.json; }

# --- accepted, then duplicate ------------------------------------------------------------------
make_batch k1 b1.json << 'EOF'
seq=1 person=XW-0001 time=12:01
seq=2 person=XW-0002 time=12:02
seq=3 person=XW-0003 time=12:03 subsidy=0
EOF
signed k1 POST /v1/records:batch b1.json
check "a batch is 200" eq "$CODE" 200
check "three records accepted" eq "$(statuses)" "accepted accepted accepted"
check "results in the order sent" eq "$(jq -r '[.results[].record_id] | join(" ")' resp.json)" \
  "$(jq -r '[.records[].record_id] | join(" ")' b1.json)"
check "server_seq grows" jq -e '.results[0].server_seq < .results[1].server_seq and .results[1].server_seq < .results[2].server_seq' resp.json
check "high water 3" eq "$(jq .device_high_water resp.json)" 3
check "nothing missing" eq "$(ranges)" "[]"
check "the reply has server_time_ms" test "$(jq .server_time_ms resp.json)" -gt 0
signed k1 POST /v1/records:batch b1.json
check "the same batch again: duplicates" eq "$(statuses)" "duplicate duplicate duplicate"
check "duplicates carry no server_seq" eq "$(jq '[.results[] | select(has("server_seq"))] | length' resp.json)" 0

# --- conflicts ---------------------------------------------------------------------------------
jq -c '.records = [.records[0] | .device_seq = 4 | .payload.price_fen += 100 | .payload.pay_fen += 100]' b1.json |
  "$SRV_TESTKIT" rehash > b2.json
signed k1 POST /v1/records:batch b2.json
check "a stored record id with another payload: conflict" eq "$(statuses)" "conflict/payload_differs"
printf 'seq=2 person=XW-0004\n' | make_batch k1 b3.json
signed k1 POST /v1/records:batch b3.json
check "a new record on a taken seq: conflict" eq "$(statuses)" "conflict/seq_taken"

# --- rejections --------------------------------------------------------------------------------
make_batch k1 raw.json << 'EOF'
seq=5 person=XW-0005
seq=6 person=XW-0006
seq=7 kind=bogus
EOF
jq -c '.records[1].payload |= del(.price_fen)' raw.json | "$SRV_TESTKIT" rehash |
  jq -c '.records[0].payload_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"' > b4.json
signed k1 POST /v1/records:batch b4.json
check "rejections are per record, the batch is 200" eq "$CODE" 200
check "bad hash, schema, unknown kind" eq "$(statuses)" "rejected/hash rejected/schema rejected/kind"
check "the schema rejection names the field" eq "$(jq -r '.results[1].detail' resp.json)" "payload: price_fen missing or invalid"
check "rejected seqs are not held: high water stays 3" eq "$(jq .device_high_water resp.json)" 3

# --- missing ranges ----------------------------------------------------------------------------
make_batch k1 b5.json << 'EOF'
seq=10 person=XW-0010
seq=11 person=XW-0011
seq=15 person=XW-0012
EOF
signed k1 POST /v1/records:batch b5.json
check "high water 15" eq "$(jq .device_high_water resp.json)" 15
check "gaps 4..9 and 12..14" eq "$(ranges)" "[[4,9],[12,14]]"
seq 4 9 | sed 's/^/seq=/; s/$/ person=XW-0013 subsidy=0/' | make_batch k1 b6.json
signed k1 POST /v1/records:batch b6.json
check "4..9 fill the first gap" eq "$(ranges)" "[[12,14]]"
seq 12 14 | sed 's/^/seq=/; s/$/ person=XW-0014 subsidy=0/' | make_batch k1 b7.json
signed k1 POST /v1/records:batch b7.json
check "12..14 fill the last" eq "$(ranges)" "[]"
check "high water still 15" eq "$(jq .device_high_water resp.json)" 15

# --- gzip and encodings ------------------------------------------------------------------------
printf 'seq=16 person=XW-0016\n' | make_batch k1 b8.json
gzip -c b8.json > b8.json.gz
signed k1 POST /v1/records:batch b8.json.gz -H 'Content-Encoding: gzip'
check "a gzip body is accepted" eq "$CODE:$(statuses)" "200:accepted"
signed k1 POST /v1/records:batch b8.json.gz -H 'Content-Encoding: gzip'
check "and is a duplicate the second time" eq "$(statuses)" "duplicate"
signed k1 POST /v1/records:batch b8.json -H 'Content-Encoding: gzip'
check "a body that is not gzip is 400" eq "$CODE:$(jq -r .detail resp.json)" "400:body: not valid gzip"
signed k1 POST /v1/records:batch b8.json -H 'Content-Encoding: br'
check "another encoding is 415" eq "$CODE:$(jq -r .error resp.json)" "415:unsupported_encoding"

# --- limits ------------------------------------------------------------------------------------
seq 17 516 | sed 's/^/seq=/; s/$/ person=XW-0017 subsidy=0/' | make_batch k1 b500.json
signed k1 POST /v1/records:batch b500.json
check "500 records in one batch" eq "$(jq '[.results[] | select(.status == "accepted")] | length' resp.json)" 500
check "high water 516" eq "$(jq .device_high_water resp.json)" 516
seq 1001 1501 | sed 's/^/seq=/; s/$/ subsidy=0/' | make_batch k1 b501.json
signed k1 POST /v1/records:batch b501.json
check "501 records are 413" eq "$CODE:$(jq -r .error resp.json)" "413:too_large"
{
  printf '{"device_id":"k1","records":[],"pad":"'
  head -c $((4 * 1024 * 1024 + 100 * 1024)) /dev/zero | tr '\0' x
  printf '"}'
} > huge.json
signed k1 POST /v1/records:batch huge.json
check "a body over 4 MiB is 413" eq "$CODE:$(jq -r .error resp.json)" "413:too_large"
{
  printf '{"device_id":"k1","records":[],"pad":"'
  head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' x
  printf '"}'
} | gzip -c > bomb.json.gz
check "the compressed body is small" test "$(wc -c < bomb.json.gz)" -lt 65536
signed k1 POST /v1/records:batch bomb.json.gz -H 'Content-Encoding: gzip'
check "over 4 MiB after gunzip is 413" eq "$CODE:$(jq -r .error resp.json)" "413:too_large"
printf 'seq=517 subsidy=0\n' | make_batch k1 b9.json
signed k1 POST /v1/records:batch b9.json
check "nothing of a refused batch was stored" eq "$(jq .device_high_water resp.json)" 517

# --- malformed batches -------------------------------------------------------------------------
printf '{"device_id":"k1","records":[' > cut.json
signed k1 POST /v1/records:batch cut.json
check "broken JSON is 400" eq "$CODE:$(jq -r .error resp.json)" "400:bad_request"
check "with its position" grep -q '"detail":"line 1, column' resp.json
printf '{"device_id":"k1","records":[{"record_id":"x","device_seq":1,"kind":"meal"}]}' > badid.json
signed k1 POST /v1/records:batch badid.json
check "a bad record id is 400 naming it" eq "$CODE:$(jq -r .detail resp.json)" "400:records[0].record_id: must be a UUID"
printf '{"device_id":"k1"}' > norecords.json
signed k1 POST /v1/records:batch norecords.json
check "no records is 400 naming it" eq "$CODE:$(jq -r .detail resp.json)" "400:records: missing"
jq -c '.records[1].device_seq = 1' b6.json > order.json
signed k1 POST /v1/records:batch order.json
check "records out of order are 400" eq "$CODE" 400
check "naming the record" grep -q 'records\[1\].device_seq' resp.json

# --- heartbeat and the kiosk list --------------------------------------------------------------
old=$(($(date +%s%3N) - 3600000))
printf '{"pending":7,"oldest_pending_ms":%s,"rejected":3,"last_ack_ms":null,"clock_offset_ms":-420,"stream_ages_ms":{"cards":1000},"offline_meals":0,"disk_free_bytes":1000000,"app_version":"0.3.0","staff_notice":null}' "$old" > beat.json
signed k1 POST /v1/devices/heartbeat beat.json
check "a heartbeat is 204" eq "$CODE" 204
check "with no body" test ! -s resp.json
printf '{"pending":"seven"}' > badbeat.json
signed k1 POST /v1/devices/heartbeat badbeat.json
check "a heartbeat of the wrong type is 400 naming the field" eq "$CODE:$(jq -r .detail resp.json)" "400:pending: must be a non-negative integer or null"
admin kiosks > kiosks.txt
line=$(grep '^k1	' kiosks.txt)
check "kiosks lists k1 as enrolled" eq "$(echo "$line" | cut -f4)" enrolled
check "with its last heartbeat" test "$(echo "$line" | cut -f5)" != "-"
check "pending" eq "$(echo "$line" | cut -f6)" 7
check "oldest pending" test "$(echo "$line" | cut -f7)" != "-"
check "clock offset" eq "$(echo "$line" | cut -f8)" -420
check "high water" eq "$(echo "$line" | cut -f9)" 517
check "nothing missing" eq "$(echo "$line" | cut -f10)" 0
check "app version" eq "$(echo "$line" | cut -f11)" 0.3.0

stop_server
check "the server stops cleanly" eq "$SERVER_STATUS" 0
finish
