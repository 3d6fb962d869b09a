import { useQuery } from "@tanstack/react-query";
import { useId, useLayoutEffect, useRef } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatDateTime } from "../../lib/format";
import { ipc } from "../../lib/ipc";
import { ExternalLink } from "./ExternalLink";
import { ConfidenceBadge } from "./ResultsTable";

/** Every field of one record and its sources, in a side panel. */
export function RecordPanel({
  localId,
  recordId,
  onClose,
}: {
  localId: number;
  recordId: string;
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

  // Escape closes; Tab stays inside the panel while it is open.
  function onKeyDown(e: React.KeyboardEvent) {
    if (e.key === "Escape") {
      e.stopPropagation();
      onClose();
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
