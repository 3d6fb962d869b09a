import { screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import type { MonitorRecordRow, MonitorSummary } from "../../bindings";
import { renderApp } from "../../test/render";
import { MonitorsScreen } from "./MonitorsScreen";
import { monitorsIpc } from "./monitorsIpc";

function monitor(over: Partial<MonitorSummary> = {}): MonitorSummary {
  return {
    id: 3,
    monitorId: "mon-1",
    referenceJobId: "job-1",
    query: "Series B rounds in European SaaS",
    scheduleText: "every weekday at 9:00",
    scheduleHuman: "Every weekday at 09:00 (Europe/Berlin)",
    cron: "0 9 * * 1-5",
    timezone: "Europe/Berlin",
    limit: 20,
    enabled: true,
    createdAt: "2026-12-01T08:00:00Z",
    lastRunAt: "2026-12-02T08:00:00Z",
    checkedAt: null,
    runs: 2,
    records: 30,
    newRecords: 6,
    ...over,
  };
}

function record(i: number, isNew: boolean, run: string): MonitorRecordRow {
  return {
    recordId: `r${i}`,
    title: `Round ${i}`,
    firstSeenRun: run,
    firstSeenAt: "2026-12-02T08:00:00Z",
    isNew,
    link: null,
  };
}

beforeEach(() => {
  vi.spyOn(monitorsIpc, "onNews").mockReturnValue(() => {});
  vi.spyOn(monitorsIpc, "list").mockResolvedValue([monitor()]);
  vi.spyOn(monitorsIpc, "get").mockResolvedValue(monitor());
  vi.spyOn(monitorsIpc, "runs").mockResolvedValue([
    { jobId: "run-a", seq: 1, startDate: null, endDate: "2026-12-01T08:00:00Z", newRecords: 20 },
    { jobId: "run-b", seq: 2, startDate: null, endDate: "2026-12-02T08:00:00Z", newRecords: 10 },
  ]);
  vi.spyOn(monitorsIpc, "records").mockImplementation(async (_id, onlyNew) =>
    onlyNew ? [record(29, true, "run-b")] : [record(29, true, "run-b"), record(1, false, "run-a")],
  );
});
afterEach(() => vi.restoreAllMocks());

test("the list shows each monitor's schedule in words, state, runs and new count", async () => {
  renderApp(<MonitorsScreen />);
  const table = await screen.findByRole("table", { name: "Monitors" });
  const row = within(table).getAllByRole("row")[1];
  expect(row).toHaveTextContent("Every weekday at 09:00 (Europe/Berlin)");
  expect(row).toHaveTextContent("On");
  expect(within(row).getByRole("status")).toHaveTextContent("6 new");
  expect(row).toHaveTextContent("30");
  expect(monitorsIpc.list).toHaveBeenCalledWith(true);
});

test("a monitor's runs, records marked new with their first run, and the new filter", async () => {
  renderApp(<MonitorsScreen />);
  await userEvent.click(
    await screen.findByRole("button", { name: "Series B rounds in European SaaS" }),
  );
  const runs = await screen.findByRole("list", { name: "Runs" });
  expect(await within(runs).findAllByRole("listitem")).toHaveLength(2);
  expect(runs).toHaveTextContent("Run 2");
  expect(runs).toHaveTextContent("10 new records");
  const table = await screen.findByRole("table", { name: "Records of this monitor" });
  const fresh = await within(table).findByRole("row", { name: "New: Round 29" });
  expect(fresh).toHaveTextContent("Run 2");
  expect(within(table).getByRole("row", { name: "Round 1" })).toHaveTextContent("Run 1");

  await userEvent.click(screen.getByRole("checkbox", { name: "New since I last looked" }));
  await waitFor(() => expect(monitorsIpc.records).toHaveBeenLastCalledWith(3, true, 0, 500));
  await waitFor(() =>
    expect(within(table).queryByRole("row", { name: "Round 1" })).not.toBeInTheDocument(),
  );

  const seen = vi.spyOn(monitorsIpc, "markSeen").mockResolvedValue(monitor({ newRecords: 0 }));
  await userEvent.click(screen.getByRole("button", { name: "Mark all as seen" }));
  expect(seen).toHaveBeenCalledWith(3);
});

test("export only new asks for the new records in the chosen format", async () => {
  const exp = vi
    .spyOn(monitorsIpc, "exportRecords")
    .mockResolvedValue({ path: "/tmp/monitor-new.xlsx", records: 6, bytes: 900, partial: null });
  renderApp(<MonitorsScreen initial={3} />);
  await screen.findByRole("table", { name: "Records of this monitor" });
  await userEvent.selectOptions(screen.getByRole("combobox", { name: "Format" }), "xlsx");
  await userEvent.click(screen.getByRole("button", { name: "Export only new" }));
  expect(exp).toHaveBeenCalledWith(3, true, "xlsx");
  expect(await screen.findByText("Exported 6 records to /tmp/monitor-new.xlsx.")).toBeVisible();
});

test("delete asks first and can be cancelled; off and on; a new schedule", async () => {
  const del = vi.spyOn(monitorsIpc, "remove").mockResolvedValue();
  const off = vi.spyOn(monitorsIpc, "disable").mockResolvedValue(monitor({ enabled: false }));
  const upd = vi.spyOn(monitorsIpc, "update").mockResolvedValue(monitor());
  renderApp(<MonitorsScreen initial={3} />);
  await userEvent.click(await screen.findByRole("button", { name: "Delete monitor" }));
  const dialog = screen.getByRole("alertdialog", { name: "Delete this monitor?" });
  expect(dialog).toHaveTextContent("This cannot be undone.");
  expect(screen.getByRole("button", { name: "Keep the monitor" })).toHaveFocus();
  await userEvent.keyboard("{Escape}");
  expect(del).not.toHaveBeenCalled();

  await userEvent.click(screen.getByRole("button", { name: "Turn off" }));
  expect(off).toHaveBeenCalledWith(3);

  await userEvent.click(screen.getByRole("button", { name: "Edit schedule" }));
  const input = screen.getByRole("textbox", { name: "New schedule" });
  await userEvent.clear(input);
  await userEvent.click(screen.getByRole("button", { name: "Save schedule" }));
  expect(screen.getByRole("alert")).toHaveTextContent("Say when it should run");
  expect(upd).not.toHaveBeenCalled();
  await userEvent.type(input, "every Monday at 6 PM EST");
  await userEvent.click(screen.getByRole("button", { name: "Save schedule" }));
  expect(upd).toHaveBeenCalledWith(3, {
    schedule: "every Monday at 6 PM EST",
    timezone: "Europe/Berlin",
    limit: null,
    webhookIds: null,
  });

  await userEvent.click(screen.getByRole("button", { name: "Delete monitor" }));
  vi.mocked(monitorsIpc.list).mockResolvedValue([]);
  await userEvent.click(
    within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete monitor" }),
  );
  await waitFor(() => expect(del).toHaveBeenCalledWith(3));
  expect(await screen.findByText("No monitors yet.")).toBeInTheDocument();
});
