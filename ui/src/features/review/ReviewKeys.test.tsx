import { act, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import {
  ipc,
  type RecordsWindow,
  type ReviewChange,
  type ReviewOutcome,
  type RowReview,
  type ViewSpec,
} from "../../lib/ipc";
import { withLayout } from "../../test/layout";
import { renderApp } from "../../test/render";
import { ResultsTable } from "../results/ResultsTable";
import { applyChange, progressLine } from "./reviewCache";

withLayout();
afterEach(() => vi.restoreAllMocks());

const TOTAL = 10;

/** A small engine: ten records and their reviews, with the last action's undo. */
function fakeEngine() {
  const reviews = new Map<string, RowReview>();
  let undo: Map<string, RowReview | undefined> | null = null;
  const progress = () => {
    const all = [...reviews.values()];
    return {
      total: TOTAL,
      reviewed: all.filter((r) => r.state !== "unreviewed").length,
      accepted: all.filter((r) => r.state === "accepted").length,
      rejected: all.filter((r) => r.state === "rejected").length,
      starred: all.filter((r) => r.starred).length,
      withNote: all.filter((r) => r.note).length,
    };
  };
  const outcome = (ids: string[]): ReviewOutcome => ({
    count: ids.length,
    changed: ids.map((recordId) => ({
      recordId,
      review: reviews.get(recordId) ?? {
        state: "unreviewed",
        starred: false,
        note: null,
        reviewedAt: null,
      },
    })),
    refresh: false,
    progress: progress(),
    canUndo: undo != null,
  });
  const ids = (view: ViewSpec) =>
    Array.from({ length: TOTAL }, (_, i) => `r${i}`).filter((id) => {
      const r = reviews.get(id);
      if (view.review === "accepted") return r?.state === "accepted";
      if (view.review === "unreviewed") return !r || r.state === "unreviewed";
      return true;
    });
  return {
    reviews,
    window: (_id: number, view: ViewSpec, start: number, limit: number): RecordsWindow => {
      const all = ids(view);
      return {
        total: all.length,
        start,
        rows: all.slice(start, start + limit).map((id) => ({
          recordId: id,
          texts: [`Record ${id.slice(1)}`, "high"],
          links: [null, null],
          review: reviews.get(id) ?? null,
        })),
      };
    },
    review: (recordIds: string[], change: ReviewChange): ReviewOutcome => {
      undo = new Map(recordIds.map((id) => [id, reviews.get(id)]));
      for (const id of recordIds) reviews.set(id, applyChange(reviews.get(id) ?? null, change));
      return outcome(recordIds);
    },
    undo: (): ReviewOutcome => {
      const before = undo ?? new Map();
      undo = null;
      for (const [id, r] of before) {
        if (r) reviews.set(id, r);
        else reviews.delete(id);
      }
      return outcome([...before.keys()]);
    },
    next: (view: ViewSpec, after: number | null) => {
      const all = ids(view);
      for (let k = 1; k <= all.length; k++) {
        const pos = ((after ?? -1) + k) % all.length;
        const r = reviews.get(all[pos]);
        if (!r || r.state === "unreviewed") return { position: pos, recordId: all[pos] };
      }
      return null;
    },
    progress,
  };
}

function Harness() {
  const [view, setView] = useState<ViewSpec>({ sort: null, search: null, filters: [] });
  return <ResultsTable localId={3} view={view} onViewChange={setView} />;
}

function setup() {
  const engine = fakeEngine();
  vi.spyOn(ipc, "jobColumns").mockResolvedValue([
    { key: "record_title", label: "Title", kind: "title" },
    { key: "enrichment_confidence", label: "Confidence", kind: "confidence" },
  ]);
  vi.spyOn(ipc, "recordsWindow").mockImplementation(async (...a) => engine.window(...a));
  vi.spyOn(ipc, "reviewProgress").mockImplementation(async () => engine.progress());
  vi.spyOn(ipc, "reviewRecords").mockImplementation(async (_id, ids, change) =>
    engine.review(ids, change),
  );
  vi.spyOn(ipc, "undoReview").mockImplementation(async () => engine.undo());
  vi.spyOn(ipc, "nextUnreviewed").mockImplementation(async (_id, view, after) =>
    engine.next(view, after),
  );
  return engine;
}

const rowOf = (title: string) =>
  screen.getByRole("button", { name: title }).closest("tr") as HTMLTableRowElement;

test("the progress line reads as an analyst says it", () => {
  expect(progressLine({ total: 60, reviewed: 42, accepted: 38 })).toBe(
    "42 of 60 reviewed · 38 accepted",
  );
});

test("review by keyboard: accept, next unreviewed, reject, star, note, undo", async () => {
  const engine = setup();
  const user = userEvent.setup();
  renderApp(<Harness />);
  // The file's first table: its first render also loads the modules (slow
  // when the machine is busy).
  await screen.findByRole("button", { name: "Record 0" }, { timeout: 5000 });
  expect(await screen.findByText("0 of 10 reviewed · 0 accepted")).toBeInTheDocument();
  const scroller = screen
    .getByRole("table", { name: "Records" })
    .closest(".table-scroll") as HTMLElement;
  scroller.focus();

  // a: the first row is marked at once, before the engine answers, and in
  // place: no window is read again.
  let answer: (o: ReviewOutcome) => void = () => {};
  vi.mocked(ipc.reviewRecords).mockImplementationOnce(
    (_id, ids, change) =>
      new Promise((resolve) => {
        answer = () => resolve(engine.review(ids, change));
      }),
  );
  await user.keyboard("a");
  expect(within(rowOf("Record 0")).getByText("Accepted")).toBeInTheDocument();
  expect(rowOf("Record 0")).toHaveAttribute("aria-current", "true");
  await act(async () => answer({} as ReviewOutcome));
  expect(ipc.reviewRecords).toHaveBeenCalledWith(3, ["r0"], {
    state: "accepted",
    starred: null,
    note: null,
  });
  expect(await screen.findByText("1 of 10 reviewed · 1 accepted")).toBeInTheDocument();
  expect(ipc.recordsWindow).toHaveBeenCalledTimes(1);

  // j moves to the next unreviewed record, r rejects it, s stars it.
  await user.keyboard("j");
  await waitFor(() => expect(rowOf("Record 1")).toHaveAttribute("aria-current", "true"));
  await user.keyboard("r");
  expect(within(rowOf("Record 1")).getByText("Rejected")).toBeInTheDocument();
  await user.keyboard("s");
  expect(within(rowOf("Record 1")).getByText("Starred")).toBeInTheDocument();
  await waitFor(() => expect(engine.reviews.get("r1")?.starred).toBe(true));

  // n opens the note; Ctrl+Enter saves it.
  await user.keyboard("n");
  const dialog = await screen.findByRole("dialog", { name: /Note on/ });
  await user.type(within(dialog).getByLabelText("Note"), "same deal as Record 0");
  await user.keyboard("{Control>}{Enter}{/Control}");
  expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  await waitFor(() => expect(engine.reviews.get("r1")?.note).toBe("same deal as Record 0"));
  expect(within(rowOf("Record 1")).getByText("Note: same deal as Record 0")).toBeInTheDocument();

  // u undoes the last action: the note.
  scroller.focus();
  await user.keyboard("u");
  await waitFor(() => expect(engine.reviews.get("r1")?.note).toBeNull());
  expect(within(rowOf("Record 1")).queryByText(/^Note:/)).not.toBeInTheDocument();
  expect(within(rowOf("Record 1")).getByText("Rejected")).toBeInTheDocument();
  expect(await screen.findByText(/^2 of 10 reviewed · 1 accepted/)).toBeInTheDocument();
  expect(ipc.recordsWindow).toHaveBeenCalledTimes(1);

  // Arrow keys move between rows; Ctrl+Z works like u.
  await user.keyboard("{ArrowDown}a");
  await waitFor(() => expect(engine.reviews.get("r2")?.state).toBe("accepted"));
  await user.keyboard("{Control>}z{/Control}");
  await waitFor(() => expect(engine.reviews.get("r2")).toBeUndefined());
  expect(within(rowOf("Record 2")).queryByText("Accepted")).not.toBeInTheDocument();
});

test("every key has a button: the record panel marks the open record", async () => {
  const engine = setup();
  const user = userEvent.setup();
  vi.spyOn(ipc, "recordDetail").mockResolvedValue({
    recordId: "r4",
    title: "Record 4",
    confidence: null,
    fields: [],
    fieldsTotal: 0,
    citations: [],
    companies: [],
    eventType: null,
    sector: null,
  });
  renderApp(<Harness />);
  await user.click(await screen.findByRole("button", { name: "Record 4" }));
  const panel = await screen.findByRole("dialog", { name: "Record 4" });
  await user.click(within(panel).getByRole("button", { name: "Accept" }));
  await waitFor(() => expect(engine.reviews.get("r4")?.state).toBe("accepted"));
  expect(within(panel).getByRole("button", { name: "Accept" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  // The same keys inside the panel.
  await user.keyboard("s");
  await waitFor(() => expect(engine.reviews.get("r4")?.starred).toBe(true));
  expect(within(panel).getByRole("button", { name: "Star" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await user.click(within(panel).getByRole("button", { name: "Undo" }));
  await waitFor(() => expect(engine.reviews.get("r4")?.starred).toBe(false));
});

test("shift-click selects a range, then accept them at once; filter by review", async () => {
  const engine = setup();
  const user = userEvent.setup();
  renderApp(<Harness />);
  await screen.findByRole("button", { name: "Record 0" });
  await user.click(screen.getByRole("checkbox", { name: "Select Record 2" }));
  fireEvent.click(screen.getByRole("checkbox", { name: "Select Record 5" }), { shiftKey: true });
  expect(await screen.findByText("4 selected")).toBeInTheDocument();
  expect(screen.getByRole("checkbox", { name: "Select Record 4" })).toBeChecked();
  await user.click(screen.getByRole("button", { name: "Accept selected" }));
  await waitFor(() =>
    expect(ipc.reviewRecords).toHaveBeenCalledWith(3, ["r2", "r3", "r4", "r5"], {
      state: "accepted",
      starred: null,
      note: null,
    }),
  );
  expect(await screen.findByText("4 of 10 reviewed · 4 accepted")).toBeInTheDocument();
  expect(screen.getByText("No records selected")).toBeInTheDocument();

  // Only the accepted ones.
  await user.selectOptions(screen.getByLabelText("Show"), "Accepted");
  await waitFor(() =>
    expect(ipc.recordsWindow).toHaveBeenLastCalledWith(
      3,
      { sort: null, search: null, filters: [], review: "accepted" },
      0,
      expect.any(Number),
    ),
  );
  expect(await screen.findByText("4 records")).toBeInTheDocument();
  expect(engine.reviews.size).toBe(4);
});
