#!/usr/bin/env bash
# Sets up and builds (see setup.sh), then runs the whole regression suite:
# every lit test under test/, each a ctest test.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CNNC_BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
