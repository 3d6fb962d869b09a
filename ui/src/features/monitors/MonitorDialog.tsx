import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useLayoutEffect, useRef, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import type { MonitorSummary, NewMonitor, WebhookTestOutcome } from "../../bindings";
import { formatCount } from "../../lib/format";
import { ProjectPicker } from "../projects/ProjectPicker";
import { monitorsIpc } from "./monitorsIpc";
import {
  localTimeZone,
  MAX_WEBHOOKS,
  monitorProblems,
  PRESETS,
  webhookUrlProblem,
} from "./schedule";

export const monitorsKey = ["monitors"] as const;
export const webhooksKey = ["webhooks"] as const;

/**
 * "Monitor this query": a finished job re-run on a schedule. Presets or
 * free text, the computer's timezone, the records per run (what a run
 * costs), and team channels to tell, each with "Send test".
 */
export function MonitorDialog({
  jobLocalId,
  query,
  defaultLimit,
  onClose,
  onCreated,
}: {
  jobLocalId: number;
  query: string;
  defaultLimit: number | null;
  onClose: () => void;
  onCreated: (m: MonitorSummary) => void;
}) {
  const id = useId();
  const qc = useQueryClient();
  const first = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => first.current?.focus(), []);
  const [preset, setPreset] = useState<string>(PRESETS[0].id);
  const [custom, setCustom] = useState("");
  const [timezone, setTimezone] = useState(localTimeZone);
  const [limit, setLimit] = useState(String(Math.max(defaultLimit ?? 50, 10)));
  const [backfill, setBackfill] = useState(false);
  const [chosen, setChosen] = useState<string[]>([]);
  const [project, setProject] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const schedule =
    preset === "custom" ? custom : (PRESETS.find((p) => p.id === preset)?.text ?? "");
  const hooks = useQuery({ queryKey: webhooksKey, queryFn: monitorsIpc.webhooks });
  const create = useMutation({
    mutationFn: (m: NewMonitor) => monitorsIpc.create(m),
    onSuccess: (m) => {
      qc.invalidateQueries({ queryKey: monitorsKey });
      onCreated(m);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = monitorProblems(schedule, limit.trim() ? Number(limit) : null, chosen.length);
    setProblems(found);
    if (found.length === 0)
      create.mutate({
        jobLocalId,
        schedule: schedule.trim(),
        timezone: timezone.trim() || null,
        limit: Number(limit),
        backfill,
        webhookIds: chosen,
        projectId: project,
      });
  };

  return (
    <div className="panel-backdrop">
      <form
        className="card stack monitor-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        onSubmit={submit}
        onKeyDown={(e) => e.key === "Escape" && onClose()}
      >
        <h3 id={`${id}-title`}>Monitor this query</h3>
        <p className="muted">{query}</p>
        <fieldset className="stack">
          <legend>When it runs</legend>
          {PRESETS.map((p, i) => (
            <label key={p.id} className="row">
              <input
                ref={i === 0 ? first : undefined}
                type="radio"
                name={`${id}-schedule`}
                checked={preset === p.id}
                onChange={() => setPreset(p.id)}
              />
              {p.label}
            </label>
          ))}
          <label className="row">
            <input
              type="radio"
              name={`${id}-schedule`}
              checked={preset === "custom"}
              onChange={() => setPreset("custom")}
            />
            In my own words
          </label>
          {preset === "custom" ? (
            <label className="stack">
              Schedule
              <input
                type="text"
                value={custom}
                placeholder="every Monday and Thursday at 8am"
                onInput={(e) => setCustom(e.currentTarget.value)}
              />
            </label>
          ) : null}
        </fieldset>
        <label className="stack">
          Timezone
          <input
            type="text"
            value={timezone}
            onInput={(e) => setTimezone(e.currentTarget.value)}
            aria-describedby={`${id}-tz`}
          />
          <span id={`${id}-tz`} className="muted">
            Used when the schedule names no zone (this computer's by default).
          </span>
        </label>
        <label className="stack">
          Records per run
          <input
            type="number"
            value={limit}
            onInput={(e) => setLimit(e.currentTarget.value)}
            aria-describedby={`${id}-cost`}
          />
          <span id={`${id}-cost`} className="muted">
            Each run costs up to {formatCount(Number(limit) || 0)} records of your plan.
          </span>
        </label>
        <label className="row">
          <input
            type="checkbox"
            checked={backfill}
            onChange={(e) => setBackfill(e.currentTarget.checked)}
          />
          Also run once now for the days since this job
        </label>
        <ProjectPicker label="Project" value={project} onChange={setProject} />
        <WebhookPicker
          hooks={hooks.data ?? []}
          loading={hooks.isPending}
          chosen={chosen}
          onChange={setChosen}
        />
        {problems.length > 0 ? (
          <div className="notice notice-error" role="alert">
            <strong>Check the monitor</strong>
            <ul>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {create.isError ? <ErrorNotice error={create.error} /> : null}
        <div className="row">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create monitor"}
          </button>
        </div>
      </form>
    </div>
  );
}

function WebhookPicker({
  hooks,
  loading,
  chosen,
  onChange,
}: {
  hooks: { id: string; name: string; kind: string; url: string }[];
  loading: boolean;
  chosen: string[];
  onChange: (ids: string[]) => void;
}) {
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [urlProblem, setUrlProblem] = useState<string | null>(null);
  const [tested, setTested] = useState<Record<string, WebhookTestOutcome>>({});
  const add = useMutation({
    mutationFn: () => monitorsIpc.createWebhook({ name: name.trim(), url: url.trim(), kind: null }),
    onSuccess: (w) => {
      qc.invalidateQueries({ queryKey: webhooksKey });
      setName("");
      setUrl("");
      if (chosen.length < MAX_WEBHOOKS) onChange([...chosen, w.id]);
    },
  });
  const test = useMutation({
    mutationFn: (hookId: string) => monitorsIpc.testWebhook(hookId),
    onSuccess: (r, hookId) => setTested((t) => ({ ...t, [hookId]: r })),
  });
  const toggle = (hookId: string, on: boolean) =>
    onChange(on ? [...chosen, hookId] : chosen.filter((c) => c !== hookId));
  const addHook = () => {
    const p = name.trim() ? webhookUrlProblem(url) : "Give the channel a name.";
    setUrlProblem(p);
    if (!p) add.mutate();
  };
  return (
    <fieldset className="stack">
      <legend>Tell a team channel (optional, up to {MAX_WEBHOOKS})</legend>
      {loading ? <p className="muted">Loading channels…</p> : null}
      {hooks.map((h) => (
        <div key={h.id} className="row">
          <label className="row">
            <input
              type="checkbox"
              checked={chosen.includes(h.id)}
              onChange={(e) => toggle(h.id, e.currentTarget.checked)}
            />
            {h.name} <span className="muted">({h.kind})</span>
          </label>
          <button
            type="button"
            aria-label={`Send test to ${h.name}`}
            disabled={test.isPending}
            onClick={() => test.mutate(h.id)}
          >
            Send test
          </button>
          {tested[h.id] ? (
            <span role="status">
              {tested[h.id].success
                ? `Test delivered${tested[h.id].statusCode ? ` (HTTP ${tested[h.id].statusCode})` : ""}`
                : `Test not delivered${tested[h.id].statusCode ? ` (HTTP ${tested[h.id].statusCode})` : ""}`}
            </span>
          ) : null}
        </div>
      ))}
      <div className="row">
        <label className="stack">
          Channel name
          <input type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label className="stack">
          Webhook address
          <input
            type="url"
            value={url}
            placeholder="https://hooks.slack.com/services/…"
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        </label>
        <button type="button" onClick={addHook} disabled={add.isPending}>
          Add channel
        </button>
      </div>
      {urlProblem ? (
        <p className="field-error" role="alert">
          {urlProblem}
        </p>
      ) : null}
      {add.isError ? <ErrorNotice error={add.error} /> : null}
      {test.isError ? <ErrorNotice error={test.error} /> : null}
    </fieldset>
  );
}
