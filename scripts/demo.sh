#!/usr/bin/env bash
# Installs what is missing, builds pkg/, and runs the demo worker in workerd on
# http://127.0.0.1:8787 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"
./scripts/build.sh
exec node www/serve.mjs
