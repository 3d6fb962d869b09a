// "Only these outlets": the account's source groups, searchable, as a list of
// checkboxes. The list is asked for only when the user opens the picker, and
// filtered here as they type (the service has no more than a few hundred).
import { useQuery } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { ipc, type SourceGroup } from "../../lib/ipc";
import { MAX_SOURCE_GROUPS } from "./draftState";

export const sourceGroupsKey = ["sourceGroups"] as const;

/** Name, slug or description containing every word of `search`, any case. */
export function matchesSearch(g: SourceGroup, search: string): boolean {
  const hay = `${g.name} ${g.slug} ${g.description ?? ""}`.toLowerCase();
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

export function SourceGroupsPicker({
  value,
  onChange,
  error,
}: {
  /** Chosen slugs, in the order they were chosen. */
  value: string[];
  onChange: (slugs: string[]) => void;
  error?: string;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState("");
  // A problem with the choice keeps the list in view, next to its message.
  const shown = open || Boolean(error);
  const q = useQuery({
    queryKey: sourceGroupsKey,
    queryFn: () => ipc.sourceGroups(null),
    enabled: shown,
    staleTime: 10 * 60_000,
  });
  const groups = q.data ?? [];
  const visible = useMemo(
    () => groups.filter((g) => matchesSearch(g, search.trim())),
    [groups, search],
  );
  const nameOf = (slug: string) => groups.find((g) => g.slug === slug)?.name ?? slug;
  const toggle = (slug: string, on: boolean) =>
    onChange(on ? [...value.filter((s) => s !== slug), slug] : value.filter((s) => s !== slug));
  const full = value.length >= MAX_SOURCE_GROUPS;

  return (
    <fieldset className="stack" aria-describedby={`${id}-help`}>
      <legend>Only these outlets (optional)</legend>
      <p id={`${id}-help`} className="help">
        {value.length === 0
          ? "All news sources. Choose source groups to search only their outlets."
          : `Only ${value.length === 1 ? "this source group" : `these ${value.length} source groups`}: ${value.map(nameOf).join(", ")}.`}{" "}
        At most {MAX_SOURCE_GROUPS}.
      </p>
      <div className="row">
        <button
          type="button"
          aria-expanded={shown}
          aria-controls={`${id}-panel`}
          onClick={() => setOpen(!shown)}
        >
          {shown ? "Hide source groups" : "Choose source groups"}
        </button>
        {value.length > 0 ? (
          <button type="button" onClick={() => onChange([])}>
            Use all news sources
          </button>
        ) : null}
      </div>
      {shown ? (
        <div id={`${id}-panel`} className="stack">
          <div className="field">
            <label htmlFor={`${id}-search`}>Search source groups</label>
            <input
              id={`${id}-search`}
              type="search"
              value={search}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-err` : undefined}
              onChange={(e) => setSearch(e.currentTarget.value)}
            />
            {error ? (
              <p id={`${id}-err`} className="field-error">
                {error}
              </p>
            ) : null}
          </div>
          {q.isPending ? <p className="muted">Loading source groups…</p> : null}
          <ErrorNotice error={q.error} />
          {q.data && visible.length === 0 ? (
            <p className="muted">
              {groups.length === 0
                ? "Your account has no source groups."
                : "No source group matches this search."}
            </p>
          ) : null}
          {visible.length > 0 ? (
            <ul className="stack" aria-label="Source groups">
              {visible.map((g) => {
                const checked = value.includes(g.slug);
                return (
                  <li key={g.slug}>
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={checked}
                        disabled={!checked && full}
                        aria-describedby={g.description ? `${id}-${g.slug}-desc` : undefined}
                        onChange={(e) => toggle(g.slug, e.currentTarget.checked)}
                      />
                      {g.name}
                    </label>
                    {g.description ? (
                      <p id={`${id}-${g.slug}-desc`} className="help">
                        {g.description}
                      </p>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          ) : null}
          {full ? (
            <p className="muted" role="status">
              {MAX_SOURCE_GROUPS} source groups chosen, the most one job can use.
            </p>
          ) : null}
        </div>
      ) : null}
    </fieldset>
  );
}
