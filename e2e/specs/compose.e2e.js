// Composing without surprises (issue 23), in the sandbox at test pace:
// suggestions keep the analyst's own row, Enter in the limit field starts
// nothing, a large limit asks first, and a job that finishes while another
// screen shows raises a toast whose Open shows it.
import { replaceValue, setupBrowser, within } from "../lib/screen.js";

const QUERY = "Acquisitions of European payment companies";

const SLOW = { timeout: 90000 };

describe("Composing without surprises", () => {
  let screen;
  before(() => {
    screen = setupBrowser(browser);
  });

  it("opens the composer (in the sandbox)", async () => {
    // The data folder may be fresh (this spec alone) or already set up.
    const welcome = await screen.queryAllByRole("heading", { name: "Welcome" });
    if (welcome.length > 0) {
      await (await screen.findByRole("button", { name: "Try the sandbox" })).click();
    }
    await (await screen.findByRole("button", { name: "Compose" })).click();
    await screen.findByRole("heading", { name: "New job" });
    await replaceValue(await screen.findByLabelText("Query"), QUERY);
  });

  it("keeps the analyst's own validator when suggestions come", async () => {
    // Start from the service's choice, then add an own row.
    const reset = await screen.queryAllByRole("button", {
      name: "Let the service choose validators",
    });
    if (reset.length > 0) await reset[0].click();
    await (await screen.findByRole("button", { name: "Add validator" })).click();
    await (await screen.findByLabelText("Name of validator 1")).setValue("is_european_company");
    await (await screen.findByLabelText("Description of validator 1")).setValue(
      "The buyer or the target is based in Europe",
    );
    await (await screen.findByRole("button", { name: "Get suggestions" })).click();
    const panel = await screen.findByRole("region", { name: "Suggested by the service" }, SLOW);
    expect(await (await screen.findByLabelText("Name of validator 1")).getValue()).toBe(
      "is_european_company",
    );
    expect((await screen.queryAllByText("Yours")).length).toBeGreaterThan(0);
    await (await within(panel).findByRole("button", { name: /^Add all \d+ suggestions$/ })).click();
    await browser.waitUntil(
      async () =>
        (await screen.queryAllByRole("region", { name: "Suggested by the service" })).length ===
          0 ||
        (await within(panel).queryAllByRole("button", { name: /^Add suggested/ })).length === 0,
    );
    expect(await (await screen.findByLabelText("Name of validator 1")).getValue()).toBe(
      "is_european_company",
    );
    expect((await screen.findAllByLabelText(/^Name of validator \d+$/)).length).toBeGreaterThan(1);
  });

  it("does not start a job on Enter in the limit field", async () => {
    const limit = await screen.findByLabelText("Maximum records");
    await replaceValue(limit, "20");
    await browser.keys("Enter");
    await browser.pause(500);
    expect(await (await screen.findByRole("heading", { name: "New job" })).isDisplayed()).toBe(
      true,
    );
    expect((await screen.queryAllByRole("alertdialog")).length).toBe(0);
    await screen.findByRole("button", { name: /^Start job · up to 20 records · / });
  });

  it("asks before a large job and starts nothing when told to go back", async () => {
    await replaceValue(await screen.findByLabelText("Maximum records"), "5000");
    await (await screen.findByRole("button", { name: /^Start job · up to 5,000 records/ })).click();
    const ask = await screen.findByRole("alertdialog", { name: "Start a large job?" });
    expect(await ask.getText()).toContain("more than 1,000 records");
    await (await within(ask).findByRole("button", { name: "Go back" })).click();
    await browser.waitUntil(async () => (await screen.queryAllByRole("alertdialog")).length === 0);
    await screen.findByRole("heading", { name: "New job" });
  });

  it("raises a toast when the job finishes elsewhere, and Open shows it", async () => {
    await replaceValue(await screen.findByLabelText("Maximum records"), "20");
    await (await screen.findByRole("button", { name: /^Start job · up to 20 records/ })).click();
    await screen.findByRole("list", { name: "Job stages" }, SLOW);
    // Look elsewhere while it runs.
    await (await screen.findByRole("button", { name: "Compose" })).click();
    await screen.findByText(/finished with 20 records\.$/, {}, SLOW);
    await screen.findByRole("button", { name: /^Jobs \(\d+ finished\)$/ });
    // The composer has no Open button of its own: this one is the toast's.
    await (await screen.findByRole("button", { name: "Open" })).click();
    await screen.findByRole("heading", { name: QUERY });
    await screen.findByText("Status: Completed", {}, SLOW);
  });
});
