import { type QueryClient, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  type Updater,
  useReactTable,
  type VisibilityState,
} from "@tanstack/react-table";
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
import { Field, SearchField } from "../../app/Field";
import { formatCount } from "../../lib/format";
import {
  type Column,
  ipc,
  type RecordsWindow,
  type ReviewChange,
  type Row,
  type RowReview,
  type ViewSpec,
} from "../../lib/ipc";
import { NoteDialog } from "../review/NoteDialog";
import { ReviewBar } from "../review/ReviewBar";
import { cachedReview } from "../review/reviewCache";
import { useReview } from "../review/useReview";
import { recordsKey } from "../watch/jobState";
import { ExternalLink } from "./ExternalLink";
import { RecordPanel } from "./RecordPanel";
import { assignSlots } from "./rowSlots";
import { viewKeyOf, WINDOW_SIZE, windowsFor } from "./windows";

export const ROW_HEIGHT = 36;
/** The review column before the job's own: a select box and the marks. */
const REVIEW_WIDTH = 96;

type Props = {
  localId: number;
  view: ViewSpec;
  onViewChange: (v: ViewSpec) => void;
};

/**
 * Fixed widths by kind: the body renders only the columns in view, and a
 * fixed grid means no cell's text ever changes the layout of the others.
 */
const KIND_WIDTH: Record<string, number> = {
  title: 400,
  text: 280,
  url: 260,
  company: 240,
  option: 180,
  number: 160,
  date: 160,
  confidence: 150,
  citations: 150,
};
export const columnWidth = (col: Column) => KIND_WIDTH[col.kind] ?? 200;

/** What a body row needs of a visible column: where its cell is in `Row.texts`. */
type ShownColumn = { col: Column; index: number };

const NO_ROWS: Row[] = [];

export const columnsKey = (localId: number) => ["columns", localId] as const;

const columnsQuery = (localId: number) => ({
  queryKey: columnsKey(localId),
  queryFn: () => ipc.jobColumns(localId),
});

/** Window `w` of a view's rows (cached per view; records arriving refresh them). */
const windowQuery = (localId: number, view: ViewSpec, viewKey: string, w: number) => ({
  queryKey: [...recordsKey(localId), viewKey, w],
  queryFn: () => ipc.recordsWindow(localId, view, w * WINDOW_SIZE, WINDOW_SIZE),
  staleTime: Number.POSITIVE_INFINITY,
  // Kept a minute: dropping windows scrolled past after 10 s left the page
  // ~30 MB bigger at the end of bench/ui's session, not smaller.
  gcTime: 60_000,
});

/**
 * Starts loading what the table shows first (columns and first rows), so a
 * job view can ask for them alongside its own summary rather than after it.
 */
export function prefetchFirstRows(qc: QueryClient, localId: number, view: ViewSpec) {
  void qc.prefetchQuery(columnsQuery(localId));
  void qc.prefetchQuery(windowQuery(localId, view, viewKeyOf(view), 0));
}

/**
 * The job's records, paged from the engine in windows as the user scrolls:
 * only display strings for the rows on screen ever cross the IPC.
 *
 * TanStack Table holds the column model (order, visibility, sort state,
 * headers) in manual mode: sorting, filtering and search run in the engine,
 * so the table's row model is never the whole job. Body rows are memoized:
 * while scrolling, only rows entering the screen render.
 */
