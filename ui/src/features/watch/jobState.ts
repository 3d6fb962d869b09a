// Folds live job events into the job's snapshot, so a view that opened late
// (snapshot first) and a view that watched from the start show the same.
import type { QueryClient } from "@tanstack/react-query";
import { ipc, type JobEvent, type JobSnapshot } from "../../lib/ipc";

export const jobKey = (localId: number) => ["job", localId] as const;
export const recordsKey = (localId: number) => ["records", localId] as const;
export const jobsListKey = ["jobs"] as const;

/** A job's summary and stages; events keep it current, a refetch only follows events that need one. */
export const jobSnapshotQuery = (localId: number) => ({
  queryKey: jobKey(localId),
  queryFn: () => ipc.jobSnapshot(localId),
  staleTime: Number.POSITIVE_INFINITY,
});

/** Local history, newest first (`search` null for all). */
export const jobsListQuery = (search: string | null) => ({
  queryKey: [...jobsListKey, search],
  queryFn: () => ipc.listJobs(search),
});

export function applyJobEvent(
  snap: JobSnapshot,
  { event }: JobEvent,
  now: string = new Date().toISOString(),
): JobSnapshot {
  const summary = { ...snap.summary, updatedAt: now };
  const withStage = (stage: string): JobSnapshot => {
    const history =
      snap.history.length > 0 && snap.history[snap.history.length - 1].stage === stage
        ? snap.history
        : [...snap.history, { stage, at: now }];
    return { ...snap, summary: { ...summary, stage }, history };
  };
  switch (event.type) {
    case "queued": {
      const next = withStage("queued");
      return { ...next, summary: { ...next.summary, queuedReason: event.reason } };
    }
    case "submitted": {
      const next = withStage("submitted");
      return { ...next, summary: { ...next.summary, jobId: event.jobId, queuedReason: null } };
    }
    case "stage_changed": {
      const next = withStage(event.stage);
      // "completed" here is the service's word; the job is complete in the
      // app only once every record is local (the "completed" event).
      const serviceCompleted = event.stage === "completed";
      return {
        ...next,
        summary: { ...next.summary, serviceCompleted, allLocal: false },
        steps: event.steps.length > 0 ? event.steps : snap.steps,
        trouble: null,
      };
    }
    case "progress":
      return {
        ...snap,
        summary: { ...summary, validRecords: event.progress.validRecords ?? summary.validRecords },
        progress: { ...snap.progress, ...dropNulls(event.progress) },
        trouble: null,
      };
    case "records_stored":
      return { ...snap, summary: { ...summary, storedRecords: event.storedRecords } };
    case "completed": {
      const next = withStage("completed");
      return {
        ...next,
        summary: {
          ...next.summary,
          validRecords: event.validRecords,
          tracking: false,
          serviceCompleted: true,
          allLocal: true,
        },
        progress: { ...snap.progress, validRecords: event.validRecords },
        trouble: null,
      };
    }
    case "failed": {
      const next = withStage("failed");
      return {
        ...next,
        summary: { ...next.summary, error: event.error, tracking: false },
        trouble: null,
      };
    }
    case "trouble":
      return { ...snap, trouble: event.message };
    case "deleted":
    case "search_index_ready":
      return snap;
  }
}

function dropNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v != null)) as Partial<T>;
}

/** Routes one event into the query cache (called by the app-wide listener). */
export function routeJobEvent(client: QueryClient, e: JobEvent) {
  const key = jobKey(e.localId);
  if (e.event.type === "deleted") {
    client.removeQueries({ queryKey: key });
    client.removeQueries({ queryKey: recordsKey(e.localId) });
  } else {
    client.setQueryData<JobSnapshot>(key, (old) => (old ? applyJobEvent(old, e) : old));
  }
  if (e.event.type === "records_stored" || e.event.type === "search_index_ready") {
    // The table refetches only the windows on screen (a search answered
    // while the index was being built is answered in full now).
    void client.invalidateQueries({ queryKey: recordsKey(e.localId) });
  }
  if (["completed", "failed", "submitted", "queued"].includes(e.event.type)) {
    // The engine knows things the event does not carry (canContinue, duration).
    void client.invalidateQueries({ queryKey: key });
    void client.invalidateQueries({ queryKey: ["columns", e.localId] });
  }
  if (!["progress", "trouble", "search_index_ready"].includes(e.event.type)) {
    void client.invalidateQueries({ queryKey: jobsListKey });
  }
}

/**
 * A snapshot a command answered with (submit, open, continue). Events of the
 * job may have arrived before the answer (a finished account job completes
 * on its first poll) and found nothing to update, so the engine is asked
 * again rather than trusting the answer alone.
 */
export function takeSnapshot(client: QueryClient, snap: JobSnapshot) {
  const key = jobKey(snap.summary.localId);
  client.setQueryData(key, snap);
  void client.invalidateQueries({ queryKey: key });
  void client.invalidateQueries({ queryKey: jobsListKey });
}
