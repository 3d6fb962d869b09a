import { act, screen, waitFor } from "@testing-library/preact";
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
