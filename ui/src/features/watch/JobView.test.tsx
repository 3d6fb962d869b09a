import { act, screen, waitFor } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { ipc } from "../../lib/ipc";
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

test("continue sends the new limit, only when the job allows it", async () => {
  vi.spyOn(ipc, "jobSnapshot").mockResolvedValue(
    snapshot({ stage: "completed", validRecords: 50, storedRecords: 50 }, { canContinue: true }),
  );
  const cont = vi
    .spyOn(ipc, "continueJob")
    .mockResolvedValue(snapshot({ stage: "enriching", limit: 100 }));
  renderApp(<JobView localId={1} />);
  const input = await screen.findByLabelText("New maximum records");
  expect(input).toHaveValue("100");
  act(() => screen.getByRole("button", { name: "Continue job" }).click());
  await waitFor(() => expect(cont).toHaveBeenCalledWith(1, 100));
  expect(await screen.findByText("Status: Enriching")).toBeInTheDocument();
  expect(screen.queryByRole("button", { name: "Continue job" })).not.toBeInTheDocument();
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
