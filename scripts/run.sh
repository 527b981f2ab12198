#!/usr/bin/env bash
# The main job: set up and build, then show what cnnc makes of LeNet-5: the
# per-layer summary, the model in the cnn dialect, and a compiled executable
# timing itself.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
cnnc="${CNNC_BUILD_DIR:-$root/build}/bin/cnnc"

echo "== cnnc summary models/lenet5.json"
"$cnnc" summary "$root/models/lenet5.json"
echo
echo "== cnnc compile models/lenet5.json --emit=cnn"
"$cnnc" compile "$root/models/lenet5.json" --emit=cnn
echo
echo "== cnnc compile models/lenet5.json -o build/lenet5 && build/lenet5 --bench 100"
"$cnnc" compile "$root/models/lenet5.json" -o "${CNNC_BUILD_DIR:-$root/build}/lenet5"
"${CNNC_BUILD_DIR:-$root/build}/lenet5" --bench 100
