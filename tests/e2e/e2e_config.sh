#!/usr/bin/env bash
# What a kiosk refuses at start, each with the file and line (exit 2), or the path (exit 1):
# time zones that are no zone, an INI file that is not UTF-8, a key given twice, a canteen
# section that cannot work, a read-only database or folder. And what it promises on disk: the
# settlement export is fsync'd, renamed, and its folder fsync'd.
source "$(dirname "$0")/lib.sh"

expect_config_error() { # name ini-text expected-message
  printf '%b' "$2" > "$1.ini"
  run "$K" --config "$1.ini" --db "$1.db" --headless < /dev/null 2> "$1.err"
  check "$1: exit 2" test "$status" -eq 2
  check "$1: says '$3'" grep -qF -- "$3" "$1.err"
  check "$1: no database made" test ! -e "$1.db"
}

for zone in Beijing CST UTC+8 Asia ../../etc/passwd; do
  expect_config_error "tz-${zone//[^A-Za-z0-9+]/_}" "[kiosk]\nkiosk_id = k1\ntimezone = $zone\n" \
    "tz-${zone//[^A-Za-z0-9+]/_}.ini:3: timezone '$zone' is not a time zone of this system"
done
printf '[kiosk]\ntimezone = UTC\n' > utc.ini
run "$K" --config utc.ini --db utc.db --headless --reader sim:- --no-voice < <(echo quit) 2> utc.err
check "a real zone (UTC) is taken" test "$status" -eq 0

expect_config_error gbk "[kiosk]\nkiosk_id = \xb9\xc4\xc2\xa5\n" \
  "gbk.ini:2: not UTF-8 text (save the file as UTF-8, not GBK or another encoding)"
expect_config_error twice "[voice]\nvolume = 50\n[kiosk]\nkiosk_id = a\n[voice]\nvolume = 60\n" \
  "twice.ini:6: 'volume' in section [voice] is given twice"
expect_config_error pricing "[canteen]\npricing = free\n" "[canteen] pricing must be set, menu or bill"
expect_config_error menu "[canteen]\npricing = menu\n" "[canteen] pricing = menu needs at least menu1"
expect_config_error driver "[reader]\ndevice = usb:/dev/x\n" "[reader] device = usb:/dev/x: no driver 'usb'"

# The device list names every driver and what is configured.
printf '[reader]\ndevice = sim:-\n' > dev.ini
"$K" --config dev.ini --list-devices > devices.txt
check "--list-devices shows the reader" grep -q '\[reader\] sim:-' devices.txt
check "--list-devices lists the drivers" grep -q '^  sim ' devices.txt

# A read-only folder or database file is refused at start with its path. Read-only bind mounts
# in a mount namespace of their own (the tests run as root, for whom permission bits do not
# stop a write).
mkdir ro
"$K" --db ro/k.db --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
rm -f ro/k.db-wal ro/k.db-shm
if unshare -m true 2> /dev/null; then
  run unshare -m sh -c "mount --bind '$WORK/ro' '$WORK/ro' && mount -o remount,ro,bind '$WORK/ro' &&
    exec '$K' --db '$WORK/ro/k.db' --headless --reader sim:- --no-voice < /dev/null" 2> ro.err
  check "read-only folder: refused (exit 1)" test "$status" -eq 1
  check "read-only folder: names the database" grep -q "ro/k.db: cannot be written" ro.err
  mkdir rw && cp ro/k.db rw/k.db
  run unshare -m sh -c "mount --bind '$WORK/rw/k.db' '$WORK/rw/k.db' &&
    mount -o remount,ro,bind '$WORK/rw/k.db' &&
    exec '$K' --db '$WORK/rw/k.db' --headless --reader sim:- --no-voice < /dev/null" 2> rofile.err
  check "read-only file: refused (exit 1)" test "$status" -eq 1
  check "read-only file: names it" grep -q "rw/k.db: cannot be written" rofile.err
else
  echo "FAILED: unshare -m is not available: the read-only cases cannot run" >&2
  failures=$((failures + 1))
fi

# The export: fsync of the file, then the rename, then an fsync of the folder.
"$K" --db ex.db --import-roster "$SRC/tests/data/roster-sample.csv" --mode full > /dev/null
"$K" --db ex.db --import-policy "$SRC/tests/policies/fixed-by-class.json" > /dev/null
# LeakSanitizer cannot run under ptrace: leaks are checked by every other run of the binary.
ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=openat,fsync,rename -o trace.txt "$K" --db ex.db --export 2026-11 \
  --output "$WORK/nov.csv" 2> /dev/null
order=$(awk '/nov.csv.part/ && /openat/ { part = $NF }
  /fsync/ { n++; if (n == 1) print "fsync" ; else print "fsync-dir" }
  /rename/ && /nov.csv/ { print "rename" }' trace.txt | paste -sd,)
check "export: fsync, rename, fsync of the folder ($order)" test "$order" = "fsync,rename,fsync-dir"
check "export: the file is there whole" test "$(head -1 nov.csv | cut -c1-9)" = record_id
check "export: no part file left" test ! -e nov.csv.part
finish
