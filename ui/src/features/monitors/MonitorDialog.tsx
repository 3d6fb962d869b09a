import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useLayoutEffect, useRef, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import type { MonitorSummary, NewMonitor } from "../../bindings";
import { formatCount } from "../../lib/format";
import { ProjectPicker } from "../projects/ProjectPicker";
import { monitorsIpc } from "./monitorsIpc";
import { localTimeZone, monitorProblems, PRESETS } from "./schedule";
import { WebhookPicker, webhooksKey } from "./WebhookPicker";

export const monitorsKey = ["monitors"] as const;

/** What is wrong with a monitor's settings, said before any request. */
export function MonitorProblems({ problems }: { problems: string[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="notice notice-error" role="alert">
      <strong>Check the monitor</strong>
      <ul>
        {problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    </div>
  );
}

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
    if (found.length === 0) {
      create.mutate({
        jobLocalId,
        schedule: schedule.trim(),
        timezone: timezone.trim() || null,
        limit: Number(limit),
        backfill,
        webhookIds: chosen,
        projectId: project,
      });
    }
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
        <MonitorProblems problems={problems} />
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
