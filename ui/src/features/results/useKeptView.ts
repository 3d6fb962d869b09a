import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ipc, type KeptView, type TableColumn, type ViewSpec } from "../../lib/ipc";
import { keptViewKey, keptViewQuery } from "./queries";
import { keptOf, viewOfKept } from "./tableLayout";

/** How long after the last change the view is written (typing, dragging). */
const SAVE_AFTER_MS = 400;

/**
 * The job's table view (sort, search, filters) and column layout, as kept
 * in the store: read once when the job opens, written shortly after each
 * change and when the job is left. `ready` is false until it is read.
 */
export function useKeptView(localId: number) {
  const qc = useQueryClient();
  const q = useQuery(keptViewQuery(localId));
  const loaded = q.isSuccess || q.isError;
  const [own, setState] = useState<{ view: ViewSpec; layout: TableColumn[] } | null>(null);
  // Until the first change, the view is what was read: ready in the render
  // that reads it, not one effect (a frame) later.
  const read = useMemo(
    () => (loaded ? { view: viewOfKept(q.data ?? null), layout: q.data?.columns ?? [] } : null),
    [loaded, q.data],
  );
  const state = own ?? read;

  // Writes: debounced, and flushed when the job view goes away.
  const pending = useRef<KeptView | null>(null);
  const flush = useCallback(() => {
    const k = pending.current;
    if (!k) return;
    pending.current = null;
    ipc.keepView(localId, k).catch(() => {
      // Not kept: the table still works; the next change tries again.
    });
    // A job opened again in this session starts from it without asking.
    qc.setQueryData(keptViewKey(localId), k);
  }, [qc, localId]);
  useEffect(() => {
    if (!pending.current) return;
    const t = setTimeout(flush, SAVE_AFTER_MS);
    return () => clearTimeout(t);
  });
  useEffect(() => flush, [flush]);

  // The current state, so that a change is pending at once (not when the
  // next render runs a state updater): leaving right after still keeps it.
  const current = useRef(state);
  current.current = state;
  const change = useCallback((next: { view: ViewSpec; layout: TableColumn[] }) => {
    current.current = next;
    pending.current = keptOf(next.view, next.layout);
    setState(next);
  }, []);
  const setView = useCallback(
    (view: ViewSpec) => change({ view, layout: current.current?.layout ?? [] }),
    [change],
  );
  const setLayout = useCallback(
    (layout: TableColumn[]) => change({ view: current.current?.view ?? viewOfKept(null), layout }),
    [change],
  );
  return {
    ready: state != null,
    view: state?.view ?? viewOfKept(null),
    layout: state?.layout ?? [],
    setView,
    setLayout,
    change,
  };
}
