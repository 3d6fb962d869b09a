import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { ConfirmDialog } from "../../app/ConfirmDialog";
import { ErrorNotice } from "../../app/ErrorNotice";
import type { ExportFormat, ExportResult, MonitorChange, MonitorSummary } from "../../bindings";
import { formatCount, formatDateTime } from "../../lib/format";
import { ipc, type ViewSpec } from "../../lib/ipc";
import { ProjectPicker } from "../projects/ProjectPicker";
import { columnsKey } from "../results/queries";
import { ResultsTable } from "../results/ResultsTable";
import { EMPTY_VIEW } from "../results/tableLayout";
import { recordsKey } from "../watch/jobState";
import { MonitorProblems, monitorsKey } from "./MonitorDialog";
import { monitorsIpc } from "./monitorsIpc";
import { monitorProblems, nextRun } from "./schedule";
import { WebhookPicker, webhooksKey } from "./WebhookPicker";

/** The Monitors screen: every monitor, and one monitor's runs and records. */
export function MonitorsScreen({ initial = null }: { initial?: number | null }) {
  const [open, setOpen] = useState<number | null>(initial);
  const qc = useQueryClient();
  // A check that brought records refreshes what is shown.
  useEffect(
    () =>
      monitorsIpc.onNews(() => {
        qc.invalidateQueries({ queryKey: monitorsKey });
      }),
    [qc],
  );
  if (open != null) return <MonitorView id={open} onBack={() => setOpen(null)} />;
  return <MonitorList onOpen={setOpen} />;
}

function scheduleWords(m: MonitorSummary): string {
  return m.scheduleHuman ?? m.scheduleText ?? m.cron ?? "Schedule unknown";
}

function nextRunWords(m: MonitorSummary): string {
  if (!m.enabled) return "off";
  const t = nextRun(m.cron, m.timezone);
  return t ? formatDateTime(t.toISOString()) : "unknown";
}

