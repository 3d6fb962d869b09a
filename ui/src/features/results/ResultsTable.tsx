import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import {
  memo,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";
import { flushSync } from "react-dom";
import { ErrorNotice } from "../../app/ErrorNotice";
import { SearchField } from "../../app/Field";
import { formatCount } from "../../lib/format";
import {
  type Column,
  ipc,
  type RecordsWindow,
  type ReviewChange,
  type Row,
  type RowReview,
  type TableColumn,
  type ViewSpec,
} from "../../lib/ipc";
import { NoteDialog } from "../review/NoteDialog";
import { ReviewBar } from "../review/ReviewBar";
import { cachedReview } from "../review/reviewCache";
import { useReview } from "../review/useReview";
import { recordsKey } from "../watch/jobState";
import { CompanyChips } from "./CompanyChips";
import { cellInWords, companiesLeftOut, companiesOfCell } from "./companies";
import { ExternalLink } from "./ExternalLink";
import { FilterChips, FilterEditor } from "./FilterEditor";
import { columnsQuery, windowQuery } from "./queries";
import { RecordPanel } from "./RecordPanel";
import { assignSlots } from "./rowSlots";
import {
  arrange,
  clampWidth,
  contentWidth,
  gridLines,
  gridTemplate,
  highlightRanges,
  MAX_WIDTH,
  MIN_WIDTH,
  moveColumn,
  type Placed,
  RESIZE_STEP,
  rowsAsTsv,
  searchTerms,
  setColumn,
} from "./tableLayout";
import { MOVE_KEYS, useColumnMove } from "./useColumnMove";
import { viewKeyOf, WINDOW_SIZE, windowsFor } from "./windows";

export const ROW_HEIGHT = 36;
/** Columns up to which every header cell is rendered, in view or not. */
const ALL_HEADERS_UP_TO = 200;
/** The review column before the job's own: a select box and the marks. */
const REVIEW_WIDTH = 96;

type Props = {
  localId: number;
  view: ViewSpec;
  onViewChange: (v: ViewSpec) => void;
  /** Column order, widths, hidden and pinned columns (kept per job by the caller). */
  layout?: TableColumn[];
  onLayoutChange?: (layout: TableColumn[]) => void;
};

/**
 * Widths by kind until the first rows give each column its own (and the
 * analyst's own, dragged, widths after that): the body renders only the
 * columns in view, and a fixed grid means no cell's text ever changes the
 * layout of the others.
 */
const KIND_WIDTH: Record<string, number> = {
  title: 400,
  text: 280,
  url: 260,
  company: 240,
  entities: 300,
  option: 180,
  number: 160,
  date: 160,
  confidence: 150,
  citations: 150,
};
export const columnWidth = (col: Column) => KIND_WIDTH[col.kind] ?? 200;

/** A shown column: where its cells are in `Row.texts`, its width and pin. */
type ShownColumn = Placed;
/** What a body row needs of a shown column (no width: the grid has it). */
type RowColumn = Omit<Placed, "width">;

/**
 * The previous value while the new one is equal item by item (shallowly),
 * so memoized rows see the same props.
 */
function useStable<T>(next: T[]): T[] {
  const ref = useRef(next);
  const prev = ref.current;
  const same =
    prev.length === next.length &&
    prev.every((p, i) =>
      p !== null && typeof p === "object"
        ? Object.entries(p).every(([k, v]) => (next[i] as Record<string, unknown>)[k] === v)
        : p === next[i],
    );
  if (!same) ref.current = next;
  return ref.current;
}

const NO_COLUMNS: Column[] = [];

/**
 * The job's records, paged from the engine in windows as the user scrolls:
 * only display strings for the rows on screen ever cross the IPC.
 *
 * The column model (order, widths, hidden and pinned columns) is the
 * caller's `layout`; sorting, filtering and search run in the store, so the
 * page never holds the whole job. Body rows are memoized: while scrolling,
 * only rows entering the screen render.
 */
export function ResultsTable({
  localId,
  view,
  onViewChange,
  layout: givenLayout,
  onLayoutChange,
}: Props) {
  const id = useId();
  const colsQuery = useQuery(columnsQuery(localId));
  const columns = colsQuery.data ?? NO_COLUMNS;
  const [ownLayout, setOwnLayout] = useState<TableColumn[]>([]);
  const layout = givenLayout ?? ownLayout;
  const setLayout = onLayoutChange ?? setOwnLayout;
  const [openRecord, setOpenRecord] = useState<string | null>(null);
  /** The open record's row in the view (for previous / next). */
  const [openAt, setOpenAt] = useState<number | null>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const tableRef = useRef<HTMLTableElement>(null);
  const [total, setTotal] = useState<number | null>(null);
  const qc = useQueryClient();
  const review = useReview(localId);
  /** The row the review keys act on (its position in the view). */
  const [active, setActive] = useState<number | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const [allInFilter, setAllInFilter] = useState(false);
  const lastPicked = useRef<number | null>(null);
  const [noteFor, setNoteFor] = useState<{ recordId: string; title: string; note: string } | null>(
    null,
  );
  const [reviewNote, setReviewNote] = useState<string | null>(null);

  const viewKey = viewKeyOf(view);
  // Widths from the content of the job's first rows, measured once per job,
  // in the render that first shows them (so the rows are laid out once).
  const autoRef = useRef<Record<string, number> | null>(null);
  const firstWindow = useQuery({
    ...windowQuery(localId, view, viewKey, 0),
    enabled: false,
    notifyOnChangeProps: () => (autoRef.current ? [] : ["data"]),
  });
  const firstRows = firstWindow.data?.rows;
  if (!autoRef.current && columns.length > 0 && firstRows && firstRows.length > 0) {
    const out: Record<string, number> = {};
    columns.forEach((col, i) => {
      out[col.key] = contentWidth(
        col,
        firstRows.map((r) => r.texts[i] || r.links[i] || ""),
      );
    });
    autoRef.current = out;
  }
  const autoWidths = autoRef.current;
  const shown = useMemo<ShownColumn[]>(
    () => arrange(columns, layout, (col) => autoWidths?.[col.key] ?? columnWidth(col)),
    [columns, layout, autoWidths],
  );
  /** Left offset of each pinned column (they stay while scrolling sideways). */
  const lefts = useStable(
    useMemo(() => {
      let at = REVIEW_WIDTH;
      return shown.map((p) => {
        if (!p.pinned) return null;
        const left = at;
        at += p.width;
        return left;
      });
    }, [shown]),
  );
  /** What the rows need of the columns: the same while only widths change. */
  const rowColumns = useStable(
    useMemo(() => shown.map(({ col, index, pinned }) => ({ col, index, pinned })), [shown]),
  );
  // The columns in view (half of a wide job's): the rows give cells only to
  // them, and the header too when the job has more columns than any screen
  // shows (a hostile record's thousands). The first one (the title, which
  // opens the record) is always among them, so the keyboard path through
  // the rows stays the same wherever the table is.
  const inView = useVisibleColumns(scrollRef, shown);
  const many = shown.length > ALL_HEADERS_UP_TO;
  const headCols = useMemo(() => (many ? inView : shown.map((_, i) => i)), [many, shown, inView]);
  // The grid's widths are one style on the table: a column resized changes
  // no row's props, so no row renders again for it. A job of thousands of
  // columns gets tracks for the columns in view only.
  const own = many ? inView : null;
  const template = gridTemplate(
    REVIEW_WIDTH,
    shown.map((p) => p.width),
    own,
  );
  const lineOf = useMemo(() => gridLines(own), [own]);
  /** A drag under way: the grid's style alone, nothing renders again. */
  const previewWidth = (i: number, width: number) =>
    tableRef.current?.style.setProperty(
      "--columns",
      gridTemplate(
        REVIEW_WIDTH,
        shown.map((p, j) => (j === i ? clampWidth(width) : p.width)),
        own,
      ),
    );
  const terms = useMemo(() => searchTerms(view.search), [view.search]);
  const toggleSort = (key: string) => {
    const s = view.sort;
    // Click cycles: ascending → descending → unsorted.
    const next =
      !s || s.key !== key
        ? { key, descending: false }
        : !s.descending
          ? { key, descending: true }
          : null;
    onViewChange({ ...view, sort: next });
  };
  const resize = useCallback(
    (key: string, width: number) =>
      setLayout(setColumn(columns, layout, key, { width: clampWidth(width) })),
    [setLayout, columns, layout],
  );
  const [copied, setCopied] = useState<string | null>(null);
  const move = useColumnMove(columns, layout, setLayout);

  // A new sort, search or filter starts a new pass: nothing active or picked.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the view changes
  useEffect(() => {
    setActive(null);
    setSelected(new Set());
    setAllInFilter(false);
    lastPicked.current = null;
  }, [viewKey]);

  /** Row `i` of the view when its window is loaded. */
  const rowAt = useCallback(
    (i: number): Row | undefined => {
      const w = qc.getQueryData<RecordsWindow>([
        ...recordsKey(localId),
        viewKey,
        Math.floor(i / WINDOW_SIZE),
      ]);
      return w?.rows[i - w.start];
    },
    [qc, localId, viewKey],
  );
  const titleIndex = Math.max(
    0,
    columns.findIndex((c) => c.kind === "title"),
  );

  /** Scrolls row `i` into the scroll area's view. */
  const reveal = useCallback((i: number) => {
    const el = scrollRef.current;
    if (!el) return;
    const top = i * ROW_HEIGHT;
    // The sticky header takes a row's height at the top.
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + 2 * ROW_HEIGHT > el.scrollTop + el.clientHeight)
      el.scrollTop = top + 2 * ROW_HEIGHT - el.clientHeight;
  }, []);

  const activate = useCallback(
    (i: number) => {
      setActive(i);
      reveal(i);
    },
    [reveal],
  );

  const markRecord = useCallback(
    (recordId: string, change: ReviewChange) => void review.mark([recordId], change),
    [review.mark],
  );

  const openNote = useCallback(
    (recordId: string, title: string) =>
      setNoteFor({ recordId, title, note: cachedReview(qc, localId, recordId)?.note ?? "" }),
    [qc, localId],
  );

  const nextUnreviewed = useCallback(async () => {
    try {
      const next = await ipc.nextUnreviewed(localId, view, active);
      if (next) {
        activate(next.position);
        setReviewNote(null);
      } else setReviewNote("Every record in this view has been reviewed.");
    } catch (e) {
      setWindowError(e);
    }
  }, [localId, view, active, activate]);

  /** The review keys (a r s n j u, Ctrl+Z) and the arrows between rows. */
  const onReviewKey = (e: React.KeyboardEvent) => {
    const t = e.target as HTMLElement;
    if (t.closest("input:not([type=checkbox]), textarea, select, [role=dialog]")) return;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "z") {
      e.preventDefault();
      void review.undo();
      return;
    }
    if (
      (e.ctrlKey || e.metaKey) &&
      !e.altKey &&
      e.key.toLowerCase() === "c" &&
      selected.size > 0 &&
      !window.getSelection()?.toString()
    ) {
      e.preventDefault();
      void copySelected();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || count === 0) return;
    const at = active ?? 0;
    const row = rowAt(at);
    const handled = () => {
      e.preventDefault();
      if (active == null) setActive(at);
    };
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        activate(active == null ? 0 : Math.min(count - 1, active + 1));
        return;
      case "ArrowUp":
        e.preventDefault();
        activate(active == null ? 0 : Math.max(0, active - 1));
        return;
      case "a":
        handled();
        if (row) markRecord(row.recordId, { state: "accepted", starred: null, note: null });
        return;
      case "r":
        handled();
        if (row) markRecord(row.recordId, { state: "rejected", starred: null, note: null });
        return;
      case "s":
        handled();
        if (row)
          markRecord(row.recordId, { state: null, starred: !row.review?.starred, note: null });
        return;
      case "n":
        handled();
        if (row) openNote(row.recordId, row.texts[titleIndex] || "this record");
        return;
      case "j":
        e.preventDefault();
        void nextUnreviewed();
        return;
      case "u":
        e.preventDefault();
        void review.undo();
        return;
      case "Enter":
        if (row && t === scrollRef.current) {
          e.preventDefault();
          returnFocus.current = t;
          setOpenRecord(row.recordId);
          setOpenAt(at);
        }
        return;
    }
  };

  /** A row's select box: a click toggles it, a shift-click picks the range from the last one. */
  const onPick = useCallback(
    (i: number, recordId: string, shift: boolean) => {
      setAllInFilter(false);
      setActive(i);
      setSelected((prev) => {
        const next = new Set(prev);
        const from = lastPicked.current;
        if (shift && from != null) {
          // Rows whose window is loaded (a shift-click spans what was scrolled through).
          for (let k = Math.min(from, i); k <= Math.max(from, i); k++) {
            const r = rowAt(k);
            if (r) next.add(r.recordId);
          }
        } else if (next.has(recordId)) next.delete(recordId);
        else next.add(recordId);
        return next;
      });
      lastPicked.current = i;
    },
    [rowAt],
  );
  const count = total ?? 0;
  // Windows of a view hold its total; the first one to arrive (or a cached
  // one) sets it. A new sort or filter starts from the top, total unknown.
  const onTotal = useCallback((t: number | null) => setTotal(t), []);
  /** The search was answered while the job's search index was being built. */
  const [searchPartial, setSearchPartial] = useState(false);
  const [windowError, setWindowError] = useState<unknown>(null);

  const onOpen = useCallback((recordId: string, el: HTMLElement, index: number) => {
    returnFocus.current = el;
    setOpenRecord(recordId);
    setOpenAt(index);
  }, []);
  /** Opens the record `by` rows from the open one (loading its window if needed). */
  const step = useCallback(
    async (by: -1 | 1) => {
      if (openAt == null) return;
      const i = openAt + by;
      if (i < 0 || i >= count) return;
      let row = rowAt(i);
      if (!row) {
        const w = await qc.fetchQuery(
          windowQuery(localId, view, viewKey, Math.floor(i / WINDOW_SIZE)),
        );
        row = w.rows[i - w.start];
      }
      if (!row) return;
      setOpenRecord(row.recordId);
      setOpenAt(i);
      activate(i);
    },
    [openAt, count, rowAt, qc, localId, view, viewKey, activate],
  );
  const openReview = useLiveReview(localId, openRecord);

  /** The selected rows loaded in this view, in view order, as tab-separated text. */
  async function copySelected() {
    const windows = qc
      .getQueriesData<RecordsWindow>({ queryKey: [...recordsKey(localId), viewKey] })
      .map(([, w]) => w)
      .filter((w): w is RecordsWindow => !!w)
      .sort((a, b) => a.start - b.start);
    const rows: Row[] = [];
    const seen = new Set<string>();
    for (const w of windows)
      for (const r of w.rows)
        if (selected.has(r.recordId) && !seen.has(r.recordId)) {
          seen.add(r.recordId);
          rows.push(r);
        }
    try {
      await navigator.clipboard.writeText(rowsAsTsv(rows, shown));
      setCopied(
        `Copied ${rows.length} ${rows.length === 1 ? "row" : "rows"}: paste them into a spreadsheet.`,
      );
    } catch {
      setCopied("The rows could not be copied to the clipboard.");
    }
  }

  if (colsQuery.isError) return <ErrorNotice error={colsQuery.error} />;

  return (
    <section className="results stack" aria-labelledby={`${id}-title`} onKeyDown={onReviewKey}>
      <h3 id={`${id}-title`}>Results</h3>
      <ReviewBar
        api={review}
        view={view}
        onViewChange={onViewChange}
        selected={[...selected]}
        allInFilter={allInFilter}
        total={total}
        onSelectAll={() => {
          setSelected(new Set());
          setAllInFilter(true);
        }}
        onClearSelection={() => {
          setSelected(new Set());
          setAllInFilter(false);
        }}
      />
      <TableControls
        localId={localId}
        columns={columns}
        layout={layout}
        onLayoutChange={setLayout}
        view={view}
        onViewChange={onViewChange}
        hiddenCount={columns.length - shown.length}
      />
      <FilterChips columns={columns} view={view} onViewChange={onViewChange} />
      <div className="row wrap">
        <button
          type="button"
          disabled={selected.size === 0}
          onClick={() => void copySelected()}
          title="Tab-separated, with the shown columns: pastes into Excel or Google Sheets as cells"
        >
          Copy selected rows
        </button>
        {copied ? (
          <span className="muted" role="status">
            {copied}
          </span>
        ) : null}
        <span className="visually-hidden" role="status">
          {move.status}
        </span>
      </div>
      <p className="muted" aria-live="polite">
        {total == null
          ? "Loading records…"
          : total === 0
            ? view.search || view.filters.length > 0 || view.review || view.onlyNew
              ? "No records match the search and filters."
              : "No records yet."
            : `${formatCount(total)} ${total === 1 ? "record" : "records"}`}
      </p>
      {reviewNote ? (
        <p className="muted" role="status">
          {reviewNote}
        </p>
      ) : null}
      {view.search && searchPartial ? (
        <p className="muted" role="status">
          The search index is still being built: some matches may be missing until it is ready. The
          results refresh then.
        </p>
      ) : null}
      <ErrorNotice error={windowError ?? undefined} />
      {/* A real table laid out as a grid, so rows can be positioned for virtual scrolling. */}
      <div
        ref={scrollRef}
        className="table-scroll"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the scroll area must be reachable by keyboard
        tabIndex={0}
      >
        <table
          ref={tableRef}
          className="grid-table"
          aria-label="Records"
          aria-rowcount={count + 1}
          aria-colcount={shown.length + 1}
          style={{ "--columns": template } as React.CSSProperties}
        >
          <thead className="table-head">
            <tr className="table-row" aria-rowindex={1}>
              <th scope="col" className="th pinned" aria-colindex={1} style={{ left: 0 }}>
                Review
              </th>
              {headCols.map((i) => {
                const p = shown[i];
                const sorted =
                  view.sort?.key === p.col.key ? (view.sort.descending ? "desc" : "asc") : null;
                const left = lefts[i];
                return (
                  <th
                    key={p.col.key}
                    {...move.headerProps(p.col.key)}
                    scope="col"
                    className={`th${left != null ? " pinned" : ""}${move.markOf(p.col.key)}`}
                    aria-colindex={i + 2}
                    aria-sort={
                      sorted === "desc" ? "descending" : sorted === "asc" ? "ascending" : "none"
                    }
                    title={p.col.label}
                    style={
                      left != null ? { gridColumn: lineOf(i), left } : { gridColumn: lineOf(i) }
                    }
                  >
                    {p.col.kind !== "citations" ? (
                      <button
                        type="button"
                        className="sort"
                        aria-keyshortcuts={MOVE_KEYS}
                        title={`${p.col.label}: click to sort; drag or Alt+←/→ to move`}
                        onClick={() => toggleSort(p.col.key)}
                      >
                        <span className="th-label">{p.col.label}</span>
                        <span aria-hidden="true" className={`sort-mark${sorted ? " on" : ""}`}>
                          {sorted === "desc" ? "▼" : sorted === "asc" ? "▲" : "↕"}
                        </span>
                      </button>
                    ) : (
                      <span className="th-label">{p.col.label}</span>
                    )}
                    <ResizeHandle
                      label={p.col.label}
                      width={p.width}
                      onResize={(w) => resize(p.col.key, w)}
                      onPreview={(w) => previewWidth(i, w)}
                    />
                  </th>
                );
              })}
            </tr>
          </thead>
          <VirtualRows
            localId={localId}
            view={view}
            viewKey={viewKey}
            count={count}
            cols={inView}
            lineOf={lineOf}
            rowColumns={rowColumns}
            lefts={lefts}
            terms={terms}
            scrollRef={scrollRef}
            onOpen={onOpen}
            onTotal={onTotal}
            onSearchPartial={setSearchPartial}
            onError={setWindowError}
            active={active}
            selected={selected}
            allInFilter={allInFilter}
            titleIndex={titleIndex}
            onPick={onPick}
            onActivate={setActive}
          />
        </table>
      </div>
      {openRecord ? (
        <RecordPanel
          localId={localId}
          recordId={openRecord}
          review={openReview}
          onMark={(change) => markRecord(openRecord, change)}
          onNote={(title) => openNote(openRecord, title)}
          onUndo={() => void review.undo()}
          onStep={(by) => void step(by)}
          position={openAt != null ? { index: openAt, total: count } : undefined}
          onClose={() => {
            setOpenRecord(null);
            returnFocus.current?.focus();
          }}
        />
      ) : null}
      {noteFor ? (
        <NoteDialog
          initial={noteFor.note}
          title={noteFor.title}
          onSave={(note) => {
            markRecord(noteFor.recordId, { state: null, starred: null, note });
            setNoteFor(null);
          }}
          onCancel={() => setNoteFor(null)}
        />
      ) : null}
    </section>
  );
}

