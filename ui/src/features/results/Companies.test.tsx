import { screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { type Column, ipc, type RecordsWindow, type ViewSpec } from "../../lib/ipc";
import { withLayout } from "../../test/layout";
import { renderApp } from "../../test/render";
import { cellInWords, companiesLeftOut, companiesOfCell } from "./companies";
import { RecordPanel, recordAsRow } from "./RecordPanel";
import { ResultsTable } from "./ResultsTable";
import { rowsAsTsv } from "./tableLayout";

withLayout({ width: 1400 });
afterEach(() => vi.restoreAllMocks());

/** An entities cell as the store writes it. */
const cell = (...cs: [string, string, string][]) => cs.map((c) => c.join("\u001f")).join("\u001e");

const COLUMNS: Column[] = [
  { key: "record_title", label: "Title", kind: "title" },
  { key: "Connected entities", label: "Companies", kind: "entities" },
  { key: "Event type", label: "Event type", kind: "option" },
  { key: "enrichment_confidence", label: "Confidence", kind: "confidence" },
];

const ROWS = [
  cell(["Globex", "9", "event_associated"], ["Initech; Ltd", "3", "mention"]),
  cell(["Acme, Inc.", "5", "mention"]),
];

function window(_id: number, view: ViewSpec, start: number, _limit: number): RecordsWindow {
  const only = view.filters.find((f) => f.key === "Connected entities")?.test;
  const rows = ROWS.map((text, i) => ({
    recordId: `r${i}`,
    texts: [`Record ${i}`, text, "lawsuit", "high"],
    links: [null, null, null, null],
  })).filter(
    (r) =>
      only?.type !== "oneOf" ||
      companiesOfCell(r.texts[1]).some((c) => only.values.includes(c.name)),
  );
  return { total: rows.length, start, rows: start === 0 ? rows : [] };
}

let lastView: ViewSpec | null = null;
function Harness() {
  const [view, setView] = useState<ViewSpec>({ sort: null, search: null, filters: [] });
  lastView = view;
  return <ResultsTable localId={5} view={view} onViewChange={setView} />;
}

test("a cell's companies split whole, names with separators of their own included", () => {
  const cs = companiesOfCell(ROWS[0]);
  expect(cs.map((c) => [c.name, c.relevance, c.association])).toEqual([
    ["Globex", 9, "event_associated"],
    ["Initech; Ltd", 3, "mention"],
  ]);
  expect(companiesOfCell("")).toEqual([]);
  expect(companiesOfCell(cell(["Solo", "", ""]))[0]).toMatchObject({
    name: "Solo",
    relevance: null,
    association: null,
  });
  expect(cellInWords(ROWS[0])).toBe("Globex (9, event_associated); Initech; Ltd (3, mention)");
  // A long cell keeps whole companies and counts the rest.
  const cut = `${cell(["Globex", "9", "mention"])}\u001e+4`;
  expect(companiesOfCell(cut).map((c) => c.name)).toEqual(["Globex"]);
  expect(companiesLeftOut(cut)).toBe(4);
  expect(companiesLeftOut(ROWS[0])).toBe(0);
  expect(cellInWords(cut)).toBe("Globex (9, mention); 4 more");
  // Copied rows carry the companies in words, never the separators.
  const tsv = rowsAsTsv(
    [{ recordId: "r0", texts: ["T", ROWS[0]], links: [null, null] }],
    [
      { col: COLUMNS[0], index: 0 },
      { col: COLUMNS[1], index: 1 },
    ],
  );
  expect(tsv).toBe(
    "Title\tCompanies\nT\tGlobex (9, event_associated); Initech; Ltd (3, mention)\n",
  );
});

test("matched companies show as chips with their relevance, and filter by company", async () => {
  const user = userEvent.setup();
  vi.spyOn(ipc, "jobColumns").mockResolvedValue(COLUMNS);
  vi.spyOn(ipc, "recordsWindow").mockImplementation(async (...a) => window(...a));
  const values = vi.spyOn(ipc, "columnValues").mockResolvedValue({
    values: [
      { value: "Globex", count: 1 },
      { value: "Initech; Ltd", count: 1 },
      { value: "Acme, Inc.", count: 1 },
    ],
    more: 0,
    empty: 0,
    min: "3",
    max: "9",
  });
  renderApp(<Harness />);
  const table = await screen.findByRole("table", { name: "Records" });
  await within(table).findByRole("button", { name: "Record 0" });
  expect(within(table).getByRole("columnheader", { name: /Companies/ })).toBeInTheDocument();
  const [first] = within(table).getAllByRole("list", { name: "Matched companies" });
  const chips = within(first).getAllByRole("listitem");
  // Read out as words; seen as the name and its relevance.
  expect(chips.map((c) => c.textContent)).toEqual([
    "Globex9, relevance 9 of 10, subject of the event",
    "Initech; Ltd3, relevance 3 of 10, mentioned",
  ]);
  expect(chips[0].querySelector(".relevance")?.textContent).toBe("9");
  expect(chips[0]).toHaveClass("subject");

  await user.click(screen.getByText("Filter by column"));
  await user.selectOptions(screen.getByLabelText("Column"), "Connected entities");
  const list = await screen.findByRole("group", { name: "Companies: one of" });
  expect(values).toHaveBeenLastCalledWith(
    5,
    { sort: null, search: null, filters: [] },
    "Connected entities",
  );
  await user.click(within(list).getByRole("checkbox", { name: /Acme, Inc\./ }));
  await user.click(screen.getByRole("button", { name: "Apply filter" }));
  await waitFor(() =>
    expect(lastView?.filters).toEqual([
      { key: "Connected entities", contains: "", test: { type: "oneOf", values: ["Acme, Inc."] } },
    ]),
  );
  const filters = await screen.findByRole("list", { name: "Filters" });
  expect(within(filters).getByText("Companies: Acme, Inc.")).toBeInTheDocument();
  // The table asked for the filtered view: only the record naming Acme.
  expect(await within(table).findByRole("button", { name: "Record 1" })).toBeInTheDocument();
  expect(within(table).queryByRole("button", { name: "Record 0" })).not.toBeInTheDocument();
});

test("the record panel lists the companies with why they matched, and the tags", async () => {
  const detail = {
    recordId: "r0",
    title: "Globex sued",
    confidence: null,
    fields: [],
    fieldsTotal: 0,
    citations: [],
    companies: [
      {
        name: "Globex",
        relevance: 9,
        association: "event_associated",
        relation: "defendant in the suit",
        domain: "globex.com",
      },
      { name: "Initech", relevance: 3, association: "mention", relation: null, domain: null },
    ],
    eventType: "legal/lawsuit",
    sector: "industrials",
  };
  vi.spyOn(ipc, "recordDetail").mockResolvedValue(detail);
  renderApp(
    <RecordPanel
      localId={5}
      recordId="r0"
      review={null}
      onMark={() => {}}
      onNote={() => {}}
      onUndo={() => {}}
      onClose={() => {}}
    />,
  );
  const panel = await screen.findByRole("dialog", { name: "Globex sued" });
  const section = within(panel).getByRole("region", { name: "Companies (2)" });
  const chips = within(section).getAllByRole("listitem");
  expect(chips[0]).toHaveTextContent(
    "Globex9, relevance 9 of 10subject of the event · defendant in the suit · globex.com",
  );
  expect(chips[1]).toHaveAttribute("title", "Initech, relevance 3 of 10, mentioned");
  expect(within(panel).getByText("legal/lawsuit")).toBeInTheDocument();
  expect(within(panel).getByText("industrials")).toBeInTheDocument();
  const [heads, cells] = recordAsRow(detail).trim().split("\n");
  expect(heads).toBe("Title\tCompanies\tEvent type\tSector\tConfidence\tSources");
  expect(cells.split("\t")[1]).toBe(
    "Globex, relevance 9 of 10, subject of the event; Initech, relevance 3 of 10, mentioned",
  );
});
