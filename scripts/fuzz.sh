#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS (default 60) on the sanitizer
# build (setup-sanitize.sh builds it). Corpora grow in build-sanitize/fuzz/;
# a crash leaves its input in build-sanitize/fuzz/artifacts/ and fails the
# run: turn it into a regression test.
#
#   bash scripts/fuzz.sh          # the smoke run CI does: 60 s a target
#   bash scripts/fuzz.sh 3600     # an hour a target
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${CNNC_SANITIZE_BUILD_DIR:-$root/build-sanitize}
seconds=${1:-60}

work="$build/fuzz"
mkdir -p "$work/artifacts"
/usr/bin/python3 "$root/test/fuzz/make_seeds.py" "$root" "$work/seeds"

for target in model-json:json model-onnx:onnx safetensors:safetensors npy:npy idx:idx; do
  name=${target%%:*}
  kind=${target##*:}
  mkdir -p "$work/corpus-$kind"
  dict=()
  [ -f "$root/test/fuzz/$name.dict" ] && dict=(-dict="$root/test/fuzz/$name.dict")
  echo "fuzz-$name: ${seconds}s"
  # Leaks inside LLVM/MLIR's own libraries are theirs (test/lsan.supp); see
  # test/lit.cfg.py for allow_user_poisoning.
  ASAN_OPTIONS="allow_user_poisoning=0" \
  LSAN_OPTIONS="suppressions=$root/test/lsan.supp" \
  "$build/bin/fuzz-$name" "$work/corpus-$kind" "$work/seeds/$kind" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$work/artifacts/$name-" -print_final_stats=1 "${dict[@]}" 2>&1 |
    grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)" || true
  if ls "$work/artifacts/$name-"* >/dev/null 2>&1; then
    echo "fuzz-$name: found a crash: $(ls "$work/artifacts/$name-"*)" >&2
    exit 1
  fi
done
echo "fuzz: no crash"
