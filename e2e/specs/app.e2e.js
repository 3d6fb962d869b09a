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
  });
});
