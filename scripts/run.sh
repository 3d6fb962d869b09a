#!/usr/bin/env bash
# Sets up and starts CatchAll Desk. Without a stored API key it opens in the
# built-in sandbox. Extra arguments go to the app.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
step "Building the interface"
npm run --silent build
step "Building and starting the app"
exec cargo run -p catchall-desk -- "$@"
