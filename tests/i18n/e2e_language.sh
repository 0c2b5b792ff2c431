#!/usr/bin/env bash
# [kiosk] language: the real binary takes zh_CN and en, and refuses (exit 2, nothing made) a
# language it has no words for and a language whose catalog is not installed. (A language the
# system has no locale for is refused too, by kiosk_i18n_check asking newlocale; this machine's
# locales-all cannot be hidden from glibc for a test: LOCPATH does not stop its search.)
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
finish
