#!/usr/bin/env bash
# Issue 16's share of the verify build, by removal: builds the verify build's web wasm twice with
# scripts/build.sh's steps (cargo profile `verify`, features verify,es384-tables, wasm-bindgen
# --target web, wasm-opt -O3), once from the source as it is and once with issue 16 taken out, and
# prints both gzip -9 sizes and their difference. The target: "the verify build grows by ≤ 25 KB
# gzip for all of this".
#
#   bench/issue16-share.sh [REV]     # a commit (default HEAD); `wt` for the working tree
#
# What is taken out (src/jose/jwk.rs, src/verifier/discovery.rs, src/jose/jwt.rs): the RSA
# (RS*/PS*), Ed25519 and ES384 keys are refused at parsing and verify nothing, so their code
# (rsassa, tessera-curves' ES384 and Ed25519, their hashes and curve arithmetic) leaves the build;
# discovery becomes an uninhabited type and the `claims` option an error. What stays is the build
# as it would be with ES256 only. The edits are exact text replacements: when the source changes
# under them this script fails, and the replacements need updating, not loosening.
#
# Needs what scripts/build.sh needs (rustup target, wasm-bindgen, node_modules' wasm-opt). It uses
# its own cargo target directory ($ISSUE16_TARGET_DIR, default <tmp>/tessera-issue16-share) and
# temporary copies of the source; the checkout is not touched.
set -euo pipefail
rev=${1:-HEAD}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tessera-issue16-XXXX")
export CARGO_TARGET_DIR=${ISSUE16_TARGET_DIR:-${TMPDIR:-/tmp}/tessera-issue16-share}
trap 'rm -rf "$work"' EXIT

export_source() { # $1: destination
  mkdir -p "$1"
  if [ "$rev" = wt ]; then
    (cd "$repo" && git ls-files -co --exclude-standard | grep -v '^fuzz/' | tar -cf - -T -) | tar -xf - -C "$1"
  else
    (cd "$repo" && git archive "$rev") | tar -x -C "$1"
  fi
  ln -s "$repo/node_modules" "$1/node_modules"
}

build() { # $1: source dir, $2: label; prints the gzip -9 size of the optimised web wasm
  local out="$work/out-$2"
  mkdir -p "$out"
  # The two copies share the target directory: make cargo see every file as changed.
  find "$1" -path "$1/node_modules" -prune -o \( -name '*.rs' -o -name Cargo.toml \) -exec touch {} +
  # The copy without issue 16 has unused code: its warnings are expected; errors are shown.
  if ! (cd "$1" && cargo build --profile verify --lib --target wasm32-unknown-unknown --no-default-features --features verify,es384-tables --quiet) 2> "$out/cargo.log"; then
    cat "$out/cargo.log" >&2
    exit 1
  fi
  (cd "$1" && node scripts/strip-target-features.mjs "$CARGO_TARGET_DIR/wasm32-unknown-unknown/verify/tessera.wasm" "$out/in.wasm")
  wasm-bindgen --target web --out-dir "$out" --out-name t "$out/in.wasm"
  "$repo/node_modules/.bin/wasm-opt" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals "$out/t_bg.wasm" -o "$out/o.wasm"
  gzip -9c "$out/o.wasm" | wc -c
}

export_source "$work/with"
export_source "$work/without"
python3 - "$work/without" <<'PY'
import re, sys
root = sys.argv[1]

def edit(path, pairs):
    text = open(f"{root}/{path}").read()
    for old, new in pairs:
        if text.count(old) != 1:
            sys.exit(f"issue16-share: {path} no longer has exactly one of: {old[:70]!r}")
        text = text.replace(old, new)
    open(f"{root}/{path}", "w").write(text)

# The verifiers: no key of the three families parses; Key::verify and the JWK export lose them.
edit("src/jose/jwk.rs", [
    ("""            (Key::P384(key), Algorithm::Es384) => key.verify(message, signature),
            (Key::Ed25519(key), Algorithm::EdDsa | Algorithm::Ed25519) => key.verify(message, signature),
            (Key::Rsa(key), _) => match rsa_scheme(alg) {
                Some((padding, hash)) => key.verify(padding, hash, message, signature),
                None => Err(Error::bad_signature()),
            },""", ""),
    ("""        Family::P384 => Key::P384(es384::PublicKey::from_coordinates(
            &member_bytes(jwk, "x", Some(48))?,
            &member_bytes(jwk, "y", Some(48))?,
        )?),
        Family::Ed25519 => Key::Ed25519(eddsa::PublicKey::from_bytes(&member_bytes(jwk, "x", Some(32))?)?),
        Family::RsaPkcs1 | Family::RsaPss => Key::Rsa(rsassa::PublicKey::new(
            &member_bytes(jwk, "n", None)?,
            &member_bytes(jwk, "e", None)?,
        )?),""", """        _ => return Err(Error::new(ErrorCode::InvalidKey, "removed")),"""),
])
text = open(f"{root}/src/jose/jwk.rs").read()
start = text.index("            Key::P384(key) => {\n                let (x, y) = key.coordinates();")
tail = """                ("x", b64::encode(&key.to_bytes())),
            ],
"""
end = text.index(tail, start) + len(tail)
open(f"{root}/src/jose/jwk.rs", "w").write(text[:start] + "            _ => vec![],\n" + text[end:])

# Discovery: an uninhabited type with the same interface.
text = open(f"{root}/src/verifier/discovery.rs").read()
start, end = text.index("/// An issuer's metadata location."), text.index("#[cfg(test)]")
text = text[:start] + '''#[derive(Clone, Debug)]
pub enum Discovery {}
impl Discovery {
    pub fn new(_issuer: &str) -> Result<Discovery> { Err(failed("removed")) }
    pub fn issuer(&self) -> &str { match *self {} }
    pub fn url(&self) -> String { match *self {} }
    pub fn is_metadata_url(&self, _url: &str) -> bool { match *self {} }
    pub fn absorb(&mut self, _answer: Option<(u16, &[u8])>, _max_bytes: usize) -> Result<Discovered> { match *self {} }
}
fn failed(message: &'static str) -> Error {
    Error::new(ErrorCode::JwksFetch, message)
}
'''
for line in ("use super::remote::check_url;\n", "use crate::jose::json;\n", "use serde_json::Value;\n"):
    text = text.replace(line, "")
open(f"{root}/src/verifier/discovery.rs", "w").write(re.sub(r"#\[cfg\(test\)\]\nmod tests \{.*", "", text, flags=re.S))

# The `claims` option: refused.
edit("src/jose/jwt.rs", [(
    "fn claim_values(option: Option<&Map<String, Value>>) -> Result<Vec<(String, Vec<ClaimValue>)>> {",
    """fn claim_values(option: Option<&Map<String, Value>>) -> Result<Vec<(String, Vec<ClaimValue>)>> {
    if option.is_some() { return Err(Error::claim(ErrorCode::InvalidOptions, "claims", "removed")); }
    return Ok(Vec::new());
    #[allow(unreachable_code)]
""")])
PY

with=$(build "$work/with" with)
without=$(build "$work/without" without)
echo "verify wasm, gzip -9: with issue 16 $with bytes, without $without bytes: issue 16's share $((with - without)) bytes ($(awk "BEGIN { printf \"%.2f\", ($with - $without) / 1000 }") kB)"
