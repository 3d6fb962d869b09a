#!/usr/bin/env bash
# Sets up and runs every check and test of CatchAll Desk: formatting and
# lints (Rust and UI), all Rust tests (keyring tests against a real Secret
# Service), the bindings drift check, Vitest, and the end-to-end test of the
# built app in a real window (Xvfb + tauri-driver + WebKitWebDriver).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
NEED_TAURI_DRIVER=1 "$ROOT/scripts/setup.sh"
export PATH="$HOME/.cargo/bin:$PATH"

step "UI: build (the app embeds it)"
npm run --silent build

step "Rust: format"
cargo fmt --all --check

step "Rust: clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "UI: Biome, tsc"
npx biome ci ui e2e
npm run --silent typecheck

step "UI: Vitest"
npm run --silent test

step "Rust: tests (with a real Secret Service in a private D-Bus session)"
"$ROOT/scripts/with-keyring.sh" cargo test --workspace --locked

step "End to end: the built app in a real window"
cargo build -p catchall-desk --locked
# In a D-Bus session, as on a desktop (a second launch finds the first through it).
xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- npm run --silent e2e
