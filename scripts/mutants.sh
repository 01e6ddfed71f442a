#!/usr/bin/env bash
# Mutation testing of the security modules (see MUTANTS.md for the last result). Not part of
# scripts/test.sh: a full run takes hours on 2 cores. It needs cargo-mutants:
#   cargo install cargo-mutants --locked
#
# Usage: scripts/mutants.sh [extra cargo-mutants options]
#   scripts/mutants.sh                                  # every mutant of the modules below
#   scripts/mutants.sh --file src/jose/jws.rs -F 'verify'   # re-check a few (regex on --list names)
#   scripts/mutants.sh --list                           # list the mutants, run nothing
#   MUTANTS_OUT=../mutants-run scripts/mutants.sh ...   # write mutants.out/ elsewhere
#
# cargo-mutants copies the tree (uncommitted edits included, .gitignore'd paths excluded) to a
# temporary directory, builds it once and runs the scoped tests (the baseline), then applies one
# mutation at a time: each mutant must make some test fail ("caught"), else it is "missed".
# Results: mutants.out/{outcomes.json,caught.txt,missed.txt,timeout.txt,unviable.txt} and logs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"

if ! command -v cargo-mutants >/dev/null; then
  echo "mutants: cargo-mutants is missing: cargo install cargo-mutants --locked" >&2
  exit 1
fi

# The security modules: the authority (handshake, refresh, cookie, subject records), JOSE
# (JWS, JWKS, JWT), the verified-token cache, redaction, and the browser session.
files=(
  src/authority/refresh.rs
  src/authority/mod.rs
  src/authority/handshake.rs
  src/authority/cookie.rs
  src/authority/store.rs
  src/jose/jws.rs
  src/jose/jwks.rs
  src/jose/jwt.rs
  src/verifier/cache.rs
  src/redact.rs
  src/session/mod.rs
  src/session/message.rs
)
# A --file/-f option on the command line replaces this list (to re-check one file's mutants).
file_args=()
for f in "${files[@]}"; do file_args+=(--file "$f"); done
for arg in "$@"; do
  case $arg in -f | --file | --file=*) file_args=() ;; *) ;; esac
done

# Without debug info a mutant's rebuild and link are faster; the code under test is the same.
export CARGO_PROFILE_DEV_DEBUG=0
export CARGO_PROFILE_TEST_DEBUG=0
# Dependencies (p256, sha2, hmac, serde_json) optimized: the tests' signature checks run ~5x
# faster (a baseline test run here: 24 s -> 5 s); the crate itself stays at the dev profile, so a
# mutant rebuilds in seconds. (The run builds in its own copy of the tree: the project's target/
# and its profiles are untouched.)
deps_optimized='--config=profile.dev.package."*".opt-level=3'

# One mutant at a time (-j 1), at the lowest CPU priority: the machine is shared.
# Timeouts: a mutant may loop forever; its test run is stopped after 3x the baseline's test time
# but at least 60 s (the baseline's tests take ~5 s), its build after 3x the baseline's build
# time, and it is counted as "timeout".
# Tests: the unit tests and the integration tests that exercise these modules (tests/mutants.rs
# holds the tests written to kill survivors of earlier runs); tests/tables.rs and
# tests/wycheproof.rs are slow and only test src/es256*, so they are left out.
exec nice -n 19 cargo mutants \
  ${file_args[@]+"${file_args[@]}"} \
  --gitignore=true \
  --jobs 1 \
  --timeout-multiplier 3 \
  --minimum-test-timeout 60 \
  --build-timeout-multiplier 3 \
  --output "${MUTANTS_OUT:-.}" \
  --cargo-arg="$deps_optimized" \
  --cargo-test-arg=--lib \
  --cargo-test-arg=--test=authority \
  --cargo-test-arg=--test=cache \
  --cargo-test-arg=--test=error_codes \
  --cargo-test-arg=--test=rfc_vectors \
  --cargo-test-arg=--test=mutants \
  "$@"
