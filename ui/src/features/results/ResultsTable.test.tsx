import { act, screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { ipc, type RecordsWindow, type ViewSpec } from "../../lib/ipc";
import { withLayout } from "../../test/layout";
import { renderApp } from "../../test/render";
import { routeJobEvent } from "../watch/jobState";
import { mayOverflow, ResultsTable } from "./ResultsTable";
import { WINDOW_SIZE, windowsFor } from "./windows";

withLayout();
afterEach(() => vi.restoreAllMocks());

const TOTAL = 100_000;
function fakeWindow(_id: number, view: ViewSpec, start: number, limit: number): RecordsWindow {
  const rows = [];
  for (let i = start; i < Math.min(start + limit, TOTAL); i++) {
    const n = view.sort?.descending ? TOTAL - 1 - i : i;
    rows.push({
      recordId: `r${n}`,
      texts: [`Record ${n}`, `Acme ${n}`, "high"],
      links: [null, `acme${n}.com`, null],
    });
  }
  return { total: TOTAL, start, rows };
}

function Harness() {
  const [view, setView] = useState<ViewSpec>({ sort: null, search: null, filters: [] });
  return <ResultsTable localId={3} view={view} onViewChange={setView} />;
}

beforeEach(() => {
  vi.spyOn(ipc, "jobColumns").mockResolvedValue([
    { key: "record_title", label: "Title", kind: "title" },
    { key: "company", label: "Company", kind: "company" },
    { key: "enrichment_confidence", label: "Confidence", kind: "confidence" },
  ]);
  vi.spyOn(ipc, "recordsWindow").mockImplementation(async (...a) => fakeWindow(...a));
});

test("windows cover only the rows on screen", () => {
  expect(windowsFor(0, 20, 0)).toEqual([0]);
  expect(windowsFor(140, 160, 100_000)).toEqual([0, 1]);
  expect(windowsFor(99_990, 99_999, 100_000)).toEqual([Math.floor(99_999 / WINDOW_SIZE)]);
});

test("a 100,000-record job shows its first rows from one small window", async () => {
  renderApp(<Harness />);
  expect(await screen.findByText("100,000 records")).toBeInTheDocument();
  const table = screen.getByRole("table", { name: "Records" });
  expect(await within(table).findByRole("button", { name: "Record 0" })).toBeInTheDocument();
  // Only what fits on screen is in the DOM, and only one window was asked for.
  expect(within(table).getAllByRole("row").length).toBeLessThan(40);
  expect(ipc.recordsWindow).toHaveBeenCalledTimes(1);
  expect(ipc.recordsWindow).toHaveBeenCalledWith(
    3,
    { sort: null, search: null, filters: [] },
    0,
    WINDOW_SIZE,
  );
  // Company cells: name and domain link; confidence as a badge.
  expect(within(table).getByText("Acme 0")).toBeInTheDocument();
  expect(within(table).getByRole("link", { name: /acme0\.com/ })).toHaveAttribute(
    "href",
    "https://acme0.com",
  );
  expect(within(table).getAllByText("high")[0]).toHaveClass("badge");
}, 15_000);

test("a URL cell sent without its text shows its link", async () => {
  const url = "https://news.example.com/acme-raises-series-b";
  vi.spyOn(ipc, "jobColumns").mockResolvedValue([
    { key: "record_title", label: "Title", kind: "title" },
    { key: "press_release_url", label: "Press release url", kind: "url" },
  ]);
  vi.spyOn(ipc, "recordsWindow").mockResolvedValue({
    total: 1,
    start: 0,
    rows: [{ recordId: "r0", texts: ["Acme raises", ""], links: [null, url] }],
  });
  renderApp(<Harness />);
  const table = await screen.findByRole("table", { name: "Records" });
  const link = await within(table).findByRole("link", { name: `${url} (opens in your browser)` });
  expect(link).toHaveTextContent(url);
  expect(link).toHaveAttribute("href", url);
});

test("sorting by a header asks the engine and marks the column", async () => {
  renderApp(<Harness />);
  const header = await screen.findByRole("columnheader", { name: /Title/ });
  expect(header).toHaveAttribute("aria-sort", "none");
  await userEvent.click(within(header).getByRole("button", { name: /Title/ }));
  expect(header).toHaveAttribute("aria-sort", "ascending");
  await userEvent.click(within(header).getByRole("button", { name: /Title/ }));
  expect(header).toHaveAttribute("aria-sort", "descending");
  await waitFor(() =>
    expect(ipc.recordsWindow).toHaveBeenLastCalledWith(
      3,
      { sort: { key: "record_title", descending: true }, search: null, filters: [] },
      0,
      WINDOW_SIZE,
    ),
  );
  expect(await screen.findByRole("button", { name: "Record 99999" })).toBeInTheDocument();
});

test("search and show/hide columns", async () => {
  renderApp(<Harness />);
  await screen.findByRole("button", { name: "Record 0" });
  await userEvent.type(screen.getByLabelText("Search records"), "acme");
  await waitFor(() =>
    expect(ipc.recordsWindow).toHaveBeenLastCalledWith(
      3,
      { sort: null, search: "acme", filters: [] },
      0,
      WINDOW_SIZE,
    ),
  );
  await userEvent.click(screen.getByText("Columns"));
  await userEvent.click(screen.getByRole("checkbox", { name: "Company" }));
  expect(screen.queryByRole("columnheader", { name: /Company/ })).not.toBeInTheDocument();
});

test("new records stored refetch the windows on screen", async () => {
  const { client } = renderApp(<Harness />);
  await screen.findByRole("button", { name: "Record 0" });
  const calls = vi.mocked(ipc.recordsWindow).mock.calls.length;
  act(() =>
    routeJobEvent(client, {
      localId: 3,
      event: { type: "records_stored", newRecords: 10, storedRecords: 100_000 },
    }),
  );
  await waitFor(() =>
    expect(vi.mocked(ipc.recordsWindow).mock.calls.length).toBeGreaterThan(calls),
  );
});

test("a search answered while the index builds says so, and is asked again when it is ready", async () => {
  let indexing = true;
  vi.mocked(ipc.recordsWindow).mockImplementation(async (...a) => {
    const w = fakeWindow(...a);
    const rows = a[1].search ? w.rows.slice(0, 2) : w.rows;
    // The engine answers from the cells until the index holds every record.
    return a[1].search ? { ...w, total: indexing ? 2 : 3, rows, searchPartial: indexing } : w;
  });
  const { client } = renderApp(<Harness />);
  await screen.findByRole("button", { name: "Record 0" });
  await userEvent.type(screen.getByLabelText("Search records"), "acme");
  expect(await screen.findByText(/search index is still being built/)).toBeInTheDocument();
  expect(screen.getByText("2 records")).toBeInTheDocument();

  indexing = false;
  act(() => routeJobEvent(client, { localId: 3, event: { type: "search_index_ready" } }));
  expect(await screen.findByText("3 records")).toBeInTheDocument();
  expect(screen.queryByText(/search index is still being built/)).not.toBeInTheDocument();
  // Another job's index changes nothing here.
  const calls = vi.mocked(ipc.recordsWindow).mock.calls.length;
  act(() => routeJobEvent(client, { localId: 9, event: { type: "search_index_ready" } }));
  await new Promise((r) => setTimeout(r, 20));
  expect(vi.mocked(ipc.recordsWindow).mock.calls.length).toBe(calls);
});

test("a record opens in a panel with every field and its sources", async () => {
  vi.spyOn(ipc, "recordDetail").mockResolvedValue({
    recordId: "r0",
    title: "Record 0",
    confidence: "high",
    fields: [
      {
        name: "amount",
        label: "Amount",
        kind: "number",
        text: "12,000,000",
        fullLength: 10,
        link: null,
        confidence: null,
      },
    ],
    fieldsTotal: 1,
    citations: [
      {
        title: "Acme raises",
        link: "https://news.test/acme",
        publishedDate: "2025-01-02T00:00:00Z",
      },
    ],
    companies: [],
    eventType: null,
    sector: null,
  });
  const open = vi.spyOn(ipc, "openLink").mockResolvedValue();
  renderApp(<Harness />);
  await userEvent.click(await screen.findByRole("button", { name: "Record 0" }));
  const dialog = await screen.findByRole("dialog", { name: "Record 0" });
  expect(within(dialog).getByText("12,000,000")).toBeInTheDocument();
  await userEvent.click(within(dialog).getByRole("link", { name: /^Acme raises \(opens/ }));
  expect(open).toHaveBeenCalledWith("https://news.test/acme");
  await userEvent.keyboard("{Escape}");
  expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
});

test("a job opened again shows its rows from the cached windows", async () => {
  const first = renderApp(<Harness />);
  expect(await screen.findByText("100,000 records")).toBeInTheDocument();
  first.unmount();
  // Same query cache, as when the analyst goes to Jobs and opens it again.
  renderApp(<Harness />, first.client);
  expect(await screen.findByText("100,000 records")).toBeInTheDocument();
  const table = screen.getByRole("table", { name: "Records" });
  expect(await within(table).findByRole("button", { name: "Record 0" })).toBeInTheDocument();
}, 15_000);

test("only the columns in view get cells, the title always, and they follow a horizontal scroll", async () => {
  // Long texts: widths from the first rows reach their kind's widest, the
  // title 420 px then seven 320 px text columns: 2,660 px in a 900 px view.
  const long = " and more words".repeat(8);
  const keys = ["a", "b", "c", "d", "e", "f", "g"];
  vi.mocked(ipc.jobColumns).mockResolvedValue([
    { key: "record_title", label: "Title", kind: "title" },
    ...keys.map((k) => ({ key: k, label: `Field ${k}`, kind: "text" })),
  ]);
  vi.mocked(ipc.recordsWindow).mockImplementation(async (_id, _view, start, limit) => ({
    total: 1_000,
    start,
    rows: Array.from({ length: limit }, (_, j) => ({
      recordId: `r${start + j}`,
      texts: [`Record ${start + j}${long}`, ...keys.map((k) => `${k}-${start + j}${long}`)],
      links: Array(8).fill(null),
    })),
  }));
  renderApp(<Harness />);
  const table = screen.getByRole("table", { name: "Records" });
  const firstRow = async () => {
    const cell = await within(table).findByRole("button", { name: /^Record 0 / });
    const row = cell.closest("tr") as HTMLTableRowElement;
    return [...row.querySelectorAll("td")].map((td) => td.getAttribute("aria-colindex"));
  };
  // The review column (96 px), then columns 1-3 are in view (96-1,156 px),
  // plus one more on the right.
  expect(await firstRow()).toEqual(["1", "2", "3", "4", "5"]);
  // Every header is there for the column model and assistive technology.
  expect(within(table).getAllByRole("columnheader")).toHaveLength(9);
  expect(table).toHaveAttribute("aria-colcount", "9");

  const scroller = table.closest(".table-scroll") as HTMLElement;
  act(() => {
    scroller.scrollLeft = 1_500;
    scroller.dispatchEvent(new Event("scroll"));
  });
  // 1,500-2,400 px shows columns 5-7 (5 is 1,476-1,796 px), one more each
  // side, and the review column and the (pinned) title stay.
  await waitFor(async () => expect(await firstRow()).toEqual(["1", "2", "5", "6", "7", "8", "9"]));
  expect(within(table).getByText(/^g-0 /)).toBeInTheDocument();
  expect(within(table).queryByText(/^b-0 /)).not.toBeInTheDocument();
});

test("only text that may not fit its column is clipped", () => {
  expect(mayOverflow("0.64")).toBe(false);
  expect(mayOverflow("2026-11-25")).toBe(false);
  expect(mayOverflow("Redwood, Inc. leads the round")).toBe(true);
  // Wide or unknown glyphs: always clipped, however short.
  expect(mayOverflow("株式会社")).toBe(true);
});
