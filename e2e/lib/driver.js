// The WebdriverIO setup shared by the e2e suite (e2e/wdio.conf.js) and the
// UI performance bench (bench/ui/wdio.bench.conf.js): WebdriverIO drives
// tauri-driver, which starts WebKitWebDriver and the app binary.
import { spawn } from "node:child_process";
import { basename, join } from "node:path";
import { allProcs, environ } from "./procs.js";

const targetDir = process.env.CARGO_TARGET_DIR ?? "/var/cache/catchall-target";
/** The binary under test: CATCHALL_APP, else the debug build. */
export const application = process.env.CATCHALL_APP ?? join(targetDir, "debug", "catchall-desk");

/**
 * Points the app at `dataDir`, the built-in sandbox (test pace unless set)
 * and no keyring: a run never touches a real user's data or key.
 */
export function isolateApp(dataDir) {
  process.env.CATCHALL_DATA_DIR = dataDir;
  process.env.CATCHALL_SANDBOX = "1";
  process.env.CATCHALL_SANDBOX_PACE = process.env.CATCHALL_SANDBOX_PACE ?? "test";
  process.env.CATCHALL_NO_KEYRING = "1";
}

/**
 * Ends the app processes still running on this worker's data folder. A
 * session whose driver stopped answering leaves its app behind, and the
 * next spec's app would hand itself over to it (one instance per desktop).
 */
function stopApps() {
  const dir = process.env.CATCHALL_DATA_DIR;
  if (!dir) return;
  const comm = basename(application).slice(0, 15);
  for (const p of allProcs()) {
    if (p.comm === comm && environ(p.pid).includes(`CATCHALL_DATA_DIR=${dir}`)) {
      try {
        process.kill(p.pid, "SIGTERM");
      } catch {
        // Gone already.
      }
    }
  }
}

/**
 * A WebdriverIO config for the app. `port` is tauri-driver's (its native
 * port is the next one); `beforeSessionReady` runs once tauri-driver is up,
 * just before the session (and so the app) starts.
 */
export function appConfig({
  specs,
  port,
  mochaTimeout,
  waitforTimeout,
  beforeSessionReady,
  ...rest
}) {
  let tauriDriver;
  return {
    runner: "local",
    specs,
    maxInstances: 1,
    hostname: "127.0.0.1",
    port,
    capabilities: [
      {
        maxInstances: 1,
        "tauri:options": { application },
        "wdio:enforceWebDriverClassic": true,
      },
    ],
    logLevel: "warn",
    reporters: ["spec"],
    framework: "mocha",
    mochaOpts: { ui: "bdd", timeout: mochaTimeout },
    waitforTimeout,
    beforeSession: () => {
      const args = ["--port", String(port), "--native-port", String(port + 1)];
      tauriDriver = spawn("tauri-driver", args, { stdio: [null, process.stdout, process.stderr] });
      // A worker that ends without its afterSession (a crashed session)
      // must not leave the driver holding the port for the next spec.
      process.once("exit", () => {
        tauriDriver?.kill();
        stopApps();
      });
      return new Promise((resolve) =>
        setTimeout(() => {
          beforeSessionReady?.();
          resolve();
        }, 1500),
      );
    },
    afterSession: () => {
      tauriDriver?.kill();
      stopApps();
    },
    ...rest,
  };
}