/**
 * Indexes into `shown` of the columns in the scroll area's view (plus one
 * each side, and always the first). Follows horizontal scrolling only: a
 * vertical scroll never re-renders for it.
 */
function useVisibleColumns(
  scrollRef: React.RefObject<HTMLDivElement | null>,
  shown: ShownColumn[],
): number[] {
  const edges = useMemo(() => {
    // The review column comes first.
    const out = [REVIEW_WIDTH];
    for (const { width } of shown) out.push(out[out.length - 1] + width);
    return out;
  }, [shown]);
  const rangeOf = useCallback(
    (left: number, width: number): [number, number] => {
      const n = shown.length;
      if (n === 0) return [0, -1];
      // Not laid out yet: as wide as the window (a job with thousands of
      // columns must not render them all once).
      const w = width > 0 ? width : window.innerWidth;
      let a = 0;
      while (a < n - 1 && edges[a + 1] <= left) a++;
      let b = a;
      while (b < n - 1 && edges[b + 1] < left + w) b++;
      return [Math.max(0, a - 1), Math.min(n - 1, b + 1)];
    },
    [edges, shown.length],
  );
  const measure = useCallback((): [number, number] => {
    const el = scrollRef.current;
    return rangeOf(el?.scrollLeft ?? 0, el?.clientWidth ?? 0);
  }, [rangeOf, scrollRef]);
  const [range, setRange] = useState<[number, number]>(measure);
  useEffect(() => {
    const el = scrollRef.current;
    const update = () => {
      const next = measure();
      setRange((r) => (r[0] === next[0] && r[1] === next[1] ? r : next));
    };
    update();
    if (!el) return;
    // Synchronously, as the rows themselves: no frame shows empty cells.
    // Capture phase on the parent runs before the rows' own listener
    // changes the DOM, so reading the scroll position forces no layout.
    const onScroll = (e: Event) => {
      if (e.target === el) flushSync(update);
    };
    const parent = el.parentElement ?? document;
    parent.addEventListener("scroll", onScroll, { capture: true, passive: true });
    const ro = typeof ResizeObserver === "function" ? new ResizeObserver(update) : null;
    ro?.observe(el);
    return () => {
      parent.removeEventListener("scroll", onScroll, { capture: true });
      ro?.disconnect();
    };
  }, [measure, scrollRef]);
  return useMemo(() => {
    const [a, b] = range;
    // Pinned columns (first in order) and the first column always have cells.
    const out: number[] = [];
    for (let i = 0; i < a && (i === 0 || shown[i]?.pinned); i++) out.push(i);
    for (let i = a; i <= Math.min(b, shown.length - 1); i++) out.push(i);
    return out;
  }, [range, shown]);
}

