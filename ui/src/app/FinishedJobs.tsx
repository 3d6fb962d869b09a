// A job that finishes while the analyst looks elsewhere: a toast with
// "Open", and a count on the Jobs tab until they look.
import { useCallback, useRef, useState } from "react";
import { formatCount, shorten } from "../lib/format";
import { ipc, type JobEvent } from "../lib/ipc";

export type FinishedToast = {
  localId: number;
  failed: boolean;
  query: string | null;
  records: number | null;
};

export function useFinishedJobs(watching: () => number | null) {
  const [toasts, setToasts] = useState<FinishedToast[]>([]);
  const [unseen, setUnseen] = useState<number[]>([]);
  const watchingRef = useRef(watching);
  watchingRef.current = watching;

  const onEvent = useCallback((e: JobEvent) => {
    const { type } = e.event;
    if (type !== "completed" && type !== "failed") return;
    // The job on screen needs no toast: its view already says so.
    if (watchingRef.current() === e.localId) return;
    const failed = type === "failed";
    const records = e.event.type === "completed" ? e.event.validRecords : null;
    const add = (query: string | null) => {
      setToasts((t) => [
        ...t.filter((x) => x.localId !== e.localId),
        { localId: e.localId, failed, query, records },
      ]);
      setUnseen((u) => (u.includes(e.localId) ? u : [...u, e.localId]));
    };
    ipc.jobSnapshot(e.localId).then(
      (snap) => add(snap.summary.query),
      () => add(null),
    );
  }, []);

  const seen = useCallback((localId?: number) => {
    if (localId == null) {
      setUnseen([]);
      setToasts([]);
      return;
    }
    setUnseen((u) => u.filter((id) => id !== localId));
    setToasts((t) => t.filter((x) => x.localId !== localId));
  }, []);

  const dismiss = useCallback(
    (localId: number) => setToasts((t) => t.filter((x) => x.localId !== localId)),
    [],
  );
  return { toasts, unseen: unseen.length, onEvent, seen, dismiss };
}

export function FinishedToasts({
  toasts,
  onOpen,
  onDismiss,
}: {
  toasts: FinishedToast[];
  onOpen: (localId: number) => void;
  onDismiss: (localId: number) => void;
}) {
  return (
    <section className="toasts" aria-label="Finished jobs" aria-live="polite">
      {toasts.map((t) => {
        const what = t.query ? `“${shorten(t.query, 80)}”` : "A job";
        const text = t.failed
          ? `${what} failed.`
          : `${what} finished${t.records != null ? ` with ${formatCount(t.records)} records` : ""}.`;
        return (
          <div key={t.localId} className="toast card row" role="status">
            <span>{text}</span>
            <button type="button" className="primary" onClick={() => onOpen(t.localId)}>
              Open
            </button>
            <button
              type="button"
              aria-label={`Dismiss: ${text}`}
              onClick={() => onDismiss(t.localId)}
            >
              ×
            </button>
          </div>
        );
      })}
    </section>
  );
}
