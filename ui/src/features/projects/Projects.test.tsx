import { screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import type { MonitorSummary } from "../../bindings";
import { ipc } from "../../lib/ipc";
import { renderApp } from "../../test/render";
import { MonitorDialog } from "../monitors/MonitorDialog";
import { MonitorsScreen } from "../monitors/MonitorsScreen";
import { monitorsIpc } from "../monitors/monitorsIpc";
import { ProjectPicker } from "./ProjectPicker";

const PROJECTS = [
  { id: "prj-a", name: "Client A", description: null, itemCount: 4 },
  { id: "prj-b", name: "Client B", description: null, itemCount: 0 },
];

function monitor(id: number, monitorId: string, query: string): MonitorSummary {
  return {
    id,
    monitorId,
    referenceJobId: `job-${id}`,
    query,
    scheduleText: "every day",
    scheduleHuman: "Every day at 09:00",
    cron: "0 9 * * *",
    timezone: "UTC",
    limit: 20,
    enabled: true,
    createdAt: "2026-12-01T08:00:00Z",
    lastRunAt: null,
    checkedAt: null,
    runs: 0,
    records: 0,
    newRecords: 0,
    tableJob: null,
    tableRecords: 0,
  };
}

beforeEach(() => {
  vi.spyOn(ipc, "listProjects").mockResolvedValue(PROJECTS);
  vi.spyOn(ipc, "projectCounts").mockImplementation(async (id) => ({
    projectId: id,
    jobs: id === "prj-a" ? 4 : 0,
    jobsByStatus:
      id === "prj-a"
        ? [
            { status: "completed", count: 3 },
            { status: "failed", count: 1 },
          ]
        : [],
    monitors: id === "prj-a" ? 1 : 0,
    watchlists: id === "prj-a" ? 2 : 0,
    webhooks: 0,
  }));
});
afterEach(() => vi.restoreAllMocks());

function PickerHarness() {
  const [value, setValue] = useState<string | null>(null);
  return <ProjectPicker label="Project" value={value} onChange={setValue} />;
}

test("the Monitors screen shows only the chosen project's monitors", async () => {
  const user = userEvent.setup();
  vi.spyOn(monitorsIpc, "onNews").mockReturnValue(() => {});
  vi.spyOn(monitorsIpc, "list").mockResolvedValue([
    monitor(1, "mon-1", "Lawsuits against Client A"),
    monitor(2, "mon-2", "Funding of Client B"),
  ]);
  const ids = vi
    .spyOn(ipc, "projectMonitorIds")
    .mockImplementation(async (p) => (p === "prj-a" ? ["mon-1"] : []));
  renderApp(<MonitorsScreen />);
  const table = await screen.findByRole("table", { name: "Monitors" });
  expect(within(table).getAllByRole("row")).toHaveLength(3);
  const picker = screen.getByRole("combobox", { name: "Project" });
  await user.click(picker);
  await screen.findByRole("option", { name: "Client A" });
  await user.selectOptions(picker, "prj-a");
  const rows = () => within(screen.getByRole("table", { name: "Monitors" })).getAllByRole("row");
  await waitFor(() => expect(rows()).toHaveLength(2));
  expect(ids).toHaveBeenCalledWith("prj-a");
  expect(rows()[1]).toHaveTextContent("Lawsuits against Client A");
  await user.selectOptions(picker, "prj-b");
  expect(await screen.findByText("No monitors in this project.")).toBeVisible();
  await user.selectOptions(picker, "");
  expect(await screen.findByRole("button", { name: "Funding of Client B" })).toBeInTheDocument();
});

test("a monitor is made in the project picked in its dialog", async () => {
  const user = userEvent.setup();
  vi.spyOn(monitorsIpc, "webhooks").mockResolvedValue([]);
  const create = vi
    .spyOn(monitorsIpc, "create")
    .mockResolvedValue(monitor(9, "mon-9", "Lawsuits against Client A"));
  renderApp(
    <MonitorDialog
      jobLocalId={7}
      query="Lawsuits against Client A"
      defaultLimit={20}
      onClose={() => {}}
      onCreated={() => {}}
    />,
  );
  const picker = screen.getByRole("combobox", { name: "Project" });
  await user.click(picker);
  await screen.findByRole("option", { name: "Client A" });
  await user.selectOptions(picker, "prj-a");
  await user.click(screen.getByRole("button", { name: "Create monitor" }));
  await waitFor(() =>
    expect(create).toHaveBeenCalledWith(expect.objectContaining({ projectId: "prj-a" })),
  );
});

test("a picked project's overview: counts, then jobs by status on request", async () => {
  const user = userEvent.setup();
  renderApp(<PickerHarness />);
  const picker = screen.getByRole("combobox", { name: "Project" });
  await user.click(picker);
  await screen.findByRole("option", { name: "Client A" });
  await user.selectOptions(picker, "prj-a");
  expect(await screen.findByText("4 jobs, 1 monitor, 2 watchlists, 0 webhooks")).toBeVisible();
  const open = screen.getByRole("button", { name: "Project overview" });
  expect(open).toHaveAttribute("aria-expanded", "false");
  await user.click(open);
  const overview = screen.getByRole("region", { name: "Overview of Client A" });
  expect(within(overview).getByText("4 (3 finished, 1 failed)")).toBeVisible();
  expect(within(overview).getByText("Watchlists").nextElementSibling).toHaveTextContent("2");
  await user.selectOptions(picker, "prj-b");
  expect(await screen.findByText("0 jobs, 0 monitors, 0 watchlists, 0 webhooks")).toBeVisible();
});
