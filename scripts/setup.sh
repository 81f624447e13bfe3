#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running Trellis:
# installs missing Debian and npm packages, builds, and starts the app on
# http://localhost:3000. `--no-start` stops after the build (CI uses it).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Chromium for the e2e tests; clang/lld/wasi-libc to build the
# x86-64 core and built-in components to wasm32-wasi; busybox-static, gcc and
# musl-tools for the emulator's differential tests; zstd for image tests.
DEB_PACKAGES=(chromium clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 busybox-static gcc libc6-dev musl-tools zstd)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found: $(node -v 2>/dev/null || echo none))" >&2
  exit 1
fi

# npm packages: reinstall only when the lockfile changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.trellis-lock-hash ] || [ "$(cat node_modules/.trellis-lock-hash)" != "$lock_hash" ]; then
  echo "setup: installing npm packages"
  # `npm install` (not `npm ci`): it installs the locked versions, and npm 11
  # refuses `ci` on its own lockfiles when they omit other platforms' optional packages.
  npm install --no-audit --no-fund
  echo "$lock_hash" > node_modules/.trellis-lock-hash
fi

node scripts/ensure-build.mjs

if [ "${1:-}" != "--no-start" ]; then
  exec node scripts/start.mjs
fi
