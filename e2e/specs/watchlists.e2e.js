// Following companies (issue 21), in the sandbox at test pace: upload a
// watchlist from a CSV (CATCHALL_IMPORT_FILE stands in for the file
// dialog), run a job about it, filter the results by one company, export.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { recordCount, replaceValue, setupBrowser, within } from "../lib/screen.js";

const SLOW = { timeout: 90000 };
const NAME = "E2E portfolio";

describe("A watchlist of companies", () => {
  let screen;
  before(() => {
    screen = setupBrowser(browser);
  });

  it("uploads a CSV after a preview of what will be skipped", async () => {
    const welcome = await screen.queryAllByRole("heading", { name: "Welcome" });
    if (welcome.length > 0) {
      await (await screen.findByRole("button", { name: "Try the sandbox" })).click();
    }
    await (await screen.findByRole("button", { name: "Watchlists" })).click();
    await screen.findByRole("heading", { name: "Watchlists" });
    await (await screen.findByRole("button", { name: "New watchlist from a CSV file" })).click();
    await (await screen.findByRole("button", { name: "Choose a CSV file…" })).click();
    const table = await screen.findByRole("table", { name: "Companies to upload" });
    expect(await (await within(table).findByText("Acme, Inc.")).isDisplayed()).toBe(true);
    const skipped = await screen.findByRole("list", { name: "Rows that will be skipped" });
    expect(await skipped.getText()).toContain("Row 4");
    await replaceValue(await screen.findByLabelText("Name"), NAME);
    await (await screen.findByRole("button", { name: "Upload watchlist" })).click();
    await screen.findByText(/the service added 3 companies/, {}, SLOW);
    await (await screen.findByRole("button", { name: "Close" })).click();
    const list = await screen.findByRole("list", { name: "Your watchlists" });
    // The sandbox has two sample watchlists; this one is ready once looked up.
    await browser.waitUntil(async () => {
      for (const item of await within(list).findAllByRole("listitem")) {
        const text = await item.getText();
        if (text.includes(NAME)) return text.includes("Ready to use");
      }
      return false;
    }, SLOW);
  });

  it("runs a job about the watchlist's companies", async () => {
    await (await screen.findByRole("button", { name: "Compose" })).click();
    await screen.findByRole("heading", { name: "New job" });
    await replaceValue(
      await screen.findByLabelText("Query"),
      "Lawsuits against our portfolio companies",
    );
    await (await screen.findByRole("button", { name: "Choose watchlists" })).click();
    await (await screen.findByRole("checkbox", { name: NAME }, SLOW)).click();
    await replaceValue(await screen.findByLabelText("Maximum records"), "20");
    await (await screen.findByRole("button", { name: /^Start job/ })).click();
    await screen.findByText("Status: Completed", {}, SLOW);
  });

  it("shows each record's companies as chips with their relevance", async () => {
    const table = await screen.findByRole("table", { name: "Records" }, SLOW);
    await within(table).findAllByRole("row", {}, SLOW);
    // Pinned, the column is in view whatever the window's width.
    await (await screen.findByText(/^Columns/)).click();
    await (await screen.findByRole("checkbox", { name: "Pin Companies" })).click();
    await browser.keys(["Escape"]);
    await (await screen.findByRole("columnheader", { name: /Companies/ }, SLOW)).isDisplayed();
    const chips = await within(table).findAllByRole("list", { name: "Matched companies" }, SLOW);
    expect(chips.length).toBeGreaterThan(0);
    // A chip names a company of this watchlist and its relevance, in words.
    const words = await within(chips[0]).findAllByRole("listitem");
    expect(await words[0].getText()).toMatch(/^(Acme, Inc\.|Globex|Initech)/);
  });

  it("filters the results by one company and exports them", async () => {
    const before = await recordCount(screen);
    await (await screen.findByText(/^Filter by column/)).click();
    await (await screen.findByLabelText("Column")).selectByAttribute("value", "Connected entities");
    const values = await screen.findByRole("group", { name: "Companies: one of" }, SLOW);
    // The value list counts the records naming each company.
    await (await within(values).findByRole("checkbox", { name: /^Globex/ })).click();
    await (await screen.findByRole("button", { name: "Apply filter" })).click();
    const chips = await screen.findByRole("list", { name: "Filters" }, SLOW);
    await within(chips).findByText("Companies: Globex");
    // Fewer records: only those that name the company.
    await browser.waitUntil(async () => (await recordCount(screen)) < before, SLOW);
    const kept = await recordCount(screen);
    expect(kept).toBeGreaterThan(0);
    await (await screen.findByRole("radio", { name: /Only what the table shows/ })).click();
    await (await screen.findByRole("button", { name: "Export CSV" })).click();
    const saved = await screen.findByText(/^Saved \d+ records/, {}, SLOW);
    const records = Number((await saved.getText()).match(/^Saved (\d+) records/)[1]);
    expect(records).toBe(kept);
    const dir = process.env.CATCHALL_EXPORT_DIR;
    const files = readdirSync(dir).filter((f) => f.endsWith(".csv"));
    expect(files.length).toBe(1);
    // The export carries the companies, their relevance and association.
    const text = readFileSync(join(dir, files[0]), "utf8");
    const head = text.split(/\r?\n/)[0].split(",");
    expect(head).toEqual(
      expect.arrayContaining(["entities", "entity_relevance", "entity_association"]),
    );
    // Each exported record names the company (in its entities column).
    expect(text.split("Globex").length - 1).toBeGreaterThanOrEqual(records);
  });
});
