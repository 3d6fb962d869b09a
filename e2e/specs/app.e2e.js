import { existsSync, readdirSync } from "node:fs";
import { allProcs, appProcess, environ, mappedFiles } from "../lib/procs.js";
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

  it("loads its web extension, so the page can collect its garbage in full", async () => {
    // src-tauri/web_extension, written out and named to WebKit at start.
    expect(await browser.execute(() => typeof window.__catchallReleaseMemory)).toBe("function");
    await browser.execute(() => window.__catchallReleaseMemory());
    const heading = await screen.findByRole("heading", { level: 1, name: "CatchAll Desk" });
    expect(await heading.isDisplayed()).toBe(true);
    // Every page load gets it again (WebKit clears the window object).
    await browser.refresh();
    await screen.findByRole("heading", { level: 1, name: "CatchAll Desk" });
    expect(await browser.execute(() => typeof window.__catchallReleaseMemory)).toBe("function");
  });

  it("starts WebKit's helper processes with flite's time voice loaded first, when WebKit links it", () => {
    // src-tauri/helper_preload.rs and build.rs link_order.
    const app = appProcess("catchall-desk", process.env.CATCHALL_DATA_DIR);
    expect(app).toBeDefined();
    const helpers = allProcs().filter((p) => p.ppid === app.pid && p.comm.startsWith("WebKit"));
    expect(helpers.map((p) => p.comm).sort()).toEqual(["WebKitNetworkPr", "WebKitWebProces"]);
    const flite = mappedFiles(app.pid).find((path) => /\/libflite_cmu_time_awb\.so\./.test(path));
    for (const helper of helpers) {
      const preload = environ(helper.pid).find((v) => v.startsWith("LD_PRELOAD="));
      // With flite, its file first; without it, the environment untouched.
      expect(preload).toBe(flite ? `LD_PRELOAD=${flite}` : undefined);
    }
  });

  it("keeps GL out of its own process on a machine without a render device", async function () {
    // src-tauri/lib.rs platform_defaults: no EGL (Mesa, LLVM) in the UI process.
    if (existsSync("/dev/dri") && readdirSync("/dev/dri").some((f) => f.startsWith("renderD")))
      this.skip();
    const app = appProcess("catchall-desk", process.env.CATCHALL_DATA_DIR);
    expect(app).toBeDefined();
    const gl = mappedFiles(app.pid).filter((path) =>
      /\/(libEGL_mesa|libLLVM|swrast_dri)[^/]*$/.test(path),
    );
    expect([...new Set(gl)]).toEqual([]);
    // The page is painted all the same.
    const heading = await screen.findByRole("heading", { level: 1, name: "CatchAll Desk" });
    expect(await heading.isDisplayed()).toBe(true);
  });
});
