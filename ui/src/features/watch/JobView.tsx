import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { useNav } from "../../app/nav";
import { ShortText } from "../../app/ShortText";
import {
  formatCount,
  formatDateTime,
  formatElapsed,
  modeInWords,
  progressInWords,
  shorten,
  stageInWords,
} from "../../lib/format";
import { ipc, type JobSnapshot } from "../../lib/ipc";
import { planFigures } from "../compose/startPlan";
import { ExportPanel } from "../export/ExportPanel";
import { MonitorThisQuery } from "../monitors/MonitorThisQuery";
import { prefetchFirstRows } from "../results/queries";
import { ResultsTable } from "../results/ResultsTable";
import { useKeptView } from "../results/useKeptView";
import { ComparePanel } from "../review/ComparePanel";
import { jobSnapshotQuery, takeSnapshot } from "./jobState";
import { StopJob } from "./StopJob";
import { Timeline } from "./Timeline";

const FINISHED = new Set(["completed", "failed"]);

/** One job: live stages and counters, then its records. */
export function JobView({ localId }: { localId: number }) {
  const id = useId();
  const nav = useNav();
  const q = useQuery(jobSnapshotQuery(localId));
  // The table's view as the analyst left it (kept per job in the store).
  const kept = useKeptView(localId);
  const view = kept.view;
  // What this view's Continue asked for (the engine keeps only the new limit).
  const continued = useQuery<Continued | null>({
    queryKey: ["continued", localId],
    queryFn: () => null,
    staleTime: Number.POSITIVE_INFINITY,
  }).data;
  const qc = useQueryClient();
  // The table's first rows (of the kept view) load alongside the summary, not after it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once the kept view is read
  useEffect(() => {
    if (kept.ready) prefetchFirstRows(qc, localId, kept.view);
  }, [qc, localId, kept.ready]);

  if (q.isPending || !kept.ready) return <p>Opening the job…</p>;
  if (q.isError) return <ErrorNotice error={q.error} />;
  const snap = q.data;
  const s = snap.summary;
  const continuing = continuingOf(snap, continued);
  const showTable = s.storedRecords > 0 || s.stage === "enriching" || s.stage === "completed";
  // Once everything is here and nothing needs the analyst, the status is one line.
  const done =
    s.stage === "completed" && s.allLocal && !continuing && !snap.trouble && !snap.readNotes;

  return (
    <section className="job-view stack" aria-labelledby={`${id}-title`}>
      <div className="row">
        <button type="button" onClick={() => nav.go("jobs")}>
          ← All jobs
        </button>
      </div>
      <h2 id={`${id}-title`} className="job-title">
        <ShortText text={s.query} />
      </h2>
      {shorten(s.query) !== s.query ? (
        <details>
          <summary>The whole query</summary>
          <p className="job-query-full">{s.query}</p>
        </details>
      ) : null}
      <p className="muted">
        {modeInWords(s.mode)} · started {formatDateTime(s.createdAt)}
        {s.limit != null ? ` · up to ${formatCount(s.limit)} records` : ""}
        {s.origin === "account" ? " · started outside this app" : ""}
      </p>
      {s.mode === "lite" ? (
        <p className="muted">A Quick job: records have titles and citations, no enrichments.</p>
      ) : null}
      <StatusCard done={done}>
        <p className="status-line" aria-live="polite">
          <strong>
            Status: {continuing ? continuingInWords(continuing) : statusInWords(snap)}
          </strong>
          <Elapsed snap={snap} />
          {done ? <span className="muted"> · {formatCount(s.storedRecords)} records</span> : null}
        </p>
        <Timeline snap={snap} continuing={continuing ? continuingInWords(continuing) : null} />
        <Counters snap={snap} />
        {s.stage === "queued" ? (
          <div className="notice notice-info" role="status">
            <strong>Waiting in the local queue</strong>
            <p>{s.queuedReason ?? "It starts as soon as a job slot is free."}</p>
          </div>
        ) : null}
        {snap.trouble ? (
          <div className="notice notice-warning" role="status">
            <strong>Having trouble following this job</strong>
            <p>{snap.trouble}</p>
          </div>
        ) : null}
        {snap.readNotes ? (
          <div className="notice notice-info" role="status">
            <strong>Some values were stored changed</strong>
            <p>
              {snap.readNotes} Every record is kept and can be exported; the Run sheet of an Excel
              export says the same.
            </p>
          </div>
        ) : null}
        {s.stage === "failed" ? (
          <div className="notice notice-error" role="alert">
            <strong>The job failed</strong>
            <p>{s.error ?? "The service did not give a reason."}</p>
          </div>
        ) : null}
        {snap.canContinue && !continuing && !done ? <ContinueForm snap={snap} /> : null}
        {s.tracking && !FINISHED.has(s.stage) && !continuing ? (
          <StopJob localId={s.localId} />
        ) : null}
      </StatusCard>
      {snap.canContinue && !continuing && done ? <ContinueForm snap={snap} /> : null}
      {showTable ? (
        <>
          {s.stage === "enriching" ? (
            <p className="muted">
              Partial results: more records arrive while the job is enriching.
            </p>
          ) : null}
          <ResultsTable
            localId={localId}
            view={view}
            onViewChange={kept.setView}
            layout={kept.layout}
            onLayoutChange={kept.setLayout}
          />
          <ExportPanel localId={localId} view={view} layout={kept.layout} />
          {s.stage === "completed" && s.jobId ? (
            <MonitorThisQuery localId={localId} query={s.query} limit={s.limit} />
          ) : null}
          <ComparePanel localId={localId} />
        </>
      ) : (
        <p className="muted">Records appear here once the job reaches the enriching stage.</p>
      )}
    </section>
  );
}

