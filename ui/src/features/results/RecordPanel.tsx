import { useQuery } from "@tanstack/react-query";
import { memo, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatCount, formatDateTime } from "../../lib/format";
import {
  type CitationView,
  type FieldView,
  ipc,
  type RecordDetail,
  type ReviewChange,
  type RowReview,
} from "../../lib/ipc";
import { CompanyChips } from "./CompanyChips";
import { companyInWords } from "./companies";
import { ExternalLink, toWebUrl } from "./ExternalLink";
import { ConfidenceBadge } from "./ResultsTable";
import { fold } from "./tableLayout";

/** Words of `s` folded as search folds them, one space between: for whole-word matching. */
const words = (s: string) =>
  ` ${fold(s)
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()} `;

/**
 * The source a field's value came from. The service lists a record's
 * sources, not each value's: the source whose link is the value, else the
 * first whose title names the value (or the company's words), else the
 * record's only source. None when it cannot be told.
 */
export function fieldSource(f: FieldView, citations: CitationView[]): CitationView | null {
  const cited = citations.filter((c) => c.link);
  if (f.link) {
    const same = cited.find((c) => toWebUrl(c.link) === toWebUrl(f.link ?? ""));
    if (same) return same;
  }
  const needles = [f.text, f.evidence ?? ""]
    .filter((t) => t.length <= 300 && !t.includes("\n"))
    .map(words)
    // Two characters or fewer ("B", "12") name nothing.
    .filter((w) => w.trim().length > 2);
  for (const needle of needles) {
    const named = cited.find((c) => words(c.title).includes(needle));
    if (named) return named;
  }
  return cited.length === 1 ? cited[0] : null;
}

/** "Title (outlet.example)": what a source is and where it is. */
export function sourceName(c: CitationView): string {
  let host = "";
  try {
    host = new URL(toWebUrl(c.link)).hostname.replace(/^www\./, "");
  } catch {
    // Not a web address: the title alone says it.
  }
  const title = c.title.trim();
  return title && host ? `${title} (${host})` : title || host || c.link;
}

/**
 * A match confidence in words: the service gives a number from 0 to 1
 * (or a word); "0.76" alone says little to an analyst.
 */
export function confidenceInWords(value: string): string {
  const n = Number(value);
  if (value.trim() !== "" && Number.isFinite(n) && n >= 0 && n <= 1) {
    const pct = Math.round(n * 100);
    const word =
      n >= 0.85 ? "very likely" : n >= 0.6 ? "likely" : n >= 0.4 ? "uncertain" : "unlikely";
    return `${word} the right company (${pct}% match confidence)`;
  }
  return `${value} match confidence`;
}

/** The record as one tab-separated header and row, as the table would copy it. */
export function recordAsRow(r: RecordDetail): string {
  const cell = (s: string) => s.replace(/[\t\r\n]+/g, " ");
  const tags: [string, string | null][] = [
    ["Companies", r.companies.length ? r.companies.map(companyInWords).join("; ") : null],
    ["Event type", r.eventType],
    ["Sector", r.sector],
  ];
  const present = tags.filter((t): t is [string, string] => t[1] != null);
  const heads = [
    "Title",
    ...r.fields.map((f) => f.label),
    ...present.map((t) => t[0]),
    "Confidence",
    "Sources",
  ];
  const cells = [
    r.title,
    ...r.fields.map((f) => (f.kind === "url" && f.link ? f.link : f.text)),
    ...present.map((t) => t[1]),
    r.confidence ?? "",
    r.citations.map((c) => c.link).join(" "),
  ];
  return `${heads.map(cell).join("\t")}\n${cells.map(cell).join("\t")}\n`;
}

