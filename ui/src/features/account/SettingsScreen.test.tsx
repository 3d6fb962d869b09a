import { screen } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { ipc } from "../../lib/ipc";
import { appInfo, renderApp } from "../../test/render";
import { SettingsScreen } from "./SettingsScreen";

beforeEach(() => {
  vi.spyOn(ipc, "getSettings").mockResolvedValue({
    baseUrl: "https://example.test",
    pollIntervalSecs: 30,
    theme: "system",
  });
});
afterEach(() => vi.restoreAllMocks());

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
