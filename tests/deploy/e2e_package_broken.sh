#!/usr/bin/env bash
# e2e_package.sh must fail on a broken build: it tests no binary it is given but builds the
# packages from the source itself, so here it builds them from a copy of the source whose kiosk
# answers --version and then exits 1 whatever else it is asked (it never draws), and whose server
# exits 1 at once (a constructor appended to each main.c, so no line of them is relied on). The
# run must exit non-zero and say FAILED for the installed server, the installed kiosk's first
# frame and the frame's file, within the time limit. (Label package: about as long as
# e2e_package itself, one dpkg-buildpackage.)
set -uo pipefail
: "${KIOSK_SOURCE_DIR:?run through ctest}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiosk-package-broken.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
source "$KIOSK_SOURCE_DIR/tests/e2e/checks.sh" # check, run, check_summary

mkdir "$WORK/src"
tar -C "$KIOSK_SOURCE_DIR" --exclude='./build*' --exclude=./.git --exclude=./Testing \
  --exclude=./demo/run -cf - . | tar -C "$WORK/src" -xf -
cat >> "$WORK/src/kiosk/main.c" << 'C'

#include <unistd.h>
/* Broken on purpose by tests/deploy/e2e_package_broken.sh: glibc hands a constructor main's
 * arguments. */
__attribute__((constructor)) static void broken_build(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--version") != 0)
        _exit(1);
}
C
cat >> "$WORK/src/server/main.c" << 'C'

#include <unistd.h>
/* Broken on purpose by tests/deploy/e2e_package_broken.sh. */
__attribute__((constructor)) static void broken_build(void)
{
    _exit(1);
}
C

t0=$SECONDS
status=0
KIOSK_SOURCE_DIR=$WORK/src timeout 900 bash "$KIOSK_SOURCE_DIR/tests/deploy/e2e_package.sh" \
  > "$WORK/out.txt" 2> "$WORK/err.txt" || status=$?
echo "e2e_package.sh on the broken build: exit $status in $((SECONDS - t0)) s"
grep FAILED "$WORK/err.txt" "$WORK/out.txt" | sed 's/^[^:]*://'
check "the packages were built (the break is in what they install, not in the build)" \
  grep -q '^--- built' "$WORK/out.txt"
check "e2e_package fails (exit $status)" test "$status" -ne 0
check "and not by running into the time limit" test "$status" -ne 124
for what in "the installed server runs" "the installed kiosk draws its first frame" \
  "the first frame was written"; do
  check "e2e_package says FAILED: $what" grep -q "^FAILED: $what" "$WORK/err.txt"
done
check "the broken kiosk still answers --version (only the run is broken)" \
  bash -c "! grep -q '^FAILED: the installed kiosk runs' '$WORK/err.txt'"
check_summary "$(basename "$0")"
