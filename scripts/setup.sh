#!/usr/bin/env bash
# Installs what Tessera's build, demo and tests need, skipping whatever is already there:
# the wasm32 Rust target, wasm-bindgen-cli (pinned to the crate's wasm-bindgen), Debian's Chromium
# and redis-server, and the npm packages of package-lock.json. (No wasm-pack: the build calls
# wasm-bindgen itself, and the binding is tested through the built package in every runtime.)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen = "=…"` pin in Cargo.toml
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
step() { printf '\n== setup: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 6 minutes)"
  # Not --locked: 0.2.130's lockfile names a webpki-roots version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# Debian packages: Chromium for the browser tests, redis-server for the RedisStore tests (the
# tests start their own server on 127.0.0.1; the package's own service is not used).
apt_missing=""
[ -x /usr/bin/chromium ] || apt_missing="$apt_missing chromium"
command -v redis-server >/dev/null || apt_missing="$apt_missing redis-server"
if [ -n "$apt_missing" ]; then
  step "apt-get install$apt_missing"
  as_root apt-get update -qq
  # shellcheck disable=SC2086 # word splitting intended: one package per word
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $apt_missing >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.tessera-lock 2>/dev/null)" != "$lock_hash" ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.tessera-lock
fi
