#!/usr/bin/env bash
# Signed remote configuration, real server and real kiosk (docs/sync-protocol.md, "Remote
# configuration"): the kiosk learns the server's configuration key at enrollment; a document
# signed for it (server config set) comes back with a heartbeat's reply, is written beside its
# database whole, and takes effect at once (its heartbeat interval drops from an hour to 5 s, so
# a second heartbeat arrives, reporting the version); a document whose signature does not match
# (its version changed in the database behind the server's back) is refused, the file stays as
# it was and the next heartbeat says "bad_signature"; one for another kiosk's key is refused
# the same way; a document setting the server address is refused as "invalid". The kiosk
# started again reads the applied file back; server fleet shows the version and the refusal. The
# updater's report beside the database goes up with each heartbeat (rolled back, damaged, none).
source "$(dirname "$0")/lib.sh"
: "${KIOSK_BINARY:?run through ctest}"
K=$KIOSK_BINARY

setup_site
run admin config set k1 /dev/null
check "config set before any key: refused (exit 2)" test "$status" -eq 2
pk=$(admin config-key)
check "config-key prints a 64-hex public key" bash -c "[[ '$pk' =~ ^[0-9a-f]{64}$ ]]"
check "config-key again: the same key" eq "$(admin config-key)" "$pk"
run start_server
check "the server starts" test "$status" -eq 0

cat > k1.ini << INI
[kiosk]
kiosk_id = k1
canteen_id = c1
database = $WORK/k1.db
[sync]
url = $URL
start_jitter_s = 0
heartbeat_s = 3600
pull_s = 1
INI
token=$(admin kiosk add k1 --site s1 --canteen c1 2> /dev/null)
run "$K" --config k1.ini --enroll "$token"
check "k1 enrolls" test "$status" -eq 0
check "and keeps the server's configuration key" \
  eq "$(sqlite3 k1.db "SELECT hex(v) FROM device_state WHERE k = 'sync_config_key'" | tr A-F a-f)" "$pk"
run admin config set nobody /dev/null
check "config set for an unknown kiosk: exit 2" test "$status" -eq 2

printf '[sync]\nheartbeat_s = 5\noffline_meal_limit = 7\n' > doc1.ini
run admin config set k1 doc1.ini
check "config set k1" test "$status" -eq 0
v1=$(sqlite3 server.db "SELECT version FROM device_config WHERE device_id = 'k1'")

hb() { sqlite3 -cmd '.timeout 2000' server.db "SELECT json_extract(body, '\$.$1') FROM heartbeat WHERE device_id = 'k1'"; }
"$K" --config k1.ini --headless --reader sim:/dev/null --no-voice --events k1.jsonl 2> k1.log &
kpid=$!
# The first heartbeat goes at start and brings the document; with heartbeat_s 3600 a second one
# comes only if the document's 5 s took effect.
wait_for "the document is written beside the kiosk's database" 20 "cmp -s doc1.ini k1.db-remote.ini"
wait_for "a second heartbeat reports version $v1 applied" 20 "[ \"\$(hb config_version)\" = $v1 ]"
check "and no error" eq "$(hb config_error)" ""
check "the heartbeat carries the kiosk's uptime in seconds" eval '[[ "$(hb uptime_s)" =~ ^[0-9]+$ ]]'
check "and its interval, now the document's" eq "$(hb heartbeat_s)" 5
check "and its devices: the sim reader ready, no ID-card reader or printer" \
  eq "$(hb devices.reader) $(hb devices.idcard) $(hb devices.printer)" "ready absent absent"
check "the kiosk logged it" grep -q "remote configuration version $v1 applied" k1.log

# A document whose signature no longer matches: its version raised behind the server's back.
printf '[sync]\nheartbeat_s = 5\noffline_meal_limit = 1\n' > doc2.ini
run admin config set k1 doc2.ini
sqlite3 server.db "UPDATE device_config SET version = version + 1000 WHERE device_id = 'k1'"
wait_for "the next heartbeat reports bad_signature" 20 "[ \"\$(hb config_error)\" = bad_signature ]"
check "the applied version stays $v1" eq "$(hb config_version)" "$v1"
check "the file stays as it was" cmp -s doc1.ini k1.db-remote.ini
check "the kiosk logged the refusal" grep -q "remote configuration refused (bad_signature)" k1.log

