import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatCount } from "../../lib/format";
import { type Column, type ColumnFilter, ipc, type ViewSpec } from "../../lib/ipc";
import { filterInWords, isActive, parseNumber, withFilter } from "./tableLayout";

/** Kinds whose filter is a value list with counts (matched companies: records per company). */
const LISTED = new Set(["option", "company", "entities", "confidence"]);

type Mode = "values" | "range" | "dates" | "contains" | "empty" | "notEmpty";

const modeOf = (col: Column, f: ColumnFilter | undefined): Mode => {
  const t = f?.test;
  if (t?.type === "empty") return "empty";
  if (t?.type === "notEmpty") return "notEmpty";
  if (col.kind === "number" || col.kind === "citations") return "range";
  if (col.kind === "date") return "dates";
  if (LISTED.has(col.kind) || t?.type === "oneOf") return "values";
  return "contains";
};

/**
 * The filter of one column, by its kind: a range for numbers and dates, a
 * value list with counts for options, companies and confidence, a "contains"
 * for text; "is empty" / "is not empty" for all. Applied with the button
 * (or Enter); the store runs it.
 */
export function FilterEditor({
  localId,
  column,
  view,
  onViewChange,
  onDone,
}: {
  localId: number;
  column: Column;
  view: ViewSpec;
  onViewChange: (v: ViewSpec) => void;
  onDone: () => void;
}) {
  const id = useId();
  const current = view.filters.find((f) => f.key === column.key);
  const natural = modeOf(column, undefined);
  const [mode, setMode] = useState<Mode>(() => modeOf(column, current));
  const t = current?.test;
  const [min, setMin] = useState(t?.type === "range" && t.min != null ? String(t.min) : "");
  const [max, setMax] = useState(t?.type === "range" && t.max != null ? String(t.max) : "");
  const [from, setFrom] = useState(t?.type === "dates" ? (t.from ?? "") : "");
  const [to, setTo] = useState(t?.type === "dates" ? (t.to ?? "") : "");
  const [contains, setContains] = useState(current && !t ? (current.contains ?? "") : "");
  const [picked, setPicked] = useState<ReadonlySet<string>>(
    () => new Set(t?.type === "oneOf" ? t.values : []),
  );
  const [problem, setProblem] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new mode clears the last problem
  useEffect(() => setProblem(null), [mode]);

  const values = useQuery({
    queryKey: [
      "columnValues",
      localId,
      column.key,
      JSON.stringify(withFilter(view, column.key, null)),
    ],
    queryFn: () => ipc.columnValues(localId, withFilter(view, column.key, null), column.key),
    enabled: mode === "values" || mode === "range" || mode === "dates",
    staleTime: 30_000,
  });

  function build(): ColumnFilter | null | undefined {
    const key = column.key;
    switch (mode) {
      case "empty":
        return { key, contains: "", test: { type: "empty" } };
      case "notEmpty":
        return { key, contains: "", test: { type: "notEmpty" } };
      case "contains":
        return { key, contains: contains.trim(), test: null };
      case "values":
        return { key, contains: "", test: { type: "oneOf", values: [...picked] } };
      case "range": {
        const lo = parseNumber(min);
        const hi = parseNumber(max);
        if (lo === undefined || hi === undefined) {
          setProblem("Enter numbers only, such as 1000 or 2.5.");
          return undefined;
        }
        if (lo != null && hi != null && lo > hi) {
          setProblem("The smallest value is larger than the largest.");
          return undefined;
        }
        return { key, contains: "", test: { type: "range", min: lo, max: hi } };
      }
      case "dates": {
        if (from && to && from > to) {
          setProblem("The first date is after the last one.");
          return undefined;
        }
        return { key, contains: "", test: { type: "dates", from: from || null, to: to || null } };
      }
    }
  }

  function apply() {
    const f = build();
    if (f === undefined) return;
    onViewChange(withFilter(view, column.key, f));
    onDone();
  }

  const label = column.label;
  return (
    <form
      className="stack filter-editor"
      aria-label={`Filter ${label}`}
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <fieldset className="row wrap">
        <legend className="visually-hidden">Keep records where {label}</legend>
        <label className="check">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={mode === natural}
            onChange={() => setMode(natural)}
          />
          {natural === "range"
            ? "Between"
            : natural === "dates"
              ? "Between dates"
              : natural === "values"
                ? "One of"
                : "Contains"}
        </label>
        <label className="check">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={mode === "empty"}
            onChange={() => setMode("empty")}
          />
          Is empty
        </label>
        <label className="check">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={mode === "notEmpty"}
            onChange={() => setMode("notEmpty")}
          />
          Is not empty
        </label>
      </fieldset>
      {mode === "range" ? (
        <div className="row wrap">
          <label className="field">
            <span>Smallest {label}</span>
            <input
              inputMode="decimal"
              value={min}
              placeholder={values.data?.min ?? ""}
              onChange={(e) => setMin(e.target.value)}
            />
          </label>
          <label className="field">
            <span>Largest {label}</span>
            <input
              inputMode="decimal"
              value={max}
              placeholder={values.data?.max ?? ""}
              onChange={(e) => setMax(e.target.value)}
            />
          </label>
        </div>
      ) : null}
      {mode === "dates" ? (
        <div className="row wrap">
          <label className="field">
            <span>{label} from</span>
            <input
              type="date"
              value={from}
              min={values.data?.min ?? undefined}
              max={values.data?.max ?? undefined}
              onChange={(e) => setFrom(e.target.value)}
            />
          </label>
          <label className="field">
            <span>{label} to</span>
            <input
              type="date"
              value={to}
              min={values.data?.min ?? undefined}
              max={values.data?.max ?? undefined}
              onChange={(e) => setTo(e.target.value)}
            />
          </label>
        </div>
      ) : null}
      {mode === "contains" ? (
        <label className="field">
          <span>{label} contains</span>
          <input value={contains} onChange={(e) => setContains(e.target.value)} />
        </label>
      ) : null}
      {mode === "values" ? (
        values.isPending ? (
          <p className="muted">Counting values…</p>
        ) : values.isError ? (
          <ErrorNotice error={values.error} />
        ) : (
          <fieldset className="stack value-list">
            <legend>{label}: one of</legend>
            {values.data.values.map((v) => (
              <label className="check" key={v.value}>
                <input
                  type="checkbox"
                  checked={picked.has(v.value)}
                  onChange={(e) =>
                    setPicked((p) => {
                      const next = new Set(p);
                      if (e.target.checked) next.add(v.value);
                      else next.delete(v.value);
                      return next;
                    })
                  }
                />
                <span className="value-name">{v.value}</span>
                <span className="muted value-count">{formatCount(v.count)}</span>
              </label>
            ))}
            {values.data.more > 0 ? (
              <p className="muted">
                {formatCount(values.data.more)} more values are not listed; use search to find them.
              </p>
            ) : null}
            {values.data.empty > 0 ? (
              <p className="muted">{formatCount(values.data.empty)} records have no value.</p>
            ) : null}
          </fieldset>
        )
      ) : null}
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="primary">
          Apply filter
        </button>
        {current ? (
          <button
            type="button"
            onClick={() => {
              onViewChange(withFilter(view, column.key, null));
              onDone();
            }}
          >
            Clear
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** The view's filters as removable chips above the table. */
export function FilterChips({
  columns,
  view,
  onViewChange,
}: {
  columns: Column[];
  view: ViewSpec;
  onViewChange: (v: ViewSpec) => void;
}) {
  const active = view.filters.filter(isActive);
  if (active.length === 0) return null;
  const labelOf = (key: string) => columns.find((c) => c.key === key)?.label ?? key;
  return (
    <ul className="filter-chips row wrap" aria-label="Filters">
      {active.map((f) => {
        const words = filterInWords(labelOf(f.key), f);
        return (
          <li key={f.key} className="chip">
            <span>{words}</span>
            <button
              type="button"
              className="chip-remove"
              aria-label={`Remove filter: ${words}`}
              onClick={() => onViewChange(withFilter(view, f.key, null))}
            >
              ×
            </button>
          </li>
        );
      })}
      {active.length > 1 ? (
        <li>
          <button type="button" onClick={() => onViewChange({ ...view, filters: [] })}>
            Clear all filters
          </button>
        </li>
      ) : null}
    </ul>
  );
}
