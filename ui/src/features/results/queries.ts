// The queries a job's table reads, apart from the table itself, so that
// opening a job can start them before the table's code runs.
import type { QueryClient } from "@tanstack/react-query";
import { ipc, type ViewSpec } from "../../lib/ipc";
import { recordsKey } from "../watch/jobState";
import { viewOfKept } from "./tableLayout";
import { viewKeyOf, WINDOW_SIZE } from "./windows";

export const columnsKey = (localId: number) => ["columns", localId] as const;

export const columnsQuery = (localId: number) => ({
  queryKey: columnsKey(localId),
  queryFn: () => ipc.jobColumns(localId),
});

/** Window `w` of a view's rows (cached per view; records arriving refresh them). */
export const windowQuery = (localId: number, view: ViewSpec, viewKey: string, w: number) => ({
  queryKey: [...recordsKey(localId), viewKey, w],
  queryFn: () => ipc.recordsWindow(localId, view, w * WINDOW_SIZE, WINDOW_SIZE),
  staleTime: Number.POSITIVE_INFINITY,
  // Kept a minute: dropping windows scrolled past after 10 s left the page
  // ~30 MB bigger at the end of bench/ui's session, not smaller.
  gcTime: 60_000,
});

export const keptViewKey = (localId: number) => ["keptView", localId] as const;

export const keptViewQuery = (localId: number) => ({
  queryKey: keptViewKey(localId),
  queryFn: () => ipc.keptView(localId),
  staleTime: Number.POSITIVE_INFINITY,
  // A job that cannot be read opens with the plain view.
  retry: false,
});

/**
 * Starts loading what the table shows first (columns and first rows), so a
 * job view can ask for them alongside its own summary rather than after it.
 */
export function prefetchFirstRows(qc: QueryClient, localId: number, view: ViewSpec) {
  void qc.prefetchQuery(columnsQuery(localId));
  void qc.prefetchQuery(windowQuery(localId, view, viewKeyOf(view), 0));
}

/**
 * Opening a job: its kept view, then the first rows of that view, and the
 * columns, all started by the click rather than by the view's first render.
 */
export function prefetchJobTable(qc: QueryClient, localId: number) {
  void qc.prefetchQuery(columnsQuery(localId));
  qc.fetchQuery(keptViewQuery(localId)).then(
    (k) => prefetchFirstRows(qc, localId, viewOfKept(k)),
    () => prefetchFirstRows(qc, localId, viewOfKept(null)),
  );
}