/**
 * The job's status card; once the job is done, one line that opens to the
 * stages and counters, so the table takes the rest of the window.
 */
function StatusCard({ done, children }: { done: boolean; children: React.ReactNode }) {
  if (!done) return <div className="card stack">{children}</div>;
  const [line, ...rest] = Array.isArray(children) ? children : [children];
  return (
    <details className="card status-collapsed">
      <summary>{line}</summary>
      <div className="stack">{rest}</div>
    </details>
  );
}

/**
 * The job's status: "Completed" only once every record is on this
 * computer; until then the service's completion and the download so far.
 */
export function statusInWords(snap: JobSnapshot): string {
  const s = snap.summary;
  if (s.stage === "completed" && !s.allLocal) {
    const found = Math.max(s.validRecords ?? 0, s.storedRecords);
    return found > 0
      ? `Completed on the service · downloading ${formatCount(s.storedRecords)} of ${formatCount(found)}`
      : "Completed on the service · downloading";
  }
  return stageInWords(s.stage);
}

function Counters({ snap }: { snap: JobSnapshot }) {
  const stored = snap.summary.storedRecords;
  // Never more on this computer than found.
  const valid = snap.progress.validRecords;
  const words = progressInWords({
    ...snap.progress,
    validRecords: valid != null ? Math.max(valid, stored) : valid,
  });
  const parts = [words, stored > 0 ? `${formatCount(stored)} on this computer` : ""].filter(
    Boolean,
  );
  if (parts.length === 0) return null;
  return <p className="counters">{parts.join(" · ")}</p>;
}

function Elapsed({ snap }: { snap: JobSnapshot }) {
  const finished = FINISHED.has(snap.summary.stage);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (finished) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [finished]);
  const start = Date.parse(snap.history[0]?.at ?? snap.summary.createdAt);
  const endEntry = finished
    ? [...snap.history].reverse().find((h) => FINISHED.has(h.stage))
    : undefined;
  const end = endEntry
    ? Date.parse(endEntry.at)
    : finished
      ? Date.parse(snap.summary.updatedAt)
      : now;
  // One duration: the service's own once finished, else the app's clock.
  const service = finished && snap.duration ? serviceDuration(snap.duration) : null;
  if (service) return <span className="muted"> · took {service}</span>;
  if (Number.isNaN(start)) return null;
  return (
    <span className="muted">
      {" "}
      · {finished ? "took" : "running for"} {formatElapsed(end - start)}
    </span>
  );
}

