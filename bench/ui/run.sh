#!/usr/bin/env bash
# Issue 5 UI performance bench: launch to interactive, opening a
# 100,000-record job, 100-row IPC windows, scroll frame times, idle memory.
#
#   bench/ui/run.sh            # 3 runs (RUNS=n to change)
#
# Env: CARGO_TARGET_DIR (default /var/cache/catchall-target), CATCHALL_APP
# (binary to measure; default $CARGO_TARGET_DIR/debug/catchall-desk), X_RUNS
# (launches timed by the X server, without WebDriver, alternating with the
# peer: bench/launch-watch; default 10), LAUNCH_RUNS
# (launch-only runs with an empty data folder; default RUNS), PEER_RUNS
# (launch-only runs of the peer, a bare Tauri window: bench/launch-peer;
# default LAUNCH_RUNS; they alternate with ours), LAUNCH_PEER (the peer's
# binary; default $CARGO_TARGET_DIR/release/launch-peer, built when missing),
# BENCH_IDLE_LATER_MS (a second memory snapshot this long after the first;
# default 25000, 0 skips it), BENCH_STORE (a store holding a 100,000-record job; built with the CLI and
# its sandbox when missing), BENCH_OUT (results dir), BENCH_DRIVER_PORT (4544).
set -euo pipefail
# A desktop session always has a D-Bus session bus; without one, GTK's
# accessibility bridge autolaunches a bus on every start (~0.6 s here),
# which no analyst's machine pays.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null; then
  exec dbus-run-session -- "$0" "$@"
fi
# Desktop sessions also start the accessibility bus at login; without it,
# GTK's bridge starts it on the app's first run in this session, which an
# analyst's app never pays. Start it once here, outside every measured run.
if command -v dbus-send >/dev/null; then
  dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus org.a11y.Bus.GetAddress >/dev/null 2>&1 || true
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/catchall-target}"
export PATH="$HOME/.cargo/bin:$PATH"
RUNS="${RUNS:-3}"
X_RUNS="${X_RUNS:-10}"
LAUNCH_RUNS="${LAUNCH_RUNS:-$RUNS}"
PEER_RUNS="${PEER_RUNS:-$LAUNCH_RUNS}"
PEER="${LAUNCH_PEER:-$CARGO_TARGET_DIR/release/launch-peer}"
STORE="${BENCH_STORE:-/tmp/catchall-bench-store-100k}"
export BENCH_OUT="${BENCH_OUT:-/tmp/catchall-ui-bench/$(date +%Y%m%d-%H%M%S)}"
cli="$CARGO_TARGET_DIR/debug/catchall"
watch="$CARGO_TARGET_DIR/release/launch-watch"
mkdir -p "$BENCH_OUT"

if [ "$PEER_RUNS" -gt 0 ] && [ ! -x "$PEER" ]; then
  echo "== building the launch peer (a bare Tauri window)"
  (cd "$root" && cargo build --release -p launch-peer)
fi

if [ "$X_RUNS" -gt 0 ] && [ ! -x "$watch" ]; then
  echo "== building launch-watch (times a window's start from the X server)"
  (cd "$root" && cargo build --release -p launch-watch)
fi

if [ "$RUNS" -gt 0 ] && [ ! -f "$STORE/catchall.db" ]; then
  echo "== building a store with a 100,000-record sandbox job in $STORE"
  [ -x "$cli" ] || (cd "$root" && cargo build -p catchall-cli)
  log="$(mktemp)"
  "$cli" sandbox --port 0 --pace test >"$log" 2>&1 &
  sb=$!
  trap 'kill $sb 2>/dev/null || true' EXIT
  for _ in $(seq 50); do url="$(grep -m1 -o 'http://[0-9.:]*' "$log" || true)"; [ -n "$url" ] && break; sleep 0.2; done
  export CATCHALL_API_KEY=bench CATCHALL_NO_KEYRING=1
  job="$("$cli" --base-url "$url" --json submit "Series A funding rounds of fintech startups" --limit 100000 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).job_id))')"
  "$cli" --base-url "$url" wait "$job" --interval 1
  mkdir -p "$STORE"
  "$cli" --base-url "$url" export "$job" --format jsonl --out "$BENCH_OUT/job.jsonl" --data-dir "$STORE"
  rm -f "$BENCH_OUT/job.jsonl"
  kill $sb; trap - EXIT
fi

