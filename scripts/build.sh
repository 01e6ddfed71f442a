#!/usr/bin/env bash
# Builds the npm package in pkg/: one WebAssembly build per role, from one crate (Cargo features):
#   session   — TokenSession (browsers)                 profile `session` (opt-level z), wasm-opt -Oz
#   verify    — Verifier, redact, errorResponse          profile `release` (opt-level 3), wasm-opt -O3
#   authority — Authority, Signer, stores + verify     profile `release`, wasm-opt -O3
# then wasm-bindgen per runtime (web: browsers, bundlers, workerd, Deno; nodejs: Node), the Node
# CommonJS bundles (esbuild), and a size line per build. Outputs go to pkg/dist/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."

wasm_opt=node_modules/.bin/wasm-opt
esbuild=node_modules/.bin/esbuild
if [ ! -x "$wasm_opt" ] || [ ! -x "$esbuild" ]; then
  echo "build: run scripts/setup.sh first (npm packages binaryen and esbuild are missing)" >&2
  exit 1
fi
features="--enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue"

# role profile wasm-opt-level targets...
build_role() {
  local role=$1 profile=$2 level=$3
  shift 3
  cargo build --profile "$profile" --lib --target wasm32-unknown-unknown --no-default-features --features "$role" --quiet
  local wasm="target/wasm32-unknown-unknown/$profile/tessera.wasm"
  local out="pkg/dist/$role"
  rm -rf "$out"
  for target in "$@"; do
    local dir="$out/$([ "$target" = nodejs ] && echo node || echo web)"
    wasm-bindgen --target "$target" --out-dir "$dir" --out-name "tessera_$role" "$wasm"
    "$wasm_opt" "$level" $features "$dir/tessera_${role}_bg.wasm" -o "$dir/tessera_${role}_bg.wasm"
  done
}

build_role session session -Oz web
build_role verify release -O3 web nodejs
build_role authority release -O3 web nodejs

# The nodejs output is CommonJS inside an ESM ("type": "module") package; the Node entries are
# CommonJS bundles of the glue (so that require works on every Node 20).
for role in verify authority; do
  echo '{ "type": "commonjs" }' > "pkg/dist/$role/node/package.json"
  "$esbuild" "pkg/src/node/$role.js" --bundle --platform=node --format=cjs --target=node20 \
    --external:"./node/*" --log-level=warning --outfile="pkg/dist/$role/node.cjs"
done

# CommonJS builds of the Node-only helpers, so that require works on every Node 20 too.
for helper in redis node-http; do
  "$esbuild" "pkg/$helper.js" --bundle --platform=node --format=cjs --target=node20 --log-level=warning \
    --outfile="pkg/dist/$helper.cjs"
done

# Sizes are features: what each role ships (gzip -9 of the wasm and of the JS its web entry loads).
for role in session verify authority; do
  wasm="pkg/dist/$role/web/tessera_${role}_bg.wasm"
  js_files=("pkg/dist/$role/web/tessera_$role.js" "pkg/$role/web.js" "pkg/src/errors.js" "pkg/src/$role.js")
  [ "$role" = session ] || js_files+=("pkg/src/verify.js" "pkg/src/fetch.js")
  [ "$role" = authority ] && js_files+=("pkg/src/runtime-signer.js")
  js_gzip=$(cat "${js_files[@]}" | gzip -9c | wc -c)
  printf 'built %-9s %7d bytes wasm, %6d bytes gzip -9; + JS %5d bytes gzip -9\n' \
    "$role" "$(wc -c < "$wasm")" "$(gzip -9c "$wasm" | wc -c)" "$js_gzip"
done