export function ResultsTable({ localId, view, onViewChange }: Props) {
  const id = useId();
  const colsQuery = useQuery(columnsQuery(localId));
  const columns = colsQuery.data ?? [];
  const [visibility, setVisibility] = useState<VisibilityState>({});
  const [openRecord, setOpenRecord] = useState<string | null>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
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

  const columnDefs = useMemo<ColumnDef<Row>[]>(
    () =>
      columns.map((col, index) => ({
        id: col.key,
        header: col.label,
        accessorFn: (r: Row) => r.texts[index] ?? "",
        enableSorting: col.kind !== "citations",
        // The title opens the record panel, so it always stays.
        enableHiding: col.kind !== "title",
        meta: { col, index },
      })),
    [columns],
  );
  const sorting = useMemo(
    () => (view.sort ? [{ id: view.sort.key, desc: view.sort.descending }] : []),
    [view.sort],
  );
  const table = useReactTable<Row>({
    data: NO_ROWS,
    columns: columnDefs,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualFiltering: true,
    enableMultiSort: false,
    // No rows in the table model (the engine sorts), so the auto "numbers
    // sort descending first" guess has nothing to go on: always start ascending.
    sortDescFirst: false,
    state: { sorting, columnVisibility: visibility },
    onColumnVisibilityChange: setVisibility,
    onSortingChange: (up: Updater<{ id: string; desc: boolean }[]>) => {
      const next = typeof up === "function" ? up(sorting) : up;
      const s = next[0];
      onViewChange({ ...view, sort: s ? { key: s.id, descending: s.desc } : null });
    },
  });
  const visibleLeaves = table.getVisibleLeafColumns();
  const visibleKey = visibleLeaves.map((c) => c.id).join("\u0000");
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed when the visible set changes
  const shown = useMemo<ShownColumn[]>(
    () => visibleLeaves.map((c) => c.columnDef.meta as ShownColumn),
    [visibleKey, columnDefs],
  );
  const template = [`${REVIEW_WIDTH}px`, ...shown.map(({ col }) => `${columnWidth(col)}px`)].join(
    " ",
  );

  const viewKey = viewKeyOf(view);
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
  const [windowError, setWindowError] = useState<unknown>(null);

  const onOpen = useCallback((recordId: string, el: HTMLElement) => {
    returnFocus.current = el;
    setOpenRecord(recordId);
  }, []);
  const openReview = useLiveReview(localId, openRecord);

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
        columns={columns}
        view={view}
        onViewChange={onViewChange}
        isVisible={(key) => table.getColumn(key)?.getIsVisible() ?? true}
        canHide={(key) => table.getColumn(key)?.getCanHide() ?? false}
        onToggle={(key, visible) => table.getColumn(key)?.toggleVisibility(visible)}
        hiddenCount={columns.length - shown.length}
      />
      <p className="muted" aria-live="polite">
        {total == null
          ? "Loading records…"
          : total === 0
            ? view.search || view.filters.length > 0 || view.review
              ? "No records match the search and filters."
              : "No records yet."
            : `${formatCount(total)} ${total === 1 ? "record" : "records"}`}
      </p>
      {reviewNote ? (
        <p className="muted" role="status">
          {reviewNote}
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
          className="grid-table"
          aria-label="Records"
          aria-rowcount={count + 1}
          aria-colcount={shown.length + 1}
        >
          <thead className="table-head">
            {table.getHeaderGroups().map((group) => (
              <tr
                key={group.id}
                className="table-row"
                aria-rowindex={1}
                style={{ gridTemplateColumns: template }}
              >
                <th scope="col" className="th" aria-colindex={1}>
                  Review
                </th>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const label = flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      className="th"
                      aria-colindex={header.index + 2}
                      aria-sort={
                        sorted === "desc" ? "descending" : sorted === "asc" ? "ascending" : "none"
                      }
                    >
                      {header.column.getCanSort() ? (
                        <button
                          type="button"
                          className="sort"
                          // Click cycles: ascending → descending → unsorted.
                          onClick={header.column.getToggleSortingHandler()}
                        >
                          {label}
                          <span aria-hidden="true" className="sort-mark">
                            {sorted === "desc" ? " ▼" : sorted === "asc" ? " ▲" : ""}
                          </span>
                        </button>
                      ) : (
                        label
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <VirtualRows
            localId={localId}
            view={view}
            viewKey={viewKey}
            count={count}
            shown={shown}
            template={template}
            scrollRef={scrollRef}
            onOpen={onOpen}
            onTotal={onTotal}
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
    for (const { col } of shown) out.push(out[out.length - 1] + columnWidth(col));
    return out;
  }, [shown]);
  const rangeOf = useCallback(
    (left: number, width: number): [number, number] => {
      const n = shown.length;
      if (n === 0) return [0, -1];
      // Without a measured width (not laid out yet), every column.
      if (width <= 0) return [0, n - 1];
      let a = 0;
      while (a < n - 1 && edges[a + 1] <= left) a++;
      let b = a;
      while (b < n - 1 && edges[b + 1] < left + width) b++;
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
    const out: number[] = a > 0 && shown.length > 0 ? [0] : [];
    for (let i = a; i <= Math.min(b, shown.length - 1); i++) out.push(i);
    return out;
  }, [range, shown.length]);
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
  shown,
  template,
  scrollRef,
  onOpen,
  onTotal,
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
  shown: ShownColumn[];
  template: string;
  scrollRef: React.RefObject<HTMLDivElement | null>;
  onOpen: (recordId: string, el: HTMLElement) => void;
  onTotal: (total: number | null) => void;
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
  });
  const items = virtualizer.getVirtualItems();
  const first = items.length > 0 ? items[0].index : 0;
  const last = items.length > 0 ? items[items.length - 1].index : 0;
  const windowIdx = windowsFor(first, last, count);
  // Columns too: only those in view get cells (half of a wide job's). The
  // first one (the title, which opens the record) always does, so the
  // keyboard path through the rows stays the same wherever the table is.
  const cols = useVisibleColumns(scrollRef, shown);
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
  let newest: { at: number; total: number } | null = null;
  for (const q of windows)
    if (q.data && (!newest || q.dataUpdatedAt > newest.at))
      newest = { at: q.dataUpdatedAt, total: q.data.total };
  const newestTotal = newest?.total;
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
            shown={shown}
            cols={cols}
            template={template}
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
  cols,
  template,
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
  shown: ShownColumn[];
  /** Indexes into `shown` of the columns in view. */
  cols: number[];
  template: string;
  onOpen: (recordId: string, el: HTMLElement) => void;
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
        gridTemplateColumns: template,
        height: ROW_HEIGHT,
        transform: `translateY(${start}px)`,
      }}
      onMouseDown={() => onActivate(index)}
    >
      {row ? (
        <td className="td review-cell" aria-colindex={1} style={{ gridColumn: 1 }}>
          <input
            type="checkbox"
            aria-label={`Select ${row.texts[titleIndex] || "record"}`}
            checked={selected}
            onClick={(e) => onPick(index, row.recordId, e.shiftKey)}
            onChange={() => {}}
          />
          <ReviewMarks review={row.review ?? null} />
        </td>
      ) : null}
      {row ? (
        cols.map((i) => {
          const { col, index: c } = shown[i] ?? {};
          if (!col) return null;
          return (
            <Cell
              key={col.key}
              place={i}
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
  place,
  column,
  text,
  link,
  recordId,
  onOpen,
}: {
  /** 0-based position among the shown columns (its grid track). */
  place: number;
  column: Column;
  text: string | undefined;
  link: string | null;
  recordId: string;
  onOpen: (recordId: string, el: HTMLElement) => void;
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
            onClick={(e) => onOpen(recordId, e.currentTarget)}
          >
            {text || "(untitled)"}
          </button>
        );
        break;
      case "company":
        className = `${cellClass(text)} company`;
        title = text;
        content = (
          <>
            {text}
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
      default:
        className = cellClass(text);
        title = text;
        content = text;
    }
  }
  return (
    <td
      className={className}
      title={title}
      aria-colindex={place + 2}
      style={{ gridColumn: place + 2 }}
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

function TableControls({
  columns,
  view,
  onViewChange,
  isVisible,
  canHide,
  onToggle,
  hiddenCount,
}: {
  columns: Column[];
  view: ViewSpec;
  onViewChange: (v: ViewSpec) => void;
  isVisible: (key: string) => boolean;
  canHide: (key: string) => boolean;
  onToggle: (key: string, visible: boolean) => void;
  hiddenCount: number;
}) {
  const id = useId();
  // Typing stays instant; the engine is asked once the user pauses.
  const [search, setSearch] = useState(view.search ?? "");
  const [filters, setFilters] = useState<Record<string, string>>(() =>
    Object.fromEntries(view.filters.map((f) => [f.key, f.contains])),
  );
  const viewRef = useRef(view);
  viewRef.current = view;
  useEffect(() => {
    const t = setTimeout(() => {
      const v = viewRef.current;
      const nextFilters = Object.entries(filters)
        .filter(([, text]) => text.trim())
        .map(([key, contains]) => ({ key, contains: contains.trim() }));
      const nextSearch = search.trim() ? search.trim() : null;
      if (nextSearch === v.search && viewKeyOf(nextFilters) === viewKeyOf(v.filters)) return;
      onViewChange({ ...v, search: nextSearch, filters: nextFilters });
    }, 300);
    return () => clearTimeout(t);
  }, [search, filters, onViewChange]);

  const filterable = columns.filter((c) => c.kind !== "citations");
  const activeFilters = Object.values(filters).filter((f) => f.trim()).length;
  return (
    <div className="table-controls row wrap">
      <SearchField id={`${id}-search`} label="Search records" value={search} onChange={setSearch} />
      <Popover summary={`Filter by column${activeFilters ? ` (${activeFilters})` : ""}`}>
        <div className="stack popover-body">
          {filterable.map((c) => (
            <Field key={c.key} id={`${id}-f-${c.key}`} label={`${c.label} contains`}>
              {(control) => (
                <input
                  {...control}
                  value={filters[c.key] ?? ""}
                  onChange={(e) => setFilters((f) => ({ ...f, [c.key]: e.target.value }))}
                />
              )}
            </Field>
          ))}
        </div>
      </Popover>
      <Popover summary={`Columns${hiddenCount ? ` (${hiddenCount} hidden)` : ""}`}>
        <fieldset className="stack popover-body">
          <legend className="visually-hidden">Show columns</legend>
          {columns.map((c) => (
            <label className="check" key={c.key}>
              <input
                type="checkbox"
                checked={isVisible(c.key)}
                disabled={!canHide(c.key)}
                onChange={(e) => onToggle(c.key, e.target.checked)}
              />
              {c.label}
            </label>
          ))}
        </fieldset>
      </Popover>
    </div>
  );
}

/**
 * A disclosure whose body is built only while it is open: a closed one
 * costs the job view nothing when it opens (its state lives with the caller).
 */
function Popover({ summary, children }: { summary: string; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="popover" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{summary}</summary>
      {open ? children : null}
    </details>
  );
}
