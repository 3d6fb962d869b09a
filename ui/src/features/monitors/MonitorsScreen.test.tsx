import { screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import type { MonitorSummary } from "../../bindings";
import { ipc, type RecordsWindow, type ViewSpec } from "../../lib/ipc";
import { withLayout } from "../../test/layout";
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
    tableJob: 77,
    tableRecords: 30,
    ...over,
  };
}

/** The monitor's table job's rows: 29 is new (run 2), 1 is not (run 1). */
function tableWindow(_id: number, view: ViewSpec, start: number, _n: number): RecordsWindow {
  const rows = [
    { recordId: "r29", texts: ["Round 29", "Run 2"], links: [null, null], isNew: true },
    { recordId: "r1", texts: ["Round 1", "Run 1"], links: [null, null] },
  ].filter((r) => !view.onlyNew || r.isNew);
  return { total: rows.length, start, rows };
}

withLayout();

beforeEach(() => {
  vi.spyOn(monitorsIpc, "onNews").mockReturnValue(() => {});
  vi.spyOn(monitorsIpc, "list").mockResolvedValue([monitor()]);
  vi.spyOn(monitorsIpc, "get").mockResolvedValue(monitor());
  vi.spyOn(monitorsIpc, "runs").mockResolvedValue([
    { jobId: "run-a", seq: 1, startDate: null, endDate: "2026-12-01T08:00:00Z", newRecords: 20 },
    { jobId: "run-b", seq: 2, startDate: null, endDate: "2026-12-02T08:00:00Z", newRecords: 10 },
  ]);
  vi.spyOn(monitorsIpc, "table").mockResolvedValue(77);
  vi.spyOn(ipc, "jobColumns").mockResolvedValue([
    { key: "record_title", label: "Title", kind: "title" },
    { key: "first_seen_run", label: "First seen run", kind: "text" },
  ]);
  vi.spyOn(ipc, "recordsWindow").mockImplementation(async (...a) => tableWindow(...a));
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
  // The job's own table, paging through the monitor's table job.
  const table = await screen.findByRole("table", { name: "Records" });
  const fresh = (await within(table).findByRole("button", { name: "Round 29" })).closest("tr");
  expect(fresh).toHaveTextContent("new");
  expect(fresh).toHaveTextContent("Run 2");
  const old = within(table).getByRole("button", { name: "Round 1" }).closest("tr");
  expect(old).toHaveTextContent("Run 1");
  expect(old).not.toHaveTextContent("new");
  expect(monitorsIpc.table).toHaveBeenCalledWith(3);
  expect(ipc.recordsWindow).toHaveBeenCalledWith(77, expect.anything(), 0, expect.anything());

  await userEvent.click(screen.getByRole("checkbox", { name: "New since I last looked" }));
  await waitFor(() =>
    expect(ipc.recordsWindow).toHaveBeenLastCalledWith(
      77,
      expect.objectContaining({ onlyNew: true }),
      0,
      expect.anything(),
    ),
  );
  await waitFor(() =>
    expect(within(table).queryByRole("button", { name: "Round 1" })).not.toBeInTheDocument(),
  );
  expect(await within(table).findByRole("button", { name: "Round 29" })).toBeInTheDocument();

  const seen = vi.spyOn(monitorsIpc, "markSeen").mockResolvedValue(monitor({ newRecords: 0 }));
  await userEvent.click(screen.getByRole("button", { name: "Mark all as seen" }));
  expect(seen).toHaveBeenCalledWith(3);
});

test("export only new asks for the new records in the chosen format", async () => {
  const exp = vi
    .spyOn(monitorsIpc, "exportRecords")
    .mockResolvedValue({ path: "/tmp/monitor-new.xlsx", records: 6, bytes: 900, partial: null });
  renderApp(<MonitorsScreen initial={3} />);
  await screen.findByRole("table", { name: "Records" });
  await userEvent.selectOptions(screen.getByRole("combobox", { name: "Format" }), "xlsx");
  await userEvent.click(screen.getByRole("button", { name: "Export only new" }));
  expect(exp).toHaveBeenCalledWith(3, true, "xlsx");
  expect(await screen.findByText("Exported 6 records to /tmp/monitor-new.xlsx.")).toBeVisible();
});

