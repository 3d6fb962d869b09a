import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { ipc, type KeptView, type TableColumn, type ViewSpec } from "../../lib/ipc";
import { keptOf, viewOfKept } from "./tableLayout";

export const keptViewKey = (localId: number) => ["keptView", localId] as const;

/** How long after the last change the view is written (typing, dragging). */
const SAVE_AFTER_MS = 400;

/**
 * The job's table view (sort, search, filters) and column layout, as kept
 * in the store: read once when the job opens, written shortly after each
 * change and when the job is left. `ready` is false until it is read.
 */
export function useKeptView(localId: number) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: keptViewKey(localId),
    queryFn: () => ipc.keptView(localId),
    staleTime: Number.POSITIVE_INFINITY,
    // A job that cannot be read opens with the plain view.
    retry: false,
  });
  const loaded = q.isSuccess || q.isError;
  const [state, setState] = useState<{ view: ViewSpec; layout: TableColumn[] } | null>(null);
  useEffect(() => {
    if (loaded && state == null) {
      const k = q.data ?? null;
      setState({ view: viewOfKept(k), layout: k?.columns ?? [] });
    }
  }, [loaded, q.data, state]);

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
