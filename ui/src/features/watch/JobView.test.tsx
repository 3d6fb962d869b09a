import { act, screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { ipc, type PlanLimit } from "../../lib/ipc";
import { renderApp, snapshot } from "../../test/render";
import { JobView } from "./JobView";
import { routeJobEvent } from "./jobState";

beforeEach(() => {
  vi.spyOn(ipc, "jobColumns").mockResolvedValue([]);
  vi.spyOn(ipc, "recordsWindow").mockResolvedValue({ total: 0, start: 0, rows: [] });
});
afterEach(() => vi.restoreAllMocks());

const stepState = (name: string) =>
  screen.getByText(name, { selector: ".step-name" }).closest("li") as HTMLElement;

test("the timeline and counters follow live events", async () => {
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(snapshot());
  const { client } = renderApp(<JobView localId={1} />);
  expect(await screen.findByText("Status: Analyzing")).toBeInTheDocument();
  expect(stepState("Analyzing")).toHaveAttribute("aria-current", "step");
  expect(stepState("Submitted")).toHaveTextContent("done");

  act(() => {
    routeJobEvent(client, {
      localId: 1,
      event: { type: "stage_changed", stage: "enriching", steps: [] },
    });
    routeJobEvent(client, {
      localId: 1,
      event: {
        type: "progress",
        progress: { candidateRecords: 1204, progressValidated: 880, validRecords: 96 },
      },
    });
  });
  expect(await screen.findByText("Status: Enriching")).toBeInTheDocument();
  expect(stepState("Enriching")).toHaveAttribute("aria-current", "step");
  expect(stepState("Fetching articles")).toHaveTextContent("done");
  expect(screen.getByText("1,204 candidates · 880 checked · 96 found")).toBeInTheDocument();
  expect(screen.getByText(/Partial results/)).toBeInTheDocument();

  act(() =>
    routeJobEvent(client, {
      localId: 1,
      event: {
        type: "trouble",
        message: "No connection; trying again in 30 s.",
        retryInSecs: 30,
      },
    }),
  );
  expect(await screen.findByText("No connection; trying again in 30 s.")).toBeInTheDocument();
  // Events for another job change nothing here.
  act(() => routeJobEvent(client, { localId: 2, event: { type: "failed", error: "Other job" } }));
  expect(screen.queryByText("Other job")).not.toBeInTheDocument();
});

test("a failed job shows the service's reason", async () => {
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(snapshot());
  const { client } = renderApp(<JobView localId={1} />);
  await screen.findByText("Status: Analyzing");
  vi.mocked(ipc.jobSnapshot).mockResolvedValue(
    snapshot(
      { stage: "failed", error: "The query matched no articles.", tracking: false },
      {
        history: [
          { stage: "submitted", at: "2025-01-01T10:00:00Z" },
          { stage: "analyzing", at: "2025-01-01T10:00:03Z" },
          { stage: "failed", at: "2025-01-01T10:01:03Z" },
        ],
      },
    ),
  );
  act(() =>
    routeJobEvent(client, {
      localId: 1,
      event: { type: "failed", error: "The query matched no articles." },
    }),
  );
  expect(await screen.findByRole("alert")).toHaveTextContent("The query matched no articles.");
  expect(stepState("Failed")).toHaveTextContent("stopped here");
  await waitFor(() => expect(screen.getByText(/took 1 min 03 s/)).toBeInTheDocument());
});

test("a locally queued job says so and why", async () => {
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(
    snapshot(
      { stage: "queued", jobId: null, queuedReason: "All 2 job slots are busy." },
      { history: [] },
    ),
  );
  renderApp(<JobView localId={1} />);
  expect(await screen.findByText("Waiting in the local queue")).toBeInTheDocument();
  expect(screen.getByText("All 2 job slots are busy.")).toBeInTheDocument();
});

test("continue sends the new limit and shows the continuing state until done", async () => {
  vi.spyOn(ipc, "planLimits").mockResolvedValue([]);
  const done = [
    { stage: "submitted", at: "2025-01-01T10:00:00Z" },
    { stage: "completed", at: "2025-01-01T10:10:00Z" },
  ];
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(
    snapshot(
      { stage: "completed", validRecords: 50, storedRecords: 50, tracking: false },
      { canContinue: true, history: done },
    ),
  );
  const continued = snapshot({ stage: "completed", limit: 100 }, { history: done });
  const cont = vi.spyOn(ipc, "continueJob").mockImplementation(async () => {
    vi.mocked(ipc.jobSnapshot).mockResolvedValue(continued);
    return continued;
  });
  const { client } = renderApp(<JobView localId={1} />);
  const input = await screen.findByLabelText("New maximum records");
  expect(input).toHaveValue("100");
  act(() => screen.getByRole("button", { name: "Continue job" }).click());
  await waitFor(() => expect(cont).toHaveBeenCalledWith(1, 100));
  expect(await screen.findByText("Status: Continuing: 50 → 100")).toBeInTheDocument();
  expect(
    screen.getByText("Continuing: 50 → 100", { selector: ".step-name" }).closest("li"),
  ).toHaveAttribute("aria-current", "step");
  expect(screen.queryByRole("button", { name: "Continue job" })).not.toBeInTheDocument();

  act(() => {
    routeJobEvent(client, {
      localId: 1,
      event: { type: "stage_changed", stage: "enriching", steps: [] },
    });
  });
  expect(await screen.findByText("Status: Continuing: 50 → 100")).toBeInTheDocument();
  vi.mocked(ipc.jobSnapshot).mockResolvedValue(
    snapshot(
      {
        stage: "completed",
        limit: 100,
        validRecords: 100,
        storedRecords: 100,
        tracking: false,
        allLocal: true,
      },
      { history: done },
    ),
  );
  act(() => routeJobEvent(client, { localId: 1, event: { type: "completed", validRecords: 100 } }));
  expect(await screen.findByText("Status: Completed")).toBeInTheDocument();
});

test("continue's default never exceeds the plan; above it is refused in words", async () => {
  vi.spyOn(ipc, "planLimits").mockResolvedValue([
    { code: "Job_Max_Results", name: "Records per job", value: "100,000", currentUsage: null },
  ]);
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(
    snapshot(
      { stage: "completed", limit: 60_000, validRecords: 60_000, tracking: false },
      { canContinue: true },
    ),
  );
  const cont = vi.spyOn(ipc, "continueJob");
  renderApp(<JobView localId={1} />);
  const input = await screen.findByLabelText("New maximum records");
  await waitFor(() => expect(input).toHaveValue("100000"));
  act(() => {
    (input as HTMLInputElement).value = "200000";
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
  act(() => screen.getByRole("button", { name: "Continue job" }).click());
  expect(
    await screen.findByText("Your plan allows at most 100,000 records per job."),
  ).toBeInTheDocument();
  expect(cont).not.toHaveBeenCalled();
});

test("the plan's limits arriving late never replace what the analyst is typing", async () => {
  let plan: (l: PlanLimit[]) => void = () => {};
  vi.spyOn(ipc, "planLimits").mockReturnValue(new Promise((resolve) => (plan = resolve)));
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(
    snapshot(
      { stage: "completed", limit: 60_000, validRecords: 60_000, tracking: false },
      { canContinue: true },
    ),
  );
  const { client } = renderApp(<JobView localId={1} />);
  const input = await screen.findByLabelText("New maximum records");
  expect(input).toHaveValue("120000");
  act(() => input.focus());
  plan([
    { code: "Job_Max_Results", name: "Records per job", value: "100,000", currentUsage: null },
  ]);
  await waitFor(() => expect(client.getQueryData(["planLimits"])).toBeDefined());
  // The form renders with the plan's cap (it reaches observers a tick later).
  await act(() => new Promise((r) => setTimeout(r, 10)));
  expect(input).toHaveValue("120000");
  act(() => screen.getByRole("button", { name: "Continue job" }).click());
  expect(
    await screen.findByText("Your plan allows at most 100,000 records per job."),
  ).toBeInTheDocument();
});

test("a finished job states one duration: the service's", async () => {
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(
    snapshot({ stage: "completed", tracking: false }, { duration: "1m" }),
  );
  renderApp(<JobView localId={1} />);
  expect(await screen.findByText(/took 1 min$/)).toBeInTheDocument();
  expect(screen.queryByText(/service:/)).not.toBeInTheDocument();
});

test("a long query is shortened in the heading and whole in the details", async () => {
  const long = `Layoffs at European banks ${"and their subsidiaries in every region ".repeat(50)}`;
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(snapshot({ query: long }));
  renderApp(<JobView localId={1} />);
  const heading = await screen.findByRole("heading", { level: 2 });
  const shown = heading.querySelector("[aria-hidden='true']")?.textContent ?? "";
  expect(shown.endsWith("…")).toBe(true);
  expect(shown.length).toBeLessThan(150);
  expect(heading.querySelector("[title]")).toHaveAttribute("title", long);
  expect(screen.getByText("The whole query")).toBeInTheDocument();
  expect(
    screen.getByText(long.trim(), { selector: ".job-query-full", normalizer: (s) => s.trim() }),
  ).toBeInTheDocument();
});

test("stages passed between two polls still show as done, from the status steps", async () => {
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(
    snapshot(
      { stage: "enriching" },
      {
        history: [
          { stage: "submitted", at: "2025-01-01T10:00:00Z" },
          { stage: "enriching", at: "2025-01-01T10:01:00Z" },
        ],
        steps: [
          { stage: "submitted", order: 1, completed: true },
          { stage: "analyzing", order: 2, completed: true },
          { stage: "fetching", order: 3, completed: true },
          { stage: "clustering", order: 4, completed: true },
          { stage: "enriching", order: 5, completed: false },
        ],
      },
    ),
  );
  renderApp(<JobView localId={1} />);
  expect(await screen.findByText("Status: Enriching")).toBeInTheDocument();
  expect(stepState("Grouping")).toHaveTextContent("done · between two checks");
  expect(stepState("Analyzing")).toHaveTextContent("done");
  expect(stepState("Enriching")).toHaveAttribute("aria-current", "step");
});

test("a running job can be stopped: deleted, saying that work done may still count", async () => {
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(snapshot());
  const del = vi.spyOn(ipc, "deleteJob").mockResolvedValue();
  renderApp(<JobView localId={1} />);
  await screen.findByText("Status: Analyzing");
  act(() => screen.getByRole("button", { name: "Stop and delete" }).click());
  const ask = await screen.findByRole("alertdialog", { name: "Stop this job?" });
  expect(ask).toHaveTextContent("may still count against your plan");
  act(() => within(ask).getByRole("button", { name: "Keep it running" }).click());
  expect(screen.queryByRole("alertdialog")).toBeNull();
  expect(del).not.toHaveBeenCalled();
  act(() => screen.getByRole("button", { name: "Stop and delete" }).click());
  act(() =>
    within(screen.getByRole("alertdialog"))
      .getByRole("button", { name: "Stop and delete" })
      .click(),
  );
  await waitFor(() => expect(del).toHaveBeenCalledWith(1));
});

test("completed on the service is not completed until every record is local", async () => {
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(
    snapshot(
      { stage: "enriching", validRecords: 56_790, storedRecords: 57_000 },
      {
        progress: { candidateRecords: 120_000, progressValidated: 80_000, validRecords: 56_790 },
      },
    ),
  );
  const { client } = renderApp(<JobView localId={1} />);
  await screen.findByText("Status: Enriching");
  // Never more on this computer than found.
  expect(
    screen.getByText(
      "120,000 candidates · 80,000 checked · 57,000 found · 57,000 on this computer",
    ),
  ).toBeInTheDocument();

  act(() => {
    routeJobEvent(client, {
      localId: 1,
      event: { type: "stage_changed", stage: "completed", steps: [] },
    });
    routeJobEvent(client, {
      localId: 1,
      event: {
        type: "progress",
        progress: { candidateRecords: 120_000, progressValidated: 120_000, validRecords: 100_000 },
      },
    });
  });
  expect(
    await screen.findByText("Status: Completed on the service · downloading 57,000 of 100,000"),
  ).toBeInTheDocument();
  expect(screen.queryByText("Status: Completed")).not.toBeInTheDocument();

  act(() => {
    routeJobEvent(client, {
      localId: 1,
      event: { type: "records_stored", newRecords: 43_000, storedRecords: 100_000 },
    });
  });
  expect(
    await screen.findByText("Status: Completed on the service · downloading 100,000 of 100,000"),
  ).toBeInTheDocument();
  vi.mocked(ipc.jobSnapshot).mockResolvedValue(
    snapshot({
      stage: "completed",
      serviceCompleted: true,
      allLocal: true,
      tracking: false,
      validRecords: 100_000,
      storedRecords: 100_000,
    }),
  );
  act(() => {
    routeJobEvent(client, { localId: 1, event: { type: "completed", validRecords: 100_000 } });
  });
  expect(await screen.findByText("Status: Completed")).toBeInTheDocument();
});

test("an export made before every record is local says it is partial", async () => {
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(
    snapshot({
      stage: "completed",
      serviceCompleted: true,
      allLocal: false,
      validRecords: 100_000,
      storedRecords: 52_000,
    }),
  );
  vi.spyOn(ipc, "exportJob").mockResolvedValue({
    path: "/tmp/job.csv",
    records: 52_000,
    bytes: 2048,
    partial: "partial: 52,000 of 100,000 records (completed on the service, still downloading)",
  });
  const user = userEvent.setup();
  renderApp(<JobView localId={1} />);
  await screen.findByText("Status: Completed on the service · downloading 52,000 of 100,000");
  await user.click(screen.getByRole("button", { name: "Export CSV" }));
  const status = await screen.findByText(/Saved a partial export/);
  expect(status).toHaveTextContent("52,000 records");
  expect(status).toHaveTextContent("52,000 of 100,000");
  expect(screen.queryByText(/^Saved 52,000 records/)).not.toBeInTheDocument();
});

test("values that could not be read are said in plain words", async () => {
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(
    snapshot({}, { readNotes: "3 values had characters that could not be read." }),
  );
  renderApp(<JobView localId={1} />);
  const note = await screen.findByText(/3 values had characters that could not be read\./);
  expect(note.closest("[role=status]")).toHaveTextContent("Some values were stored changed");
});
