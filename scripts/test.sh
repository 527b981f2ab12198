#!/usr/bin/env bash
# Sets up, builds and runs everything that checks cnnc:
#   1. the regression suite (every lit test under test/);
#   2. the same suite on the AddressSanitizer + UndefinedBehaviorSanitizer
#      build, where a sanitizer report fails the test;
#   3. a fuzz smoke run: each libFuzzer target for 60 s (scripts/fuzz.sh).
# Each suite is one lit process (its own parallelism), so no two runs share
# lit's files. A harness that breaks (lit ends without its summary, or a
# test it cannot run) stops everything with exit 2, apart from test failures.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CNNC_BUILD_DIR:-$root/build}
sanitize=${CNNC_SANITIZE_BUILD_DIR:-$root/build-sanitize}
passed=0
failed=0

# run_suite BUILD_DIR: runs its lit suite, adds to passed/failed.
run_suite() {
  local dir=$1 lit log status=0
  lit=$(sed -n 's/^LIT_EXECUTABLE:[A-Z]*=//p' "$dir/CMakeCache.txt")
  log="$dir/test/lit.log"
  "$lit" -sv --skip-test-time-recording "$dir/test" 2>&1 | tee "$log" || status=$?
  local total ok bad unresolved
  total=$(sed -n 's/^Total Discovered Tests: \([0-9]*\)/\1/p' "$log")
  if [ -z "$total" ]; then
    echo "cnnc: test harness error: lit ended (exit $status) without its summary; see $log" >&2
    exit 2
  fi
  unresolved=$(sed -n 's/^ *Unresolved *: *\([0-9]*\).*/\1/p' "$log")
  if [ -n "$unresolved" ] && [ "$unresolved" -gt 0 ]; then
    echo "cnnc: test harness error: lit could not run $unresolved test(s); see $log" >&2
    exit 2
  fi
  ok=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$log")
  bad=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$log")
  passed=$((passed + ${ok:-0}))
  failed=$((failed + ${bad:-0}))
}

echo "== regression tests"
bash "$root/scripts/setup.sh"
run_suite "$build"

# What the set-up installed for /usr/bin/python3 (as root), outside the suite's
# PYTHONPATH: `import cnnc` from anywhere.
if [ "$(id -u)" -eq 0 ]; then
  if (cd / && env -u PYTHONPATH /usr/bin/python3 -c "import cnnc; print('import cnnc:', cnnc.__file__)"); then
    passed=$((passed + 1))
  else
    echo "cnnc: the set-up did not make 'import cnnc' work for /usr/bin/python3" >&2
    failed=$((failed + 1))
  fi
fi

echo "== regression tests under ASan + UBSan"
bash "$root/scripts/setup.sh" --sanitize
run_suite "$sanitize"

echo "== fuzz smoke run"
fuzz_status=0
bash "$root/scripts/fuzz.sh" "${CNNC_FUZZ_SECONDS:-60}" || fuzz_status=$?

echo "cnnc: $passed passed, $failed failed$( ((fuzz_status)) && echo ", the fuzz run found a crash")"
((failed == 0 && fuzz_status == 0))
