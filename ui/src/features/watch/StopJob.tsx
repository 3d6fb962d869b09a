import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "../../app/ConfirmDialog";
import { ErrorNotice } from "../../app/ErrorNotice";
import { useNav } from "../../app/nav";
import { ipc } from "../../lib/ipc";
import { jobKey, jobsListKey } from "./jobState";

/**
 * The service cannot cancel a job; the nearest thing is deleting it, which
 * stops the app following it. Said plainly before it is done.
 */
export function StopJob({ localId }: { localId: number }) {
  const nav = useNav();
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const del = useMutation({
    mutationFn: () => ipc.deleteJob(localId),
    onSuccess: () => {
      client.removeQueries({ queryKey: jobKey(localId) });
      void client.invalidateQueries({ queryKey: jobsListKey });
      void client.invalidateQueries({ queryKey: ["accountJobs"] });
      nav.go("jobs");
    },
  });
  return (
    <>
      <div className="row">
        <button type="button" className="danger" onClick={() => setAsking(true)}>
          Stop and delete
        </button>
      </div>
      {asking ? (
        <ConfirmDialog
          title="Stop this job?"
          cancelLabel="Keep it running"
          confirmLabel={del.isPending ? "Deleting…" : "Stop and delete"}
          danger
          busy={del.isPending}
          onCancel={() => setAsking(false)}
          onConfirm={() => del.mutate()}
        >
          <p>
            The service cannot cancel a running job. Stopping deletes it on the service and on this
            computer. Work the service has already done may still count against your plan.
          </p>
          <ErrorNotice error={del.error} />
        </ConfirmDialog>
      ) : null}
    </>
  );
}