test("delete asks first and can be cancelled; off and on", async () => {
  const del = vi.spyOn(monitorsIpc, "remove").mockResolvedValue();
  const off = vi.spyOn(monitorsIpc, "disable").mockResolvedValue(monitor({ enabled: false }));
  renderApp(<MonitorsScreen initial={3} />);
  await userEvent.click(await screen.findByRole("button", { name: "Delete monitor" }));
  const dialog = screen.getByRole("alertdialog", { name: "Delete this monitor?" });
  expect(dialog).toHaveTextContent("This cannot be undone.");
  expect(screen.getByRole("button", { name: "Keep the monitor" })).toHaveFocus();
  await userEvent.keyboard("{Escape}");
  expect(del).not.toHaveBeenCalled();

  await userEvent.click(screen.getByRole("button", { name: "Turn off" }));
  expect(off).toHaveBeenCalledWith(3);

  await userEvent.click(screen.getByRole("button", { name: "Delete monitor" }));
  vi.mocked(monitorsIpc.list).mockResolvedValue([]);
  await userEvent.click(
    within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete monitor" }),
  );
  await waitFor(() => expect(del).toHaveBeenCalledWith(3));
  expect(await screen.findByText("No monitors yet.")).toBeInTheDocument();
});

const HOOKS = [
  { id: "wh-1", name: "#deals", url: "https://hooks.slack.com/a", kind: "slack", active: true },
  { id: "wh-2", name: "#news", url: "https://hooks.slack.com/b", kind: "slack", active: true },
];

