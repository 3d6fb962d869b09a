#!/usr/bin/env bash
# Builds the installable Debian package (.deb) of CatchAll Desk.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
step "Building the release .deb"
npx tauri build --bundles deb
ls -l "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb
