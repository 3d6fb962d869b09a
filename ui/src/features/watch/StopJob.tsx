import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useLayoutEffect, useRef, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { useNav } from "../../app/nav";
import { ipc } from "../../lib/ipc";
import { jobKey, jobsListKey } from "./jobState";

/**
 * The service cannot cancel a job; the nearest thing is deleting it, which
 * stops the app following it. Said plainly before it is done.
 */
export function StopJob({ localId }: { localId: number }) {
  const id = useId();
  const nav = useNav();
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => {
    if (asking) keepRef.current?.focus();
  }, [asking]);
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
        <div className="panel-backdrop">
          <div
            className="confirm card stack"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby={`${id}-title`}
            aria-describedby={`${id}-desc`}
            onKeyDown={(e) => e.key === "Escape" && setAsking(false)}
          >
            <h3 id={`${id}-title`}>Stop this job?</h3>
            <p id={`${id}-desc`}>
              The service cannot cancel a running job. Stopping deletes it on the service and on
              this computer. Work the service has already done may still count against your plan.
            </p>
            <ErrorNotice error={del.error} />
            <div className="row">
              <button
                ref={keepRef}
                type="button"
                disabled={del.isPending}
                onClick={() => setAsking(false)}
              >
                Keep it running
              </button>
              <button
                type="button"
                className="danger"
                disabled={del.isPending}
                onClick={() => del.mutate()}
              >
                {del.isPending ? "Deleting…" : "Stop and delete"}
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </>
  );
}
