import { useQuery } from "@tanstack/react-query";
import { useId, useLayoutEffect, useRef } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatDateTime } from "../../lib/format";
import { ipc, type ReviewChange, type RowReview } from "../../lib/ipc";
import { ExternalLink } from "./ExternalLink";
import { ConfidenceBadge } from "./ResultsTable";

/** Every field of one record and its sources, in a side panel. */
export function RecordPanel({
  localId,
  recordId,
  review,
  onMark,
  onNote,
  onUndo,
  onClose,
}: {
  localId: number;
  recordId: string;
  review: RowReview | null;
  onMark: (change: ReviewChange) => void;
  onNote: (title: string) => void;
  onUndo: () => void;
  onClose: () => void;
}) {
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
                Confidence: <ConfidenceBadge value={r.confidence} />
              </p>
            ) : null}
            <dl className="fields">
              {r.fields.map((f) => (
                <div key={f.name} className="field-row">
                  <dt>{f.label}</dt>
                  <dd>
                    <span className="pre">{f.text || "—"}</span>
                    {f.link ? (
                      <>
                        {" "}
                        <ExternalLink href={f.link} />
                      </>
                    ) : null}
                    {f.confidence ? (
                      <>
                        {" "}
                        <ConfidenceBadge value={f.confidence} />
                      </>
                    ) : null}
                  </dd>
                </div>
              ))}
            </dl>
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
