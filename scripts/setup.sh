#!/usr/bin/env bash
# Installs what building, running and testing CatchAll Desk needs and is
# missing: Debian packages, npm packages from the lockfile, tauri-driver.
# Safe to run again: it only installs what is not there yet.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

DEB_PACKAGES=(
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev
  libssl-dev libxdo-dev build-essential file pkg-config curl
  xvfb xauth webkit2gtk-driver gnome-keyring dbus-x11 dbus-user-session libsecret-1-dev
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  step "Installing system packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js 20+ and npm are needed: install them (e.g. apt-get install nodejs npm) and run again." >&2
  exit 1
fi

# npm packages exactly as locked; only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "Installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund
fi

# tauri-driver bridges WebDriver to the app for the end-to-end test.
if [ "${NEED_TAURI_DRIVER:-0}" = 1 ] && ! command -v tauri-driver >/dev/null; then
  step "Installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi
