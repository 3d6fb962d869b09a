import { useId, useLayoutEffect, useRef } from "react";
import { formatCount, shorten } from "../../lib/format";
import { limitInWords, type PlanFigures } from "./startPlan";

/** Asks before a large job (or one without a maximum) is started. */
export function ConfirmStart({
  limit,
  window,
  threshold,
  plan,
  planPending,
  onCancel,
  onConfirm,
}: {
  limit: string;
  window: string;
  threshold: number;
  plan: PlanFigures;
  planPending: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const id = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => cancelRef.current?.focus(), []);
  const empty = !limit.trim();
  return (
    <div className="panel-backdrop">
      <div
        className="confirm card stack"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        onKeyDown={(e) => e.key === "Escape" && onCancel()}
      >
        <h3 id={`${id}-title`}>Start a large job?</h3>
        <div id={`${id}-desc`} className="stack">
          <p>
            This job collects {limitInWords(limit, plan.maxResults)}, {window}.{" "}
            {empty
              ? "No maximum was given, so the service may collect as many records as your plan allows."
              : `That is more than ${formatCount(threshold)} records, where you asked to be asked.`}
          </p>
          {plan.credits ? (
            <p>
              Your plan has <strong>{formatCount(plan.credits.left)}</strong> of{" "}
              {formatCount(plan.credits.total)} monthly credits left.
            </p>
          ) : (
            <p className="muted">
              {planPending
                ? "Reading your plan's remaining credits…"
                : "Your plan does not report its remaining credits."}
            </p>
          )}
          <p className="help">The threshold can be changed in Settings.</p>
        </div>
        <div className="row">
          <button ref={cancelRef} type="button" onClick={onCancel}>
            Go back
          </button>
          <button type="button" className="primary" onClick={onConfirm}>
            Yes, start the job
          </button>
        </div>
      </div>
    </div>
  );
}

/** "Run again with edits" while the composer holds other work. */
export function ConfirmReplace({
  current,
  incoming,
  onKeep,
  onReplace,
}: {
  current: string;
  incoming: string;
  onKeep: () => void;
  onReplace: () => void;
}) {
  const id = useId();
  const keepRef = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => keepRef.current?.focus(), []);
  return (
    <div className="panel-backdrop">
      <div
        className="confirm card stack"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        onKeyDown={(e) => e.key === "Escape" && onKeep()}
      >
        <h3 id={`${id}-title`}>Replace your current draft?</h3>
        <p id={`${id}-desc`}>
          The composer holds “{shorten(current, 100)}”. Opening “{shorten(incoming, 100)}” replaces
          it.
        </p>
        <div className="row">
          <button ref={keepRef} type="button" onClick={onKeep}>
            Keep my draft
          </button>
          <button type="button" className="primary" onClick={onReplace}>
            Replace it
          </button>
        </div>
      </div>
    </div>
  );
}
