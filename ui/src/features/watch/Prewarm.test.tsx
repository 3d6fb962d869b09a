import { waitFor } from "@testing-library/preact";
import { ipc, type JobSummary } from "../../lib/ipc";
import { renderApp, snapshot } from "../../test/render";
import { JobView } from "./JobView";
import { jobKey } from "./jobState";
import { Prewarm } from "./Prewarm";

// jsdom has no layout: give the scroll area a height so rows get rendered.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, value: 360 });
});
afterAll(() => {
  Reflect.deleteProperty(HTMLElement.prototype, "clientHeight");
});
afterEach(() => vi.restoreAllMocks());

const summary = (localId: number, storedRecords: number): JobSummary => ({
  ...snapshot({ localId, storedRecords, stage: "completed" }).summary,
});

test("the newest job with records is shown once, hidden, and says when its rows are in", async () => {
  vi.spyOn(ipc, "listJobs").mockResolvedValue([summary(7, 0), summary(3, 2)]);
  vi.spyOn(ipc, "jobSnapshot").mockImplementation(async (id) =>
    snapshot({ localId: id, storedRecords: 2, stage: "completed" }),
  );
  vi.spyOn(ipc, "jobColumns").mockResolvedValue([
    { key: "record_title", label: "Title", kind: "title" },
  ]);
  vi.spyOn(ipc, "recordsWindow").mockResolvedValue({
    total: 2,
    start: 0,
    rows: [
      { recordId: "a", texts: ["First"], links: [null] },
      { recordId: "b", texts: ["Second"], links: [null] },
    ],
  });
  const done = vi.fn();
  const { client, container } = renderApp(<Prewarm jobView={JobView} onDone={done} />);
  await waitFor(() => expect(done).toHaveBeenCalled());
  // It showed job 3 (job 7 has no records), out of sight and out of reach.
  const box = container.querySelector(".prewarm");
  expect(box).toHaveAttribute("aria-hidden", "true");
  expect(box).toHaveAttribute("inert");
  expect(box).toHaveTextContent("First");
  expect(ipc.jobSnapshot).toHaveBeenCalledWith(3);
  // Its summary stays cached for the real opening.
  expect(client.getQueryData(jobKey(3))).toBeTruthy();
});

test("without a job that has records there is nothing to show", async () => {
  vi.spyOn(ipc, "listJobs").mockResolvedValue([summary(7, 0)]);
  const snap = vi.spyOn(ipc, "jobSnapshot");
  const done = vi.fn();
  const { container } = renderApp(<Prewarm jobView={JobView} onDone={done} />);
  await waitFor(() => expect(done).toHaveBeenCalled());
  expect(container.querySelector(".prewarm")).toBeNull();
  expect(snap).not.toHaveBeenCalled();
});