/** "Continuing: 1,000 → 2,000" (or "Continuing to 2,000" when the start is not known). */
export function continuingInWords(c: Continued): string {
  return c.from != null
    ? `Continuing: ${formatCount(c.from)} → ${formatCount(c.to)}`
    : `Continuing to ${formatCount(c.to)} records`;
}

export type Continued = { from: number | null; to: number };

/**
 * A continued job is "continuing" from the Continue until the service is
 * done and every record is here (the engine stops tracking only then).
 */
export function continuingOf(snap: JobSnapshot, asked: Continued | null | undefined) {
  const s = snap.summary;
  if (!s.tracking || s.stage === "failed") return null;
  // This view's Continue, for the limit it asked for.
  if (asked && (s.limit == null || asked.to === s.limit)) return asked;
  // Opened later: a stage after a completion means a continue is under way.
  const done = snap.history.map((h) => h.stage).lastIndexOf("completed");
  if (done >= 0 && done < snap.history.length - 1 && s.limit != null)
    return { from: null, to: s.limit };
  return null;
}

/** "15m" → "15 min", "1h 5m" → "1 h 5 min": the service's duration in the app's words. */
export function serviceDuration(d: string): string | null {
  const t = d.trim();
  if (!/^(\d+\s*[hms]\s*)+$/i.test(t)) return t || null;
  return t
    .replace(/(\d+)\s*h/gi, "$1 h ")
    .replace(/(\d+)\s*m/gi, "$1 min ")
    .replace(/(\d+)\s*s/gi, "$1 s ")
    .replace(/\s+/g, " ")
    .trim();
}

function ContinueForm({ snap }: { snap: JobSnapshot }) {
  const client = useQueryClient();
  const id = useId();
  const current = snap.summary.limit ?? 10;
  const limits = useQuery({
    queryKey: ["planLimits"],
    queryFn: ipc.planLimits,
    staleTime: 60_000,
    retry: false,
  });
  const planMax = planFigures(limits.data).maxResults;
  // Twice as many, never above what the plan allows.
  const proposed = planMax != null ? Math.min(current * 2, planMax) : current * 2;
  const [limit, setLimit] = useState(String(proposed));
  const [edited, setEdited] = useState(false);
  useEffect(() => {
    if (!edited) setLimit(String(proposed));
  }, [proposed, edited]);
  const [problem, setProblem] = useState<string | null>(null);
  const m = useMutation({
    mutationFn: (n: number) => ipc.continueJob(snap.summary.localId, n),
    onSuccess: (next, n) => {
      client.setQueryData<Continued>(["continued", next.summary.localId], { from: current, to: n });
      takeSnapshot(client, next);
    },
  });
  if (planMax != null && current >= planMax) {
    return (
      <p className="muted">
        This job already asked for your plan's maximum ({formatCount(planMax)} records), so it
        cannot be continued further.
      </p>
    );
  }
  return (
    <form
      className="continue row wrap"
      aria-label="Continue the job"
      onSubmit={(e) => {
        e.preventDefault();
        const n = Number(limit.trim().replace(/,/g, ""));
        if (!Number.isInteger(n) || n <= current) {
          setProblem(`Enter a whole number above the current maximum (${formatCount(current)}).`);
          return;
        }
        if (planMax != null && n > planMax) {
          setProblem(`Your plan allows at most ${formatCount(planMax)} records per job.`);
          return;
        }
        setProblem(null);
        m.mutate(n);
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-limit`}>New maximum records</label>
        <input
          id={`${id}-limit`}
          inputMode="numeric"
          value={limit}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-err` : undefined}
          // Once the analyst is in the field, a proposal arriving late (the
          // plan's limits) never replaces what is there.
          onFocus={() => setEdited(true)}
          onChange={(e) => {
            setLimit(e.target.value);
            setEdited(true);
            setProblem(null);
            m.reset();
          }}
        />
        {problem ? (
          <p id={`${id}-err`} className="field-error">
            {problem}
          </p>
        ) : null}
      </div>
      <button type="submit" className="primary" disabled={m.isPending}>
        {m.isPending ? "Continuing…" : "Continue job"}
      </button>
      <ErrorNotice error={m.error} />
    </form>
  );
}
