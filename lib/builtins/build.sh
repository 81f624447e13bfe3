#!/usr/bin/env bash
# Builds the built-in components: C → core wasm (clang-14, wasm32-wasi reactor),
# then core → component against our WIT (jco componentEmbed + componentNew).
# Output: build/builtins/<id>.wasm (git-ignored) and build/builtins/index.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
src=lib/builtins
out=build/builtins
mkdir -p "$out/core"
# Concurrent builds (parallel test files) take turns.
exec 9>"$out/.lock"
flock 9

CLANG="${CLANG:-clang-14}"

# Up to date: the same sources, jco and clang as the last good build (test files
# call this script in their set-up; one build serves them all).
stamp_of() {
  find "$src" -type f \( -name '*.c' -o -name '*.h' -o -name '*.wit' -o -name '*.ts' -o -name '*.sh' \) \
    ! -name '*.test.ts' ! -name '*.generated.ts' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  sha256sum lib/graph/ports.ts node_modules/@bytecodealliance/jco/package.json
  "$CLANG" --version | head -n 1
}
stamp="$(stamp_of | sha256sum | cut -d' ' -f1)"
if [ -z "${TRELLIS_REBUILD_BUILTINS:-}" ] && [ -f "$out/index.json" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi
rm -f "$out/.stamp"
cflags=(--target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror -mexec-model=reactor -Wl,--strip-all)

pids=()
ids=()
for world in "$src"/*/world.wit; do
  dir="$(dirname "$world")"
  id="$(basename "$dir")"
  ids+=("$id")
  "$CLANG" "${cflags[@]}" "$dir/$id.c" -o "$out/core/$id.wasm" &
  pids+=($!)
done
status=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "build.sh: compiling ${ids[$i]} failed" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] || exit 1

node --import tsx "$src/gen-wit.ts"
node --import tsx "$src/componentize.ts" "$out"
echo "$stamp" > "$out/.stamp"
