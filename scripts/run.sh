#!/usr/bin/env bash
# The main job: set up and build, then show what cnnc makes of LeNet-5: the
# per-layer summary and the model in the cnn dialect.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
cnnc="${CNNC_BUILD_DIR:-$root/build}/bin/cnnc"

echo "== cnnc summary models/lenet5.json"
"$cnnc" summary "$root/models/lenet5.json"
echo
echo "== cnnc compile models/lenet5.json --emit=cnn"
"$cnnc" compile "$root/models/lenet5.json" --emit=cnn
