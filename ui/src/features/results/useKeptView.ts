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
    qc.setQueryData(keptViewKey(localId), k);
    ipc.keepView(localId, k).catch(() => {
      // Not kept: the table still works; the next change tries again.
    });
  }, [qc, localId]);
  useEffect(() => {
    if (!pending.current) return;
    const t = setTimeout(flush, SAVE_AFTER_MS);
    return () => clearTimeout(t);
  });
  useEffect(() => flush, [flush]);

  const change = useCallback((next: { view: ViewSpec; layout: TableColumn[] }) => {
    setState(next);
    pending.current = keptOf(next.view, next.layout);
  }, []);
  const setView = useCallback(
    (view: ViewSpec) =>
      setState((s) => {
        const next = { view, layout: s?.layout ?? [] };
        pending.current = keptOf(next.view, next.layout);
        return next;
      }),
    [],
  );
  const setLayout = useCallback(
    (layout: TableColumn[]) =>
      setState((s) => {
        const next = { view: s?.view ?? viewOfKept(null), layout };
        pending.current = keptOf(next.view, next.layout);
        return next;
      }),
    [],
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
