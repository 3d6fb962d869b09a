// End-to-end test of the built app in a real window: WebdriverIO drives
// tauri-driver, which starts WebKitWebDriver and the app binary.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const targetDir = process.env.CARGO_TARGET_DIR ?? "/var/cache/catchall-target";
const application = process.env.CATCHALL_APP ?? join(targetDir, "debug", "catchall-desk");

// The app under test gets a fresh data folder, the built-in sandbox at test
// pace, and no keyring: it must never touch a real user's data or key.
const dataDir = mkdtempSync(join(tmpdir(), "catchall-e2e-"));
process.env.CATCHALL_DATA_DIR = dataDir;
process.env.CATCHALL_SANDBOX = "1";
process.env.CATCHALL_SANDBOX_PACE = process.env.CATCHALL_SANDBOX_PACE ?? "test";
process.env.CATCHALL_NO_KEYRING = "1";

let tauriDriver;

export const config = {
  runner: "local",
  specs: ["./specs/**/*.e2e.js"],
  maxInstances: 1,
  hostname: "127.0.0.1",
  port: 4444,
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
  mochaOpts: { ui: "bdd", timeout: 120000 },
  waitforTimeout: 20000,
  beforeSession: () => {
    tauriDriver = spawn("tauri-driver", [], { stdio: [null, process.stdout, process.stderr] });
    return new Promise((resolve) => setTimeout(resolve, 1500));
  },
  // A screenshot of every failing test, to see what the window showed.
  afterTest: async (test, _context, { passed }) => {
    if (passed) return;
    const dir = process.env.E2E_SHOTS ?? join(tmpdir(), "catchall-e2e-shots");
    mkdirSync(dir, { recursive: true });
    const name = `${test.parent} - ${test.title}`.replace(/[^\w.-]+/g, "_").slice(0, 120);
    await browser.saveScreenshot(join(dir, `${name}.png`));
  },
  afterSession: () => {
    tauriDriver?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  },
};