/**
 * The virtualized body: the only part that renders while scrolling (the
 * header and controls above stay as they are). Rows are keyed by a slot
 * (`assignSlots`), not by record position, so a row scrolling in reuses the
 * element of one that scrolled out: React updates its text instead of
 * building and styling new cells.
 */
const VirtualRows = memo(function VirtualRows({
  localId,
  view,
  viewKey,
  count,
  cols,
  lineOf,
  rowColumns,
  lefts,
  terms,
  scrollRef,
  onOpen,
  onTotal,
  onSearchPartial,
  onError,
  active,
  selected,
  allInFilter,
  titleIndex,
  onPick,
  onActivate,
}: {
  localId: number;
  view: ViewSpec;
  viewKey: string;
  count: number;
  /** Indexes into `rowColumns` of the columns in view (the table's own). */
  cols: number[];
  /** The grid line a column's cells start at. */
  lineOf: (column: number) => number;
  /** The columns as the rows need them (unchanged by a resize). */
  rowColumns: RowColumn[];
  lefts: (number | null)[];
  terms: string[];
  scrollRef: React.RefObject<HTMLDivElement | null>;
  onOpen: (recordId: string, el: HTMLElement, index: number) => void;
  onTotal: (total: number | null) => void;
  onSearchPartial: (partial: boolean) => void;
  onError: (error: unknown) => void;
  active: number | null;
  selected: ReadonlySet<string>;
  allInFilter: boolean;
  titleIndex: number;
  onPick: (index: number, recordId: string, shift: boolean) => void;
  onActivate: (index: number) => void;
}) {
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    // Rows in the first render, before the scroll area is measured.
    initialRect: { width: 0, height: window.innerHeight },
  });
  const items = virtualizer.getVirtualItems();
  const first = items.length > 0 ? items[0].index : 0;
  const last = items.length > 0 ? items[items.length - 1].index : 0;
  const windowIdx = windowsFor(first, last, count);
  // Same indexes give the same slots, so a render repeated for the same
  // items (as React may do) changes nothing.
  const slots = useRef<Map<number, number>>(new Map());
  slots.current = assignSlots(
    slots.current,
    items.map((item) => item.index),
  );

  const windows = useQueries({
    queries: windowIdx.map((w) => windowQuery(localId, view, viewKey, w)),
  });

  // The newest window tells how many rows match (it changes as records arrive).
  let newest: { at: number; total: number; partial: boolean } | null = null;
  for (const q of windows)
    if (q.data && (!newest || q.dataUpdatedAt > newest.at))
      newest = { at: q.dataUpdatedAt, total: q.data.total, partial: q.data.searchPartial === true };
  const newestTotal = newest?.total;
  const newestPartial = newest?.partial ?? false;
  useEffect(() => onSearchPartial(newestPartial), [newestPartial, onSearchPartial]);
  useEffect(() => {
    if (newestTotal != null) onTotal(newestTotal);
  }, [newestTotal, onTotal]);

  // A new sort or filter starts from the top. The total comes from this
  // view's windows when they are already cached (a job opened again), else
  // it is unknown until the first window arrives.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the view changes
  useEffect(() => {
    onTotal(newestTotal ?? null);
    scrollRef.current?.scrollTo?.({ top: 0 });
  }, [viewKey]);

  const windowError = windows.find((q) => q.error)?.error ?? null;
  useEffect(() => onError(windowError), [windowError, onError]);

  const rowAt = (i: number): Row | undefined => {
    const w = Math.floor(i / WINDOW_SIZE);
    const pos = windowIdx.indexOf(w);
    const data = pos >= 0 ? windows[pos].data : undefined;
    return data?.rows[i - data.start];
  };

  return (
    <tbody className="table-body" style={{ height: virtualizer.getTotalSize() }}>
      {items.map((item) => {
        const row = rowAt(item.index);
        return (
          <BodyRow
            key={slots.current.get(item.index)}
            index={item.index}
            start={item.start}
            row={row}
            shown={rowColumns}
            lefts={lefts}
            terms={terms}
            cols={cols}
            lineOf={lineOf}
            onOpen={onOpen}
            active={active === item.index}
            selected={allInFilter || (row ? selected.has(row.recordId) : false)}
            titleIndex={titleIndex}
            onPick={onPick}
            onActivate={onActivate}
          />
        );
      })}
    </tbody>
  );
});

