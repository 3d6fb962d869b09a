// A project picker (composer, monitors, history, watchlists): the
// organisation's projects, or none; a new one can be made in place, and
// the chosen one's overview is a click away.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatCount } from "../../lib/format";
import { ipc } from "../../lib/ipc";

export const projectsKey = ["projects"] as const;

export function useProjects(enabled = true) {
  return useQuery({ queryKey: projectsKey, queryFn: ipc.listProjects, staleTime: 30_000, enabled });
}

export function ProjectPicker({
  label,
  value,
  onChange,
  allowAll = false,
}: {
  label: string;
  value: string | null;
  onChange: (id: string | null) => void;
  /** "All projects" instead of "No project" for the empty choice (filters). */
  allowAll?: boolean;
}) {
  const id = useId();
  const client = useQueryClient();
  // Asked for once the picker is used (or shows a choice), not at start.
  const [asked, setAsked] = useState(value != null || allowAll);
  const projects = useProjects(asked || value != null);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => ipc.createProject(name, null),
    onSuccess: (p) => {
      client.invalidateQueries({ queryKey: projectsKey });
      setNaming(false);
      setName("");
      onChange(p.id);
    },
  });
  return (
    <div className="field project-picker">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value ?? ""}
        onFocus={() => setAsked(true)}
        onMouseDown={() => setAsked(true)}
        onChange={(e) => onChange((e.target as HTMLSelectElement).value || null)}
      >
        <option value="">{allowAll ? "All projects" : "No project"}</option>
        {(projects.data ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      {!allowAll ? (
        naming ? (
          <span>
            <label>
              Project name{" "}
              <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
            </label>{" "}
            <button type="button" disabled={!name.trim()} onClick={() => create.mutate()}>
              Make project
            </button>
          </span>
        ) : (
          <button type="button" className="link" onClick={() => setNaming(true)}>
            New project…
          </button>
        )
      ) : null}
      {value ? (
        <ProjectOverview
          id={value}
          name={projects.data?.find((p) => p.id === value)?.name ?? null}
        />
      ) : null}
      {create.isError ? <ErrorNotice error={create.error} /> : null}
    </div>
  );
}

/** A job status in words ("completed" → "finished"). */
const STATUS_WORDS: Record<string, string> = {
  completed: "finished",
  failed: "failed",
  submitted: "waiting",
};

/**
 * A project's overview: its counts in one line, and on request the jobs by
 * status with the monitors, watchlists and webhooks it groups.
 */
export function ProjectOverview({ id, name }: { id: string; name: string | null }) {
  const hid = useId();
  const [open, setOpen] = useState(false);
  const counts = useQuery({
    queryKey: ["projectCounts", id],
    queryFn: () => ipc.projectCounts(id),
  });
  const c = counts.data;
  return (
    <div className="stack project-overview">
      {c ? (
        <p className="muted">
          {countOf(c.jobs, "job")}, {countOf(c.monitors, "monitor")},{" "}
          {countOf(c.watchlists, "watchlist")}, {countOf(c.webhooks, "webhook")}
        </p>
      ) : null}
      {counts.isError ? <ErrorNotice error={counts.error} /> : null}
      <button
        type="button"
        className="link"
        aria-expanded={open}
        aria-controls={`${hid}-overview`}
        onClick={() => setOpen((o) => !o)}
      >
        Project overview
      </button>
      {open ? (
        <section id={`${hid}-overview`} className="card stack" aria-labelledby={`${hid}-title`}>
          <h4 id={`${hid}-title`}>Overview of {name ?? "this project"}</h4>
          {counts.isPending ? <p>Counting…</p> : null}
          {c ? (
            <dl className="fields">
              <div className="field-row">
                <dt>Jobs</dt>
                <dd>
                  {formatCount(c.jobs)}
                  {c.jobsByStatus.length > 0
                    ? ` (${c.jobsByStatus
                        .map((s) => `${formatCount(s.count)} ${STATUS_WORDS[s.status] ?? s.status}`)
                        .join(", ")})`
                    : ""}
                </dd>
              </div>
              <div className="field-row">
                <dt>Monitors</dt>
                <dd>{formatCount(c.monitors)}</dd>
              </div>
              <div className="field-row">
                <dt>Watchlists</dt>
                <dd>{formatCount(c.watchlists)}</dd>
              </div>
              <div className="field-row">
                <dt>Webhooks</dt>
                <dd>{formatCount(c.webhooks)}</dd>
              </div>
            </dl>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}

const countOf = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
