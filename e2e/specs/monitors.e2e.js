// Monitors (issue 20) in the built-in sandbox at test pace, where a day
// passes in about 3 s: finish a job → monitor it → see two runs arrive →
// new records marked → export only the new ones.
import { existsSync, readFileSync } from "node:fs";
import { setupBrowser, within } from "../lib/screen.js";

const QUERY = "Acquisitions of data-center operators in Europe";
const SLOW = { timeout: 90000 };

describe("A monitor made from a finished job", () => {
  let screen;
  before(() => {
    screen = setupBrowser(browser);
  });

  it("finishes a job", async () => {
    // A fresh data folder (a retried spec) starts with the first-run choice.
    const seen = async (role, name) => (await screen.queryAllByRole(role, { name })).length > 0;
    await browser.waitUntil(
      async () => (await seen("heading", "Welcome")) || (await seen("button", "Compose")),
      { timeout: 60000, timeoutMsg: "the app did not show its first screen" },
    );
    if (await seen("heading", "Welcome")) {
      await (await screen.findByRole("button", { name: "Try the sandbox" })).click();
    }
    await (await screen.findByRole("button", { name: "Compose" })).click();
    await (await screen.findByLabelText("Query")).setValue(QUERY);
    await (await screen.findByLabelText("Maximum records")).setValue("20");
    await (await screen.findByRole("button", { name: /^Start job/ })).click();
    await screen.findByText("Status: Completed", {}, SLOW);
  });

  it("monitors it every day, at 20 records a run", async () => {
    await (await screen.findByRole("button", { name: "Monitor this query" }, SLOW)).click();
    const dialog = await screen.findByRole("dialog", { name: "Monitor this query" });
    await (await within(dialog).findByRole("radio", { name: "Every day at 9:00" })).click();
    const limit = await within(dialog).findByRole("spinbutton", { name: /Records per run/ });
    await limit.setValue("20");
    await (await within(dialog).findByRole("button", { name: "Create monitor" })).click();
    await screen.findByText(/^Monitor created: Every day at 09:00/, {}, SLOW);
    await (await screen.findByRole("button", { name: "Open Monitors" })).click();
    const list = await screen.findByRole("table", { name: "Monitors" }, SLOW);
    await (await within(list).findByRole("button", { name: QUERY })).click();
  });

  it("sees two runs arrive, their records marked new", async () => {
    const runs = await screen.findByRole("list", { name: "Runs" }, SLOW);
    await browser.waitUntil(
      async () => (await within(runs).queryAllByRole("listitem")).length >= 2,
      {
        timeout: 60000,
        timeoutMsg: "two runs did not arrive",
      },
    );
    // The records are in the same table as a job's, marked "new" until looked at.
    const table = await screen.findByRole("table", { name: "Records" }, SLOW);
    const marked = async () => (await within(table).queryAllByText("new")).length;
    await browser.waitUntil(async () => (await marked()) > 0, {
      timeout: 60000,
      timeoutMsg: "no record was marked new",
    });
    // The run each record first appeared in is a column of its own.
    const header = await within(table).findByRole("columnheader", { name: /First seen run/ });
    expect(header).toBeTruthy();
    await browser.waitUntil(async () => (await within(table).queryAllByText("Run 1")).length > 0, {
      timeout: 30000,
      timeoutMsg: "no record shows the run it first appeared in",
    });
    // Looked at: nothing is new, until the next run brings some.
    await (await screen.findByRole("button", { name: "Mark all as seen" })).click();
    await screen.findByText(/, 0 new since you last looked\.$/, {}, SLOW);
    await browser.waitUntil(async () => (await marked()) === 0, {
      timeout: 30000,
      timeoutMsg: "records stayed marked new after marking them seen",
    });
    await screen.findByText(/, [1-9]\d* new since you last looked\.$/, {}, SLOW);
    await (await screen.findByRole("checkbox", { name: "New since I last looked" })).click();
    await browser.waitUntil(async () => (await marked()) > 0, {
      timeout: 60000,
      timeoutMsg: "the filter showed no new records",
    });
    // Only new ones: every row shown carries the mark.
    await browser.waitUntil(
      async () => (await marked()) === (await within(table).queryAllByRole("row")).length - 1,
      { timeout: 30000, timeoutMsg: "a record not new was shown with the filter on" },
    );
  });

  it("exports only the new records, with the run each first appeared in", async () => {
    await (await screen.findByRole("button", { name: "Export only new" })).click();
    const done = await screen.findByText(/^Exported \d+ records to /, {}, SLOW);
    const [, count, path] = (await done.getText()).match(/^Exported (\d+) records to (.+)\.$/);
    expect(Number(count)).toBeGreaterThan(0);
    expect(path.startsWith(process.env.CATCHALL_EXPORT_DIR)).toBe(true);
    expect(existsSync(path)).toBe(true);
    const header = readFileSync(path, "utf8")
      .replace(/^\uFEFF/, "")
      .split("\n")[0];
    expect(header.startsWith("record_id,record_title,first_seen_run,first_seen_at")).toBe(true);
  });
});
