// The analyst's review (issue 22) in the built-in sandbox at test pace:
// review five records by keyboard → filter accepted → export accepted only
// (to CATCHALL_EXPORT_DIR, then read the file) → run the job again and
// compare the two runs.
import { readFileSync } from "node:fs";
import { setupBrowser, within } from "../lib/screen.js";

const QUERY = "Acquisitions of European battery makers";
const SLOW = { timeout: 90000 };
const REVIEWED = 5;

/** RFC 4180 CSV → rows of fields (quoted fields may hold commas, quotes, newlines). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Numbers in a line like "0 same · 2 changed · 18 new · 20 gone". */
function comparisonCounts(text) {
  const n = (word) =>
    Number((text.match(new RegExp(`([\\d,]+) ${word}`)) ?? [])[1]?.replace(/,/g, ""));
  return { same: n("same"), changed: n("changed"), new: n("new"), gone: n("gone") };
}

describe("An analyst's review of a job", () => {
  let screen;
  let firstCount = 0;
  before(() => {
    screen = setupBrowser(browser);
  });

  const startJob = async () => {
    await (await screen.findByRole("button", { name: /^Start job/ })).click();
    await screen.findByText("Status: Completed", {}, SLOW);
  };

  const recordsTable = () => screen.findByRole("table", { name: "Records" }, SLOW);

  /** Data rows of the records table (the header row left out). */
  const dataRows = async () => (await within(await recordsTable()).findAllByRole("row")).slice(1);

  it("runs a job in the sandbox", async () => {
    await screen.findByRole("heading", { name: "Welcome" });
    await (await screen.findByRole("button", { name: "Try the sandbox" })).click();
    await (await screen.findByLabelText("Query")).setValue(QUERY);
    await (await screen.findByLabelText("Maximum records")).setValue("20");
    await startJob();
    await browser.waitUntil(async () => (await dataRows()).length > REVIEWED, SLOW);
  });

  it("reviews five records by keyboard", async () => {
    // The keys go to the table's scrolling area, as a person's would once
    // they had clicked into the table.
    const table = await recordsTable();
    await browser.execute((t) => t.closest("[tabindex]").focus(), table);
    for (let i = 0; i < REVIEWED; i++) {
      // a: accept the current record; j: on to the next unreviewed one.
      await browser.keys("a");
      await browser.keys("j");
    }
    await screen.findByText(
      new RegExp(`^${REVIEWED} of \\d+ reviewed · ${REVIEWED} accepted`),
      {},
      SLOW,
    );
    const accepted = [];
    for (const row of await dataRows()) {
      if ((await within(row).queryAllByText("Accepted")).length > 0) accepted.push(row);
    }
    expect(accepted.length).toBe(REVIEWED);
  });

  it("filters the table to the accepted records", async () => {
    await (await screen.findByLabelText("Show")).selectByVisibleText("Accepted");
    await browser.waitUntil(async () => (await dataRows()).length === REVIEWED, {
      ...SLOW,
      timeoutMsg: "the table never showed just the accepted records",
    });
    for (const row of await dataRows()) {
      expect((await within(row).queryAllByText("Accepted")).length).toBeGreaterThan(0);
    }
    await (await screen.findByLabelText("Show")).selectByVisibleText("All records");
    await browser.waitUntil(async () => (await dataRows()).length > REVIEWED, SLOW);
  });

  it("exports the accepted records only, with their review", async () => {
    const exportSection = await screen.findByRole("region", { name: "Export" });
    await (await within(exportSection).findByLabelText("Accepted only")).click();
    await (await within(exportSection).findByRole("button", { name: "Export CSV" })).click();
    const status = await within(exportSection).findByText(/^Saved \d+ records/, {}, SLOW);
    const text = await status.getText();
    expect(text).toMatch(new RegExp(`^Saved ${REVIEWED} records`));
    // The app writes to CATCHALL_EXPORT_DIR (set by wdio.conf.js) without a dialog.
    const path = text.match(/ to (\/.+\.csv)\.$/)[1];
    expect(path.startsWith(process.env.CATCHALL_EXPORT_DIR)).toBe(true);
    const [header, ...rows] = parseCsv(readFileSync(path, "utf8").replace(/^\uFEFF/, "")).filter(
      (r) => r.length > 1,
    );
    expect(rows.length).toBe(REVIEWED);
    const review = header.indexOf("review");
    expect(review).toBeGreaterThan(-1);
    expect(header).toEqual(expect.arrayContaining(["review", "starred", "note", "reviewed_at"]));
    for (const r of rows) expect(r[review]).toBe("accepted");
  });

  it("runs the job again and compares the two runs", async () => {
    firstCount = (await dataRows()).length;
    await (await screen.findByRole("button", { name: "Jobs" })).click();
    await (
      await screen.findByRole("button", { name: `Run again with edits: ${QUERY}` }, SLOW)
    ).click();
    await browser.waitUntil(
      async () => (await (await screen.findByLabelText("Query")).getValue()) === QUERY,
      { timeoutMsg: "the composer never got the job's query" },
    );
    await startJob();
    await browser.waitUntil(async () => (await dataRows()).length > 0, SLOW);
    const secondCount = (await dataRows()).length;

    const compare = await screen.findByRole("region", { name: "Compare with an earlier run" });
    const earlier = await within(compare).findByLabelText("Earlier run");
    await browser.waitUntil(async () => (await earlier.$$("option")).length > 1, SLOW);
    await earlier.selectByIndex(1);
    await (await within(compare).findByRole("button", { name: "Compare" })).click();
    const summary = await within(compare).findByText(/ same · .* gone/, {}, SLOW);
    const c = comparisonCounts(await summary.getText());
    // Every record of each run is accounted for once.
    expect(c.same + c.changed + c.gone).toBe(firstCount);
    expect(c.same + c.changed + c.new).toBe(secondCount);
    const diff = await within(compare).findByRole("table", { name: "Differences" });
    const shown = (await within(diff).findAllByRole("row")).length - 1;
    expect(shown).toBe(Math.min(c.changed + c.new + c.gone, 200));
  });
});