function MonitorList({ onOpen }: { onOpen: (id: number) => void }) {
  const id = useId();
  const list = useQuery({
    queryKey: monitorsKey,
    queryFn: () => monitorsIpc.list(true),
    refetchInterval: 5_000,
  });
  // The project filter: the service lists a project's monitors by id.
  const [project, setProject] = useState<string | null>(null);
  const inProject = useQuery({
    queryKey: ["projectMonitors", project],
    queryFn: () => ipc.projectMonitorIds(project ?? ""),
    enabled: project != null,
  });
  const shown =
    project == null
      ? list.data
      : inProject.data && list.data?.filter((m) => inProject.data.includes(m.monitorId));
  return (
    <section className="stack" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Monitors</h2>
      <p className="muted">
        Queries that run themselves on a schedule. Make one from a finished job with "Monitor this
        query".
      </p>
      <ProjectPicker label="Project" value={project} onChange={setProject} allowAll />
      {list.isPending || (project != null && inProject.isPending) ? <p>Loading monitors…</p> : null}
      {list.isError ? <ErrorNotice error={list.error} /> : null}
      {inProject.isError ? <ErrorNotice error={inProject.error} /> : null}
      {shown && shown.length === 0 ? (
        <p>{project == null ? "No monitors yet." : "No monitors in this project."}</p>
      ) : null}
      {shown && shown.length > 0 ? (
        <table className="monitor-list">
          <caption className="visually-hidden">Monitors</caption>
          <thead>
            <tr>
              <th scope="col">Query</th>
              <th scope="col">Schedule</th>
              <th scope="col">On</th>
              <th scope="col">Last run</th>
              <th scope="col">Next run</th>
              <th scope="col">Records</th>
              <th scope="col">New</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((m) => (
              <tr key={m.id}>
                <td>
                  <button type="button" className="link-button" onClick={() => onOpen(m.id)}>
                    {m.query}
                  </button>
                </td>
                <td>{scheduleWords(m)}</td>
                <td>{m.enabled ? "On" : "Off"}</td>
                <td>{m.lastRunAt ? formatDateTime(m.lastRunAt) : "Not yet"}</td>
                <td>{nextRunWords(m)}</td>
                <td>{formatCount(m.records)}</td>
                <td>
                  {m.newRecords > 0 ? (
                    <span className="count-badge" role="status">
                      {formatCount(m.newRecords)} new
                    </span>
                  ) : (
                    "0"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function MonitorView({ id, onBack }: { id: number; onBack: () => void }) {
  const hid = useId();
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  const [format, setFormat] = useState<ExportFormat>("csv");
  const [exported, setExported] = useState<ExportResult | null>(null);
  const [view, setView] = useState<ViewSpec>({ ...EMPTY_VIEW, onlyNew: false });
  const key = [...monitorsKey, id] as const;
  const monitor = useQuery({
    queryKey: [...key, "summary"],
    queryFn: () => monitorsIpc.get(id),
    refetchInterval: 3_000,
  });
  const runs = useQuery({
    queryKey: [...key, "runs", monitor.data?.runs],
    queryFn: () => monitorsIpc.runs(id),
  });
  // The records are a job's table: the engine keeps a job of the monitor's.
  const table = useQuery({ queryKey: [...key, "table"], queryFn: () => monitorsIpc.table(id) });
  const tableJob = table.data ?? null;
  useTableFollows(tableJob, monitor.data);
  const refresh = () => qc.invalidateQueries({ queryKey: monitorsKey });
  const check = useMutation({
    mutationFn: (m: number) => monitorsIpc.check(m),
    onSuccess: refresh,
  });
  const seen = useMutation({
    mutationFn: (m: number) => monitorsIpc.markSeen(m),
    onSuccess: refresh,
  });
  const toggle = useMutation({
    mutationFn: (v: { id: number; on: boolean }) =>
      v.on ? monitorsIpc.enable(v.id, false) : monitorsIpc.disable(v.id),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (m: number) => monitorsIpc.remove(m),
    onSuccess: () => {
      refresh();
      onBack();
    },
  });
  const doExport = useMutation({
    mutationFn: (v: { id: number; onlyNew: boolean; format: ExportFormat }) =>
      monitorsIpc.exportRecords(v.id, v.onlyNew, v.format),
    onSuccess: setExported,
  });

  if (monitor.isPending) return <p>Opening the monitor…</p>;
  if (monitor.isError) return <ErrorNotice error={monitor.error} />;
  const m = monitor.data;
  return (
    <section className="stack monitor-view" aria-labelledby={`${hid}-title`}>
      <div className="row">
        <button type="button" onClick={onBack}>
          ← All monitors
        </button>
      </div>
      <h2 id={`${hid}-title`}>{m.query}</h2>
      <p className="muted">
        {scheduleWords(m)} · {m.enabled ? "on" : "off"} · next run {nextRunWords(m)}
        {m.limit != null ? ` · up to ${formatCount(m.limit)} records per run` : ""}
      </p>
      <div className="row">
        <button type="button" onClick={() => check.mutate(m.id)} disabled={check.isPending}>
          Check now
        </button>
        <button type="button" onClick={() => toggle.mutate({ id: m.id, on: !m.enabled })}>
          {m.enabled ? "Turn off" : "Turn on"}
        </button>
        <button type="button" onClick={() => setEditing(true)} aria-expanded={editing}>
          Edit monitor
        </button>
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete monitor
        </button>
      </div>
      {[check, toggle, remove, seen].map((x) =>
        x.isError ? <ErrorNotice key={String(x.submittedAt)} error={x.error} /> : null,
      )}
      {editing ? <EditMonitor monitor={m} onDone={() => setEditing(false)} /> : null}
      {confirming ? (
        <ConfirmDialog
          title="Delete this monitor?"
          cancelLabel="Keep the monitor"
          confirmLabel="Delete monitor"
          danger
          busy={remove.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => remove.mutate(m.id)}
        >
          Its runs stop at once, and its records are removed from this computer. This cannot be
          undone.
        </ConfirmDialog>
      ) : null}

      <h3>Runs</h3>
      {runs.data && runs.data.length === 0 ? <p className="muted">No runs yet.</p> : null}
      <ol className="monitor-runs" aria-label="Runs">
        {(runs.data ?? []).map((r) => (
          <li key={r.jobId}>
            Run {r.seq}: {r.endDate ? formatDateTime(r.endDate) : "time unknown"} —{" "}
            {formatCount(r.newRecords)} new records
          </li>
        ))}
      </ol>

      <h3>Records</h3>
      <p role="status">
        {formatCount(m.records)} records, {formatCount(m.newRecords)} new since you last looked.
      </p>
      <div className="row">
        <label className="row">
          <input
            type="checkbox"
            checked={view.onlyNew === true}
            onChange={(e) => setView({ ...view, onlyNew: e.currentTarget.checked })}
          />
          New since I last looked
        </label>
        <button
          type="button"
          onClick={() => seen.mutate(m.id)}
          disabled={seen.isPending || m.newRecords === 0}
        >
          Mark all as seen
        </button>
      </div>
      {table.isError ? <ErrorNotice error={table.error} /> : null}
      {tableJob != null ? (
        <ResultsTable localId={tableJob} view={view} onViewChange={setView} />
      ) : table.isPending ? (
        <p className="muted">Loading records…</p>
      ) : null}

      <fieldset className="row">
        <legend>Export</legend>
        <label className="row">
          Format
          <select value={format} onChange={(e) => setFormat(e.currentTarget.value as ExportFormat)}>
            <option value="csv">CSV</option>
            <option value="xlsx">Excel (XLSX)</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <button
          type="button"
          onClick={() => doExport.mutate({ id: m.id, onlyNew: false, format })}
          disabled={doExport.isPending}
        >
          Export all
        </button>
        <button
          type="button"
          onClick={() => doExport.mutate({ id: m.id, onlyNew: true, format })}
          disabled={doExport.isPending}
        >
          Export only new
        </button>
      </fieldset>
      {doExport.isError ? <ErrorNotice error={doExport.error} /> : null}
      {exported ? (
        <p role="status">
          Exported {formatCount(exported.records)} records to {exported.path}.
        </p>
      ) : null}
    </section>
  );
}

/**
 * The table's windows are cached per view: when records reach the
 * monitor's table, or the user has looked (what is "new" changed), the
 * shown windows are asked for again.
 */
function useTableFollows(tableJob: number | null, m: MonitorSummary | undefined) {
  const qc = useQueryClient();
  const stamp = m ? `${m.tableRecords}/${m.newRecords}` : null;
  const last = useRef(stamp);
  useEffect(() => {
    if (tableJob == null || stamp == null || last.current === stamp) return;
    last.current = stamp;
    void qc.invalidateQueries({ queryKey: recordsKey(tableJob) });
    void qc.invalidateQueries({ queryKey: columnsKey(tableJob) });
  }, [qc, tableJob, stamp]);
}

/**
 * A monitor's schedule, records per run and team channels. Bad input gets
 * a plain message before anything is sent.
 */
function EditMonitor({ monitor, onDone }: { monitor: MonitorSummary; onDone: () => void }) {
  const id = useId();
  const qc = useQueryClient();
  const [text, setText] = useState(monitor.scheduleText ?? "");
  const [limit, setLimit] = useState(monitor.limit != null ? String(monitor.limit) : "");
  const [chosen, setChosen] = useState<string[] | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const hooks = useQuery({ queryKey: webhooksKey, queryFn: monitorsIpc.webhooks });
  const attached = useQuery({
    queryKey: [...monitorsKey, monitor.id, "webhooks"],
    queryFn: () => monitorsIpc.webhookIds(monitor.id),
  });
  const ids = chosen ?? attached.data ?? [];
  const save = useMutation({
    mutationFn: (v: { id: number; change: MonitorChange }) => monitorsIpc.update(v.id, v.change),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: monitorsKey });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = limit.trim() ? Number(limit) : null;
    const found = monitorProblems(text, n, ids.length);
    setProblems(found);
    if (found.length > 0) return;
    save.mutate({
      id: monitor.id,
      change: {
        schedule: text.trim(),
        timezone: monitor.timezone,
        limit: n,
        // Left as they were unless the user changed them.
        webhookIds: chosen,
      },
    });
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="Edit monitor">
      <label className="stack">
        Schedule
        <input
          type="text"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          aria-describedby={`${id}-sched`}
        />
        <span id={`${id}-sched`} className="muted">
          In plain words, for example "every Monday at 6 PM EST".
        </span>
      </label>
      <label className="stack">
        Records per run
        <input type="number" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />
      </label>
      <WebhookPicker
        hooks={hooks.data ?? []}
        loading={hooks.isPending || attached.isPending}
        chosen={ids}
        onChange={setChosen}
      />
      {attached.isError ? <ErrorNotice error={attached.error} /> : null}
      <MonitorProblems problems={problems} />
      {save.isError ? <ErrorNotice error={save.error} /> : null}
      <div className="row">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={save.isPending}>
          Save changes
        </button>
      </div>
    </form>
  );
}