/** Every field of one record and its sources, in a side panel. */
export function RecordPanel({
  localId,
  recordId,
  review,
  onMark,
  onNote,
  onUndo,
  onClose,
  onStep,
  position,
}: {
  localId: number;
  recordId: string;
  review: RowReview | null;
  onMark: (change: ReviewChange) => void;
  onNote: (title: string) => void;
  onUndo: () => void;
  onClose: () => void;
  /** Opens the previous (-1) or next (+1) record of the table; None at the ends. */
  onStep?: (by: -1 | 1) => void;
  /** "3 of 60": where the record is in the table's view. */
  position?: { index: number; total: number };
}) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = (text: string, what: string) =>
    navigator.clipboard.writeText(text).then(
      () => setCopied(`${what} copied.`),
      () => setCopied(`The ${what.toLowerCase()} could not be copied.`),
    );
  // The row holds every field: those past the detail's first ones are
  // fetched first (a record with hundreds of fields).
  const copyRow = async (r: RecordDetail) => {
    let rest: FieldView[] = [];
    if (r.fieldsTotal > r.fields.length) {
      try {
        rest = await ipc.recordFields(
          localId,
          recordId,
          r.fields.length,
          r.fieldsTotal - r.fields.length,
        );
      } catch {
        setCopied("The row could not be copied: its fields could not be read.");
        return;
      }
    }
    return copy(recordAsRow({ ...r, fields: [...r.fields, ...rest] }), "Row");
  };
  const id = useId();
  const closeRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const q = useQuery({
    queryKey: ["record", localId, recordId],
    queryFn: () => ipc.recordDetail(localId, recordId),
  });

  useLayoutEffect(() => {
    closeRef.current?.focus();
  }, []);

  const title = q.data?.title || "this record";
  const state = review?.state ?? "unreviewed";
  const keys: Record<string, () => void> = {
    a: () => onMark({ state: "accepted", starred: null, note: null }),
    r: () => onMark({ state: "rejected", starred: null, note: null }),
    s: () => onMark({ state: null, starred: !review?.starred, note: null }),
    n: () => onNote(title),
    u: onUndo,
  };

  // Escape closes; Tab stays inside the panel while it is open; the review
  // keys work here as in the table.
  function onKeyDown(e: React.KeyboardEvent) {
    e.stopPropagation();
    if (e.key === "Escape") {
      onClose();
      return;
    }
    const typing = (e.target as HTMLElement).closest("input, textarea, select");
    // Left and right arrows step through the table's records.
    if (
      onStep &&
      !typing &&
      !e.ctrlKey &&
      !e.metaKey &&
      !e.altKey &&
      (e.key === "ArrowLeft" || e.key === "ArrowRight")
    ) {
      const by = e.key === "ArrowLeft" ? -1 : 1;
      if (canStep(by)) {
        e.preventDefault();
        onStep(by);
      }
      return;
    }
    const action = keys[e.key];
    if (action && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      action();
      return;
    }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "z" && !typing) {
      e.preventDefault();
      onUndo();
      return;
    }
    if (e.key !== "Tab" || !panelRef.current) return;
    const focusable = panelRef.current.querySelectorAll<HTMLElement>(
      "a[href], button:not([disabled]), input, select, textarea, [tabindex='0']",
    );
    if (focusable.length === 0) return;
    const firstEl = focusable[0];
    const lastEl = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === firstEl) {
      e.preventDefault();
      lastEl.focus();
    } else if (!e.shiftKey && document.activeElement === lastEl) {
      e.preventDefault();
      firstEl.focus();
    }
  }

  const r = q.data;
  const canStep = (by: -1 | 1) =>
    !!onStep && !!position && (by < 0 ? position.index > 0 : position.index < position.total - 1);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: clicking outside is a mouse shortcut; Escape and Close do the same
    <div className="panel-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={panelRef}
        className="side-panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        onKeyDown={onKeyDown}
      >
        <div className="panel-head row">
          <h3 id={`${id}-title`}>{r ? r.title || "(untitled)" : "Record"}</h3>
          <button ref={closeRef} type="button" onClick={onClose}>
            Close
          </button>
        </div>
        {onStep && position ? (
          <div className="row record-steps">
            <button
              type="button"
              disabled={!canStep(-1)}
              onClick={() => onStep(-1)}
              title="Left arrow"
            >
              ← Previous record
            </button>
            <span className="muted">
              {formatCount(position.index + 1)} of {formatCount(position.total)}
            </span>
            <button
              type="button"
              disabled={!canStep(1)}
              onClick={() => onStep(1)}
              title="Right arrow"
            >
              Next record →
            </button>
          </div>
        ) : null}
        <fieldset className="review-actions row wrap">
          <legend className="visually-hidden">Review</legend>
          <span className="muted" aria-live="polite">
            {state === "accepted" ? "Accepted" : state === "rejected" ? "Rejected" : "Not reviewed"}
            {review?.starred ? " · starred" : ""}
          </span>
          <button type="button" aria-pressed={state === "accepted"} onClick={keys.a}>
            Accept
          </button>
          <button type="button" aria-pressed={state === "rejected"} onClick={keys.r}>
            Reject
          </button>
          <button type="button" aria-pressed={review?.starred ?? false} onClick={keys.s}>
            Star
          </button>
          <button type="button" onClick={keys.n}>
            {review?.note ? "Edit note" : "Add note"}
          </button>
          <button type="button" onClick={onUndo}>
            Undo
          </button>
        </fieldset>
        {review?.note ? <p className="review-note pre">Note: {review.note}</p> : null}
        {q.isPending ? <p>Loading the record…</p> : null}
        <ErrorNotice error={q.error} />
        {r ? (
          <div className="stack">
            {r.confidence ? (
              <p>
                Enrichment confidence (the service's own rating of these values):{" "}
                <ConfidenceBadge value={r.confidence} />
              </p>
            ) : null}
            <div className="row wrap">
              <button type="button" onClick={() => void copyRow(r)}>
                Copy as row
              </button>
              {r.citations[0]?.link ? (
                <button type="button" onClick={() => void copy(r.citations[0].link, "Link")}>
                  Copy link
                </button>
              ) : null}
              {copied ? (
                <span className="muted" role="status">
                  {copied}
                </span>
              ) : null}
            </div>
            {r.companies.length > 0 ? (
              <section className="stack" aria-labelledby={`${id}-companies`}>
                <h4 id={`${id}-companies`}>Companies ({r.companies.length})</h4>
                <CompanyChips companies={r.companies} detailed />
              </section>
            ) : null}
            <RecordFields key={recordId} localId={localId} recordId={recordId} record={r} />
            <h4>Sources ({r.citations.length})</h4>
            {r.citations.length === 0 ? <p className="muted">No sources listed.</p> : null}
            <ol className="citations">
              {r.citations.map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a source may be cited twice; the list never reorders
                <li key={i}>
                  <ExternalLink href={c.link}>{c.title || c.link}</ExternalLink>
                  {c.publishedDate ? (
                    <span className="muted"> · {formatDateTime(c.publishedDate)}</span>
                  ) : null}
                </li>
              ))}
            </ol>
            <p className="muted small">Record {r.recordId}</p>
          </div>
        ) : null}
      </div>
    </div>
  );
}

