#!/usr/bin/env bash
# Runs every test layer of Tessera (installing what is missing first) and closes with one
# summary line: "tests: N passed, M failed". Exit status is non-zero if any layer failed.
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh || { echo "setup failed"; echo "tests: 0 passed, 1 failed"; exit 1; }
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
logs=$(mktemp -d)
passed=0
failed=0
summary=()

# layer NAME COMMAND...: runs it, counts the tests its runner reports (cargo/libtest and node
# --test formats); a failing layer that reports no failed test counts as one failure.
layer() {
  local name=$1; shift
  local log="$logs/$name.log"
  printf '\n== %s: %s\n' "$name" "$*"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local p f
  p=$( { grep -hoE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+'; grep -hoE '^# pass [0-9]+' "$log" | grep -oE '[0-9]+'; } | awk '{s+=$1} END {print s+0}')
  f=$( { grep -hoE '; [0-9]+ failed' "$log" | grep -oE '[0-9]+'; grep -hoE '^# fail [0-9]+' "$log" | grep -oE '[0-9]+'; } | awk '{s+=$1} END {print s+0}')
  p=${p:-0}; f=${f:-0}
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$status" -eq 0 ] && [ "$p" -eq 0 ]; then p=1; fi   # a check without test counts (fmt, clippy, build)
  passed=$((passed + p)); failed=$((failed + f))
  summary+=("$(printf '%-14s %s (%s passed, %s failed)' "$name" "$([ "$status" -eq 0 ] && echo ok || echo FAILED)" "$p" "$f")")
}

layer fmt cargo fmt --check
layer clippy cargo clippy --workspace --all-targets --quiet -- -D warnings
# Each role's WebAssembly build on its own (a shared helper unused by one role is caught here).
for role in session verify authority; do
  layer "clippy-$role" cargo clippy --lib --target wasm32-unknown-unknown --no-default-features --features "$role" --quiet -- -D warnings
done
layer rust cargo test --workspace --quiet
layer build ./scripts/build.sh
layer node node --test --test-reporter=tap tests/js/

printf '\n== summary\n'
printf '%s\n' "${summary[@]}"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
