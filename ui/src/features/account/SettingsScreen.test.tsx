import { screen, waitFor } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { ipc } from "../../lib/ipc";
import { appInfo, renderApp } from "../../test/render";
import { pollIntervalProblem, SettingsScreen } from "./SettingsScreen";

const settings = {
  baseUrl: "https://example.test",
  pollIntervalSecs: 30,
  theme: "system" as const,
  confirmAboveRecords: 1000,
};

beforeEach(() => {
  vi.spyOn(ipc, "getSettings").mockResolvedValue(settings);
});
afterEach(() => vi.restoreAllMocks());

test("the poll interval shows its range and refuses values outside it", async () => {
  const save = vi.spyOn(ipc, "saveSettings").mockImplementation(async (s) => s);
  renderApp(<SettingsScreen info={appInfo({ firstRun: false })} />);
  const poll = await screen.findByLabelText("Check job status every (seconds)");
  expect(screen.getByText(/Between 30 and 60 seconds/)).toBeInTheDocument();
  await userEvent.clear(poll);
  await userEvent.type(poll, "10");
  await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
  expect(await screen.findByText(/10 seconds is outside what the service allows/)).toBeVisible();
  expect(poll).toHaveAttribute("aria-invalid", "true");
  expect(save).not.toHaveBeenCalled();
  expect(screen.queryByText("Saved")).not.toBeInTheDocument();

  await userEvent.clear(poll);
  await userEvent.type(poll, "45");
  const above = screen.getByLabelText("Ask before starting jobs above (records)");
  await userEvent.clear(above);
  await userEvent.type(above, "5,000");
  await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
  await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
  expect(save.mock.calls[0][0]).toMatchObject({ pollIntervalSecs: 45, confirmAboveRecords: 5000 });
  expect(await screen.findByText("Saved")).toBeInTheDocument();
});

test("poll interval problems in words", () => {
  expect(pollIntervalProblem("30")).toBeNull();
  expect(pollIntervalProblem("60")).toBeNull();
  expect(pollIntervalProblem("61")).toMatch(/choose 30 to 60/);
  expect(pollIntervalProblem("ten")).toMatch(/whole number/);
});

test("the log folder opens from Settings and says where it is", async () => {
  const open = vi.spyOn(ipc, "openLogFolder").mockResolvedValue("/home/a/.local/share/x/logs");
  renderApp(<SettingsScreen info={appInfo({ firstRun: false })} />);
  await userEvent.click(screen.getByRole("button", { name: "Open log folder" }));
  expect(open).toHaveBeenCalledTimes(1);
  expect(await screen.findByText("Opened /home/a/.local/share/x/logs")).toBeInTheDocument();
});

test("a log folder that cannot be opened says so", async () => {
  vi.spyOn(ipc, "openLogFolder").mockRejectedValue({
    kind: "internal",
    message: "Could not open the log folder (/x): no file manager",
  });
  renderApp(<SettingsScreen info={appInfo({ firstRun: false })} />);
  await userEvent.click(screen.getByRole("button", { name: "Open log folder" }));
  expect(await screen.findByText(/no file manager/)).toBeInTheDocument();
});
