// One hostile record blocks nothing (issue 25): a job whose records hold a
// 10 MB text value and 10,000 fields (stored before the app starts, see
// wdio.conf.js and lib/hostile.js). Opening and scrolling the record panel
// keeps every frame within 50 ms, and the page's process stays under 400 MB.
//
// Not in the default suite (specs/): on this 2-core machine without a GPU
// some frames still pass 50 ms (figures in bench/README.md, issue 25). Run it
// with `npx wdio run e2e/wdio.conf.js --spec e2e/hostile/hostile.e2e.js`
// (needs the command line built: `cargo build -p catchall-cli`). The test
// names the step of each long frame.
import { readFileSync } from "node:fs";
import { HOSTILE_QUERY } from "../lib/hostile.js";
import { allProcs, appProcess } from "../lib/procs.js";
import { setupBrowser, within } from "../lib/screen.js";

const SLOW = { timeout: 90000 };
const FRAME_MS = 50;
const PAGE_MB = 400;

/** Starts recording the intervals between animation frames in the page. */
function startFrames() {
  return browser.execute(() => {
    const w = window;
    w.__frames = [];
    w.__framesOn = true;
    w.__step = "start";
    let last = performance.now();
    const tick = (t) => {
      w.__frames.push([t - last, w.__step]);
      last = t;
      if (w.__framesOn) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** Stops recording; the longest interval and how many frames there were. */
async function stopFrames() {
  // Two more frames, so that work still under way shows in an interval.
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return browser.execute(() => {
    const w = window;
    w.__framesOn = false;
    const longest = Math.max(...w.__frames.map((f) => f[0]));
    const by = {};
    for (const [ms, step] of w.__frames) by[step] = Math.max(by[step] ?? 0, Math.round(ms));
    return { longest, count: w.__frames.length, by };
  });
}

/** Names what the page is doing now, for the frame report. */
function step(name) {
  return browser.execute((n) => {
    window.__step = n;
  }, name);
}

/** Scrolls the element down in steps, one per frame, and back to the top. */
function scrollThrough(el) {
  return browser.executeAsync((e, done) => {
    let step = 0;
    const go = () => {
      step += 1;
      e.scrollTop = step <= 20 ? (e.scrollHeight * step) / 20 : 0;
      if (step <= 20) requestAnimationFrame(go);
      else requestAnimationFrame(() => done());
    };
    requestAnimationFrame(go);
  }, el);
}

/** Resident and proportional memory (MB) of the app's web page process. */
function pageMemory() {
  const app = appProcess("catchall-desk", process.env.CATCHALL_DATA_DIR);
  const web = allProcs().filter((p) => p.ppid === app?.pid && p.comm.startsWith("WebKitWebProc"));
  expect(web.length).toBe(1);
  const kb = (file, field) =>
    Number(
      readFileSync(`/proc/${web[0].pid}/${file}`, "utf8").match(
        new RegExp(`${field}:\\s+(\\d+)`),
      )[1],
    );
  return { rss: kb("status", "VmRSS") / 1024, pss: kb("smaps_rollup", "Pss") / 1024 };
}

describe("A hostile record in the record panel", () => {
  let screen;
  before(() => {
    screen = setupBrowser(browser);
  });

  it("opens the job the command line stored", async () => {
    // A fresh data folder may still ask where to start.
    await browser.waitUntil(
      async () =>
        (await screen.queryAllByRole("button", { name: /^(Try the sandbox|Jobs)$/ })).length > 0,
      { ...SLOW, timeoutMsg: "the app never showed its first screen" },
    );
    const welcome = await screen.queryAllByRole("button", { name: "Try the sandbox" });
    if (welcome.length > 0) await welcome[0].click();
    await (await screen.findByRole("button", { name: "Jobs" }, SLOW)).click();
    await (await screen.findByRole("button", { name: `Open job: ${HOSTILE_QUERY}` }, SLOW)).click();
    await screen.findByRole("table", { name: "Records" }, SLOW);
    await screen.findByRole("button", { name: "Hostile: one huge value" }, SLOW);
  });

  it("shows a 10 MB value a screenful at a time, every frame within 50 ms", async () => {
    await startFrames();
    await step("open");
    await (await screen.findByRole("button", { name: "Hostile: one huge value" })).click();
    const dialog = await screen.findByRole("dialog", { name: "Hostile: one huge value" }, SLOW);
    const showAll = await within(dialog).findByRole(
      "button",
      { name: /^Show all \(10,485,760 characters\)$/ },
      SLOW,
    );
    await step("scroll");
    await scrollThrough(dialog);
    await step("show all");
    await showAll.click();
    await within(dialog).findByRole(
      "button",
      { name: /^Show more \([\d,]+ characters left\)$/ },
      SLOW,
    );
    await step("scroll after show all");
    await scrollThrough(dialog);
    const frames = await stopFrames();
    await (await within(dialog).findByRole("button", { name: "Close" })).click();
    await browser.waitUntil(async () => (await screen.queryAllByRole("dialog")).length === 0);
    expect(frames.count).toBeGreaterThan(20);
    // The steps with a frame over the bound, and how long it was.
    expect(Object.entries(frames.by).filter(([, ms]) => ms > FRAME_MS)).toEqual([]);
  });

  it("shows 10,000 fields in steps, every frame within 50 ms", async () => {
    await startFrames();
    await step("open");
    await (await screen.findByRole("button", { name: "Hostile: ten thousand fields" })).click();
    const dialog = await screen.findByRole(
      "dialog",
      { name: "Hostile: ten thousand fields" },
      SLOW,
    );
    const more = await within(dialog).findByRole("button", { name: /^Show 200 more fields/ }, SLOW);
    await step("scroll");
    await scrollThrough(dialog);
    await step("more fields");
    await more.click();
    await within(dialog).findByText(/^field.00300$/i);
    await step("scroll after more");
    await scrollThrough(dialog);
    const frames = await stopFrames();
    await (await within(dialog).findByRole("button", { name: "Close" })).click();
    await browser.waitUntil(async () => (await screen.queryAllByRole("dialog")).length === 0);
    expect(frames.count).toBeGreaterThan(20);
    // The steps with a frame over the bound, and how long it was.
    expect(Object.entries(frames.by).filter(([, ms]) => ms > FRAME_MS)).toEqual([]);
  });

  it("keeps the page's process under 400 MB", async () => {
    const mem = pageMemory();
    console.log("page process memory (MB)", JSON.stringify(mem));
    expect(Math.round(mem.pss)).toBeLessThan(PAGE_MB);
    expect(Math.round(mem.rss)).toBeLessThan(PAGE_MB);
  });
});
