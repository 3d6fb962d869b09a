// End-to-end test of the built app in a real window (see lib/driver.js).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appConfig, isolateApp } from "./lib/driver.js";

// A fresh data folder for every run.
const dataDir = mkdtempSync(join(tmpdir(), "catchall-e2e-"));
isolateApp(dataDir);

const base = appConfig({
  specs: ["./specs/**/*.e2e.js"],
  port: 4444,
  mochaTimeout: 120000,
  waitforTimeout: 20000,
  // A screenshot of every failing test, to see what the window showed.
  afterTest: async (test, _context, { passed }) => {
    if (passed) return;
    const dir = process.env.E2E_SHOTS ?? join(tmpdir(), "catchall-e2e-shots");
    mkdirSync(dir, { recursive: true });
    const name = `${test.parent} - ${test.title}`.replace(/[^\w.-]+/g, "_").slice(0, 120);
    await browser.saveScreenshot(join(dir, `${name}.png`));
  },
});

export const config = {
  ...base,
  afterSession: () => {
    base.afterSession();
    rmSync(dataDir, { recursive: true, force: true });
  },
};
