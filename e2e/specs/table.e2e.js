// The results table analysts live in (issue 24), in the sandbox at test
// pace: filter by a number range and by a value (shown as chips), move
// columns by keyboard and by dragging a header, leave and reopen the job to
// find the view and the order kept, export the view and find only its rows
// and visible columns, in their order, in the file.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { recordCount, replaceValue, setupBrowser, within } from "../lib/screen.js";

const QUERY = "Series B funding rounds of fintech startups";
const SLOW = { timeout: 90000 };

/** The table's column headers' names, in order (the full name is the title). */
async function headerOrder(screen) {
  const table = await screen.findByRole("table", { name: "Records" });
  const names = [];
  for (const th of await within(table).findAllByRole("columnheader"))
    names.push((await th.getAttribute("title")) || (await th.getText()));
  return names;
}

describe("The results table", () => {
  let screen;
  let total;
  let filtered;
  let chipWords;
  let order;
  before(() => {
    screen = setupBrowser(browser);
  });

  it("runs a funding job with number and option fields", async () => {
    const welcome = await screen.queryAllByRole("heading", { name: "Welcome" });
    if (welcome.length > 0) {
      await (await screen.findByRole("button", { name: "Try the sandbox" })).click();
    }
    await (await screen.findByRole("button", { name: "Compose" })).click();
    await screen.findByRole("heading", { name: "New job" });
    await replaceValue(await screen.findByLabelText("Query"), QUERY);
    await (await screen.findByRole("button", { name: "Get suggestions" })).click();
    await screen.findByLabelText("Name of enrichment 1", {}, SLOW);
    await replaceValue(await screen.findByLabelText("Maximum records"), "60");
    await (await screen.findByRole("button", { name: /^Start job/ })).click();
    await screen.findByText("Status: Completed", {}, SLOW);
    await screen.findByRole("table", { name: "Records" }, SLOW);
    total = await recordCount(screen);
    expect(total).toBeGreaterThan(10);
  });

  it("filters by a number range and by a value, shown as chips", async () => {
    await (await screen.findByText(/^Filter by column/)).click();
    const column = await screen.findByLabelText("Column");
    await column.selectByAttribute("value", "funding_amount_usd_millions");
    await replaceValue(await screen.findByLabelText(/^Smallest /), "100");
    await replaceValue(await screen.findByLabelText(/^Largest /), "800");
    await (await screen.findByRole("button", { name: "Apply filter" })).click();
    const chips = await screen.findByRole("list", { name: "Filters" }, SLOW);
    await within(chips).findByText(/: 100 to 800$/);
    await browser.waitUntil(async () => (await recordCount(screen)) < total, SLOW);

    await (await screen.findByText(/^Filter by column/)).click();
    await (await screen.findByLabelText("Column")).selectByAttribute("value", "funding_stage");
    const values = await screen.findByRole("group", { name: /: one of$/ }, SLOW);
    const boxes = await within(values).findAllByRole("checkbox");
    await boxes[0].click();
    await (await screen.findByRole("button", { name: "Apply filter" })).click();
    const items = await within(chips).findAllByRole("listitem");
    expect(items.length).toBeGreaterThanOrEqual(2);
    const withRange = await recordCount(screen);
    await browser.waitUntil(async () => (await recordCount(screen)) <= withRange, SLOW);
    filtered = await recordCount(screen);
    chipWords = await (await screen.findByRole("list", { name: "Filters" })).getText();
  });

  it("moves columns by Alt+Arrow on a header and by dragging one", async () => {
    const table = await screen.findByRole("table", { name: "Records" });
    const before = await headerOrder(screen);
    expect(before.slice(0, 5)).toEqual([
      "Review",
      "Title",
      "Company",
      "Funding amount usd millions",
      "Funding stage",
    ]);
    const stage = await within(table).findByRole("columnheader", { name: /^Funding stage/ });
    await browser.execute((b) => b.focus(), await within(stage).findByRole("button"));
    await browser.keys(["Alt", "ArrowLeft"]);
    await screen.findByText(/^Funding stage is now column 3 of \d+\.$/);
    expect((await headerOrder(screen)).slice(3, 5)).toEqual([
      "Funding stage",
      "Funding amount usd millions",
    ]);
    // Dragged onto the left half of Company: it lands before it.
    const company = await within(table).findByRole("columnheader", { name: /^Company/ });
    const { width } = await company.getSize();
    await browser
      .action("pointer", { parameters: { pointerType: "mouse" } })
      .move({ origin: await within(stage).findByRole("button") })
      .down()
      .move({ origin: "pointer", x: -12, y: 0 })
      .move({ origin: company, x: -Math.floor(width / 4), y: 0 })
      .up()
      .perform();
    await screen.findByText(/^Funding stage is now column 2 of \d+\.$/);
    order = await headerOrder(screen);
    expect(order.slice(1, 5)).toEqual([
      "Title",
      "Funding stage",
      "Company",
      "Funding amount usd millions",
    ]);
    // A drag is not a click: nothing got sorted.
    expect(await stage.getAttribute("aria-sort")).toBe("none");
  });

  it("keeps the view when the job is left and opened again", async () => {
    await (await screen.findByRole("button", { name: "Jobs" })).click();
    await (await screen.findByRole("button", { name: `Open job: ${QUERY}` }, SLOW)).click();
    const chips = await screen.findByRole("list", { name: "Filters" }, SLOW);
    expect(await chips.getText()).toBe(chipWords);
    await browser.waitUntil(async () => (await recordCount(screen)) === filtered, SLOW);
    expect(await headerOrder(screen)).toEqual(order);
  });

  it("exports the view: its rows and its visible columns only", async () => {
    await (await screen.findByRole("radio", { name: /^Only what the table shows/ })).click();
    await (await screen.findByRole("button", { name: "Export CSV" })).click();
    await screen.findByText(/^Saved [\d,]+ records/, {}, SLOW);
    await screen.findByRole("button", { name: "Show in folder" });
    const dir = process.env.CATCHALL_EXPORT_DIR;
    const csv = readdirSync(dir).find((f) => f.endsWith(".csv"));
    expect(csv).toMatch(/^series-b-funding-rounds-of-fintech-\d{4}-\d{2}-\d{2}-\d+\.csv$/);
    const lines = readFileSync(join(dir, csv), "utf8").trim().split(/\r\n/);
    expect(lines.length).toBe(filtered + 1);
    // Exactly the table's columns in its order: no record_id the table does not show.
    const header = lines[0].replace(/^\uFEFF/, "").split(",");
    expect(header.slice(0, 4)).toEqual([
      "record_title",
      "funding_stage",
      "company",
      "company_domain",
    ]);
    expect(header.indexOf("funding_amount_usd_millions")).toBe(7);
    expect(header).not.toContain("record_id");
  });
});
