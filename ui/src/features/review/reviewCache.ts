// The review marks of rows held in the table's cached windows, changed in
// place: marking a record repaints its row alone, with no window read again.
import type { QueryClient } from "@tanstack/react-query";
import type { RecordsWindow, ReviewChange, ReviewOutcome, Row, RowReview } from "../../lib/ipc";
import { recordsKey } from "../watch/jobState";

export const reviewProgressKey = (localId: number) => ["review-progress", localId] as const;

export const BLANK: RowReview = {
  state: "unreviewed",
  starred: false,
  note: null,
  reviewedAt: null,
};

/** What `change` makes of `r` (as the engine does, for the optimistic paint). */
export function applyChange(r: RowReview | null, change: ReviewChange): RowReview {
  const base = r ?? BLANK;
  const note =
    change.note == null ? base.note : change.note.trim() === "" ? null : change.note.trim();
  return {
    state: change.state ?? base.state,
    starred: change.starred ?? base.starred,
    note,
    reviewedAt: Date.now(),
  };
}

const isBlank = (r: RowReview) => r.state === "unreviewed" && !r.starred && !r.note;

/**
 * Sets the review of rows by record id in every cached window of the job
 * (one record may sit in several views). Only the rows that change get new
 * objects, so only their (memoized) table rows render again.
 */
export function patchRows(
  qc: QueryClient,
  localId: number,
  reviews: Map<string, RowReview | null>,
): void {
  if (reviews.size === 0) return;
  qc.setQueriesData<RecordsWindow>({ queryKey: recordsKey(localId) }, (w) => {
    if (!w) return w;
    let changed = false;
    const rows = w.rows.map((row): Row => {
      if (!reviews.has(row.recordId)) return row;
      const next = reviews.get(row.recordId) ?? null;
      const review = next && !isBlank(next) ? next : null;
      changed = true;
      return { ...row, review };
    });
    return changed ? { ...w, rows } : w;
  });
}

/** The current review of a record, from whichever cached window holds it. */
export function cachedReview(qc: QueryClient, localId: number, recordId: string): RowReview | null {
  for (const [, w] of qc.getQueriesData<RecordsWindow>({ queryKey: recordsKey(localId) })) {
    const row = w?.rows.find((r) => r.recordId === recordId);
    if (row) return row.review ?? null;
  }
  return null;
}

/** Takes an engine outcome in: rows in place (or every window read again), progress. */
export function applyOutcome(qc: QueryClient, localId: number, o: ReviewOutcome): void {
  if (o.refresh) {
    void qc.invalidateQueries({ queryKey: recordsKey(localId) });
  } else {
    patchRows(qc, localId, new Map(o.changed.map((c) => [c.recordId, c.review])));
  }
  qc.setQueryData(reviewProgressKey(localId), { ...o.progress, canUndo: o.canUndo });
}

/** "42 of 60 reviewed · 38 accepted". */
export function progressLine(p: { total: number; reviewed: number; accepted: number }): string {
  const n = (v: number) => v.toLocaleString("en-US");
  return `${n(p.reviewed)} of ${n(p.total)} reviewed · ${n(p.accepted)} accepted`;
}