test("editing a monitor: plain messages before any request, then schedule, limit and channels", async () => {
  vi.spyOn(monitorsIpc, "webhooks").mockResolvedValue(HOOKS);
  vi.spyOn(monitorsIpc, "webhookIds").mockResolvedValue(["wh-1"]);
  const upd = vi.spyOn(monitorsIpc, "update").mockResolvedValue(monitor());
  renderApp(<MonitorsScreen initial={3} />);
  await userEvent.click(await screen.findByRole("button", { name: "Edit monitor" }));
  const form = screen.getByRole("form", { name: "Edit monitor" });
  // The channels it tells now are ticked.
  expect(await within(form).findByRole("checkbox", { name: /#deals/ })).toBeChecked();
  expect(within(form).getByRole("checkbox", { name: /#news/ })).not.toBeChecked();

  const schedule = within(form).getByRole("textbox", { name: /Schedule/ });
  const limit = within(form).getByRole("spinbutton", { name: "Records per run" });
  expect(schedule).toHaveValue("every weekday at 9:00");
  expect(limit).toHaveValue(20);
  await userEvent.clear(schedule);
  await userEvent.clear(limit);
  await userEvent.type(limit, "5");
  await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
  const alert = within(form).getByRole("alert");
  expect(alert).toHaveTextContent("Say when it should run");
  expect(alert).toHaveTextContent("at least 10 records");
  expect(upd).not.toHaveBeenCalled();

  await userEvent.type(schedule, "every Monday at 6 PM EST");
  await userEvent.clear(limit);
  await userEvent.type(limit, "40");
  await userEvent.click(within(form).getByRole("checkbox", { name: /#news/ }));
  await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
  await waitFor(() =>
    expect(upd).toHaveBeenCalledWith(3, {
      schedule: "every Monday at 6 PM EST",
      timezone: "Europe/Berlin",
      limit: 40,
      webhookIds: ["wh-1", "wh-2"],
    }),
  );
  await waitFor(() =>
    expect(screen.queryByRole("form", { name: "Edit monitor" })).not.toBeInTheDocument(),
  );
});

test("more than five channels is refused before any request; unchanged channels are left alone", async () => {
  const many = Array.from({ length: 6 }, (_, i) => ({
    ...HOOKS[0],
    id: `wh-${i}`,
    name: `#c${i}`,
  }));
  vi.spyOn(monitorsIpc, "webhooks").mockResolvedValue(many);
  vi.spyOn(monitorsIpc, "webhookIds").mockResolvedValue([]);
  const upd = vi.spyOn(monitorsIpc, "update").mockResolvedValue(monitor());
  renderApp(<MonitorsScreen initial={3} />);
  await userEvent.click(await screen.findByRole("button", { name: "Edit monitor" }));
  const form = screen.getByRole("form", { name: "Edit monitor" });
  for (const h of many) {
    await userEvent.click(await within(form).findByRole("checkbox", { name: new RegExp(h.name) }));
  }
  await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
  expect(within(form).getByRole("alert")).toHaveTextContent("at most 5 team channels");
  expect(upd).not.toHaveBeenCalled();
  for (const h of many) {
    await userEvent.click(within(form).getByRole("checkbox", { name: new RegExp(h.name) }));
  }
  // Back as it was: the channels are not sent at all.
  await userEvent.click(within(form).getByRole("checkbox", { name: /#c0/ }));
  await userEvent.click(within(form).getByRole("checkbox", { name: /#c0/ }));
  await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
  await waitFor(() => expect(upd).toHaveBeenCalledTimes(1));
  expect(upd.mock.calls[0][1].schedule).toBe("every weekday at 9:00");
  expect(upd.mock.calls[0][1].limit).toBe(20);
});

test("a channel is renamed with its address checked first, and deleted only after asking", async () => {
  vi.spyOn(monitorsIpc, "webhooks").mockResolvedValue(HOOKS);
  vi.spyOn(monitorsIpc, "webhookIds").mockResolvedValue(["wh-1"]);
  const change = vi.spyOn(monitorsIpc, "updateWebhook").mockResolvedValue(HOOKS[0]);
  const del = vi.spyOn(monitorsIpc, "deleteWebhook").mockResolvedValue();
  renderApp(<MonitorsScreen initial={3} />);
  await userEvent.click(await screen.findByRole("button", { name: "Edit monitor" }));
  await userEvent.click(await screen.findByRole("button", { name: "Change #deals" }));
  const group = screen.getByRole("group", { name: "Change #deals" });
  const url = within(group).getByRole("textbox", { name: "New webhook address" });
  await userEvent.clear(url);
  await userEvent.type(url, "http://hooks.example.com/x");
  await userEvent.click(within(group).getByRole("button", { name: "Save channel" }));
  expect(within(group).getByRole("alert")).toHaveTextContent("must start with https://");
  expect(change).not.toHaveBeenCalled();
  await userEvent.clear(url);
  await userEvent.type(url, "https://hooks.example.com/x");
  const name = within(group).getByRole("textbox", { name: "New channel name" });
  await userEvent.clear(name);
  await userEvent.type(name, "#deals-eu");
  await userEvent.click(within(group).getByRole("button", { name: "Save channel" }));
  await waitFor(() =>
    expect(change).toHaveBeenCalledWith("wh-1", {
      name: "#deals-eu",
      url: "https://hooks.example.com/x",
      kind: null,
    }),
  );

  await userEvent.click(await screen.findByRole("button", { name: "Delete #news" }));
  const ask = screen.getByRole("alertdialog", { name: "Delete #news?" });
  expect(within(ask).getByRole("button", { name: "Keep the channel" })).toHaveFocus();
  await userEvent.keyboard("{Escape}");
  expect(del).not.toHaveBeenCalled();
  await userEvent.click(screen.getByRole("button", { name: "Delete #news" }));
  await userEvent.click(
    within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete channel" }),
  );
  await waitFor(() => expect(del).toHaveBeenCalledWith("wh-2"));
});
