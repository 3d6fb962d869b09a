import { useQueries, useQuery } from "@tanstack/react-query";
import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  type Updater,
  useReactTable,
  type VisibilityState,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { Field } from "../../app/Field";
import { formatCount } from "../../lib/format";
import { type Column, ipc, type Row, type ViewSpec } from "../../lib/ipc";
import { recordsKey } from "../watch/jobState";
import { ExternalLink } from "./ExternalLink";
import { RecordPanel } from "./RecordPanel";
import { viewKeyOf, WINDOW_SIZE, windowsFor } from "./windows";

export const ROW_HEIGHT = 36;

type Props = {
  localId: number;
  view: ViewSpec;
  onViewChange: (v: ViewSpec) => void;
};

/** What a body row needs of a visible column: where its cell is in `Row.texts`. */
type ShownColumn = { col: Column; index: number };

const NO_ROWS: Row[] = [];

export const columnsKey = (localId: number) => ["columns", localId] as const;

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
  const columnsQuery = useQuery({
    queryKey: columnsKey(localId),
    queryFn: () => ipc.jobColumns(localId),
  });
  const columns = columnsQuery.data ?? [];
  const [visibility, setVisibility] = useState<VisibilityState>({});
  const [openRecord, setOpenRecord] = useState<string | null>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [total, setTotal] = useState<number | null>(null);

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
  const template = shown
    .map(({ col }) => (col.kind === "title" ? "minmax(260px, 2.5fr)" : "minmax(150px, 1fr)"))
    .join(" ");

  const viewKey = viewKeyOf(view);
  const count = total ?? 0;
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

  const windows = useQueries({
    queries: windowIdx.map((w) => ({
      queryKey: [...recordsKey(localId), viewKey, w],
      queryFn: () => ipc.recordsWindow(localId, view, w * WINDOW_SIZE, WINDOW_SIZE),
      staleTime: Number.POSITIVE_INFINITY,
      gcTime: 60_000,
    })),
  });

  // The newest window tells how many rows match (it changes as records arrive).
  let newest: { at: number; total: number } | null = null;
  for (const q of windows)
    if (q.data && (!newest || q.dataUpdatedAt > newest.at))
      newest = { at: q.dataUpdatedAt, total: q.data.total };
  const newestTotal = newest?.total;
  useEffect(() => {
    if (newestTotal != null) setTotal(newestTotal);
  }, [newestTotal]);

  // A new sort or filter starts from the top. The total comes from this
  // view's windows when they are already cached (a job opened again), else
  // it is unknown until the first window arrives.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the view changes
  useEffect(() => {
    setTotal(newestTotal ?? null);
    scrollRef.current?.scrollTo?.({ top: 0 });
  }, [viewKey]);

  const rowAt = (i: number): Row | undefined => {
    const w = Math.floor(i / WINDOW_SIZE);
    const pos = windowIdx.indexOf(w);
    const data = pos >= 0 ? windows[pos].data : undefined;
    return data?.rows[i - data.start];
  };
  const windowError = windows.find((q) => q.error)?.error;

  const onOpen = useCallback((recordId: string, el: HTMLElement) => {
    returnFocus.current = el;
    setOpenRecord(recordId);
  }, []);

  if (columnsQuery.isError) return <ErrorNotice error={columnsQuery.error} />;

  return (
    <section className="results stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Results</h3>
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
            ? view.search || view.filters.length > 0
              ? "No records match the search and filters."
              : "No records yet."
            : `${formatCount(total)} ${total === 1 ? "record" : "records"}`}
      </p>
      <ErrorNotice error={windowError} />
      {/* A real table laid out as a grid, so rows can be positioned for virtual scrolling. */}
      <div
        ref={scrollRef}
        className="table-scroll"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the scroll area must be reachable by keyboard
        tabIndex={0}
      >
        <table className="grid-table" aria-label="Records" aria-rowcount={count + 1}>
          <thead className="table-head">
            {table.getHeaderGroups().map((group) => (
              <tr
                key={group.id}
                className="table-row"
                aria-rowindex={1}
                style={{ gridTemplateColumns: template }}
              >
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const label = flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      className="th"
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
          <tbody className="table-body" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => (
              <BodyRow
                key={item.key}
                index={item.index}
                start={item.start}
                row={rowAt(item.index)}
                shown={shown}
                template={template}
                onOpen={onOpen}
              />
            ))}
          </tbody>
        </table>
      </div>
      {openRecord ? (
        <RecordPanel
          localId={localId}
          recordId={openRecord}
          onClose={() => {
            setOpenRecord(null);
            returnFocus.current?.focus();
          }}
        />
      ) : null}
    </section>
  );
}

/** One body row; re-renders only when its data, place or columns change. */
const BodyRow = memo(function BodyRow({
  index,
  start,
  row,
  shown,
  template,
  onOpen,
}: {
  index: number;
  start: number;
  row: Row | undefined;
  shown: ShownColumn[];
  template: string;
  onOpen: (recordId: string, el: HTMLElement) => void;
}) {
  return (
    <tr
      aria-rowindex={index + 2}
      className={`table-row ${index % 2 ? "odd" : ""}`}
      style={{
        gridTemplateColumns: template,
        height: ROW_HEIGHT,
        transform: `translateY(${start}px)`,
      }}
    >
      {row ? (
        shown.map(({ col, index: c }) => (
          <td className="td" key={col.key}>
            <CellView
              column={col}
              text={row.texts[c]}
              link={row.links[c] ?? null}
              recordId={row.recordId}
              onOpen={onOpen}
            />
          </td>
        ))
      ) : (
        <td className="td muted">Loading…</td>
      )}
    </tr>
  );
});

function CellView({
  column,
  text,
  link,
  recordId,
  onOpen,
}: {
  column: Column;
  text: string | undefined;
  link: string | null;
  recordId: string;
  onOpen: (recordId: string, el: HTMLElement) => void;
}) {
  if (text == null) return null;
  switch (column.kind) {
    case "title":
      return (
        <button
          type="button"
          className="link-button"
          title={text}
          onClick={(e) => onOpen(recordId, e.currentTarget)}
        >
          {text || "(untitled)"}
        </button>
      );
    case "company":
      return (
        <span className="company">
          <span>{text}</span>
          {link ? <ExternalLink href={link} /> : null}
        </span>
      );
    case "url":
      if (!link) return <span title={text}>{text}</span>;
      return <ExternalLink href={link}>{text || link}</ExternalLink>;
    case "confidence":
      return text ? <ConfidenceBadge value={text} /> : null;
    default:
      return <span title={text}>{text}</span>;
  }
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
      <Field id={`${id}-search`} label="Search records">
        {(control) => (
          <input
            {...control}
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        )}
      </Field>
      <details className="popover">
        <summary>Filter by column{activeFilters ? ` (${activeFilters})` : ""}</summary>
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
      </details>
      <details className="popover">
        <summary>Columns{hiddenCount ? ` (${hiddenCount} hidden)` : ""}</summary>
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
      </details>
    </div>
  );
}
