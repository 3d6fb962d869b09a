import { act, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import {
  type Column,
  ipc,
  type KeptView,
  type RecordsWindow,
  type TableColumn,
  type ViewSpec,
} from "../../lib/ipc";
import { withLayout } from "../../test/layout";
import { renderApp } from "../../test/render";
import { ResultsTable } from "./ResultsTable";
import {
  arrange,
  contentWidth,
  filterInWords,
  highlightRanges,
  moveColumn,
  rowsAsTsv,
  searchTerms,
} from "./tableLayout";
import { useKeptView } from "./useKeptView";

withLayout({ width: 1400 });
afterEach(() => vi.restoreAllMocks());

const COLUMNS: Column[] = [
  { key: "record_title", label: "Title", kind: "title" },
  { key: "company", label: "Company", kind: "company" },
  { key: "deal_amount", label: "Deal amount in US dollars", kind: "number" },
  { key: "enrichment_confidence", label: "Confidence", kind: "confidence" },
];

function fakeWindow(_id: number, _view: ViewSpec, start: number, limit: number): RecordsWindow {
  const rows = [];
  for (let i = start; i < Math.min(start + limit, 500); i++)
    rows.push({
      recordId: `r${i}`,
      texts: [`Record ${i}`, `Łódź Logistics ${i}`, String(i * 1000), "high"],
      links: [null, "lodz.example", null, null],
    });
  return { total: 500, start, rows };
}

beforeEach(() => {
  vi.spyOn(ipc, "jobColumns").mockResolvedValue(COLUMNS);
  vi.spyOn(ipc, "recordsWindow").mockImplementation(async (...a) => fakeWindow(...a));
});

function Harness({ initial }: { initial?: Partial<ViewSpec> }) {
  const [view, setView] = useState<ViewSpec>({
    sort: null,
    search: null,
    filters: [],
    ...initial,
  });
  const [layout, setLayout] = useState<TableColumn[]>([]);
  return (
    <>
      <ResultsTable
        localId={3}
        view={view}
        onViewChange={setView}
        layout={layout}
        onLayoutChange={setLayout}
      />
      <output data-testid="layout">{JSON.stringify(layout)}</output>
    </>
  );
}

const lastView = () => {
  const calls = vi.mocked(ipc.recordsWindow).mock.calls;
  return calls[calls.length - 1][1];
};

test("the arrangement: title pinned first, hidden columns out, order and widths kept", () => {
  const layout: TableColumn[] = [
    { key: "enrichment_confidence", width: 150, hidden: false, pinned: false },
    { key: "company", width: null, hidden: true, pinned: false },
  ];
  const placed = arrange(COLUMNS, layout, () => 111);
  expect(placed.map((p) => [p.col.key, p.width, p.pinned])).toEqual([
    ["record_title", 111, true],
    ["enrichment_confidence", 150, false],
    ["deal_amount", 111, false],
  ]);
  // The title cannot be hidden; moving keeps every column listed.
  const moved = moveColumn(COLUMNS, layout, "deal_amount", -1);
  expect(moved.map((l) => l.key)).toEqual([
    "enrichment_confidence",
    "company",
    "deal_amount",
    "record_title",
  ]);
  // Widths from content: short numbers stay narrow, long titles stop at their kind's widest.
  expect(contentWidth({ key: "n", label: "Amount", kind: "number" }, ["12", "300"])).toBeLessThan(
    100,
  );
  expect(contentWidth(COLUMNS[0], ["x".repeat(200)])).toBe(420);
});

test("search words fold case and accents, and matches are word prefixes", () => {
  expect(searchTerms("  LODZ straße ")).toEqual(["lodz", "strasse"]);
  expect(highlightRanges("Łódź Logistics", ["lodz"])).toEqual([[0, 4]]);
  expect(highlightRanges("Great Łódź", ["lo"])).toEqual([[6, 8]]);
  expect(highlightRanges("slow", ["lo"])).toEqual([]);
});

test("a column resizes by dragging its edge and by the arrow keys", async () => {
  renderApp(<Harness />);
  const handle = await screen.findByRole("separator", { name: "Resize Company" });
  const start = Number(handle.getAttribute("aria-valuenow"));
  handle.focus();
  fireEvent.keyDown(handle, { key: "ArrowRight" });
  await waitFor(() =>
    expect(screen.getByRole("separator", { name: "Resize Company" })).toHaveAttribute(
      "aria-valuenow",
      String(start + 16),
    ),
  );
  const h = screen.getByRole("separator", { name: "Resize Company" });
  fireEvent.pointerDown(h, { clientX: 100, pointerId: 1 });
  fireEvent.pointerMove(h, { clientX: 160, pointerId: 1 });
  // While dragging, the grid follows and the kept layout waits for the drop.
  const grid = screen.getByRole("table", { name: "Records" });
  await waitFor(() =>
    expect(grid.style.getPropertyValue("--columns")).toContain(`${start + 76}px`),
  );
  expect(
    (JSON.parse(screen.getByTestId("layout").textContent ?? "[]") as TableColumn[]).find(
      (l) => l.key === "company",
    )?.width,
  ).toBe(start + 16);
  fireEvent.pointerUp(h, { clientX: 160, pointerId: 1 });
  await waitFor(() =>
    expect(screen.getByRole("separator", { name: "Resize Company" })).toHaveAttribute(
      "aria-valuenow",
      String(start + 76),
    ),
  );
  // The width is the layout's (what the job keeps), and the grid follows it.
  const layout = JSON.parse(screen.getByTestId("layout").textContent ?? "[]") as TableColumn[];
  expect(layout.find((l) => l.key === "company")?.width).toBe(start + 76);
  const table = screen.getByRole("table", { name: "Records" });
  expect(table.style.getPropertyValue("--columns")).toContain(`${start + 76}px`);
});

test("headers keep their full name on hover and always show the sort state", async () => {
  renderApp(<Harness />);
  const table = screen.getByRole("table", { name: "Records" });
  const header = await within(table).findByRole("columnheader", { name: /Deal amount/ });
  expect(header).toHaveAttribute("title", "Deal amount in US dollars");
  expect(header.querySelector(".sort-mark")?.textContent).toBe("↕");
  await userEvent.click(within(header).getByRole("button"));
  await waitFor(() => expect(header).toHaveAttribute("aria-sort", "ascending"));
  expect(header.querySelector(".sort-mark")?.textContent).toBe("▲");
});

test("a value filter from the popover shows as a chip, which removes it", async () => {
  const user = userEvent.setup();
  vi.spyOn(ipc, "columnValues").mockResolvedValue({
    values: [
      { value: "high", count: 300 },
      { value: "low", count: 200 },
    ],
    more: 0,
    empty: 0,
    min: null,
    max: null,
  });
  renderApp(<Harness />);
  await screen.findByRole("button", { name: "Record 0" });
  await user.click(screen.getByText("Filter by column"));
  await user.selectOptions(screen.getByLabelText("Column"), "enrichment_confidence");
  await user.click(await screen.findByRole("checkbox", { name: /high/ }));
  await user.click(screen.getByRole("button", { name: "Apply filter" }));
  const chips = await screen.findByRole("list", { name: "Filters" });
  expect(within(chips).getByText("Confidence: high")).toBeInTheDocument();
  await waitFor(() =>
    expect(lastView().filters).toEqual([
      { key: "enrichment_confidence", contains: "", test: { type: "oneOf", values: ["high"] } },
    ]),
  );
  // The popover closed itself; the chip's button removes the filter.
  expect(screen.queryByRole("button", { name: "Apply filter" })).not.toBeInTheDocument();
  await user.click(within(chips).getByRole("button", { name: "Remove filter: Confidence: high" }));
  await waitFor(() => expect(screen.queryByRole("list", { name: "Filters" })).toBeNull());
});

test("a number range is checked before it is sent, and Escape closes the popover", async () => {
  const user = userEvent.setup();
  vi.spyOn(ipc, "columnValues").mockResolvedValue({
    values: [],
    more: 0,
    empty: 3,
    min: "0",
    max: "499000",
  });
  renderApp(<Harness />);
  await screen.findByRole("button", { name: "Record 0" });
  await user.click(screen.getByText("Filter by column"));
  await user.selectOptions(screen.getByLabelText("Column"), "deal_amount");
  await user.type(screen.getByLabelText("Smallest Deal amount in US dollars"), "5,000");
  await user.type(screen.getByLabelText("Largest Deal amount in US dollars"), "1000");
  await user.click(screen.getByRole("button", { name: "Apply filter" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("larger than the largest");
  const largest = screen.getByLabelText("Largest Deal amount in US dollars");
  await user.clear(largest);
  await user.type(largest, "20000");
  await user.click(screen.getByRole("button", { name: "Apply filter" }));
  await waitFor(() =>
    expect(lastView().filters).toEqual([
      { key: "deal_amount", contains: "", test: { type: "range", min: 5000, max: 20000 } },
    ]),
  );
  expect(screen.getByText("Deal amount in US dollars: 5,000 to 20,000")).toBeInTheDocument();
  // Escape closes an open popover and gives the focus back to its summary.
  await user.click(screen.getByText(/^Filter by column/));
  expect(screen.getByLabelText("Column")).toBeInTheDocument();
  await user.keyboard("{Escape}");
  await waitFor(() => expect(screen.queryByLabelText("Column")).toBeNull());
  expect(document.activeElement?.textContent).toMatch(/^Filter by column/);
});

test("chips describe every kind of filter", () => {
  const f = (test: NonNullable<import("../../lib/ipc").ColumnFilter["test"]>) => ({
    key: "k",
    contains: "",
    test,
  });
  expect(filterInWords("Amount", f({ type: "range", min: 1000, max: null }))).toBe(
    "Amount: 1,000 or more",
  );
  expect(filterInWords("Date", f({ type: "dates", from: null, to: "2025-03-01" }))).toBe(
    "Date: until 2025-03-01",
  );
  expect(filterInWords("Stage", f({ type: "oneOf", values: ["a", "b", "c"] }))).toBe(
    "Stage: a or 2 more",
  );
  expect(filterInWords("Note", f({ type: "empty" }))).toBe("Note is empty");
  expect(filterInWords("Note", { key: "k", contains: "acme" })).toBe("Note contains “acme”");
});

test("search matches are highlighted in the rows", async () => {
  renderApp(<Harness initial={{ search: "lodz" }} />);
  const table = screen.getByRole("table", { name: "Records" });
  await within(table).findByRole("button", { name: "Record 0" });
  const marks = [...table.querySelectorAll("mark")].map((m) => m.textContent);
  expect(marks.length).toBeGreaterThan(0);
  expect(new Set(marks)).toEqual(new Set(["Łódź"]));
});

test("selected rows copy as tab-separated cells with the shown columns", async () => {
  const user = userEvent.setup();
  const writeText = vi.fn().mockResolvedValue(undefined);
  Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
  renderApp(<Harness />);
  await screen.findByRole("button", { name: "Record 0" });
  expect(screen.getByRole("button", { name: "Copy selected rows" })).toBeDisabled();
  await user.click(screen.getByRole("checkbox", { name: "Select Record 1" }));
  await user.click(screen.getByRole("checkbox", { name: "Select Record 0" }));
  await user.click(screen.getByRole("button", { name: "Copy selected rows" }));
  expect(writeText).toHaveBeenCalledWith(
    "Title\tCompany\tDeal amount in US dollars\tConfidence\n" +
      "Record 0\tŁódź Logistics 0\t0\thigh\n" +
      "Record 1\tŁódź Logistics 1\t1000\thigh\n",
  );
  expect(await screen.findByText(/Copied 2 rows/)).toBeInTheDocument();
  // A cell's tabs and line breaks never split it.
  expect(
    rowsAsTsv(
      [{ recordId: "x", texts: ["a\tb\nc"], links: [null] }],
      [{ col: COLUMNS[0], index: 0 }],
    ),
  ).toBe("Title\na b c\n");
});

function KeptTable() {
  const kept = useKeptView(3);
  if (!kept.ready) return <p>Opening…</p>;
  return (
    <ResultsTable
      localId={3}
      view={kept.view}
      onViewChange={kept.setView}
      layout={kept.layout}
      onLayoutChange={kept.setLayout}
    />
  );
}

test("a job's kept view comes back when it is opened, and changes are kept", async () => {
  const kept: KeptView = {
    sort: { key: "deal_amount", descending: true },
    search: null,
    filters: [
      { key: "enrichment_confidence", contains: "", test: { type: "oneOf", values: ["high"] } },
    ],
    columns: [
      { key: "deal_amount", width: 200, hidden: false, pinned: false },
      { key: "company", width: null, hidden: true, pinned: false },
    ],
  };
  vi.spyOn(ipc, "keptView").mockResolvedValue(kept);
  const keepView = vi.spyOn(ipc, "keepView").mockResolvedValue(undefined);
  const { unmount } = renderApp(<KeptTable />);
  const table = await screen.findByRole("table", { name: "Records" });
  await within(table).findByRole("button", { name: "Record 0" });
  // The first window asked for is the kept view's, not the plain one.
  expect(vi.mocked(ipc.recordsWindow).mock.calls[0][1]).toEqual({
    sort: kept.sort,
    search: null,
    filters: kept.filters,
  });
  const headers = within(table)
    .getAllByRole("columnheader")
    .map((h) => h.getAttribute("title") ?? h.textContent);
  expect(headers).toEqual(["Review", "Title", "Deal amount in US dollars", "Confidence"]);
  expect(within(table).getByRole("columnheader", { name: /Deal amount/ })).toHaveAttribute(
    "aria-sort",
    "descending",
  );
  expect(screen.getByText("Confidence: high")).toBeInTheDocument();
  expect(keepView).not.toHaveBeenCalled();

  // A change is written shortly after, with the whole view and layout.
  const handle = screen.getByRole("separator", { name: "Resize Deal amount in US dollars" });
  act(() => {
    fireEvent.keyDown(handle, { key: "ArrowLeft" });
  });
  await waitFor(() => expect(keepView).toHaveBeenCalledTimes(1), { timeout: 2000 });
  const [id, saved] = keepView.mock.calls[0];
  expect(id).toBe(3);
  expect(saved.sort).toEqual(kept.sort);
  expect(saved.filters).toEqual(kept.filters);
  expect(saved.columns.find((c) => c.key === "deal_amount")?.width).toBe(184);
  expect(saved.columns.find((c) => c.key === "company")?.hidden).toBe(true);
  // A change still waiting is written when the job is left.
  await userEvent.click(within(table).getByRole("button", { name: /^Title/ }));
  await waitFor(() => expect(lastView().sort).toEqual({ key: "record_title", descending: false }));
  unmount();
  await waitFor(() => expect(keepView).toHaveBeenCalledTimes(2));
  expect(keepView.mock.calls[1][1].sort).toEqual({ key: "record_title", descending: false });
});

test("the record panel steps through the view, with confidence in words", async () => {
  const user = userEvent.setup();
  vi.spyOn(ipc, "recordDetail").mockImplementation(async (_id, recordId) => ({
    recordId,
    title: `Record ${recordId.slice(1)}`,
    confidence: "high",
    fields: [
      {
        name: "company",
        label: "Company",
        kind: "company",
        text: "Łódź Logistics",
        link: "https://lodz.example",
        confidence: "0.76",
        evidence: "Łódź Logistics, the Polish carrier",
        fullLength: 14,
      },
      {
        name: "press",
        label: "Press",
        kind: "url",
        text: "https://press.example/a",
        link: "https://press.example/a",
        confidence: null,
        fullLength: 23,
      },
    ],
    fieldsTotal: 2,
    citations: [{ title: "Source", link: "https://news.example/1", publishedDate: null }],
    companies: [],
    eventType: null,
    sector: null,
  }));
  renderApp(<Harness />);
  await user.click(await screen.findByRole("button", { name: "Record 0" }));
  const dialog = await screen.findByRole("dialog");
  expect(await within(dialog).findByText("1 of 500")).toBeInTheDocument();
  expect(within(dialog).getByRole("button", { name: "← Previous record" })).toBeDisabled();
  // The evidence, the confidence in words, and a URL value shown once.
  expect(
    await within(dialog).findByText(/likely the right company \(76% match confidence\)/),
  ).toBeTruthy();
  expect(within(dialog).getByText(/Polish carrier/)).toBeInTheDocument();
  expect(within(dialog).getAllByText("https://press.example/a")).toHaveLength(1);
  await user.click(within(dialog).getByRole("button", { name: "Next record →" }));
  expect(await within(dialog).findByRole("heading", { name: "Record 1" })).toBeInTheDocument();
  expect(within(dialog).getByText("2 of 500")).toBeInTheDocument();
  await user.keyboard("{ArrowLeft}");
  expect(await within(dialog).findByRole("heading", { name: "Record 0" })).toBeInTheDocument();
});

test("confidence in words", async () => {
  const { confidenceInWords } = await import("./RecordPanel");
  expect(confidenceInWords("0.92")).toBe("very likely the right company (92% match confidence)");
  expect(confidenceInWords("0.3")).toBe("unlikely the right company (30% match confidence)");
  expect(confidenceInWords("medium")).toBe("medium match confidence");
});
