import { screen, within } from "@testing-library/preact";
import userEvent from "@testing-library/user-event";
import { type FieldView, ipc, type RecordDetail } from "../../lib/ipc";
import { renderApp } from "../../test/render";
import { CHARS_AT_ONCE, FIELDS_AT_ONCE, RecordPanel } from "./RecordPanel";

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
    citations: [],
    companies: [],
    eventType: null,
    sector: null,
  };
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
  expect(panel.textContent?.length).toBeLessThan(CHARS_AT_ONCE + 5_000);
  await user.click(more);
  expect(full).toHaveBeenLastCalledWith(1, "r1", "summary", CHARS_AT_ONCE, CHARS_AT_ONCE);
  await within(panel).findByRole("button", {
    name: `Show more (${(HUGE - 2 * CHARS_AT_ONCE).toLocaleString("en-US")} characters left)`,
  });
  expect(panel.textContent?.length).toBeGreaterThan(2 * CHARS_AT_ONCE);
  expect(panel.textContent?.length).toBeLessThan(2 * CHARS_AT_ONCE + 5_000);
});

test("a value that was not cut has no Show all", async () => {
  vi.spyOn(ipc, "recordDetail").mockResolvedValue(detail([field("a", "whole text")]));
  renderApp(<RecordPanel {...noReview} localId={1} recordId="r1" onClose={() => {}} />);
  const panel = await screen.findByRole("dialog", { name: "A record" });
  expect(within(panel).getByText("whole text")).toBeInTheDocument();
  expect(within(panel).queryByRole("button", { name: /Show all/ })).toBeNull();
});

test("10,000 fields are rendered a few hundred at a time", async () => {
  const fields = Array.from({ length: 10_000 }, (_, i) => field(`field_${i}`, `value ${i}`));
  vi.spyOn(ipc, "recordDetail").mockResolvedValue(detail(fields));
  renderApp(<RecordPanel {...noReview} localId={1} recordId="r1" onClose={() => {}} />);
  const panel = await screen.findByRole("dialog", { name: "A record" });
  expect(panel.querySelectorAll(".field-row")).toHaveLength(FIELDS_AT_ONCE);
  expect(within(panel).getByText(`value ${FIELDS_AT_ONCE - 1}`)).toBeInTheDocument();
  expect(within(panel).queryByText(`value ${FIELDS_AT_ONCE}`)).toBeNull();
  await userEvent
    .setup()
    .click(
      within(panel).getByRole("button", { name: /^Show 200 more fields \(200 of 10,000 shown\)$/ }),
    );
  expect(panel.querySelectorAll(".field-row")).toHaveLength(2 * FIELDS_AT_ONCE);
  expect(within(panel).getByText(`value ${FIELDS_AT_ONCE}`)).toBeInTheDocument();
});