/** One body row; re-renders only when its data, place or columns change. */
const BodyRow = memo(function BodyRow({
  index,
  start,
  row,
  shown,
  lefts,
  terms,
  cols,
  lineOf,
  onOpen,
  active,
  selected,
  titleIndex,
  onPick,
  onActivate,
}: {
  index: number;
  start: number;
  row: Row | undefined;
  shown: RowColumn[];
  lefts: (number | null)[];
  terms: string[];
  /** Indexes into `shown` of the columns in view. */
  cols: number[];
  lineOf: (column: number) => number;
  onOpen: (recordId: string, el: HTMLElement, index: number) => void;
  active: boolean;
  selected: boolean;
  titleIndex: number;
  onPick: (index: number, recordId: string, shift: boolean) => void;
  onActivate: (index: number) => void;
}) {
  const state = row?.review?.state ?? "unreviewed";
  return (
    <tr
      aria-rowindex={index + 2}
      aria-current={active ? "true" : undefined}
      data-review={state}
      className={`table-row ${index % 2 ? "odd" : ""}${active ? " active" : ""}${selected ? " selected" : ""}`}
      style={{
        height: ROW_HEIGHT,
        transform: `translateY(${start}px)`,
      }}
      onMouseDown={() => onActivate(index)}
    >
      {row ? (
        <td className="td review-cell pinned" aria-colindex={1} style={{ gridColumn: 1, left: 0 }}>
          <input
            type="checkbox"
            aria-label={`Select ${row.texts[titleIndex] || "record"}`}
            checked={selected}
            onClick={(e) => onPick(index, row.recordId, e.shiftKey)}
            onChange={() => {}}
          />
          <ReviewMarks review={row.review ?? null} />
          {row.isNew ? (
            <span className="badge badge-high" title="New since you last looked">
              new
            </span>
          ) : null}
        </td>
      ) : null}
      {row ? (
        cols.map((i) => {
          const { col, index: c } = shown[i] ?? {};
          if (!col) return null;
          return (
            <Cell
              key={col.key}
              rowIndex={index}
              place={i}
              line={lineOf(i)}
              left={lefts[i] ?? null}
              terms={terms}
              column={col}
              text={row.texts[c]}
              link={row.links[c] ?? null}
              recordId={row.recordId}
              onOpen={onOpen}
            />
          );
        })
      ) : (
        <td className="td muted">Loading…</td>
      )}
    </tr>
  );
});

