#!/usr/bin/env bash
# Installs what is missing, then builds and tests three ways (this is the command README.md
# gives and .ci/run runs):
#   1. gcc, warnings as errors, AddressSanitizer + UndefinedBehaviorSanitizer: every test;
#   2. clang, warnings as errors, the same sanitizers: the unit, golden, arrow and fuzz tests;
#   3. ThreadSanitizer: the tests whose code runs threads (label "threads");
#   4. the Debian packages (label "package"): dpkg-buildpackage, the files in a scratch root,
#      the units, the udev rules, lintian (tests/deploy/e2e_package.sh), timed on its own.
# Arguments go to the first ctest (e.g. -R e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)

echo "=== gcc, ASan + UBSan: every test"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DKIOSK_WERROR=ON -DKIOSK_SANITIZE=ON >/dev/null
cmake --build build-test -j"$jobs"
(cd build-test && ctest --output-on-failure -j2 -LE package "$@")

echo "=== clang, ASan + UBSan: unit, golden and fuzz tests"
CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Debug -DKIOSK_WERROR=ON \
  -DKIOSK_SANITIZE=ON >/dev/null
cmake --build build-clang -j"$jobs"
(cd build-clang && ctest --output-on-failure -j2 -L 'unit|golden|fuzz')

echo "=== ThreadSanitizer: the tests that run threads"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DKIOSK_WERROR=ON -DKIOSK_TSAN=ON >/dev/null
cmake --build build-tsan -j"$jobs"
(cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  ctest --output-on-failure -j2 -L threads)

echo "=== Debian packages: build, unpack into a scratch root, check, lintian"
start=$SECONDS
(cd build-test && ctest --output-on-failure -L package)
echo "package step: $((SECONDS - start)) s"
