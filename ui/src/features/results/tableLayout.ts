// The table's arrangement (column order, widths, hidden and pinned columns),
// the view kept per job, filter chips' words, search highlights and the
// tab-separated copy: plain functions, so each is tested on its own.
import type {
  Column,
  ColumnFilter,
  FilterTest,
  KeptView,
  Row,
  TableColumn,
  ViewSpec,
} from "../../lib/ipc";
import { cellInWords } from "./companies";

export const MIN_WIDTH = 72;
export const MAX_WIDTH = 640;
/** One arrow key press of a column's resize handle. */
export const RESIZE_STEP = 16;

/** Widest a column gets from its content alone, by kind. */
const KIND_MAX: Record<string, number> = {
  title: 420,
  text: 320,
  url: 260,
  company: 240,
  entities: 320,
  option: 200,
  number: 160,
  date: 140,
  confidence: 130,
  citations: 110,
};

export const clampWidth = (w: number) => Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w)));

/**
 * A column's width from its header and the texts of the first rows: wide
 * enough for most of them (the 90th percentile), never past its kind's
 * widest. About 7.5 px a character at the table's font size.
 */
export function contentWidth(col: Column, texts: string[]): number {
  const chars = texts.map((t) => Math.min(t.length, 80)).sort((a, b) => a - b);
  const p90 = chars.length ? chars[Math.min(chars.length - 1, Math.floor(chars.length * 0.9))] : 0;
  // The header may wrap to two lines, so half its length is enough.
  const header = Math.ceil(col.label.length / 2) + 3;
  const want = Math.max(p90, header) * 7.5 + 28;
  return clampWidth(Math.min(want, KIND_MAX[col.kind] ?? 240));
}

/** A shown column: where its cells are in `Row.texts`, its width and pin. */
export type Placed = { col: Column; index: number; width: number; pinned: boolean };

/**
 * The shown columns in table order: pinned first, then the layout's order,
 * then columns the layout does not know (new ones), shown. The title is
 * pinned unless the layout says otherwise, and never hidden.
 */
export function arrange(
  columns: Column[],
  layout: TableColumn[],
  widthOf: (col: Column, index: number) => number,
): Placed[] {
  const byKey = new Map(layout.map((l, i) => [l.key, { ...l, ord: i }]));
  const placed = columns.map((col, index) => {
    const l = byKey.get(col.key);
    return {
      col,
      index,
      width: l?.width != null ? clampWidth(l.width) : widthOf(col, index),
      pinned: l ? l.pinned : col.kind === "title",
      hidden: col.kind === "title" ? false : (l?.hidden ?? false),
      ord: l ? l.ord : layout.length + index,
    };
  });
  return placed
    .filter((p) => !p.hidden)
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || a.ord - b.ord)
    .map(({ col, index, width, pinned }) => ({ col, index, width, pinned }));
}

/** The layout with every column listed, in table order (hidden ones kept in place). */
export function fullLayout(columns: Column[], layout: TableColumn[]): TableColumn[] {
  const known = new Set(layout.map((l) => l.key));
  const keys = new Set(columns.map((c) => c.key));
  return [
    ...layout.filter((l) => keys.has(l.key)),
    ...columns
      .filter((c) => !known.has(c.key))
      .map((c) => ({ key: c.key, width: null, hidden: false, pinned: c.kind === "title" })),
  ];
}

export function setColumn(
  columns: Column[],
  layout: TableColumn[],
  key: string,
  change: Partial<Omit<TableColumn, "key">>,
): TableColumn[] {
  return fullLayout(columns, layout).map((l) => (l.key === key ? { ...l, ...change } : l));
}