/**
 * The record's fields. The detail carries the first `FIELDS_AT_ONCE`;
 * "Show more fields" fetches the next ones. Rows are added to the page
 * `FIELDS_PER_FRAME` per frame (the list is `aria-busy` meanwhile), so
 * hundreds of fields never hold one frame.
 */
function RecordFields({
  localId,
  recordId,
  record: r,
}: {
  localId: number;
  recordId: string;
  record: RecordDetail;
}) {
  const [more, setMore] = useState<FieldView[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = useMemo(() => (more.length ? [...r.fields, ...more] : r.fields), [r.fields, more]);
  const painted = useAddedPerFrame(fields.length, FIELDS_PER_FRAME);
  const busy = painted < fields.length;
  // A short page means the record has no more (it was stored again with fewer).
  const [ended, setEnded] = useState(false);
  const total = ended ? fields.length : Math.max(r.fieldsTotal, fields.length);

  async function showMore() {
    setLoading(true);
    setError(null);
    try {
      const page = await ipc.recordFields(localId, recordId, fields.length, FIELDS_AT_ONCE);
      setMore((m) => [...m, ...page]);
      if (page.length < FIELDS_AT_ONCE) setEnded(true);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }

  return (
    <>
      <dl className="fields" aria-busy={busy}>
        {r.eventType ? (
          <div className="field-row">
            <dt>Event type</dt>
            <dd>{r.eventType}</dd>
          </div>
        ) : null}
        {r.sector ? (
          <div className="field-row">
            <dt>Sector</dt>
            <dd>{r.sector}</dd>
          </div>
        ) : null}
        {fields.slice(0, painted).map((f) => (
          <FieldRow
            key={f.name}
            field={f}
            localId={localId}
            recordId={recordId}
            citations={r.citations}
          />
        ))}
      </dl>
      {total > fields.length ? (
        <button type="button" disabled={loading} onClick={() => void showMore()}>
          {loading
            ? "Loading more fields…"
            : `Show ${formatCount(Math.min(FIELDS_AT_ONCE, total - fields.length))} more fields (${formatCount(fields.length)} of ${formatCount(total)} shown)`}
        </button>
      ) : null}
      <ErrorNotice error={error} />
    </>
  );
}

/**
 * One field of the record panel. Memoised: "Show more fields" and the
 * panel's own state (review, copy) re-render only the rows that change,
 * not every row already shown (a record may have thousands of fields).
 */
const FieldRow = memo(function FieldRow({
  field: f,
  localId,
  recordId,
  citations,
}: {
  field: FieldView;
  localId: number;
  recordId: string;
  citations: CitationView[];
}) {
  return (
    <div className="field-row">
      <dt>{f.label}</dt>
      <dd>
        {f.kind === "url" && f.link ? (
          // The link is the value: shown once.
          <ExternalLink href={f.link}>{f.text || f.link}</ExternalLink>
        ) : (
          <>
            <FieldText localId={localId} recordId={recordId} field={f} />
            {f.link ? (
              <>
                {" "}
                <ExternalLink href={f.link} />
              </>
            ) : null}
          </>
        )}
        {f.confidence ? (
          <span className="muted small field-confidence"> · {confidenceInWords(f.confidence)}</span>
        ) : null}
        {f.evidence ? (
          <blockquote className="evidence">
            <span className="muted small">Found in the article as: </span>“{f.evidence}”
          </blockquote>
        ) : null}
        <FieldSource source={fieldSource(f, citations)} count={citations.length} />
      </dd>
    </div>
  );
});

/** Where a field's value came from, as a link that opens in the browser. */
function FieldSource({ source, count }: { source: CitationView | null; count: number }) {
  if (!source)
    return count > 1 ? (
      <p className="muted small field-source">Source: one of the {count} listed below.</p>
    ) : null;
  return (
    <p className="small field-source">
      <span className="muted">Source: </span>
      <ExternalLink href={source.link}>{sourceName(source)}</ExternalLink>
    </p>
  );
}

/**
 * How many of `count` items to put on the page: `perFrame` at first and
 * `perFrame` more each frame until all are in, so a long list never holds
 * one frame.
 */
function useAddedPerFrame(count: number, perFrame: number): number {
  const [added, setAdded] = useState(perFrame);
  useEffect(() => {
    if (added >= count) return;
    const frame = requestAnimationFrame(() => setAdded(added + perFrame));
    return () => cancelAnimationFrame(frame);
  }, [added, count, perFrame]);
  return added;
}

/** Fields the detail carries, and added by each "Show more fields" (the engine's `DETAIL_FIELDS`). */
export const FIELDS_AT_ONCE = 200;
/** Field rows added to the page per frame. */
export const FIELDS_PER_FRAME = 25;
/** Characters of a whole value added to the page at a time. */
export const CHARS_AT_ONCE = 100_000;

/** Characters per block of a whole value: about a screenful. */
export const BLOCK_CHARS = 2_000;
/** Blocks of a whole value added to the page per frame. */
export const BLOCKS_PER_FRAME = 2;

/**
 * A long text as blocks of about `BLOCK_CHARS`, cut after a line break or
 * a space where there is one near the end and never inside a surrogate
 * pair: a part is added to the page `BLOCKS_PER_FRAME` blocks a frame, so
 * no frame lays out more than a few screenfuls, and once in, the text
 * scrolls with no further layout.
 */
export function textBlocks(text: string, size = BLOCK_CHARS): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(at + size, text.length);
    if (end < text.length) {
      const nl = text.lastIndexOf("\n", end);
      const sp = text.lastIndexOf(" ", end);
      const soft = Math.max(nl, sp);
      if (soft > at + size / 2) end = soft + 1;
      const c = text.charCodeAt(end - 1);
      if (c >= 0xd800 && c <= 0xdbff) end -= 1;
    }
    out.push(text.slice(at, end));
    at = end;
  }
  return out;
}

