# Shared settings for the scripts (sourced, not run).
# Cargo's build output lives outside the checkout so that later runs (and CI
# on the same machine) reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/catchall-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
step() { printf '\n==> %s\n' "$*"; }
