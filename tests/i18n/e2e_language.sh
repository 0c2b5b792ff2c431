#!/usr/bin/env bash
# [kiosk] language: the real binary takes zh_CN and en, and refuses (exit 2, nothing made) a
# language it has no words for, a language whose catalog is not installed, and a language whose
# system locale is missing (nothing drawn, nothing recorded), while the same configuration with
# the locale present starts and draws its first frame.
source "$(dirname "$0")/../e2e/lib.sh"

refused() { # name ini-text expected-message
  local name=$1 text=$2 want=$3
  printf '%b' "$text" > "$name.ini"
  run "$K" --config "$name.ini" --db "$name.db" --headless --reader sim:- --no-voice \
    < <(echo quit) 2> "$name.err"
  check "$name: exit 2 (was $status)" test "$status" -eq 2
  check "$name: says '$want'" grep -qF -- "$want" "$name.err"
  check "$name: no database made" test ! -e "$name.db"
}

taken() { # name ini-text
  printf '%b' "$2" > "$1.ini"
  run "$K" --config "$1.ini" --db "$1.db" --headless --reader sim:- --no-voice \
    < <(echo quit) 2> "$1.err"
  check "$1: taken (exit $status)" test "$status" -eq 0
}

taken zh "[kiosk]\nlanguage = zh_CN\n"
taken en "[kiosk]\nlanguage = en\n"
refused fr "[kiosk]\nlanguage = fr\n" "[kiosk] language 'fr' is not one of zh_CN, en"
refused zh-dot "[kiosk]\nlanguage = zh_CN.UTF-8\n" "is not one of zh_CN, en"
mkdir empty
refused no-catalog "[kiosk]\nlanguage = en\nlocale_dir = $WORK/empty\n" \
  "language 'en': no catalog $WORK/empty/en/LC_MESSAGES/kiosk.mo"

# A missing system locale. locales-all puts every locale in a folder of its own under
# /usr/lib/locale, and glibc searches that folder even when LOCPATH is set (LOCPATH only comes
# first and skips the archive), so no environment variable can hide a locale. Instead the kiosk
# runs in a private mount namespace (unshare: nothing changes outside the one process) in which
# /usr/lib/locale is a folder of the test's: holding C.UTF-8 alone, zh_CN's locale is missing and
# en (which C.UTF-8 carries) is not; empty, en's is missing too.
LOCALES=/usr/lib/locale
mkdir -p only-c no-locales
cp -r "$LOCALES/C.utf8" only-c/
check "C.UTF-8 is a folder of $LOCALES to keep" test -f only-c/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES
ns=(unshare -m)
unshare -m true 2> /dev/null || ns=(unshare -Urm) # not root: a user namespace of its own
check "a private mount namespace can be made (${ns[*]})" "${ns[@]}" true
# kiosk_with LOCALE_FOLDER NAME: the kiosk with NAME.ini, its database, events and screenshots,
# seeing LOCALE_FOLDER as /usr/lib/locale ("-" for the system's own); sets $status.
kiosk_with() {
  local folder=$1 name=$2
  mkdir "$name.shots"
  local kiosk=("$K" --config "$name.ini" --db "$name.db" --headless --size 640x480
    --reader sim:- --no-voice --events "$name.jsonl" --screenshot-dir "$name.shots")
  if [ "$folder" = - ]; then
    run "${kiosk[@]}" < <(echo quit) 2> "$name.err"
  else
    run "${ns[@]}" bash -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' _ "$WORK/$folder" \
      "$LOCALES" "${kiosk[@]}" < <(echo quit) 2> "$name.err"
  fi
}
no_locale() { # LOCALE_FOLDER NAME LANGUAGE MISSING_LOCALE
  printf '[kiosk]\nlanguage = %s\n' "$3" > "$2.ini"
  kiosk_with "$1" "$2"
  check "$2: exit 2 (was $status)" test "$status" -eq 2
  check "$2: says which line and which locale" grep -qxF -- \
    "kiosk: [kiosk] language '$3': the system has no $4 locale (install the locales-all package)" \
    "$2.err"
  check "$2: nothing drawn" test -z "$(ls "$2.shots")"
  check "$2: no database made" test ! -e "$2.db"
  check "$2: nothing recorded" test ! -s "$2.jsonl"
}
starts() { # LOCALE_FOLDER NAME LANGUAGE
  printf '[kiosk]\nlanguage = %s\n' "$3" > "$2.ini"
  kiosk_with "$1" "$2"
  check "$2: starts and stops (exit $status)" test "$status" -eq 0
  check "$2: its first frame is drawn" test "$(png_size "$2.shots/0001-idle.png")" = 640x480
  check "$2: ready" grep -q '"result":"ready"' "$2.jsonl"
}
no_locale only-c zh-no-locale zh_CN zh_CN.UTF-8
no_locale no-locales en-no-locale en en_US.UTF-8
starts only-c en-c-only en
starts - zh-with-locale zh_CN
finish
