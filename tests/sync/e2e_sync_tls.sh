#!/usr/bin/env bash
# The sync worker's transport security against the scripted server over TLS (certificates made
# here with openssl): a server whose certificate is not from [sync] ca_file, or whose key is not
# one of [sync] pin, is never talked to (the one-shot enrollment fails, the server sees no
# request, the token stays unspent; the running kiosk says so on the staff line and sends
# nothing); the spare key of a pin pair is accepted; the right CA and pin work. Then the [sync]
# section's refusals at start: exit status 2 naming the file and line.
source "${KIOSK_SOURCE_DIR:?run through ctest}/tests/e2e/lib.sh"
S=${SYNC_SERVER:?run through ctest}

# A private CA, a server certificate for 127.0.0.1 from it, and a CA nobody trusts.
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2> /dev/null; }
key ca.key && key srv.key && key other.key
openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj /CN=kiosk-test-ca 2> /dev/null
openssl req -x509 -new -key other.key -out other.pem -days 2 -subj /CN=kiosk-other-ca 2> /dev/null
openssl req -new -key srv.key -out srv.csr -subj /CN=127.0.0.1 2> /dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > srv.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 \
  -extfile srv.ext 2> /dev/null
spki() { openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der |
  openssl dgst -sha256 -binary | base64; }
pin="sha256//$(spki srv.pem)"
wrong="sha256//$(spki other.pem)"

touch server.log
"$S" --port-file port --token t1 --tls-cert srv.pem --tls-key srv.key --log server.log \
  2> server.err &
SP=$!
trap 'kill "$SP" 2> /dev/null || true; rm -rf "$WORK"' EXIT
until=$((SECONDS + 10))
while [ ! -s port ] && [ "$SECONDS" -lt "$until" ]; do sleep 0.05; done
PORT=$(cat port)

ini() { # ini NAME CA PIN: a configuration for this server
  printf '[kiosk]\ndatabase = %s/%s.db\n[sync]\nurl = https://127.0.0.1:%s\nca_file = %s\n' \
    "$WORK" "$1" "$PORT" "$2" > "$1.ini"
  [ -z "$3" ] || printf 'pin = %s\nstart_jitter_s = 0\n' "$3" >> "$1.ini"
  [ -n "$3" ] || printf 'start_jitter_s = 0\n' >> "$1.ini"
}
enrolls() { grep -c "POST /v1/devices/enroll" server.log 2> /dev/null || true; }

ini untrusted "$WORK/other.pem" ""
run "$K" --config untrusted.ini --enroll t1 2> err.txt
check "a certificate from another CA: enrollment fails (exit 1)" test "$status" -eq 1
check "... saying why" grep -qi "certificate" err.txt
ini badpin "$WORK/ca.pem" "$wrong"
run "$K" --config badpin.ini --enroll t1 2> err.txt
check "a key not pinned: enrollment fails (exit 1)" test "$status" -eq 1
check "... saying why" grep -qi "pinned\|public key" err.txt
check "the server never saw those requests" test "$(enrolls)" = 0
ini good "$WORK/ca.pem" "$wrong;$pin"
run "$K" --config good.ini --enroll t1
check "the spare key of the pin pair is accepted: enrolled" test "$status" -eq 0
check "the server saw one enrollment" test "$(enrolls)" = 1

# The enrolled kiosk, now with only a wrong pin: it serves, sends nothing, and says so.
ini good "$WORK/ca.pem" "$wrong"
mkfifo cmd.fifo
"$K" --config good.ini --headless --reader sim:"$WORK/cmd.fifo" --no-voice --events ev.jsonl \
  2> log.txt &
pid=$!
wait_ready ev.jsonl "$pid"
exec 7> cmd.fifo
until=$((SECONDS + 20))
while [ "$SECONDS" -lt "$until" ] && ! grep -q '"result":"insecure"' ev.jsonl; do sleep 0.1; done
check "a wrong pin: the sync state is insecure" grep -q '"result":"insecure"' ev.jsonl
check "... and the staff line says so" grep -q "服务器证书不符" ev.jsonl
check "... and no signed request reached the server" \
  test "$(grep -c "/v1/sync/\|heartbeat\|records:batch" server.log || true)" = 0
echo quit >&7
exec 7>&-
run wait "$pid"
check "the kiosk exits 0" test "$status" -eq 0
check "no sanitizer report" bash -c "! grep -q Sanitizer log.txt"

# The [sync] section's refusals at start: exit 2, the file and the line.
refused() { # refused WHAT EXPECTED_TEXT LINES...: a file whose [sync] is refused
  local what=$1 text=$2
  shift 2
  printf '[kiosk]\ndatabase = %s/cfg.db\n[sync]\n' "$WORK" > bad.ini
  printf '%s\n' "$@" >> bad.ini
  run "$K" --config bad.ini --list-devices 2> err.txt > /dev/null
  check "refused: $what (exit 2)" test "$status" -eq 2
  check "refused: $what names '$text'" grep -q -- "$text" err.txt
}
refused "a url that is not http(s)" "bad.ini:4" "url = ftp://127.0.0.1/"
refused "plain http to another host" "bad.ini:4" "url = http://10.1.2.3:8080"
refused "a CA file that is not there" "bad.ini:5" "url = https://sync.example" "ca_file = $WORK/none.pem"
refused "a malformed pin" "bad.ini:6" "url = https://sync.example" "ca_file = $WORK/ca.pem" "pin = sha256//nothex"
refused "https without a CA" "bad.ini: \[sync\] url is https" "url = https://sync.example"
refused "a section without url" "no url" "heartbeat_s = 60"
refused "an unknown key" "bad.ini:4" "speed = fast"
refused "a backoff cap under 100 ms" "bad.ini:5: retry_max_ms must be an integer from 100 to 300000" \
  "url = http://127.0.0.1:9" "retry_max_ms = 50"
refused "a credential in the url" "bad.ini:4" "url = https://user:pw@sync.example"
finish
