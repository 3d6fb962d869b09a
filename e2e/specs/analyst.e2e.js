// The analyst's whole flow (issue 5) in the built-in sandbox at test pace:
// first run → compose → check → suggestions → edit → submit → stages →
// results → sort → record → continue → history → delete → shared jobs.
import { replaceValue, setupBrowser, within } from "../lib/screen.js";

const QUERY = "Series A funding rounds of fintech startups";
const SLOW = { timeout: 90000 };

describe("An analyst's first job in the sandbox", () => {
  let screen;
  before(() => {
    screen = setupBrowser(browser);
  });

  it("starts in the sandbox, labelled as sample data", async () => {
    // A fresh data folder starts with the first-run choice.
    await screen.findByRole("heading", { name: "Welcome" });
    await (await screen.findByRole("button", { name: "Try the sandbox" })).click();
    expect(await (await screen.findByText("Sandbox — sample data")).isDisplayed()).toBe(true);
    await screen.findByRole("heading", { name: "New job" });
  });

  it("composes, checks the query and edits the suggestions", async () => {
    await (await screen.findByLabelText("Query")).setValue(QUERY);
    await (await screen.findByRole("button", { name: "Check query" })).click();
    await screen.findByRole("heading", { name: /^Query check:/ });

    await (await screen.findByRole("button", { name: "Get suggestions" })).click();
    await screen.findByLabelText("Name of validator 1", {}, SLOW);
    const validatorsBefore = (await screen.findAllByLabelText(/^Name of validator \d+$/)).length;
    await (await screen.findByRole("button", { name: /^Remove validator 1/ })).click();
    const validatorsAfter = (await screen.queryAllByLabelText(/^Name of validator \d+$/)).length;
    expect(validatorsAfter).toBe(validatorsBefore - 1);

    await (await screen.findByRole("button", { name: "Add enrichment" })).click();
    const names = await screen.findAllByLabelText(/^Name of enrichment \d+$/);
    const n = names.length;
    await names[n - 1].setValue("lead_investor_firm");
    await (await screen.findByLabelText(`Description of enrichment ${n}`)).setValue(
      "The company that led the round",
    );
    await (await screen.findByLabelText(`Type of enrichment ${n}`)).selectByVisibleText("Company");
    // A limit, so the finished job can be continued.
    await (await screen.findByLabelText("Maximum records")).setValue("20");
  });

  it("submits and follows the stages to completed", async () => {
    await (await screen.findByRole("button", { name: /^Start job/ })).click();
    await screen.findByRole("list", { name: "Job stages" }, SLOW);
    // Once done, the status is one line that opens to the stages.
    await (await screen.findByText("Status: Completed", {}, SLOW)).click();
    const stages = await screen.findByRole("list", { name: "Job stages" });
    for (const stage of ["Submitted", "Analyzing", "Enriching", "Completed"]) {
      expect(await (await within(stages).findByText(stage)).isDisplayed()).toBe(true);
    }
  });

  it("shows the results, sorts them and opens a record", async () => {
    const table = await screen.findByRole("table", { name: "Records" }, SLOW);
    const rows = await within(table).findAllByRole("row", {}, SLOW);
    expect(rows.length).toBeGreaterThan(1);

    const header = await within(table).findByRole("columnheader", { name: /Title/ });
    await (await within(header).findByRole("button")).click();
    await browser.waitUntil(async () => (await header.getAttribute("aria-sort")) === "ascending");

    // A new order starts from an empty table: the sorted rows are new rows,
    // in once their first window is.
    const firstTitle = async () => {
      const rows = await within(table).findAllByRole("row");
      return rows.length > 1 ? (await within(rows[1]).queryAllByRole("button"))[0] : undefined;
    };
    await browser.waitUntil(async () => !!(await firstTitle().catch(() => undefined)));
    await (await firstTitle()).click();
    const dialog = await screen.findByRole("dialog");
    await within(dialog).findByRole("heading", { name: /^Sources/ });
    await (await within(dialog).findByRole("button", { name: "Close" })).click();
    await browser.waitUntil(async () => (await screen.queryAllByRole("dialog")).length === 0);
  });

  it("continues the job with a higher limit", async () => {
    const limit = await screen.findByLabelText("New maximum records");
    await replaceValue(limit, "40");
    await (await screen.findByRole("button", { name: "Continue job" })).click();
    // At test pace the continued job may finish within a poll or two, so
    // wait for its outcome: the new maximum and 40 records found.
    await screen.findByText(/up to 40 records/, {}, SLOW);
    await screen.findByText(/· 40 found/, {}, SLOW);
    await screen.findByText("Status: Completed", {}, SLOW);
  });

  it("finds the job in history and deletes it", async () => {
    await (await screen.findByRole("button", { name: "Jobs" })).click();
    await (await screen.findByRole("button", { name: `Delete job: ${QUERY}` }, SLOW)).click();
    const confirm = await screen.findByRole("alertdialog", { name: "Delete this job?" });
    expect(await confirm.getText()).toContain("This cannot be undone.");
    await (await within(confirm).findByRole("button", { name: "Delete job" })).click();
    await screen.findByText("No jobs yet.", {}, SLOW);
  });

  it("history filters shared jobs", async () => {
    // The sandbox's account has jobs of its own and some a colleague shared.
    const account = await screen.findByRole("table", { name: "Jobs on your account" }, SLOW);
    await within(account).findByText("Layoffs announced by US tech companies", {}, SLOW);
    await (await screen.findByRole("combobox", { name: "Show" })).selectByVisibleText(
      "Shared with me",
    );
    await screen.findByText(/^Shared by Maria Kowalski on .*\(view\)$/, {}, SLOW);
    const shared = await screen.findByRole("table", { name: "Jobs on your account" });
    // Only colleagues' jobs: none of the account's own.
    expect(
      await within(shared).queryAllByText("Layoffs announced by US tech companies"),
    ).toHaveLength(0);
    expect(await within(shared).queryAllByText("Yours")).toHaveLength(0);
    await (await screen.findByRole("combobox", { name: "Mode" })).selectByVisibleText("Quick");
    await screen.findByText(
      "Data breaches disclosed by hospitals and healthcare providers",
      {},
      SLOW,
    );
  });
});
