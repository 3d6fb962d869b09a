// The composer's "About these companies": one or more watchlists, how
// relevant an event must be to them, subject or mention, and "all news
// about these companies" (then no topic is needed).
import { useId, useState } from "react";
import type { WatchlistScope } from "../../lib/ipc";
import { useWatchlists } from "./useWatchlists";

const EMPTY: WatchlistScope = {
  watchlistIds: [],
  minRelevance: null,
  association: null,
  allNews: false,
};

export function CompanyScope({
  value,
  onChange,
}: {
  value: WatchlistScope | null;
  onChange: (v: WatchlistScope | null) => void;
}) {
  const id = useId();
  // Asked for only once opened, so the composer starts without a request.
  const [open, setOpen] = useState(value != null);
  const list = useWatchlists(null, open || value != null);
  const v = value ?? EMPTY;
  const set = (patch: Partial<WatchlistScope>) => {
    const next = { ...v, ...patch };
    onChange(
      next.watchlistIds.length === 0 &&
        !next.allNews &&
        next.minRelevance == null &&
        !next.association
        ? null
        : next,
    );
  };
  const chosen = v.watchlistIds.length > 0;
  return (
    <fieldset className="company-scope">
      <legend>About these companies</legend>
      {!open && value == null ? (
        <button type="button" aria-expanded={false} onClick={() => setOpen(true)}>
          Choose watchlists
        </button>
      ) : null}
      {list.isError ? <p className="field-error">{String((list.error as Error).message)}</p> : null}
      {list.data && list.data.length === 0 ? (
        <p className="help">No watchlists yet: make one on the Watchlists tab.</p>
      ) : null}
      <ul aria-label="Watchlists" className="plain-list">
        {(list.data ?? []).map((w) => (
          <li key={w.id}>
            <label className="check">
              <input
                type="checkbox"
                checked={v.watchlistIds.includes(w.id)}
                disabled={!w.ready && !v.watchlistIds.includes(w.id)}
                onChange={(e) =>
                  set({
                    watchlistIds: (e.target as HTMLInputElement).checked
                      ? [...v.watchlistIds, w.id]
                      : v.watchlistIds.filter((x) => x !== w.id),
                  })
                }
              />
              {w.name}
            </label>{" "}
            <span className="help">
              {w.companyCount} companies{w.ready ? "" : ` · ${w.statusWords}`}
            </span>
          </li>
        ))}
      </ul>
      {chosen ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-rel`}>Minimum relevance: {v.minRelevance ?? 1} of 10</label>
            <input
              id={`${id}-rel`}
              type="range"
              min={1}
              max={10}
              step={1}
              value={v.minRelevance ?? 1}
              aria-valuetext={`${v.minRelevance ?? 1}: ${relevanceWords(v.minRelevance ?? 1)}`}
              onInput={(e) => {
                const n = Number((e.target as HTMLInputElement).value);
                set({ minRelevance: n <= 1 ? null : n });
              }}
            />
            <span className="help">{relevanceWords(v.minRelevance ?? 1)}</span>
          </div>
          <fieldset>
            <legend>The company is</legend>
            {[
              { val: null, label: "Either" },
              { val: "subject", label: "The subject of the event" },
              { val: "mention", label: "Only mentioned" },
            ].map((o) => (
              <label key={o.label} className="check">
                <input
                  type="radio"
                  name={`${id}-assoc`}
                  checked={v.association === o.val}
                  onChange={() => set({ association: o.val })}
                />
                {o.label}
              </label>
            ))}
          </fieldset>
          <label className="check">
            <input
              type="checkbox"
              checked={v.allNews}
              onChange={(e) => set({ allNews: (e.target as HTMLInputElement).checked })}
            />
            All news about these companies (no topic needed)
          </label>
        </>
      ) : null}
    </fieldset>
  );
}

export function relevanceWords(n: number): string {
  if (n >= 10) return "critical events only (mergers, CEO changes, major lawsuits)";
  if (n >= 7) return "major events and up (earnings, launches, senior hires)";
  if (n >= 4) return "routine updates and up";
  return "any mention";
}
