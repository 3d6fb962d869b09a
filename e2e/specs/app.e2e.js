import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { application } from "../lib/driver.js";
import { allProcs, appProcess, environ } from "../lib/procs.js";
import { setupBrowser } from "../lib/screen.js";

describe("CatchAll Desk", () => {
  let screen;
  before(() => {
    screen = setupBrowser(browser);
  });

  it("opens a window that shows the app", async () => {
    const heading = await screen.findByRole("heading", { level: 1, name: "CatchAll Desk" });
    expect(await heading.isDisplayed()).toBe(true);
    expect(await browser.getTitle()).toBe("CatchAll Desk");
    // The window starts hidden and is shown once its page has loaded.
    await browser.waitUntil(() => browser.execute(() => document.visibilityState === "visible"), {
      timeout: 5000,
      timeoutMsg: "the window was never shown",
    });
  });

  it("names the desktop's sans-serif directly on Linux (each family looked up delays the first paint)", async () => {
    const page = await browser.execute(() => ({
      platform: document.documentElement.dataset.platform,
      font: getComputedStyle(document.body).fontFamily,
    }));
    expect(page).toEqual({ platform: "linux", font: "sans-serif" });
  });

  it("asks for its state before its script has loaded, and uses that answer", async () => {
    // src-tauri/lib.rs EARLY_APP_INFO, taken by ui/src/lib/ipc.ts.
    const page = await browser.execute(() => ({
      asked: performance.getEntriesByName("catchall:app-info-asked")[0]?.startTime ?? null,
      scriptRan: performance.getEntriesByName("catchall:script-ran")[0]?.startTime ?? null,
      waiting: "__catchallAppInfo" in window,
    }));
    expect(page.asked).not.toBeNull();
    expect(page.scriptRan).not.toBeNull();
    expect(page.asked).toBeLessThan(page.scriptRan);
    expect(page.waiting).toBe(false);
  });

  it("starts WebKit's helpers without the API key in their environment", () => {
    // src-tauri/platform.rs take_env_key: the key given to the run stays in the app.
    const app = appProcess("catchall-desk", process.env.CATCHALL_DATA_DIR);
    expect(app).toBeDefined();
    const helpers = allProcs().filter((p) => p.ppid === app.pid && p.comm.startsWith("WebKit"));
    expect(helpers.length).toBeGreaterThan(0);
    for (const helper of helpers) {
      expect(environ(helper.pid).filter((v) => v.startsWith("CATCHALL_API_KEY="))).toEqual([]);
    }
  });

  it("writes a log to its log folder, without the key", async () => {
    const logs = join(process.env.CATCHALL_DATA_DIR, "logs");
    await browser.waitUntil(() => existsSync(logs) && readdirSync(logs).length > 0, {
      timeout: 5000,
      timeoutMsg: "no log file appeared",
    });
    const text = readdirSync(logs)
      .map((f) => readFileSync(join(logs, f), "utf8"))
      .join("\n");
    expect(text).toContain("starting, data folder");
    expect(text).not.toContain(process.env.CATCHALL_API_KEY);
  });

  it("hands a second launch over to the window that is open", async () => {
    const first = appProcess("catchall-desk", process.env.CATCHALL_DATA_DIR);
    const second = spawn(application, [], { stdio: "ignore", env: process.env });
    const code = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve("still running"), 20000);
      second.on("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    if (code === "still running") second.kill();
    expect(code).toBe(0);
    // The first is still there, and still the only one on this data folder.
    expect(appProcess("catchall-desk", process.env.CATCHALL_DATA_DIR).pid).toBe(first.pid);
    const heading = await screen.findByRole("heading", { level: 1, name: "CatchAll Desk" });
    expect(await heading.isDisplayed()).toBe(true);
  });
});