/**
 * Whether a cell's text may be wider than its column (150 px at least): a
 * few ASCII characters never are. Only those that may be clip — a
 * clipping box per cell was a third of a scroll frame's layout and paint
 * in WebKit.
 */
export const mayOverflow = (text: string) => text.length > 10 || /[^\x20-\x7e]/.test(text);

const cellClass = (text: string) => (mayOverflow(text) ? "td clip" : "td");

/** One cell: plain text goes straight into the td (no wrapper element). */
function Cell({
  rowIndex,
  place,
  line,
  left,
  terms,
  column,
  text,
  link,
  recordId,
  onOpen,
}: {
  /** The row's position in the view. */
  rowIndex: number;
  /** 0-based position among the shown columns. */
  place: number;
  /** The grid line its track starts at. */
  line: number;
  /** Left offset when the column is pinned. */
  left: number | null;
  /** The search's folded words, highlighted where a word starts with one. */
  terms: string[];
  column: Column;
  text: string | undefined;
  link: string | null;
  recordId: string;
  onOpen: (recordId: string, el: HTMLElement, index: number) => void;
}) {
  let className = "td";
  let title: string | undefined;
  let content: ReactNode = null;
  if (text != null) {
    switch (column.kind) {
      case "title":
        content = (
          <button
            type="button"
            className="link-button"
            title={text}
            onClick={(e) => onOpen(recordId, e.currentTarget, rowIndex)}
          >
            {text ? <Highlighted text={text} terms={terms} /> : "(untitled)"}
          </button>
        );
        break;
      case "company":
        className = `${cellClass(text)} company`;
        title = text;
        content = (
          <>
            <Highlighted text={text} terms={terms} />
            {link ? <ExternalLink href={link} /> : null}
          </>
        );
        break;
      case "url":
        className = link ? "td clip" : cellClass(text);
        title = link ? undefined : text;
        content = link ? <ExternalLink href={link}>{text || link}</ExternalLink> : text;
        break;
      case "confidence":
        content = text ? <ConfidenceBadge value={text} /> : null;
        break;
      case "entities":
        className = "td clip";
        title = cellInWords(text);
        content = <CompanyChips companies={companiesOfCell(text)} more={companiesLeftOut(text)} />;
        break;
      default:
        className = cellClass(text);
        title = text;
        content = <Highlighted text={text} terms={terms} />;
    }
  }
  return (
    <td
      className={left != null ? `${className} pinned` : className}
      title={title}
      aria-colindex={place + 2}
      style={left != null ? { gridColumn: line, left } : { gridColumn: line }}
    >
      {content}
    </td>
  );
}