/** Moves a column one place left (-1) or right (+1) in the layout. */
export function moveColumn(
  columns: Column[],
  layout: TableColumn[],
  key: string,
  by: -1 | 1,
): TableColumn[] {
  const full = fullLayout(columns, layout);
  const i = full.findIndex((l) => l.key === key);
  const j = i + by;
  if (i < 0 || j < 0 || j >= full.length) return full;
  const next = [...full];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

/**
 * Moves shown column `key` to before (or `after`) shown column `target`,
 * as dragging its header does. Pinned columns stay before the others and a
 * pinned title stays first, so a move across those lines does nothing:
 * returns null when nothing would change.
 */
export function moveColumnTo(
  columns: Column[],
  layout: TableColumn[],
  key: string,
  target: string,
  after: boolean,
): TableColumn[] | null {
  const shown = arrange(columns, layout, () => 0);
  const from = shown.find((p) => p.col.key === key);
  const to = shown.find((p) => p.col.key === target);
  if (!from || !to || from === to || from.pinned !== to.pinned) return null;
  const fixedTitle = (p: Placed) => p.pinned && p.col.kind === "title";
  if (fixedTitle(from) || (fixedTitle(to) && !after)) return null;
  const full = fullLayout(columns, layout);
  const moving = full.find((l) => l.key === key);
  const rest = full.filter((l) => l.key !== key);
  const at = rest.findIndex((l) => l.key === target) + (after ? 1 : 0);
  if (!moving || at < 0) return null;
  const next = [...rest.slice(0, at), moving, ...rest.slice(at)];
  return next.every((l, i) => l.key === full[i].key) ? null : next;
}

/**
 * Moves shown column `key` one place left (-1) or right (+1) among the
 * shown ones (hidden columns do not count), as Alt+Arrow on its header
 * does; null when it is already at that end of its group.
 */
export function moveShown(
  columns: Column[],
  layout: TableColumn[],
  key: string,
  by: -1 | 1,
): TableColumn[] | null {
  const shown = arrange(columns, layout, () => 0);
  const i = shown.findIndex((p) => p.col.key === key);
  const target = shown[i + by];
  if (i < 0 || !target) return null;
  return moveColumnTo(columns, layout, key, target.col.key, by > 0);
}

/**
 * The table's grid tracks after a first fixed track (the review column):
 * one per column; or, given `own` (ascending: the columns that have cells),
 * one per own column and one per run of columns between them, as wide as
 * the run. A grid lays out every track it has on each row, so a job with
 * thousands of columns gets tens of tracks, not thousands.
 */
export function gridTemplate(first: number, widths: number[], own: number[] | null): string {
  const tracks = [first];
  if (!own) tracks.push(...widths);
  else {
    let next = 0;
    for (const c of [...own, widths.length]) {
      if (next < c) {
        let run = 0;
        for (; next < c; next++) run += widths[next];
        tracks.push(run);
      }
      if (c < widths.length) tracks.push(widths[c]);
      next = c + 1;
    }
  }
  return tracks.map((w) => `${w}px`).join(" ");
}

/**
 * The grid line each column with cells starts at, for `gridTemplate` with
 * the same `own`: it depends on which columns have cells, not on widths, so
 * a resize leaves the rows as they are.
 */
export function gridLines(own: number[] | null): (column: number) => number {
  if (!own) return (c) => c + 2;
  const lines = new Map<number, number>();
  let track = 1;
  let next = 0;
  for (const c of own) {
    if (next < c) track += 1;
    track += 1;
    lines.set(c, track);
    next = c + 1;
  }
  return (c) => lines.get(c) ?? 1;
}

// ------------------------------------------------------------- kept views

export const EMPTY_VIEW: ViewSpec = { sort: null, search: null, filters: [] };

export function viewOfKept(k: KeptView | null): ViewSpec {
  if (!k) return EMPTY_VIEW;
  return { sort: k.sort, search: k.search, filters: k.filters };
}

export function keptOf(view: ViewSpec, layout: TableColumn[]): KeptView {
  return {
    sort: view.sort,
    search: view.search,
    filters: view.filters,
    columns: layout,
  };
}

// ---------------------------------------------------------------- filters

const fmtNum = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });

/** A filter in words for its chip ("Deal amount: 1,000 to 5,000"). */
export function filterInWords(label: string, f: ColumnFilter): string {
  const t = f.test;
  if (!t) return `${label} contains “${f.contains ?? ""}”`;
  switch (t.type) {
    case "range":
      if (t.min != null && t.max != null) return `${label}: ${fmtNum(t.min)} to ${fmtNum(t.max)}`;
      if (t.min != null) return `${label}: ${fmtNum(t.min)} or more`;
      return `${label}: up to ${fmtNum(t.max ?? 0)}`;
    case "dates":
      if (t.from && t.to) return `${label}: ${t.from} to ${t.to}`;
      if (t.from) return `${label}: from ${t.from}`;
      return `${label}: until ${t.to ?? ""}`;
    case "oneOf":
      return t.values.length <= 2
        ? `${label}: ${t.values.join(" or ")}`
        : `${label}: ${t.values[0]} or ${t.values.length - 1} more`;
    case "empty":
      return `${label} is empty`;
    case "notEmpty":
      return `${label} is not empty`;
  }
}

