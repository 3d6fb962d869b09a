import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatCount, formatDateTime } from "../../lib/format";
import { type Change, type Comparison, ipc } from "../../lib/ipc";
import { jobsListQuery, recordsKey } from "../watch/jobState";
import { reviewProgressKey } from "./reviewCache";

const SHOWN = 200;
const CHANGE_WORDS: Record<Change, string> = { new: "New", gone: "Gone", changed: "Changed" };

/**
 * This job beside an earlier run (its "run again", a monitor's last run, the
 * same query weeks before): new, gone and changed records, and the earlier
 * run's reviews carried over to the records that match.
 */
export function ComparePanel({ localId }: { localId: number }) {
  const id = useId();
  const qc = useQueryClient();
  const jobs = useQuery(jobsListQuery(null));
  const others = (jobs.data ?? []).filter((j) => j.localId !== localId && j.storedRecords > 0);
  const [other, setOther] = useState<number | null>(null);
  const [kind, setKind] = useState<Change | "all">("all");
  const [exported, setExported] = useState<string | null>(null);
  const compare = useMutation({
    mutationFn: (earlier: number) => ipc.compareJobs(earlier, localId),
    onSuccess: (c) => {
      setExported(null);
      if (c.reviewsCarried > 0) {
        void qc.invalidateQueries({ queryKey: recordsKey(localId) });
        void qc.invalidateQueries({ queryKey: reviewProgressKey(localId) });
      }
    },
  });
  const save = useMutation({
    mutationFn: (json: boolean) => ipc.exportComparison(compare.data?.jobA ?? 0, localId, json),
    onSuccess: (r) => setExported(r ? `Saved ${r.path}` : null),
  });
  const c: Comparison | undefined = compare.data;
  const entries = c ? c.entries.filter((e) => kind === "all" || e.change === kind) : [];

  return (
    <section className="compare card stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Compare with an earlier run</h3>
      <div className="row wrap">
        <label htmlFor={`${id}-job`}>Earlier run</label>
        <select
          id={`${id}-job`}
          value={other ?? ""}
          onChange={(e) => setOther(e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">Choose a job…</option>
          {others.map((j) => (
            <option key={j.localId} value={j.localId}>
              {j.query} · {formatDateTime(j.createdAt)} · {formatCount(j.storedRecords)} records
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={other == null || compare.isPending}
          onClick={() => other != null && compare.mutate(other)}
        >
          {compare.isPending ? "Comparing…" : "Compare"}
        </button>
      </div>
      <ErrorNotice error={compare.error ?? save.error ?? undefined} />
      {c ? (
        <div className="stack">
          <p aria-live="polite">
            {formatCount(c.same)} same · {formatCount(c.changed)} changed · {formatCount(c.new)} new
            · {formatCount(c.gone)} gone
            {c.matchedByKey > 0
              ? ` (${formatCount(c.matchedByKey)} matched by company, date and source)`
              : ""}
            {c.reviewsCarried > 0
              ? ` · ${formatCount(c.reviewsCarried)} reviews carried over to this job`
              : ""}
          </p>
          <div className="row wrap">
            <label htmlFor={`${id}-kind`}>Show</label>
            <select
              id={`${id}-kind`}
              value={kind}
              onChange={(e) => setKind(e.target.value as Change | "all")}
            >
              <option value="all">All differences</option>
              <option value="changed">Changed</option>
              <option value="new">New</option>
              <option value="gone">Gone</option>
            </select>
            <button type="button" onClick={() => save.mutate(false)} disabled={save.isPending}>
              Export comparison (CSV)
            </button>
            <button type="button" onClick={() => save.mutate(true)} disabled={save.isPending}>
              Export comparison (JSON)
            </button>
            {exported ? <span role="status">{exported}</span> : null}
          </div>
          <table className="compare-table" aria-label="Differences">
            <thead>
              <tr>
                <th scope="col">Change</th>
                <th scope="col">Title</th>
                <th scope="col">Fields changed</th>
                <th scope="col">Matched by</th>
              </tr>
            </thead>
            <tbody>
              {entries.slice(0, SHOWN).map((e) => (
                <tr key={`${e.change}-${e.recordA ?? ""}-${e.recordB ?? ""}`}>
                  <td>{CHANGE_WORDS[e.change]}</td>
                  <td>{e.title || "(untitled)"}</td>
                  <td>{e.fields.join(", ")}</td>
                  <td>
                    {e.matchedBy === "key"
                      ? "company, date and source"
                      : e.matchedBy === "record_id"
                        ? "record id"
                        : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length > SHOWN ? (
            <p className="muted">
              The first {SHOWN} of {formatCount(entries.length)} are shown; the export has them all.
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
