import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useState } from "react";
import { ConfirmDialog } from "../../app/ConfirmDialog";
import { ErrorNotice } from "../../app/ErrorNotice";
import type { ExportFormat, ExportResult, MonitorSummary } from "../../bindings";
import { formatCount, formatDateTime } from "../../lib/format";
import { ipc } from "../../lib/ipc";
import { ProjectPicker } from "../projects/ProjectPicker";
import { monitorsKey } from "./MonitorDialog";
import { monitorsIpc } from "./monitorsIpc";
import { nextRun } from "./schedule";

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

const PAGE = 500;

function MonitorView({ id, onBack }: { id: number; onBack: () => void }) {
  const hid = useId();
  const qc = useQueryClient();
  const [onlyNew, setOnlyNew] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  const [format, setFormat] = useState<ExportFormat>("csv");
  const [exported, setExported] = useState<ExportResult | null>(null);
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
  const records = useQuery({
    queryKey: [...key, "records", onlyNew, monitor.data?.records, monitor.data?.newRecords],
    queryFn: () => monitorsIpc.records(id, onlyNew, 0, PAGE),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: monitorsKey });
  const check = useMutation({ mutationFn: () => monitorsIpc.check(id), onSuccess: refresh });
  const seen = useMutation({ mutationFn: () => monitorsIpc.markSeen(id), onSuccess: refresh });
  const toggle = useMutation({
    mutationFn: (on: boolean) => (on ? monitorsIpc.enable(id, false) : monitorsIpc.disable(id)),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => monitorsIpc.remove(id),
    onSuccess: () => {
      refresh();
      onBack();
    },
  });
  const doExport = useMutation({
    mutationFn: (only: boolean) => monitorsIpc.exportRecords(id, only, format),
    onSuccess: setExported,
  });

  if (monitor.isPending) return <p>Opening the monitor…</p>;
  if (monitor.isError) return <ErrorNotice error={monitor.error} />;
  const m = monitor.data;
  const runSeq = new Map((runs.data ?? []).map((r) => [r.jobId, r.seq]));
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
        <button type="button" onClick={() => check.mutate()} disabled={check.isPending}>
          Check now
        </button>
        <button type="button" onClick={() => toggle.mutate(!m.enabled)}>
          {m.enabled ? "Turn off" : "Turn on"}
        </button>
        <button type="button" onClick={() => setEditing(true)}>
          Edit schedule
        </button>
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete monitor
        </button>
      </div>
      {[check, toggle, remove, seen].map((x) =>
        x.isError ? <ErrorNotice key={String(x.submittedAt)} error={x.error} /> : null,
      )}
      {editing ? <EditSchedule monitor={m} onDone={() => setEditing(false)} /> : null}
      {confirming ? (
        <ConfirmDialog
          title="Delete this monitor?"
          cancelLabel="Keep the monitor"
          confirmLabel="Delete monitor"
          danger
          busy={remove.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => remove.mutate()}
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
            checked={onlyNew}
            onChange={(e) => setOnlyNew(e.currentTarget.checked)}
          />
          New since I last looked
        </label>
        <button
          type="button"
          onClick={() => seen.mutate()}
          disabled={seen.isPending || m.newRecords === 0}
        >
          Mark all as seen
        </button>
      </div>
      {records.isError ? <ErrorNotice error={records.error} /> : null}
      <table className="monitor-records">
        <caption className="visually-hidden">Records of this monitor</caption>
        <thead>
          <tr>
            <th scope="col">Record</th>
            <th scope="col">First seen in</th>
            <th scope="col">First seen</th>
          </tr>
        </thead>
        <tbody>
          {(records.data ?? []).map((r) => (
            <tr key={r.recordId} aria-label={r.isNew ? `New: ${r.title}` : r.title}>
              <td>
                {r.isNew ? <span className="badge badge-high">new</span> : null} {r.title}
              </td>
              <td>
                {r.firstSeenRun && runSeq.has(r.firstSeenRun)
                  ? `Run ${runSeq.get(r.firstSeenRun)}`
                  : (r.firstSeenRun ?? "—")}
              </td>
              <td>{formatDateTime(r.firstSeenAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {records.data && records.data.length === PAGE ? (
        <p className="muted">The newest {PAGE} are shown; an export has them all.</p>
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
        <button type="button" onClick={() => doExport.mutate(false)} disabled={doExport.isPending}>
          Export all
        </button>
        <button type="button" onClick={() => doExport.mutate(true)} disabled={doExport.isPending}>
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

function EditSchedule({ monitor, onDone }: { monitor: MonitorSummary; onDone: () => void }) {
  const qc = useQueryClient();
  const [text, setText] = useState(monitor.scheduleText ?? "");
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () =>
      monitorsIpc.update(monitor.id, {
        schedule: text.trim(),
        timezone: monitor.timezone,
        limit: null,
        webhookIds: null,
      }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: monitorsKey });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      setProblem('Say when it should run, for example "every weekday at 9am".');
      return;
    }
    setProblem(null);
    save.mutate();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="Edit schedule">
      <label className="stack">
        New schedule
        <input type="text" value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      {save.isError ? <ErrorNotice error={save.error} /> : null}
      <div className="row">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={save.isPending}>
          Save schedule
        </button>
      </div>
    </form>
  );
}
