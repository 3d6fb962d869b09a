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
});
