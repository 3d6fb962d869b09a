import { screen, waitFor, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { type FieldView, ipc, type RecordDetail } from "../../lib/ipc";
import { renderApp } from "../../test/render";
import {
  BLOCKS_PER_FRAME,
  CHARS_AT_ONCE,
  FIELDS_AT_ONCE,
  FIELDS_PER_FRAME,
  fieldSource,
  RecordPanel,
  sourceName,
  textBlocks,
} from "./RecordPanel";

afterEach(() => vi.restoreAllMocks());

function field(name: string, text: string, fullLength = text.length): FieldView {
  return { name, label: name, kind: "text", text, link: null, confidence: null, fullLength };
}

function detail(fields: FieldView[]): RecordDetail {
  return {
    recordId: "r1",
    title: "A record",
    confidence: null,
    fields,
    fieldsTotal: fields.length,
    citations: [],
    companies: [],
    eventType: null,
    sector: null,
  };
}

/**
 * A record of `n` fields as the engine serves it: the detail with the
 * first page and a count (`counted`, when it differs), the rest by page.
 */
function pagedRecord(n: number, counted = n) {
  const fields = Array.from({ length: n }, (_, i) => field(`field_${i}`, `value ${i}`));
  vi.spyOn(ipc, "recordDetail").mockResolvedValue({
    ...detail(fields.slice(0, FIELDS_AT_ONCE)),
    fieldsTotal: counted,
  });
  return vi
    .spyOn(ipc, "recordFields")
    .mockImplementation(async (_l, _r, from, count) => fields.slice(from, from + count));
}

/** A value of `n` characters, as the engine would keep it whole. */
const HUGE = 10_000_000;
const whole = "w".repeat(HUGE);

/** The review controls are not under test here. */
const noReview = { review: null, onMark: () => {}, onNote: () => {}, onUndo: () => {} };

test("a 10 MB value shows its start, and all of it only in steps on request", async () => {
  const preview = "w".repeat(2_000);
  vi.spyOn(ipc, "recordDetail").mockResolvedValue(
    detail([field("summary", preview, HUGE), field("short", "fine")]),
  );
  // The engine's parts: `chars` characters from `from` (all ASCII here).
  const full = vi.spyOn(ipc, "recordField").mockImplementation(async (_l, _r, _n, from, chars) => {
    const end = Math.min(from + chars, HUGE);
    return { text: whole.slice(from, end), next: end < HUGE ? end : null, total: HUGE };
  });
  renderApp(<RecordPanel {...noReview} localId={1} recordId="r1" onClose={() => {}} />);
  const panel = await screen.findByRole("dialog", { name: "A record" });
  expect(within(panel).getByText("fine")).toBeInTheDocument();
  // Only the preview is on the page; the whole is fetched on demand.
  expect(panel.textContent?.length).toBeLessThan(5_000);
  expect(full).not.toHaveBeenCalled();
  const user = userEvent.setup();
  await user.click(within(panel).getByRole("button", { name: "Show all (10,000,000 characters)" }));
  // Only one part crossed to the page, not the whole value.
  expect(full).toHaveBeenCalledWith(1, "r1", "summary", 0, CHARS_AT_ONCE);
  const more = await within(panel).findByRole("button", {
    name: `Show more (${(HUGE - CHARS_AT_ONCE).toLocaleString("en-US")} characters left)`,
  });
  // A part goes in a few blocks a frame, busy until all are in.
  const blocks = () => panel.querySelectorAll(".value-block").length;
  expect(blocks()).toBeLessThanOrEqual(BLOCKS_PER_FRAME);
  expect(panel.querySelector('[aria-busy="true"]')).not.toBeNull();
  await waitFor(() => expect(panel.querySelector('[aria-busy="true"]')).toBeNull());
  expect(blocks()).toBeGreaterThan(BLOCKS_PER_FRAME);
  expect(panel.textContent?.length).toBeGreaterThan(CHARS_AT_ONCE);
  expect(panel.textContent?.length).toBeLessThan(CHARS_AT_ONCE + 5_000);
  await user.click(more);
  expect(full).toHaveBeenLastCalledWith(1, "r1", "summary", CHARS_AT_ONCE, CHARS_AT_ONCE);
  await within(panel).findByRole("button", {
    name: `Show more (${(HUGE - 2 * CHARS_AT_ONCE).toLocaleString("en-US")} characters left)`,
  });
  await waitFor(() => expect(panel.textContent?.length).toBeGreaterThan(2 * CHARS_AT_ONCE));
  expect(panel.textContent?.length).toBeLessThan(2 * CHARS_AT_ONCE + 5_000);
});

test("a value that was not cut has no Show all", async () => {
  vi.spyOn(ipc, "recordDetail").mockResolvedValue(detail([field("a", "whole text")]));
  renderApp(<RecordPanel {...noReview} localId={1} recordId="r1" onClose={() => {}} />);
  const panel = await screen.findByRole("dialog", { name: "A record" });
  expect(within(panel).getByText("whole text")).toBeInTheDocument();
  expect(within(panel).queryByRole("button", { name: /Show all/ })).toBeNull();
});

test("10,000 fields come a page at a time and are added a few rows per frame", async () => {
  const pages = pagedRecord(10_000);
  renderApp(<RecordPanel {...noReview} localId={1} recordId="r1" onClose={() => {}} />);
  const panel = await screen.findByRole("dialog", { name: "A record" });
  const list = panel.querySelector("dl.fields");
  const rows = () => panel.querySelectorAll(".field-row").length;
  // The first frame holds a few rows; the rest follow, frame by frame.
  expect(rows()).toBeLessThanOrEqual(FIELDS_PER_FRAME);
  expect(list).toHaveAttribute("aria-busy", "true");
  await waitFor(() => expect(list).toHaveAttribute("aria-busy", "false"));
  expect(rows()).toBe(FIELDS_AT_ONCE);
  expect(within(panel).getByText(`value ${FIELDS_AT_ONCE - 1}`)).toBeInTheDocument();
  expect(within(panel).queryByText(`value ${FIELDS_AT_ONCE}`)).toBeNull();
  expect(pages).not.toHaveBeenCalled();
  await userEvent
    .setup()
    .click(
      within(panel).getByRole("button", { name: /^Show 200 more fields \(200 of 10,000 shown\)$/ }),
    );
  expect(pages).toHaveBeenCalledWith(1, "r1", FIELDS_AT_ONCE, FIELDS_AT_ONCE);
  await within(panel).findByRole("button", {
    name: /^Show 200 more fields \(400 of 10,000 shown\)$/,
  });
  await waitFor(() => expect(rows()).toBe(2 * FIELDS_AT_ONCE));
  expect(within(panel).getByText(`value ${FIELDS_AT_ONCE}`)).toBeInTheDocument();
});

test("Show more fields goes once the record has no more to give", async () => {
  // The detail counted 500, but the record was stored again with 250.
  pagedRecord(250, 500);
  renderApp(<RecordPanel {...noReview} localId={1} recordId="r1" onClose={() => {}} />);
  const panel = await screen.findByRole("dialog", { name: "A record" });
  await userEvent
    .setup()
    .click(await within(panel).findByRole("button", { name: /^Show 200 more fields/ }));
  await within(panel).findByText("value 249");
  expect(within(panel).queryByRole("button", { name: /more fields/ })).toBeNull();
});

test("Copy as row holds the fields the panel has not fetched yet", async () => {
  pagedRecord(450);
  const user = userEvent.setup();
  renderApp(<RecordPanel {...noReview} localId={1} recordId="r1" onClose={() => {}} />);
  const panel = await screen.findByRole("dialog", { name: "A record" });
  await user.click(within(panel).getByRole("button", { name: "Copy as row" }));
  await within(panel).findByText("Row copied.");
  const [heads, cells] = (await navigator.clipboard.readText()).split("\n");
  expect(heads.split("\t")).toHaveLength(1 + 450 + 2);
  expect(cells.split("\t")[450]).toBe("value 449");
  // When the rest cannot be read, nothing half is copied, and it says so.
  await navigator.clipboard.writeText("before");
  vi.mocked(ipc.recordFields).mockRejectedValue(new Error("store busy"));
  await user.click(within(panel).getByRole("button", { name: "Copy as row" }));
  await within(panel).findByText(/^The row could not be copied/);
  expect(await navigator.clipboard.readText()).toBe("before");
});

const NEWS = {
  title: "Acme raises $40M Series B round | Daily Wire",
  link: "https://www.daily.example/acme-40m",
  publishedDate: null,
};
const PRESS = {
  title: "Our news",
  link: "https://acme.example/press/series-b",
  publishedDate: null,
};
const OTHER = {
  title: "Fintech funding this week | Ledger",
  link: "https://ledger.example/week",
  publishedDate: null,
};

test("a field's source: the one that is its value, names it, or the record's only one", () => {
  const url: FieldView = { ...field("press", PRESS.link), kind: "url", link: PRESS.link };
  expect(fieldSource(url, [NEWS, PRESS, OTHER])).toBe(PRESS);
  // Named in a title, as whole words, case and accents folded.
  expect(fieldSource(field("company", "ACME"), [OTHER, NEWS])).toBe(NEWS);
  expect(fieldSource(field("stage", "series_b"), [OTHER, NEWS])).toBe(NEWS);
  const company: FieldView = { ...field("company", "Acme Holdings"), evidence: "Acme raises $40M" };
  expect(fieldSource(company, [OTHER, NEWS])).toBe(NEWS);
  // "Acm" is not a word of any title; with several sources, none can be told.
  expect(fieldSource(field("company", "Acm"), [OTHER, NEWS])).toBeNull();
  expect(fieldSource(field("amount", "40"), [OTHER, NEWS])).toBeNull();
  expect(fieldSource(field("amount", "40"), [OTHER])).toBe(OTHER);
  expect(sourceName(NEWS)).toBe("Acme raises $40M Series B round | Daily Wire (daily.example)");
  expect(sourceName({ ...OTHER, title: "" })).toBe("ledger.example");
});

test("each field shows its source, which opens in the browser", async () => {
  const open = vi.spyOn(ipc, "openLink").mockResolvedValue(undefined);
  vi.spyOn(ipc, "recordDetail").mockResolvedValue({
    ...detail([
      { ...field("company", "Acme"), kind: "company", evidence: "Acme said on Monday" },
      field("summary", "A round to grow in Europe"),
    ]),
    citations: [OTHER, NEWS, PRESS],
  });
  renderApp(<RecordPanel {...noReview} localId={1} recordId="r1" onClose={() => {}} />);
  const panel = await screen.findByRole("dialog", { name: "A record" });
  const company = (await within(panel).findByText("company")).closest("div") as HTMLElement;
  const link = within(company).getByRole("link", {
    name: "Acme raises $40M Series B round | Daily Wire (daily.example) (opens in your browser)",
  });
  expect(within(company).getByText("“Acme said on Monday”", { exact: false })).toBeInTheDocument();
  await userEvent.click(link);
  expect(open).toHaveBeenCalledWith(NEWS.link);
  // A value no source names: said plainly, not guessed.
  const summary = within(panel).getByText("summary").closest("div") as HTMLElement;
  expect(within(summary).queryByRole("link")).toBeNull();
  expect(within(summary).getByText("Source: one of the 3 listed below.")).toBeInTheDocument();
});

test("a whole value is split into blocks at spaces, never inside a character", () => {
  const words = "alpha beta gamma ".repeat(1_000);
  const blocks = textBlocks(words, 100);
  expect(blocks.join("")).toBe(words);
  for (const b of blocks.slice(0, -1)) {
    expect(b.length).toBeLessThanOrEqual(100);
    expect(b.endsWith(" ")).toBe(true);
  }
  // One long word of emoji: cut by size, but never between a surrogate pair.
  const emoji = "😀".repeat(500);
  const parts = textBlocks(emoji, 101);
  expect(parts.join("")).toBe(emoji);
  for (const p of parts) expect(/^(?:😀)+$/u.test(p)).toBe(true);
});
