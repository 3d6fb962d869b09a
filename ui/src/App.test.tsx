import { act, render, screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { App } from "./App";
import { ipc, type JobEvent } from "./lib/ipc";
import { appInfo, snapshot } from "./test/render";

const info = appInfo();

beforeEach(() => {
  vi.spyOn(ipc, "getSettings").mockResolvedValue({
    baseUrl: "https://example.test",
    pollIntervalSecs: 30,
    theme: "dark",
    confirmAboveRecords: 1000,
  });
  vi.spyOn(ipc, "loadDraft").mockResolvedValue(null);
  vi.spyOn(ipc, "checkDraft").mockResolvedValue([]);
  vi.spyOn(ipc, "listJobs").mockResolvedValue([]);
  vi.spyOn(ipc, "accountJobs").mockResolvedValue({ total: 0, page: 1, totalPages: 1, jobs: [] });
});
afterEach(() => vi.restoreAllMocks());

test("shows the app name as the main heading", () => {
  vi.spyOn(ipc, "appInfo").mockResolvedValue(info);
  render(<App />);
  expect(screen.getByRole("heading", { level: 1, name: "CatchAll Desk" })).toBeInTheDocument();
});

test("first run offers a key or the sandbox; the sandbox is labelled on every screen", async () => {
  vi.spyOn(ipc, "appInfo").mockResolvedValue(info);
  const connect = vi
    .spyOn(ipc, "setConnection")
    .mockResolvedValue({ ...info, connection: "sandbox", firstRun: false });
  render(<App />);
  expect(await screen.findByRole("button", { name: "Use my API key" })).toBeInTheDocument();
  expect(screen.queryByRole("navigation", { name: "Main" })).not.toBeInTheDocument();
  await userEvent.click(screen.getByRole("button", { name: "Try the sandbox" }));
  expect(connect).toHaveBeenCalledWith("sandbox");
  expect(await screen.findByText("Sandbox — sample data")).toBeInTheDocument();
  expect(await screen.findByRole("heading", { name: "New job" })).toBeInTheDocument();
  await userEvent.click(screen.getByRole("button", { name: "Jobs" }));
  expect(await screen.findByRole("heading", { name: "Jobs" })).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Jobs" })).toHaveAttribute("aria-current", "page");
  expect(screen.getByText("Sandbox — sample data")).toBeInTheDocument();
  // The theme from Settings is applied.
  await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
});

test("once the first screen is up, the newest job's view is shown hidden once, then removed", async () => {
  vi.spyOn(ipc, "appInfo").mockResolvedValue({ ...info, connection: "sandbox", firstRun: false });
  vi.spyOn(ipc, "listJobs").mockResolvedValue([
    { ...snapshot({ localId: 4, storedRecords: 1, stage: "completed" }).summary },
  ]);
  const snap = vi
    .spyOn(ipc, "jobSnapshot")
    .mockResolvedValue(snapshot({ localId: 4, storedRecords: 1, stage: "completed" }));
  vi.spyOn(ipc, "jobColumns").mockResolvedValue([
    { key: "record_title", label: "Title", kind: "title" },
  ]);
  vi.spyOn(ipc, "recordsWindow").mockResolvedValue({
    total: 1,
    start: 0,
    rows: [{ recordId: "a", texts: ["Only record"], links: [null] }],
  });
  // jsdom has no layout: give the scroll area a height so rows get rendered.
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, value: 360 });
  try {
    const { container } = render(<App />);
    expect(await screen.findByRole("heading", { name: "New job" })).toBeInTheDocument();
    await waitFor(() => expect(container.querySelector(".prewarm")).not.toBeNull());
    // Its queries start once it is painted (effects run after the paint).
    await waitFor(() => expect(snap).toHaveBeenCalledWith(4));
    // Out of reach of assistive technology while it exists.
    expect(screen.queryByRole("heading", { name: "Series A rounds in fintech" })).toBeNull();
    // Gone once its rows are in; the composer is still the screen.
    await waitFor(() => expect(container.querySelector(".prewarm")).toBeNull());
    expect(screen.getByRole("heading", { name: "New job" })).toBeInTheDocument();
  } finally {
    Reflect.deleteProperty(HTMLElement.prototype, "clientHeight");
  }
});

test("a job finishing elsewhere raises a toast with Open and a count on Jobs", async () => {
  vi.spyOn(ipc, "appInfo").mockResolvedValue({ ...info, connection: "sandbox", firstRun: false });
  vi.spyOn(ipc, "jobColumns").mockResolvedValue([]);
  vi.spyOn(ipc, "recordsWindow").mockResolvedValue({ total: 0, start: 0, rows: [] });
  vi.spyOn(ipc, "planLimits").mockResolvedValue([]);
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(
    snapshot({ localId: 7, stage: "completed", tracking: false, query: "Layoffs at banks" }),
  );
  let emit: (e: JobEvent) => void = () => {};
  vi.spyOn(ipc, "onJobEvent").mockImplementation((cb) => {
    emit = cb;
    return () => {};
  });
  render(<App />);
  expect(await screen.findByRole("heading", { name: "New job" })).toBeInTheDocument();
  act(() => emit({ localId: 7, event: { type: "completed", validRecords: 96 } }));
  const toast = await screen.findByText("“Layoffs at banks” finished with 96 records.");
  expect(screen.getByRole("button", { name: "Jobs (1 finished)" })).toBeInTheDocument();
  await userEvent.click(
    within(toast.closest(".toast") as HTMLElement).getByRole("button", { name: "Open" }),
  );
  expect(await screen.findByRole("heading", { name: "Layoffs at banks" })).toBeInTheDocument();
  // Seen: the toast and the count are gone.
  expect(screen.queryByText(/finished with 96 records/)).not.toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Jobs" })).toBeInTheDocument();
});