/** Whether a filter keeps anything out (an open range or empty list does not). */
export function isActive(f: ColumnFilter): boolean {
  const t = f.test;
  if (!t) return !!f.contains?.trim();
  switch (t.type) {
    case "range":
      return t.min != null || t.max != null;
    case "dates":
      return !!t.from || !!t.to;
    case "oneOf":
      return t.values.length > 0;
    default:
      return true;
  }
}

/** The view with column `key`'s filter set to `f` (None removes it). */
export function withFilter(view: ViewSpec, key: string, f: ColumnFilter | null): ViewSpec {
  const others = view.filters.filter((x) => x.key !== key);
  return { ...view, filters: f && isActive(f) ? [...others, f] : others };
}

/** "1,200" or "12.5" → a number; "" → null; anything else → undefined (not a number). */
export function parseNumber(s: string): number | null | undefined {
  const t = s.trim().replace(/[,\s]/g, "");
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

export type TestOf<K extends FilterTest["type"]> = Extract<FilterTest, { type: K }>;

// ----------------------------------------------------------------- search

const PLAIN: Record<string, string> = {
  ł: "l",
  ø: "o",
  đ: "d",
  ð: "d",
  ħ: "h",
  ı: "i",
  ŧ: "t",
  ß: "ss",
  æ: "ae",
  œ: "oe",
  þ: "th",
};

/** Each character of `s` folded as the store's search folds it (case, accents, letters without a base). */
function foldChars(s: string): string[] {
  return Array.from(s, (ch) => {
    const lower = ch.toLowerCase();
    return PLAIN[lower] ?? lower.normalize("NFD").replace(/\p{M}/gu, "");
  });
}

export function fold(s: string): string {
  return foldChars(s).join("");
}

/** The search's words, folded (as the store splits them). */
export function searchTerms(search: string | null | undefined): string[] {
  if (!search) return [];
  return fold(search)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * [start, end) ranges of `text` (in UTF-16 units) where a word begins with
 * one of `terms`, as the search matched it (word prefixes, folded).
 */
export function highlightRanges(text: string, terms: string[]): [number, number][] {
  if (terms.length === 0 || !text) return [];
  const chars = Array.from(text);
  const folded = foldChars(text);
  const out: [number, number][] = [];
  let unit = 0;
  const offsets: number[] = [];
  for (const c of chars) {
    offsets.push(unit);
    unit += c.length;
  }
  offsets.push(unit);
  const isWord = (i: number) => /[\p{L}\p{N}]/u.test(chars[i] ?? "");
  for (let i = 0; i < chars.length; i++) {
    if (!isWord(i) || (i > 0 && isWord(i - 1))) continue;
    for (const term of terms) {
      // Walk folded characters until the term is covered.
      let acc = "";
      let j = i;
      while (j < chars.length && acc.length < term.length && isWord(j)) acc += folded[j++];
      if (acc.startsWith(term)) {
        out.push([offsets[i], offsets[j]]);
        break;
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------- copy

/** A cell for tab-separated text: tabs and line breaks would split it. */
const tsvCell = (s: string) => s.replace(/[\t\r\n]+/g, " ");

/**
 * Rows as tab-separated text, a header line first: what Excel and Google
 * Sheets paste as cells. `placed` gives the columns and their order.
 */
export function rowsAsTsv(rows: Row[], placed: { col: Column; index: number }[]): string {
  const lines = [placed.map((p) => tsvCell(p.col.label)).join("\t")];
  for (const r of rows)
    lines.push(
      placed
        .map((p) => {
          const text = r.texts[p.index] || r.links[p.index] || "";
          return tsvCell(p.col.kind === "entities" ? cellInWords(text) : text);
        })
        .join("\t"),
    );
  return `${lines.join("\n")}\n`;
}
