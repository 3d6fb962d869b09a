import { fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { type Column, ipc, type RecordsWindow, type TableColumn } from "../../lib/ipc";
import { withLayout } from "../../test/layout";
import { renderApp } from "../../test/render";
import { ResultsTable } from "./ResultsTable";
import { moveColumnTo, moveShown } from "./tableLayout";
import { useKeptView } from "./useKeptView";

const COLUMNS: Column[] = [
  { key: "record_title", label: "Title", kind: "title" },
  { key: "company", label: "Company", kind: "company" },
  { key: "deal_amount", label: "Deal amount", kind: "number" },
  { key: "enrichment_confidence", label: "Confidence", kind: "confidence" },
];

withLayout({ width: 1400 });
afterEach(() => vi.restoreAllMocks());

beforeEach(() => {
  vi.spyOn(ipc, "jobColumns").mockResolvedValue(COLUMNS);
  vi.spyOn(ipc, "recordsWindow").mockImplementation(
    async (_id, _view, start, limit): Promise<RecordsWindow> => ({
      total: 3,
      start,
      rows: [0, 1, 2].slice(start, start + limit).map((i) => ({
        recordId: `r${i}`,
        texts: [`Record ${i}`, `Acme ${i}`, String(i * 10), "high"],
        links: [null, null, null, null],
      })),
    }),
  );
  vi.spyOn(ipc, "keptView").mockResolvedValue(null);
});

/** The table as a job view shows it: its layout kept with the job. */
function KeptTable() {
  const kept = useKeptView(7);
  if (!kept.ready) return <p>Opening…</p>;
  return (
    <ResultsTable
      localId={7}
      view={kept.view}
      onViewChange={kept.setView}
      layout={kept.layout}
      onLayoutChange={kept.setLayout}
    />
  );
}

const headerNames = () =>
  within(screen.getByRole("table", { name: "Records" }))
    .getAllByRole("columnheader")
    .map((h) => h.getAttribute("title") ?? h.textContent);

const keys = (layout: TableColumn[] | null) => layout?.map((l) => l.key);

test("a move keeps the pinned title first, skips hidden columns and stays in its group", () => {
  const layout: TableColumn[] = [{ key: "company", width: null, hidden: true, pinned: false }];
  // Right past the hidden Company: one shown place.
  expect(keys(moveShown(COLUMNS, layout, "deal_amount", 1))).toEqual([
    "company",
    "record_title",
    "enrichment_confidence",
    "deal_amount",
  ]);
  // Nothing goes before the pinned title, and the title does not move.
  expect(moveShown(COLUMNS, layout, "deal_amount", -1)).toBeNull();
  expect(moveShown(COLUMNS, [], "record_title", 1)).toBeNull();
  expect(moveColumnTo(COLUMNS, [], "deal_amount", "record_title", false)).toBeNull();
  // An unpinned column does not land among the pinned ones.
  const pinned: TableColumn[] = [{ key: "company", width: null, hidden: false, pinned: true }];
  expect(moveColumnTo(COLUMNS, pinned, "deal_amount", "company", false)).toBeNull();
  expect(keys(moveColumnTo(COLUMNS, [], "enrichment_confidence", "company", false))).toEqual([
    "record_title",
    "enrichment_confidence",
    "company",
    "deal_amount",
  ]);
});

test("a header moves by Alt+Arrow keys, keeps the focus, and the job keeps the order", async () => {
  const keepView = vi.spyOn(ipc, "keepView").mockResolvedValue(undefined);
  const { unmount } = renderApp(<KeptTable />);
  const table = await screen.findByRole("table", { name: "Records" });
  await within(table).findByRole("button", { name: "Record 0" });
  const amount = within(table).getByRole("button", { name: "Deal amount" });
  expect(amount).toHaveAttribute("aria-keyshortcuts", "Alt+ArrowLeft Alt+ArrowRight");
  amount.focus();
  fireEvent.keyDown(amount, { key: "ArrowLeft", altKey: true });
  await waitFor(() =>
    expect(headerNames()).toEqual(["Review", "Title", "Deal amount", "Company", "Confidence"]),
  );
  expect(document.activeElement).toHaveAccessibleName("Deal amount");
  expect(screen.getByText("Deal amount is now column 2 of 4.")).toBeInTheDocument();
  // The pinned title stays first.
  fireEvent.keyDown(document.activeElement as HTMLElement, { key: "ArrowLeft", altKey: true });
  expect(await screen.findByText(/cannot move further/)).toBeInTheDocument();
  expect(headerNames()[1]).toBe("Title");
  // Right twice: to the end. Plain arrows do not move it (the rows use them).
  fireEvent.keyDown(document.activeElement as HTMLElement, { key: "ArrowRight", altKey: true });
  fireEvent.keyDown(document.activeElement as HTMLElement, { key: "ArrowRight", altKey: true });
  fireEvent.keyDown(document.activeElement as HTMLElement, { key: "ArrowLeft" });
  await waitFor(() =>
    expect(headerNames()).toEqual(["Review", "Title", "Company", "Confidence", "Deal amount"]),
  );
  expect(document.activeElement).toHaveAccessibleName("Deal amount");
  // No sort was asked for along the way.
  expect(vi.mocked(ipc.recordsWindow).mock.calls.every((c) => c[1].sort == null)).toBe(true);
  unmount();
  await waitFor(() => expect(keepView).toHaveBeenCalled());
  const saved = keepView.mock.calls[keepView.mock.calls.length - 1][1];
  expect(keys(saved.columns)).toEqual([
    "record_title",
    "company",
    "enrichment_confidence",
    "deal_amount",
  ]);
});

test("a header dragged onto another lands on that side of it, without sorting", async () => {
  renderApp(<KeptTable />);
  const table = await screen.findByRole("table", { name: "Records" });
  await within(table).findByRole("button", { name: "Record 0" });
  // Each header 100 px wide, side by side (jsdom lays nothing out).
  const ths = [...table.querySelectorAll<HTMLElement>("thead th")];
  ths.forEach((th, i) => {
    th.getBoundingClientRect = () =>
      ({ left: i * 100, right: i * 100 + 100, width: 100, top: 0, bottom: 40 }) as DOMRect;
  });
  const confidence = within(table).getByRole("columnheader", { name: /Confidence/ });
  const button = within(confidence).getByRole("button");
  fireEvent.pointerDown(button, { clientX: 450, button: 0, pointerId: 1 });
  fireEvent.pointerMove(confidence, { clientX: 300, pointerId: 1 });
  fireEvent.pointerMove(confidence, { clientX: 210, pointerId: 1 });
  // The landing place is marked while dragging: before Company.
  expect(within(table).getByRole("columnheader", { name: /Company/ })).toHaveClass("drop-before");
  fireEvent.pointerUp(confidence, { clientX: 210, pointerId: 1 });
  fireEvent.click(button);
  await waitFor(() =>
    expect(headerNames()).toEqual(["Review", "Title", "Confidence", "Company", "Deal amount"]),
  );
  expect(confidence).toHaveAttribute("aria-sort", "none");
  expect(screen.getByText("Confidence is now column 2 of 4.")).toBeInTheDocument();
});
