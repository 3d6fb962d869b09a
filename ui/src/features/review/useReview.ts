// Review actions for one job: optimistic marks, undo, the progress line.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { ipc, type ReviewChange, type RowReview, type ViewSpec } from "../../lib/ipc";
import { recordsKey } from "../watch/jobState";
import {
  applyChange,
  applyOutcome,
  cachedReview,
  patchRows,
  reviewProgressKey,
} from "./reviewCache";

export type ReviewProgressState = {
  total: number;
  reviewed: number;
  accepted: number;
  rejected: number;
  starred: number;
  withNote: number;
  canUndo: boolean;
};

export function useReview(localId: number) {
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const progress = useQuery({
    queryKey: reviewProgressKey(localId),
    queryFn: async (): Promise<ReviewProgressState> => ({
      ...(await ipc.reviewProgress(localId)),
      canUndo: false,
    }),
    // Follows every action's outcome; records arriving refresh it.
    staleTime: 5_000,
  });

  /** Marks records: their rows repaint at once, the engine confirms. */
  const mark = useCallback(
    async (recordIds: string[], change: ReviewChange) => {
      if (recordIds.length === 0) return;
      const before = new Map<string, RowReview | null>(
        recordIds.map((id) => [id, cachedReview(qc, localId, id)]),
      );
      patchRows(
        qc,
        localId,
        new Map(recordIds.map((id) => [id, applyChange(before.get(id) ?? null, change)])),
      );
      try {
        applyOutcome(qc, localId, await ipc.reviewRecords(localId, recordIds, change));
        setError(null);
      } catch (e) {
        patchRows(qc, localId, before);
        setError(e);
      }
    },
    [qc, localId],
  );

  /** Marks every record of the view (all in the current filter). */
  const markView = useCallback(
    async (view: ViewSpec, change: ReviewChange) => {
      try {
        const o = await ipc.reviewView(localId, view, change);
        applyOutcome(qc, localId, o);
        // A filtered view may now hold other records.
        if (view.review) void qc.invalidateQueries({ queryKey: recordsKey(localId) });
        setError(null);
        return o.count;
      } catch (e) {
        setError(e);
        return 0;
      }
    },
    [qc, localId],
  );

  const undo = useCallback(async () => {
    try {
      applyOutcome(qc, localId, await ipc.undoReview(localId));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [qc, localId]);

  return { progress: progress.data ?? null, mark, markView, undo, error };
}

export type ReviewApi = ReturnType<typeof useReview>;
