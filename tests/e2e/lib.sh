# lib.sh - helpers for the end-to-end tests: a scratch directory, failure reporting, PNG checks.
set -euo pipefail
: "${KIOSK_BINARY:?run through ctest}"
: "${KIOSK_SOURCE_DIR:?run through ctest}"
K=$KIOSK_BINARY
SRC=$KIOSK_SOURCE_DIR
WORK=$(mktemp -d /tmp/kiosk-e2e.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
failures=0
checks=0

check() { # check "description" command...
  local what=$1; shift
  checks=$((checks + 1))
  if "$@"; then :; else echo "FAILED: $what" >&2; failures=$((failures + 1)); fi
}

# png_size FILE -> "WIDTHxHEIGHT" read from the IHDR chunk (and checks the signature).
png_size() {
  local sig
  sig=$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')
  [ "$sig" = "89504e470d0a1a0a" ] || { echo "not-a-png"; return; }
  local w h
  w=$(od -An -tu4 --endian=big -j16 -N4 "$1" | tr -d ' ')
  h=$(od -An -tu4 --endian=big -j20 -N4 "$1" | tr -d ' ')
  echo "${w}x${h}"
}

finish() {
  echo "$(basename "$0"): $((checks - failures)) passed, $failures failed"
  [ "$failures" -eq 0 ]
}
