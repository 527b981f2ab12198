#!/usr/bin/env bash
# Sets up, builds and runs everything that checks cnnc:
#   1. the regression suite (every lit test under test/, each a ctest test);
#   2. the same suite on the AddressSanitizer + UndefinedBehaviorSanitizer
#      build, where a sanitizer report fails the test;
#   3. a fuzz smoke run: each libFuzzer target for 60 s (scripts/fuzz.sh).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CNNC_BUILD_DIR:-$root/build}
sanitize=${CNNC_SANITIZE_BUILD_DIR:-$root/build-sanitize}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== regression tests"
bash "$root/scripts/setup.sh"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" | tee -a "$log"

echo "== regression tests under ASan + UBSan"
bash "$root/scripts/setup.sh" --sanitize
ctest --test-dir "$sanitize" --output-on-failure -j "$(nproc)" | tee -a "$log"

echo "== fuzz smoke run"
bash "$root/scripts/fuzz.sh" "${CNNC_FUZZ_SECONDS:-60}"

passed=$(sed -n 's/.* tests passed, \([0-9]*\) tests failed out of \([0-9]*\)/\2 \1/p' "$log" |
         awk '{ total += $1; failed += $2 } END { print total - failed, failed }')
echo "cnnc: ${passed% *} passed, ${passed#* } failed"
