// Performance bench of the built app (issue 5's figures), in a real window
// under Xvfb: WebdriverIO → tauri-driver → WebKitWebDriver → catchall-desk.
// Run through bench/ui/run.sh, which prepares BENCH_DATA_DIR (a copy of a
// store holding one 100,000-record job) and BENCH_OUT (where results go).
import { spawn } from "node:child_process";
import { join } from "node:path";

const targetDir = process.env.CARGO_TARGET_DIR ?? "/var/cache/catchall-target";
const application = process.env.CATCHALL_APP ?? join(targetDir, "debug", "catchall-desk");

if (!process.env.BENCH_DATA_DIR) throw new Error("BENCH_DATA_DIR is not set (use bench/ui/run.sh)");
process.env.CATCHALL_DATA_DIR = process.env.BENCH_DATA_DIR;
process.env.CATCHALL_SANDBOX = "1";
process.env.CATCHALL_SANDBOX_PACE = process.env.CATCHALL_SANDBOX_PACE ?? "test";
process.env.CATCHALL_NO_KEYRING = "1";

let tauriDriver;

export const config = {
  runner: "local",
  specs: ["./ui-bench.e2e.js"],
  maxInstances: 1,
  hostname: "127.0.0.1",
  // Not 4444/4445: the e2e suite may be running at the same time.
  port: Number(process.env.BENCH_DRIVER_PORT ?? 4544),
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
  mochaOpts: { ui: "bdd", timeout: 300000 },
  waitforTimeout: 60000,
  beforeSession: () => {
    const port = Number(process.env.BENCH_DRIVER_PORT ?? 4544);
    const args = ["--port", String(port), "--native-port", String(port + 1)];
    tauriDriver = spawn("tauri-driver", args, { stdio: [null, process.stdout, process.stderr] });
    return new Promise((resolve) =>
      setTimeout(() => {
        // Wall clock just before WebdriverIO asks for the session (which
        // starts the app process): the start of "launch to interactive".
        globalThis.__benchSessionRequestedAt = Date.now();
        resolve();
      }, 1500),
    );
  },
  afterSession: () => {
    tauriDriver?.kill();
  },
};