# Signed properly, but it would move the kiosk to another server: refused as invalid.
printf '[sync]\nurl = http://127.0.0.1:9/\n' > doc3.ini
run admin config set k1 doc3.ini
check "config set with a url (the server signs what it is given)" test "$status" -eq 0
wait_for "the kiosk refuses a document that sets url: invalid" 20 "[ \"\$(hb config_error)\" = invalid ]"
check "the file still as it was" cmp -s doc1.ini k1.db-remote.ini
check "the refusal names the key" grep -q "url may not be set remotely" k1.log

# The last package update, as kiosk-update leaves it beside the database: read again for each
# heartbeat (every 5 s now), so the server hears of a rolled-back update, of a damaged report,
# and of none.
cat > k1.db-update.ini.new << 'REPORT'
[update]
result = rolled_back
version = 3.0
previous = 2.0
at_ms = 1795404600123
reason = not ready within 30 s
REPORT
mv k1.db-update.ini.new k1.db-update.ini
wait_for "the next heartbeat carries the rolled-back update" 20 "[ \"\$(hb update.result)\" = rolled_back ]"
check "with its versions, time and reason" \
  eq "$(hb update.version)|$(hb update.previous)|$(hb update.at_ms)|$(hb update.reason)" \
  "3.0|2.0|1795404600123|not ready within 30 s"
# 1795404600 s is 2026-11-23 03:30:00 UTC, 11:30:00 in the server's zone (Asia/Shanghai).
check "server fleet shows it in its update column" \
  eq "$(admin fleet | awk -F'\t' '$1 == "k1" {print $16}')" \
  "rolled_back 3.0 (from 2.0) at 2026-11-23 11:30:00: not ready within 30 s"
sed -i 's/^result = rolled_back$/result = broken/' k1.db-update.ini
wait_for "a damaged report goes up as unreadable" 20 "[ \"\$(hb update.result)\" = unreadable ]"
check "with why" eq "$(hb update.reason)" "line 2: result: not a valid value"
rm k1.db-update.ini
wait_for "no report: update is null" 20 "[ \"\$(hb \"update.result\")\" = '' ] && [ \"\$(hb 'update')\" = '' ]"

# Signed for k1 by another server's key (a second database's), put in this server's table.
"$SRV" --db other.db config-key > /dev/null
"$SRV" --db other.db site add s1 --name x --city 1 --district 2 --street 3 > /dev/null
"$SRV" --db other.db kiosk add k1 --site s1 --canteen c1 > /dev/null 2>&1
for i in 1 2 3 4 5; do "$SRV" --db other.db config set k1 doc2.ini > /dev/null; done
sqlite3 server.db "ATTACH 'other.db' AS o; UPDATE device_config SET
  version = (SELECT version FROM o.device_config WHERE device_id = 'k1'),
  body = (SELECT body FROM o.device_config WHERE device_id = 'k1'),
  signature = (SELECT signature FROM o.device_config WHERE device_id = 'k1')
  WHERE device_id = 'k1'"
wait_for "another key's signature: bad_signature" 20 "[ \"\$(hb config_error)\" = bad_signature ]"
check "the file still as it was" cmp -s doc1.ini k1.db-remote.ini
kill -TERM "$kpid"
wait "$kpid" || true

# Started again, the kiosk applies the stored file (heartbeat_s 5, not the hour of k1.ini): its
# first heartbeat reports version v1, and a second one comes with the refusal of the document
# the server still offers.
"$K" --config k1.ini --headless --reader sim:/dev/null --no-voice --events k1.jsonl 2> k1b.log &
kpid=$!
wait_for "after a restart the kiosk refuses the offered document again" 20 "grep -q 'refused (bad_signature)' k1b.log"
sqlite3 server.db "UPDATE heartbeat SET body = '{}' WHERE device_id = 'k1'"
wait_for "and reports version $v1 in a heartbeat after it" 20 "[ \"\$(hb config_version)\" = $v1 ]"
check "server fleet: k1 online, version $v1 applied, the refusal named, its reader ready" \
  eq "$(admin fleet | awk -F'\t' '$1 == "k1" {print $3 "|" $14 "|" $15}')" \
  "online|$v1 (bad_signature)|reader=ready"
kill -TERM "$kpid"
wait "$kpid" || true
finish
