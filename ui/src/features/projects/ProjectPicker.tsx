// A project picker (composer, watchlists): the organisation's projects,
// or none; a new one can be made in place.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
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
      {value ? <ProjectCountsLine id={value} /> : null}
      {create.isError ? <ErrorNotice error={create.error} /> : null}
    </div>
  );
}

/** A project's overview in one line: its counts. */
export function ProjectCountsLine({ id }: { id: string }) {
  const counts = useQuery({
    queryKey: ["projectCounts", id],
    queryFn: () => ipc.projectCounts(id),
  });
  if (!counts.data) return null;
  const c = counts.data;
  return (
    <p className="muted" title="Project overview">
      {c.jobs} jobs, {c.monitors} monitors, {c.watchlists} watchlists, {c.webhooks} webhooks
    </p>
  );
}