/** A row's review at a glance: accepted, rejected, starred, noted (with words for screen readers). */
function ReviewMarks({ review }: { review: RowReview | null }) {
  if (!review) return null;
  return (
    <span className="review-marks">
      {review.state === "accepted" ? (
        <span className="mark-accepted" title="Accepted">
          <span aria-hidden="true">✓</span>
          <span className="visually-hidden">Accepted</span>
        </span>
      ) : null}
      {review.state === "rejected" ? (
        <span className="mark-rejected" title="Rejected">
          <span aria-hidden="true">✗</span>
          <span className="visually-hidden">Rejected</span>
        </span>
      ) : null}
      {review.starred ? (
        <span className="mark-starred" title="Starred">
          <span aria-hidden="true">★</span>
          <span className="visually-hidden">Starred</span>
        </span>
      ) : null}
      {review.note ? (
        <span className="mark-note" title={review.note}>
          <span aria-hidden="true">✎</span>
          <span className="visually-hidden">Note: {review.note}</span>
        </span>
      ) : null}
    </span>
  );
}

/** A record's review as the cached windows hold it, following their changes. */
function useLiveReview(localId: number, recordId: string | null): RowReview | null {
  const qc = useQueryClient();
  const read = useCallback(
    () => (recordId ? cachedReview(qc, localId, recordId) : null),
    [qc, localId, recordId],
  );
  const [review, setReview] = useState(read);
  useEffect(() => {
    setReview(read());
    return qc.getQueryCache().subscribe(() => setReview(read()));
  }, [qc, read]);
  return review;
}

