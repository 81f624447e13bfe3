#!/usr/bin/env bash
# Builds the x86-64 core to wasm32-wasi: emulator/build/trellis-x86.wasm
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/build"
mkdir -p "$out"
CC="${CC:-clang-14}"
"$CC" --target=wasm32-wasi --sysroot=/usr -O2 -std=c11 -D_GNU_SOURCE \
  -fno-strict-aliasing \
  -Wall -Wno-unused-function -Wno-unused-parameter \
  -Wl,-z,stack-size=1048576 \
  "$here"/src/*.c -lm -o "$out/trellis-x86.wasm.tmp.$$"
mv "$out/trellis-x86.wasm.tmp.$$" "$out/trellis-x86.wasm" # one temp file per build: test files may build at once
echo "built $out/trellis-x86.wasm ($(stat -c %s "$out/trellis-x86.wasm") bytes)"
