#!/usr/bin/env bash
# Installs what cnnc needs on Debian 12 and builds it into build/, or with
# --sanitize the AddressSanitizer + UndefinedBehaviorSanitizer build with the
# fuzz targets into build-sanitize/.
# Safe to run again: it installs only missing packages and rebuilds only what
# changed (ninja + ccache).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sanitize=0
if [ "${1:-}" = "--sanitize" ]; then
  sanitize=1
fi
if ((sanitize)); then
  build=${CNNC_SANITIZE_BUILD_DIR:-$root/build-sanitize}
else
  build=${CNNC_BUILD_DIR:-$root/build}
fi

packages=(
  cmake ninja-build ccache
  clang-22 lld-22 llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libclang-rt-22-dev
  nlohmann-json3-dev libonnx-dev libprotobuf-dev
  graphviz
  python3 python3-jsonschema python3-numpy python3-torch python3-torchvision python3-onnx
  libonnx-testdata
  dataset-fashion-mnist
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  echo "cnnc setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "cnnc setup: run as root or install sudo" >&2; exit 1; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCNNC_SANITIZE=$( ((sanitize)) && echo ON || echo OFF) \
    -DCMAKE_BUILD_TYPE=$( ((sanitize)) && echo RelWithDebInfo || echo Release) \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DLLVM_USE_LINKER=lld
fi
cmake --build "$build"

# Put the driver on the PATH: cnnc finds its runtime beside its real location.
if ((sanitize)); then
  :
elif [ "$(id -u)" -eq 0 ] && [ -d /usr/local/bin ]; then
  ln -sf "$build/bin/cnnc" /usr/local/bin/cnnc
  ln -sf "$build/bin/cnnc-opt" /usr/local/bin/cnnc-opt
else
  echo "cnnc setup: add $build/bin to your PATH to run cnnc"
fi

# `import cnnc` for /usr/bin/python3: the package in frontends/python.
if ((sanitize)); then
  :
elif [ "$(id -u)" -eq 0 ]; then
  site=$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')
  mkdir -p "$site"
  echo "$root/frontends/python" > "$site/cnnc.pth"
else
  echo "cnnc setup: add $root/frontends/python to PYTHONPATH to import cnnc"
fi
