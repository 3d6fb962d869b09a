import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { ipc } from "../../lib/ipc";

/** What the plan allows and how much of it is used. */
export function PlanScreen() {
  const id = useId();
  const q = useQuery({ queryKey: ["planLimits"], queryFn: ipc.planLimits });
  return (
    <section className="stack" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Plan</h2>
      {q.isPending ? <p>Loading your plan…</p> : null}
      <ErrorNotice error={q.error} />
      {q.data && q.data.length === 0 ? <p className="muted">The plan lists no limits.</p> : null}
      {q.data && q.data.length > 0 ? (
        <table className="jobs-table">
          <caption className="visually-hidden">Plan limits and usage</caption>
          <thead>
            <tr>
              <th scope="col">Limit</th>
              <th scope="col">Allowed</th>
              <th scope="col">Used</th>
            </tr>
          </thead>
          <tbody>
            {q.data.map((l) => (
              <tr key={l.code}>
                <td>{l.name}</td>
                <td>{l.value ?? "—"}</td>
                <td>{l.currentUsage ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