/**
 * One value: the start the detail carried (about a screenful), with "Show
 * all" fetching the whole text a part at a time, so a 10 MB value never
 * crosses to the page, or lands on it, in one piece.
 */
function FieldText({
  localId,
  recordId,
  field,
}: {
  localId: number;
  recordId: string;
  field: FieldView;
}) {
  // The blocks fetched so far, and where the next part starts (null: all in).
  const [whole, setWhole] = useState<{
    blocks: string[];
    next: number | null;
    total: number;
  } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const cut = field.fullLength > [...field.text].length;
  const count = whole?.blocks.length ?? 0;
  const painted = useAddedPerFrame(count, BLOCKS_PER_FRAME);

  async function fetchPart(from: number) {
    setLoading(true);
    setError(null);
    try {
      const part = await ipc.recordField(localId, recordId, field.name, from, CHARS_AT_ONCE);
      setWhole((w) => ({
        blocks: [...(from === 0 ? [] : (w?.blocks ?? [])), ...textBlocks(part.text)],
        next: part.next,
        total: part.total,
      }));
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }

  if (whole === null) {
    return (
      <>
        <span className="pre">
          {field.text || "—"}
          {cut ? "…" : null}
        </span>
        {cut ? (
          <>
            {" "}
            <button
              type="button"
              className="link-button"
              disabled={loading}
              onClick={() => fetchPart(0)}
            >
              {loading ? "Loading…" : `Show all (${formatCount(field.fullLength)} characters)`}
            </button>
          </>
        ) : null}
        <ErrorNotice error={error} />
      </>
    );
  }
  const next = whole.next;
  return (
    <>
      <span aria-busy={painted < count}>
        {whole.blocks.slice(0, painted).map((b, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: blocks are only ever appended
          <span key={i} className="pre value-block">
            {b}
          </span>
        ))}
      </span>
      {next !== null ? (
        <>
          {" "}
          <button
            type="button"
            className="link-button"
            disabled={loading}
            onClick={() => fetchPart(next)}
          >
            {loading
              ? "Loading…"
              : `Show more (${formatCount(whole.total - next)} characters left)`}
          </button>
        </>
      ) : null}
      <ErrorNotice error={error} />
    </>
  );
}
