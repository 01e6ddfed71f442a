#!/usr/bin/env bash
# Builds the npm package in pkg/: one WebAssembly build per role, from one crate (Cargo features):
#   session   — TokenSession (browsers)                 profile `session` (opt-level z), wasm-opt -Oz
#   verify    — Verifier, redact, errorResponse          profile `verify` (opt-level z; ES256 at 3), wasm-opt -O3
#   authority — Authority, Signer, stores + verify     profile `authority` (opt-level z), wasm-opt -Os
# then wasm-bindgen per runtime (web: browsers, bundlers, workerd, Deno; nodejs: Node), one bundled
# script per entry (esbuild, scripts/bundle.mjs), and a size line per build. Outputs go to
# pkg/dist/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."

wasm_opt=node_modules/.bin/wasm-opt
if [ ! -x "$wasm_opt" ] || [ ! -x node_modules/.bin/esbuild ]; then
  echo "build: run scripts/setup.sh first (npm packages binaryen and esbuild are missing)" >&2
  exit 1
fi
# Built without reference-types and multivalue (.cargo/config.toml says why): wasm-opt may not add them.
features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals"

# role[,extra-feature...] profile wasm-opt-level targets...: one cargo build (features: the role and
# any extra ones), then wasm-bindgen + wasm-opt per target (web → dist/<role>/web/, nodejs →
# dist/<role>/).
build_role() {
  local cargo_features=$1 role=${1%%,*} profile=$2 level=$3
  shift 3
  cargo build --profile "$profile" --lib --target wasm32-unknown-unknown --no-default-features --features "$cargo_features" --quiet
  local wasm="target/wasm32-unknown-unknown/$profile/tessera_$role.wasm"
  # wasm-bindgen reads the target_features section; std's entry there is not what we compiled.
  node scripts/strip-target-features.mjs "target/wasm32-unknown-unknown/$profile/tessera.wasm" "$wasm"
  rm -rf "pkg/dist/$role"
  for target in "$@"; do
    local dir="pkg/dist/$role$([ "$target" = web ] && echo /web)"
    wasm-bindgen --target "$target" --out-dir "$dir" --out-name "tessera_$role" "$wasm"
    "$wasm_opt" "$level" $features "$dir/tessera_${role}_bg.wasm" -o "$dir/tessera_${role}_bg.wasm"
  done
}

build_role session session -Oz web
# The verify build alone has ES384's tables (Cargo.toml, feature `es384-tables`, says why).
build_role verify,es384-tables verify -O3 web nodejs
# The authority at -Os: 1.7 kB gzip smaller than -O3 (199.8 -> 198.2 kB, budget 200), its Rust
# verifySync 5 % slower (A/B in one Node process); tessera-auth/verify is the fast verifier.
build_role authority authority -Os web nodejs

# One script per entry next to its .wasm (scripts/bundle.mjs); wasm-bindgen's own JS is inside.
# (Its Node output is CommonJS inside this ESM package: say so to the bundler.)
# wasm-bindgen's Node glue names its snippet with require(String.raw`…`), which a bundler cannot
# follow: make it a plain string.
for role in verify authority; do
  echo '{ "type": "commonjs" }' > "pkg/dist/$role/package.json"
  sed -i 's/require(String\.raw`\([^`]*\)`)/require("\1")/' "pkg/dist/$role/tessera_$role.js"
done
node scripts/bundle.mjs
for role in session verify authority; do
  rm -rf "pkg/dist/$role"/web/tessera_"$role"*.{js,ts} "pkg/dist/$role"/tessera_"$role"*.{js,ts} \
    "pkg/dist/$role"/web/snippets "pkg/dist/$role"/snippets "pkg/dist/$role"/package.json
done

# The tarball's README and licence files are the repository's own (copies, not committed).
cp README.md LICENSE LICENSE-MIT LICENSE-APACHE pkg/

# Sizes are features: what each role's browser entry loads (gzip -9 of the wasm, and of each JS file).
for role in session verify authority; do
  wasm="pkg/dist/$role/web/tessera_${role}_bg.wasm"
  js=$(( $(gzip -9c "pkg/$role/web.js" | wc -c) + $(gzip -9c "pkg/dist/$role/web/index.js" | wc -c) ))
  printf 'built %-9s %7d bytes wasm, %6d bytes gzip -9; + JS %5d bytes gzip -9 = %6d bytes\n' \
    "$role" "$(wc -c < "$wasm")" "$(gzip -9c "$wasm" | wc -c)" "$js" "$(( $(gzip -9c "$wasm" | wc -c) + js ))"
done
