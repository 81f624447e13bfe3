#!/usr/bin/env bash
# Builds the x86-64 core to wasm32-wasi: emulator/build/trellis-x86.wasm (and
# its variants below: trellis-x86-http.wasm, trellis-aot.wasm)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/build"
mkdir -p "$out"
CC="${CC:-clang-14}"
# clang runs wasm-opt on its output when it finds one on PATH (npm puts binaryen's
# node_modules/.bin/wasm-opt there), so the same sources gave two different cores
# depending on who ran this script, and the block translator's helper lookup broke
# on the optimised one. The core is built as clang and lld leave it.
nowasmopt=""
IFS=: read -ra dirs <<< "$PATH"
for d in "${dirs[@]}"; do [ -n "$d" ] && [ ! -x "$d/wasm-opt" ] && nowasmopt="${nowasmopt:+$nowasmopt:}$d"; done
export PATH="$nowasmopt"
flags=(--target=wasm32-wasi --sysroot=/usr -O2 -std=c11 -D_GNU_SOURCE
  -fno-strict-aliasing
  -Wall -Wno-unused-function -Wno-unused-parameter
  -Wl,-z,stack-size=1048576)
# The command (main.c's main), the reactor the wasi:http component wraps
# (src/http/: the export drives the scheduler) and the block translator (the
# core's sources plus aot/, run by the compile step), built side by side.
"$CC" "${flags[@]}" "$here"/src/*.c -lm -o "$out/trellis-x86.wasm.tmp.$$" &
cmd=$!
"$CC" "${flags[@]}" -DTRELLIS_TRANSLATOR "$here"/src/*.c "$here"/aot/*.c -lm -o "$out/trellis-aot.wasm.tmp.$$" &
tr=$!
"$CC" "${flags[@]}" -mexec-model=reactor -DTRELLIS_REACTOR "$here"/src/*.c "$here"/src/http/*.c -lm -o "$out/trellis-x86-http.wasm.tmp.$$"
wait "$cmd"
wait "$tr"
# one temp file per build: test files may build at once
mv "$out/trellis-x86.wasm.tmp.$$" "$out/trellis-x86.wasm"
mv "$out/trellis-x86-http.wasm.tmp.$$" "$out/trellis-x86-http.wasm"
mv "$out/trellis-aot.wasm.tmp.$$" "$out/trellis-aot.wasm"
echo "built $out/trellis-x86.wasm ($(stat -c %s "$out/trellis-x86.wasm") bytes), $out/trellis-x86-http.wasm ($(stat -c %s "$out/trellis-x86-http.wasm") bytes), $out/trellis-aot.wasm"