export function ConfidenceBadge({ value }: { value: string }) {
  const level = value.toLowerCase();
  const tone = ["high", "medium", "low"].includes(level) ? level : "other";
  return <span className={`badge badge-${tone}`}>{value}</span>;
}

/** Text with the search's matches marked (only when there is a search). */
function Highlighted({ text, terms }: { text: string; terms: string[] }) {
  if (terms.length === 0) return <>{text}</>;
  const ranges = highlightRanges(text, terms);
  if (ranges.length === 0) return <>{text}</>;
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [a, b] of ranges) {
    if (a > at) parts.push(text.slice(at, a));
    parts.push(<mark key={a}>{text.slice(a, b)}</mark>);
    at = b;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

/**
 * A column's right edge: drag it, or focus it and use the arrow keys. While
 * dragging, one width a frame goes to `onPreview` (the grid alone follows);
 * the width is kept (`onResize`) when the pointer is let go.
 */
export function ResizeHandle({
  label,
  width,
  onResize,
  onPreview,
}: {
  label: string;
  width: number;
  onResize: (width: number) => void;
  onPreview?: (width: number) => void;
}) {
  // `next`: the width the pointer asks for now; `frame`: a frame will show it.
  const drag = useRef<{ x: number; w: number; next: number | null; frame: number | null } | null>(
    null,
  );
  const show = () => {
    const d = drag.current;
    if (!d) return;
    d.frame = null;
    if (d.next != null) (onPreview ?? onResize)(d.next);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable splitter (hr cannot take focus or keys)
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${label}`}
      aria-valuenow={width}
      aria-valuemin={MIN_WIDTH}
      aria-valuemax={MAX_WIDTH}
      tabIndex={0}
      className="resize-handle"
      onClick={(e) => e.stopPropagation()}
      onPointerDown={(e) => {
        e.preventDefault();
        drag.current = { x: e.clientX, w: width, next: null, frame: null };
        e.currentTarget.setPointerCapture?.(e.pointerId);
      }}
      onPointerMove={(e) => {
        const d = drag.current;
        if (!d) return;
        d.next = clampWidth(d.w + e.clientX - d.x);
        if (d.frame == null)
          d.frame =
            typeof requestAnimationFrame === "function" ? requestAnimationFrame(show) : null;
        if (d.frame == null) show();
      }}
      onPointerUp={(e) => {
        const d = drag.current;
        if (d?.frame != null && typeof cancelAnimationFrame === "function")
          cancelAnimationFrame(d.frame);
        const end = d?.next;
        drag.current = null;
        if (end != null) onResize(end);
        e.currentTarget.releasePointerCapture?.(e.pointerId);
      }}
      onKeyDown={(e) => {
        if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
          e.preventDefault();
          e.stopPropagation();
          onResize(clampWidth(width + (e.key === "ArrowLeft" ? -RESIZE_STEP : RESIZE_STEP)));
        }
      }}
    />
  );
}

const TableControls = memo(function TableControls({
  localId,
  columns,
  layout,
  onLayoutChange,
  view,
  onViewChange,
  hiddenCount,
}: {
  localId: number;
  columns: Column[];
  layout: TableColumn[];
  onLayoutChange: (layout: TableColumn[]) => void;
  view: ViewSpec;
  onViewChange: (v: ViewSpec) => void;
  hiddenCount: number;
}) {
  const id = useId();
  // Typing stays instant; the engine is asked once the user pauses.
  const [search, setSearch] = useState(view.search ?? "");
  const viewRef = useRef(view);
  viewRef.current = view;
  useEffect(() => {
    const t = setTimeout(() => {
      const v = viewRef.current;
      const nextSearch = search.trim() ? search.trim() : null;
      if (nextSearch === (v.search ?? null)) return;
      onViewChange({ ...v, search: nextSearch });
    }, 300);
    return () => clearTimeout(t);
  }, [search, onViewChange]);

  const filterable = columns;
  const [filterKey, setFilterKey] = useState<string>("");
  const filterColumn = filterable.find((c) => c.key === filterKey) ?? filterable[0];
  const byKey = new Map(layout.map((l) => [l.key, l]));
  const ordered = arrangeAll(columns, layout);
  return (
    <div className="table-controls row wrap">
      <SearchField id={`${id}-search`} label="Search records" value={search} onChange={setSearch} />
      <Popover
        summary={`Filter by column${view.filters.length ? ` (${view.filters.length})` : ""}`}
      >
        {(close) => (
          <div className="stack popover-body">
            <div className="field">
              <label htmlFor={`${id}-filter-column`}>Column</label>
              <select
                id={`${id}-filter-column`}
                value={filterColumn?.key ?? ""}
                onChange={(e) => setFilterKey(e.target.value)}
              >
                {filterable.map((c) => (
                  <option key={c.key} value={c.key}>
                    {c.label}
                  </option>
                ))}
              </select>
            </div>
            {filterColumn ? (
              <FilterEditor
                key={filterColumn.key}
                localId={localId}
                column={filterColumn}
                view={view}
                onViewChange={onViewChange}
                onDone={close}
              />
            ) : null}
          </div>
        )}
      </Popover>
      <Popover summary={`Columns${hiddenCount ? ` (${hiddenCount} hidden)` : ""}`}>
        {() => (
          <fieldset className="stack popover-body columns-menu">
            <legend className="visually-hidden">Show, pin and order columns</legend>
            {ordered.map((c, i) => {
              const l = byKey.get(c.key);
              const pinned = l ? l.pinned : c.kind === "title";
              return (
                <div className="row column-item" key={c.key}>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={c.kind === "title" || !l?.hidden}
                      disabled={c.kind === "title"}
                      onChange={(e) =>
                        onLayoutChange(
                          setColumn(columns, layout, c.key, { hidden: !e.target.checked }),
                        )
                      }
                    />
                    {c.label}
                  </label>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={pinned}
                      aria-label={`Pin ${c.label}`}
                      onChange={(e) =>
                        onLayoutChange(
                          setColumn(columns, layout, c.key, { pinned: e.target.checked }),
                        )
                      }
                    />
                    Pin
                  </label>
                  <button
                    type="button"
                    aria-label={`Move ${c.label} left`}
                    disabled={i === 0}
                    onClick={() => onLayoutChange(moveColumn(columns, layout, c.key, -1))}
                  >
                    ←
                  </button>
                  <button
                    type="button"
                    aria-label={`Move ${c.label} right`}
                    disabled={i === ordered.length - 1}
                    onClick={() => onLayoutChange(moveColumn(columns, layout, c.key, 1))}
                  >
                    →
                  </button>
                </div>
              );
            })}
          </fieldset>
        )}
      </Popover>
    </div>
  );
});

/** Every column (hidden ones too) in the layout's order. */
function arrangeAll(columns: Column[], layout: TableColumn[]): Column[] {
  const order = new Map(layout.map((l, i) => [l.key, i]));
  return [...columns].sort(
    (a, b) =>
      (order.get(a.key) ?? layout.length + columns.indexOf(a)) -
      (order.get(b.key) ?? layout.length + columns.indexOf(b)),
  );
}

/**
 * A disclosure whose body is built only while it is open: a closed one
 * costs the job view nothing when it opens (its state lives with the caller).
 * Escape closes it and puts the focus back on its summary.
 */
function Popover({
  summary,
  children,
}: {
  summary: string;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDetailsElement>(null);
  const close = useCallback(() => {
    const d = ref.current;
    if (!d) return;
    d.open = false;
    setOpen(false);
    d.querySelector("summary")?.focus();
  }, []);
  return (
    <details
      ref={ref}
      className="popover"
      onToggle={(e) => setOpen(e.currentTarget.open)}
      onKeyDown={(e) => {
        if (e.key === "Escape" && ref.current?.open) {
          e.preventDefault();
          e.stopPropagation();
          close();
        }
      }}
    >
      <summary>{summary}</summary>
      {open ? children(close) : null}
    </details>
  );
}
