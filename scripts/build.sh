#!/usr/bin/env bash
# Builds the npm package in pkg/: one release wasm32 compile, then wasm-bindgen once per target
# (web for browsers/workerd, bundler, nodejs, deno). Outputs go to pkg/dist/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --lib --target wasm32-unknown-unknown
wasm="target/wasm32-unknown-unknown/release/tessera.wasm"
for target in web bundler nodejs deno; do
  out="pkg/dist/$target"
  rm -rf "$out"
  wasm-bindgen --target "$target" --out-dir "$out" --out-name tessera "$wasm"
done
# wasm-opt from the npm package binaryen (Debian's binaryen 108 miscompiles these modules):
# -O3 makes the module about a quarter smaller and no slower. Skipped if npm ci has not run.
wasm_opt=node_modules/.bin/wasm-opt
if [ -x "$wasm_opt" ]; then
  pids=()
  for target in web bundler nodejs deno; do
    "$wasm_opt" -O3 --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-multivalue \
      "pkg/dist/$target/tessera_bg.wasm" -o "pkg/dist/$target/tessera_bg.wasm" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
fi
# The nodejs output is CommonJS inside an ESM ("type": "module") package.
echo '{ "type": "commonjs" }' > pkg/dist/nodejs/package.json
echo "built pkg/ ($(du -k pkg/dist/web/tessera_bg.wasm | cut -f1) KB wasm, $(gzip -9c pkg/dist/web/tessera_bg.wasm | wc -c) bytes gzip -9)"
