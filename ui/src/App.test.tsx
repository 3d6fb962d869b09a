import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "./App";
import { type AppInfo, ipc } from "./lib/ipc";

const info: AppInfo = {
  version: "0.1.0",
  connection: "live",
  baseUrl: "https://example.test",
  key: {
    stored: false,
    last4: null,
    sessionOnly: false,
    keyringAvailable: true,
    keyringMessage: null,
  },
  dataDir: "/tmp/catchall",
  devBuild: true,
  firstRun: true,
};

beforeEach(() => {
  vi.spyOn(ipc, "getSettings").mockResolvedValue({
    baseUrl: "https://example.test",
    pollIntervalSecs: 30,
    theme: "dark",
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
