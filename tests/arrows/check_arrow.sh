#!/usr/bin/env bash
# check_arrow.sh BUILD_DIR TARGET HEADER must-fail|must-compile : builds one probe target and
# checks the outcome; a probe that must fail passes only when the error names HEADER.
set -uo pipefail
build=$1 target=$2 header=$3 expect=$4
log=$(mktemp "${TMPDIR:-/tmp}/kiosk-arrow.XXXXXX")
trap 'rm -f "$log"' EXIT
cmake --build "$build" --target "$target" > "$log" 2>&1
status=$?
if [ "$expect" = must-compile ]; then
  [ "$status" -eq 0 ] && exit 0
  echo "FAILED: $target should compile" >&2
  cat "$log" >&2
  exit 1
fi
# gcc says "HEADER: No such file or directory", clang "'HEADER' file not found".
if [ "$status" -ne 0 ] && grep -qE "$header: No such file or directory|'$header' file not found" "$log"; then
  exit 0
fi
echo "FAILED: $target should not compile because $header is out of its reach (status $status)" >&2
cat "$log" >&2
exit 1
