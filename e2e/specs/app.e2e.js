import { readdirSync, readFileSync } from "node:fs";
import { setupBrowser } from "../lib/screen.js";

// The processes of the app under test: found by the data folder driver.js
// gave it, then its children.
function procs() {
  const out = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const env = readFileSync(`/proc/${d}/environ`, "utf8").split("\0");
      out.push({ pid: Number(d), ppid, comm: readFileSync(`/proc/${d}/comm`, "utf8").trim(), env });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

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
    const all = procs();
    const app = all.find(
      (p) =>
        p.comm === "catchall-desk" &&
        p.env.includes(`CATCHALL_DATA_DIR=${process.env.CATCHALL_DATA_DIR}`),
    );
    expect(app).toBeDefined();
    const helpers = all.filter((p) => p.ppid === app.pid && p.comm.startsWith("WebKit"));
    expect(helpers.map((p) => p.comm).sort()).toEqual(["WebKitNetworkPr", "WebKitWebProces"]);
    const flite = readFileSync(`/proc/${app.pid}/maps`, "utf8")
      .split("\n")
      .map((l) => l.split(/\s+/)[5] ?? "")
      .find((path) => /\/libflite_cmu_time_awb\.so\./.test(path));
    for (const helper of helpers) {
      const preload = helper.env.find((v) => v.startsWith("LD_PRELOAD="));
      // With flite, its file first; without it, the environment untouched.
      expect(preload).toBe(flite ? `LD_PRELOAD=${flite}` : undefined);
    }
  });
});
