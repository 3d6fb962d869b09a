import { ConfirmDialog } from "../../app/ConfirmDialog";
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
  const empty = !limit.trim();
  return (
    <ConfirmDialog
      title="Start a large job?"
      cancelLabel="Go back"
      confirmLabel="Yes, start the job"
      onCancel={onCancel}
      onConfirm={onConfirm}
    >
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
    </ConfirmDialog>
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
  return (
    <ConfirmDialog
      title="Replace your current draft?"
      cancelLabel="Keep my draft"
      confirmLabel="Replace it"
      onCancel={onKeep}
      onConfirm={onReplace}
    >
      <p>
        The composer holds “{shorten(current, 100)}”. Opening “{shorten(incoming, 100)}” replaces
        it.
      </p>
    </ConfirmDialog>
  );
}