echo "== binary: ${CATCHALL_APP:-$CARGO_TARGET_DIR/debug/catchall-desk}"
[ "$PEER_RUNS" -gt 0 ] && echo "== peer: $PEER"
echo "== load before: $(cat /proc/loadavg)"
# Launch → first screen painted as the analyst sees it: no WebDriver (which
# runs the app under WebKit's automation and sends its first command only
# once the page has loaded: every WebDriver run below finds the screen
# already there), the X server's DAMAGE reports instead. The app (empty data folder, sandbox, as the
# WebDriver runs) alternates with the peer. A first launch of each, not
# counted, warms the page cache and starts the accessibility registry.
xlaunch() { # who binary run
  local data; data="$(mktemp -d /tmp/catchall-bench-data-XXXXXX)"
  local line
  line="$(CATCHALL_DATA_DIR="$data" CATCHALL_SANDBOX=1 CATCHALL_SANDBOX_PACE=test CATCHALL_NO_KEYRING=1 \
    xvfb-run -a "$watch" -- "$2" 2>>"$BENCH_OUT/xlaunch.log")" || echo "   $1 X launch $3 failed: see $BENCH_OUT/xlaunch.log"
  if [ -n "$line" ] && [ "$3" -gt 0 ]; then
    echo "{\"who\":\"$1\",\"run\":$3,${line#\{}" >>"$BENCH_OUT/xlaunch.jsonl"
  fi
  rm -rf "$data"
}
if [ "$X_RUNS" -gt 0 ]; then
  app_bin="${CATCHALL_APP:-$CARGO_TARGET_DIR/debug/catchall-desk}"
  echo "== $X_RUNS launches each of the app and the peer, timed by the X server"
  for i in $(seq 0 "$X_RUNS"); do
    xlaunch app "$app_bin" "$i"
    if [ "$PEER_RUNS" -gt 0 ]; then xlaunch peer "$PEER" "$i"; fi
  done
fi
for i in $(seq 1 "$RUNS"); do
  data="$(mktemp -d /tmp/catchall-bench-data-XXXXXX)"
  cp "$STORE"/catchall.db* "$data"/
  echo "== run $i/$RUNS (data $data)"
  (cd "$here" && BENCH_RUN="$i" BENCH_DATA_DIR="$data" xvfb-run -a "$root/node_modules/.bin/wdio" run wdio.bench.conf.js) \
    >"$BENCH_OUT/run-$i.log" 2>&1 || echo "   run $i failed: see $BENCH_OUT/run-$i.log"
  rm -rf "$data"
done
# Launch with an empty data folder (no job in the store), for comparison,
# alternating with the peer (a bare Tauri window with a static page): the
# floor of "launch → first screen usable" with this tauri and WebKitGTK.
for i in $(seq 1 "$(( LAUNCH_RUNS > PEER_RUNS ? LAUNCH_RUNS : PEER_RUNS ))"); do
  if [ "$i" -le "$LAUNCH_RUNS" ]; then
    data="$(mktemp -d /tmp/catchall-bench-data-XXXXXX)"
    echo "== launch-only run $i/$LAUNCH_RUNS with an empty data folder"
    (cd "$here" && BENCH_LAUNCH_ONLY=1 BENCH_RUN="empty-$i" BENCH_DATA_DIR="$data" xvfb-run -a "$root/node_modules/.bin/wdio" run wdio.bench.conf.js) \
      >"$BENCH_OUT/run-empty-$i.log" 2>&1 || echo "   launch-only run $i failed: see $BENCH_OUT/run-empty-$i.log"
    rm -rf "$data"
  fi
  if [ "$i" -le "$PEER_RUNS" ]; then
    data="$(mktemp -d /tmp/catchall-bench-data-XXXXXX)"
    echo "== peer launch-only run $i/$PEER_RUNS ($PEER)"
    (cd "$here" && CATCHALL_APP="$PEER" BENCH_PEER=1 BENCH_LAUNCH_ONLY=1 BENCH_RUN="peer-$i" BENCH_DATA_DIR="$data" xvfb-run -a "$root/node_modules/.bin/wdio" run wdio.bench.conf.js) \
      >"$BENCH_OUT/run-peer-$i.log" 2>&1 || echo "   peer launch-only run $i failed: see $BENCH_OUT/run-peer-$i.log"
    rm -rf "$data"
  fi
done
echo "== load after: $(cat /proc/loadavg)"
node "$here/summarize.mjs" "$BENCH_OUT" | tee "$BENCH_OUT/summary.txt"
