import { formatTime, STAGES, stageInWords } from "../../lib/format";
import type { JobSnapshot } from "../../lib/ipc";

type StepState = "done" | "current" | "upcoming" | "failed";

/** Where each stage stands, from the stage history and the current stage. */
export function timelineSteps(
  snap: JobSnapshot,
): { stage: string; state: StepState; at?: string }[] {
  const stage = snap.summary.stage;
  const reached = new Map(snap.history.map((h) => [h.stage, h.at]));
  const failed = stage === "failed";
  // When a job fails, the stage it failed in is the last known one before "failed".
  const lastKnown = failed
    ? [...snap.history].reverse().find((h) => h.stage !== "failed")?.stage
    : stage;
  let currentIdx = STAGES.indexOf(lastKnown as (typeof STAGES)[number]);
  if (currentIdx < 0) {
    // A stage the app does not know yet: mark what the history shows as done.
    currentIdx = Math.max(-1, ...STAGES.map((s, i) => (reached.has(s) ? i : -1)));
  }
  // The status answer's steps say which stages are done, also those passed
  // between two polls that the history never saw.
  const serviceDone = new Set(snap.steps.filter((s) => s.completed).map((s) => s.stage));
  for (const [i, s] of STAGES.entries())
    if (serviceDone.has(s)) currentIdx = Math.max(currentIdx, i);
  const steps: { stage: string; state: StepState; at?: string }[] = STAGES.filter(
    (s) => !(failed && s === "completed"),
  ).map((s, i) => {
    let state: StepState = "upcoming";
    if (i < currentIdx || serviceDone.has(s)) state = "done";
    else if (i === currentIdx) state = s === "completed" || failed ? "done" : "current";
    return { stage: s as string, state, at: reached.get(s) };
  });
  if (failed)
    return [...steps, { stage: "failed", state: "failed" as const, at: reached.get("failed") }];
  return steps;
}

const STATE_WORDS: Record<StepState, string> = {
  done: "done",
  current: "in progress",
  upcoming: "not yet",
  failed: "stopped here",
};

export function Timeline({
  snap,
  continuing = null,
}: {
  snap: JobSnapshot;
  /** "Continuing: 1,000 → 2,000" while a continued job runs. */
  continuing?: string | null;
}) {
  // While continuing, the first run's stages are all done.
  const steps = timelineSteps(
    continuing ? { ...snap, summary: { ...snap.summary, stage: "completed" } } : snap,
  );
  return (
    <ol className="timeline" aria-label="Job stages">
      {steps.map((s) => (
        <li
          key={s.stage}
          className={`step step-${s.state}`}
          aria-current={s.state === "current" ? "step" : undefined}
        >
          <span className="step-dot" aria-hidden="true" />
          <span className="step-name">{stageInWords(s.stage)}</span>
          <span className="step-state">
            {STATE_WORDS[s.state]}
            {s.at && s.state !== "upcoming" ? ` · ${formatTime(s.at)}` : ""}
            {!s.at && s.state === "done" ? " · between two checks" : ""}
          </span>
        </li>
      ))}
      {continuing ? (
        <li className="step step-current" aria-current="step">
          <span className="step-dot" aria-hidden="true" />
          <span className="step-name">{continuing}</span>
          <span className="step-state">in progress</span>
        </li>
      ) : null}
    </ol>
  );
}
