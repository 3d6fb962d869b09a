import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useId, useState } from "react";
import { ConfirmDialog } from "../../app/ConfirmDialog";
import { ErrorNotice } from "../../app/ErrorNotice";
import { SearchField } from "../../app/Field";
import { useNav } from "../../app/nav";
import { ShortText } from "../../app/ShortText";
import { formatCount, formatDateTime, modeInWords, shorten, stageInWords } from "../../lib/format";
import { type AccountJob, ipc, type JobSummary, type Mode } from "../../lib/ipc";
import { ProjectPicker } from "../projects/ProjectPicker";
import { jobKey, jobsListKey, jobsListQuery, takeSnapshot } from "../watch/jobState";

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** A list of jobs: the query first, then the given columns, then actions. */
function JobsTable<T>({
  caption,
  headers,
  rows,
  rowKey,
  cells,
  actions,
}: {
  caption: string;
  headers: string[];
  rows: T[];
  rowKey: (row: T) => string;
  /** One cell per header; the first (the query) gets the wide style. */
  cells: (row: T) => ReactNode[];
  actions: (row: T) => ReactNode;
}) {
  return (
    <table className="jobs-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {cells(row).map((c, i) => (
              <td key={headers[i]} className={i === 0 ? "query-cell" : undefined}>
                {c}
              </td>
            ))}
            <td className="actions">{actions(row)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Jobs on this computer and on the account. */
export function HistoryScreen() {
  const id = useId();
  const [search, setSearch] = useState("");
  const term = useDebounced(search.trim(), 250) || null;
  return (
    <section className="stack" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Jobs</h2>
      <SearchField id={`${id}-search`} label="Search jobs" value={search} onChange={setSearch} />
      <LocalJobs search={term} />
      <AccountJobs search={term} />
    </section>
  );
}

function LocalJobs({ search }: { search: string | null }) {
  const nav = useNav();
  const client = useQueryClient();
  const q = useQuery(jobsListQuery(search));
  const [confirming, setConfirming] = useState<JobSummary | null>(null);
  const runAgain = useMutation({
    mutationFn: (localId: number) => ipc.jobSnapshot(localId),
    onSuccess: (snap) => nav.runAgain(snap.request),
  });
  const del = useMutation({
    mutationFn: (localId: number) => ipc.deleteJob(localId),
    onSuccess: (_, localId) => {
      setConfirming(null);
      client.removeQueries({ queryKey: jobKey(localId) });
      void client.invalidateQueries({ queryKey: jobsListKey });
      // The account's list showed it too.
      void client.invalidateQueries({ queryKey: ["accountJobs"] });
    },
  });

  return (
    <section className="stack" aria-labelledby="local-jobs-title">
      <h3 id="local-jobs-title">On this computer</h3>
      <ErrorNotice error={q.error ?? runAgain.error} />
      {q.data && q.data.length === 0 ? (
        <p className="muted">{search ? "No jobs match the search." : "No jobs yet."}</p>
      ) : null}
      {q.data && q.data.length > 0 ? (
        <JobsTable
          caption="Jobs on this computer"
          headers={["Query", "Status", "Started", "Mode", "Records"]}
          rows={q.data}
          rowKey={(j) => String(j.localId)}
          cells={(j) => [
            <ShortText key="query" text={j.query} max={120} />,
            <span key="stage" className={`stage stage-${j.stage}`}>
              {stageInWords(j.stage)}
            </span>,
            formatDateTime(j.createdAt),
            modeInWords(j.mode),
            formatCount(j.storedRecords),
          ]}
          actions={(j) => (
            <>
              <button
                type="button"
                aria-label={`Open job: ${shorten(j.query)}`}
                onClick={() => nav.openJob(j.localId)}
              >
                Open
              </button>
              <button
                type="button"
                aria-label={`Run again with edits: ${shorten(j.query)}`}
                onClick={() => runAgain.mutate(j.localId)}
              >
                Run again with edits
              </button>
              <button
                type="button"
                className="danger"
                aria-label={`Delete job: ${shorten(j.query)}`}
                onClick={() => setConfirming(j)}
              >
                Delete
              </button>
            </>
          )}
        />
      ) : null}
      {confirming ? (
        <ConfirmDelete
          job={confirming}
          busy={del.isPending}
          error={del.error}
          onCancel={() => {
            del.reset();
            setConfirming(null);
          }}
          onConfirm={() => del.mutate(confirming.localId)}
        />
      ) : null}
    </section>
  );
}

function ConfirmDelete({
  job,
  busy,
  error,
  onCancel,
  onConfirm,
}: {
  job: JobSummary;
  busy: boolean;
  error: unknown;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  return (
    <ConfirmDialog
      title="Delete this job?"
      cancelLabel="Keep the job"
      confirmLabel={busy ? "Deleting…" : "Delete job"}
      danger
      busy={busy}
      onCancel={onCancel}
      onConfirm={onConfirm}
    >
      <p>
        “{shorten(job.query)}” and its {formatCount(job.storedRecords)} records will be deleted from
        this computer and from your account. This cannot be undone.
      </p>
      <ErrorNotice error={error} />
    </ConfirmDialog>
  );
}

/** Who shared a colleague's job, when, and what the user may do with it. */
export function sharedInWords(j: AccountJob): string {
  if (!j.sharedBy) return "Yours";
  const when = j.sharedAt ? ` on ${formatDateTime(j.sharedAt)}` : "";
  const may = j.permission ? ` (${j.permission})` : "";
  return `Shared by ${j.sharedBy}${when}${may}`;
}

/** Whose jobs the account list shows. */
export type Ownership = "all" | "own" | "shared";

function AccountJobs({ search }: { search: string | null }) {
  const id = useId();
  const nav = useNav();
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const [ownership, setOwnership] = useState<Ownership>("all");
  const [mode, setMode] = useState<Mode | "any">("any");
  const [project, setProject] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new search or filter starts on page 1
  useEffect(() => setPage(1), [search, ownership, mode, project]);
  const q = useQuery({
    queryKey: ["accountJobs", page, search, ownership, mode, project],
    queryFn: () =>
      ipc.accountJobsFiltered(page, {
        search,
        ownership,
        mode: mode === "any" ? null : mode,
        ...(project ? { projectId: project } : {}),
      }),
  });
  const open = useMutation({
    mutationFn: (jobId: string) => ipc.openAccountJob(jobId),
    onSuccess: (snap) => {
      takeSnapshot(client, snap);
      nav.openJob(snap.summary.localId);
    },
  });
  const data = q.data;
  return (
    <section className="stack" aria-labelledby="account-jobs-title">
      <h3 id="account-jobs-title">On your account</h3>
      <div className="row">
        <label htmlFor={`${id}-show`}>Show</label>
        <select
          id={`${id}-show`}
          value={ownership}
          onChange={(e) => setOwnership(e.currentTarget.value as Ownership)}
        >
          <option value="all">All jobs</option>
          <option value="own">My jobs</option>
          <option value="shared">Shared with me</option>
        </select>
        <label htmlFor={`${id}-mode`}>Mode</label>
        <select
          id={`${id}-mode`}
          value={mode}
          onChange={(e) => setMode(e.currentTarget.value as Mode | "any")}
        >
          <option value="any">Any mode</option>
          <option value="base">{modeInWords("base")}</option>
          <option value="lite">{modeInWords("lite")}</option>
        </select>
        <ProjectPicker label="Project" value={project} onChange={setProject} allowAll />
      </div>
      {q.isPending ? <p className="muted">Loading the account's jobs…</p> : null}
      <ErrorNotice error={q.error ?? open.error} />
      {data && data.jobs.length === 0 ? (
        <p className="muted">
          {ownership === "shared" ? "No jobs shared with you" : "No jobs on the account"}
          {mode === "any" ? "." : ` in ${modeInWords(mode)} mode.`}
        </p>
      ) : null}
      {data && data.jobs.length > 0 ? (
        <>
          <JobsTable
            caption="Jobs on your account"
            headers={["Query", "Status", "Started", "Mode", "Shared"]}
            rows={data.jobs}
            rowKey={(j) => j.jobId}
            cells={(j) => [
              <ShortText key="query" text={j.query} max={120} />,
              stageInWords(j.status),
              formatDateTime(j.createdAt),
              modeInWords(j.mode),
              sharedInWords(j),
            ]}
            actions={(j) => (
              <button
                type="button"
                aria-label={`Open account job: ${shorten(j.query)}`}
                disabled={open.isPending}
                onClick={() => (j.localId != null ? nav.openJob(j.localId) : open.mutate(j.jobId))}
              >
                Open
              </button>
            )}
          />
          {data.totalPages > 1 ? (
            <nav className="row" aria-label="Account jobs pages">
              <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                Previous page
              </button>
              <span>
                Page {data.page} of {data.totalPages}
              </span>
              <button
                type="button"
                disabled={page >= data.totalPages}
                onClick={() => setPage(page + 1)}
              >
                Next page
              </button>
            </nav>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
