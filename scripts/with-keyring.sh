#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked
# gnome-keyring (Secret Service) whose files live in a temporary folder, so
# tests use a real keyring without touching the user's.
set -euo pipefail
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" HOME_KEYRING_TMP="$tmp"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
exec dbus-run-session -- bash -c '
  echo -n catchall-test | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
  kr=$!
  for _ in $(seq 1 50); do
    if busctl --user status org.freedesktop.secrets >/dev/null 2>&1 || gdbus introspect --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  export CATCHALL_KEYRING_TEST=1
  "$@"; rc=$?
  kill $kr 2>/dev/null || true
  exit $rc
' bash "$@"
