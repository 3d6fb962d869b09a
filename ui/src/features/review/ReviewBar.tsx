import { useId } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatCount } from "../../lib/format";
import type { ReviewFilter, ViewSpec } from "../../lib/ipc";
import { progressLine } from "./reviewCache";
import type { ReviewApi } from "./useReview";

const FILTERS: { value: ReviewFilter | ""; label: string }[] = [
  { value: "", label: "All records" },
  { value: "unreviewed", label: "Unreviewed" },
  { value: "accepted", label: "Accepted" },
  { value: "rejected", label: "Rejected" },
  { value: "starred", label: "Starred" },
  { value: "with_note", label: "With a note" },
];

/** The view without a review filter (the key left out, as before any was set). */
export function withReviewFilter(view: ViewSpec, f: ReviewFilter | null): ViewSpec {
  const { review: _old, ...rest } = view;
  return f ? { ...rest, review: f } : rest;
}

/**
 * The review's progress, its filter, and what to do with the selected rows
 * (or every row of the filter) at once.
 */
export function ReviewBar({
  api,
  view,
  onViewChange,
  selected,
  allInFilter,
  total,
  onSelectAll,
  onClearSelection,
}: {
  api: ReviewApi;
  view: ViewSpec;
  onViewChange: (v: ViewSpec) => void;
  selected: string[];
  allInFilter: boolean;
  total: number | null;
  onSelectAll: () => void;
  onClearSelection: () => void;
}) {
  const id = useId();
  const p = api.progress;
  const count = allInFilter ? (total ?? 0) : selected.length;
  const act = async (state: "accepted" | "rejected") => {
    if (allInFilter) await api.markView(view, { state, starred: null, note: null });
    else await api.mark(selected, { state, starred: null, note: null });
    onClearSelection();
  };
  return (
    <div className="review-bar stack">
      <div className="row wrap">
        <p className="review-progress" aria-live="polite">
          {p ? progressLine(p) : "Review: loading…"}
          {p && p.starred > 0 ? ` · ${formatCount(p.starred)} starred` : ""}
        </p>
        <label htmlFor={`${id}-filter`}>Show</label>
        <select
          id={`${id}-filter`}
          value={view.review ?? ""}
          onChange={(e) =>
            onViewChange(withReviewFilter(view, (e.target.value || null) as ReviewFilter | null))
          }
        >
          {FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => void api.undo()} disabled={!p?.canUndo}>
          Undo review
        </button>
        <span className="muted small">
          Keys: a accept · r reject · s star · n note · j next unreviewed · u undo
        </span>
      </div>
      <fieldset className="row wrap">
        <legend className="visually-hidden">Selected records</legend>
        <span>
          {count > 0
            ? allInFilter
              ? `All ${formatCount(count)} records in this view selected`
              : `${formatCount(count)} selected`
            : "No records selected"}
        </span>
        <button type="button" onClick={onSelectAll} disabled={!total}>
          Select all in view
        </button>
        <button type="button" onClick={() => void act("accepted")} disabled={count === 0}>
          Accept selected
        </button>
        <button type="button" onClick={() => void act("rejected")} disabled={count === 0}>
          Reject selected
        </button>
        <button type="button" onClick={onClearSelection} disabled={count === 0}>
          Clear selection
        </button>
      </fieldset>
      <ErrorNotice error={api.error ?? undefined} />
    </div>
  );
}
