import { useQueries, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatCount } from "../../lib/format";
import { type Cell, type Column, ipc, type Row, type ViewSpec } from "../../lib/ipc";
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

export const columnsKey = (localId: number) => ["columns", localId] as const;

/**
 * The job's records, paged from the engine in windows as the user scrolls:
 * only display strings for the rows on screen ever cross the IPC.
 */
export function ResultsTable({ localId, view, onViewChange }: Props) {
  const id = useId();
  const columnsQuery = useQuery({
    queryKey: columnsKey(localId),
    queryFn: () => ipc.jobColumns(localId),
  });
  const columns = columnsQuery.data ?? [];
  const [hidden, setHidden] = useState<Set<string>>(() => new Set());
  const [openRecord, setOpenRecord] = useState<string | null>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [total, setTotal] = useState<number | null>(null);

  const viewKey = viewKeyOf(view);
  const count = total ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
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

  const shown = useMemo(
    () => columns.map((c, i) => ({ col: c, index: i })).filter((c) => !hidden.has(c.col.key)),
    [columns, hidden],
  );
  const template = shown
    .map(({ col }) => (col.kind === "title" ? "minmax(260px, 2.5fr)" : "minmax(150px, 1fr)"))
    .join(" ");

  const sortBy = (key: string) => {
    const s = view.sort;
    // Click cycles: ascending → descending → unsorted.
    const next =
      s?.key !== key
        ? { key, descending: false }
        : !s.descending
          ? { key, descending: true }
          : null;
    onViewChange({ ...view, sort: next });
  };

  if (columnsQuery.isError) return <ErrorNotice error={columnsQuery.error} />;

  return (
    <section className="results stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Results</h3>
      <TableControls
        columns={columns}
        view={view}
        onViewChange={onViewChange}
        hidden={hidden}
        onHiddenChange={setHidden}
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
            <tr className="table-row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
              {shown.map(({ col }) => {
                const sorted = view.sort?.key === col.key ? view.sort : null;
                const sortable = col.kind !== "citations";
                return (
                  <th
                    key={col.key}
                    scope="col"
                    className="th"
                    aria-sort={sorted ? (sorted.descending ? "descending" : "ascending") : "none"}
                  >
                    {sortable ? (
                      <button type="button" className="sort" onClick={() => sortBy(col.key)}>
                        {col.label}
                        <span aria-hidden="true" className="sort-mark">
                          {sorted ? (sorted.descending ? " ▼" : " ▲") : ""}
                        </span>
                      </button>
                    ) : (
                      col.label
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody className="table-body" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const row = rowAt(item.index);
              return (
                <tr
                  key={item.key}
                  aria-rowindex={item.index + 2}
                  className={`table-row ${item.index % 2 ? "odd" : ""}`}
                  style={{
                    gridTemplateColumns: template,
                    height: ROW_HEIGHT,
                    transform: `translateY(${item.start}px)`,
                  }}
                >
                  {row ? (
                    shown.map(({ col, index }) => (
                      <td className="td" key={col.key}>
                        <CellView
                          column={col}
                          cell={row.cells[index]}
                          onOpen={(el) => {
                            returnFocus.current = el;
                            setOpenRecord(row.recordId);
                          }}
                        />
                      </td>
                    ))
                  ) : (
                    <td className="td muted">Loading…</td>
                  )}
                </tr>
              );
            })}
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

function CellView({
  column,
  cell,
  onOpen,
}: {
  column: Column;
  cell: Cell | undefined;
  onOpen: (el: HTMLElement) => void;
}) {
  if (!cell) return null;
  switch (column.kind) {
    case "title":
      return (
        <button
          type="button"
          className="link-button"
          title={cell.text}
          onClick={(e) => onOpen(e.currentTarget)}
        >
          {cell.text || "(untitled)"}
        </button>
      );
    case "company":
      return (
        <span className="company">
          <span>{cell.text}</span>
          {cell.link ? <ExternalLink href={cell.link} /> : null}
        </span>
      );
    case "url":
      if (!cell.link) return <span title={cell.text}>{cell.text}</span>;
      return <ExternalLink href={cell.link}>{cell.text || cell.link}</ExternalLink>;
    case "confidence":
      return cell.text ? <ConfidenceBadge value={cell.text} /> : null;
    default:
      return <span title={cell.text}>{cell.text}</span>;
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
  hidden,
  onHiddenChange,
}: {
  columns: Column[];
  view: ViewSpec;
  onViewChange: (v: ViewSpec) => void;
  hidden: Set<string>;
  onHiddenChange: (h: Set<string>) => void;
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
      <div className="field">
        <label htmlFor={`${id}-search`}>Search records</label>
        <input
          id={`${id}-search`}
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      <details className="popover">
        <summary>Filter by column{activeFilters ? ` (${activeFilters})` : ""}</summary>
        <div className="stack popover-body">
          {filterable.map((c) => (
            <div className="field" key={c.key}>
              <label htmlFor={`${id}-f-${c.key}`}>{c.label} contains</label>
              <input
                id={`${id}-f-${c.key}`}
                value={filters[c.key] ?? ""}
                onChange={(e) => setFilters((f) => ({ ...f, [c.key]: e.target.value }))}
              />
            </div>
          ))}
        </div>
      </details>
      <details className="popover">
        <summary>Columns{hidden.size ? ` (${hidden.size} hidden)` : ""}</summary>
        <fieldset className="stack popover-body">
          <legend className="visually-hidden">Show columns</legend>
          {columns.map((c) => (
            <label className="check" key={c.key}>
              <input
                type="checkbox"
                checked={!hidden.has(c.key)}
                // The title opens the record panel, so it always stays.
                disabled={c.kind === "title"}
                onChange={(e) => {
                  const next = new Set(hidden);
                  if (e.target.checked) next.delete(c.key);
                  else next.add(c.key);
                  onHiddenChange(next);
                }}
              />
              {c.label}
            </label>
          ))}
        </fieldset>
      </details>
    </div>
  );
}
