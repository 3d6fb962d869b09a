import type { QueryCheck } from "../../lib/ipc";

const VERDICT: Record<string, string> = {
  good: "Looks good",
  needs_work: "Could be clearer",
  critical: "Needs changes before it can run well",
};

/** The service's verdict on the query, with examples applied in one click. */
export function QueryCheckPanel({
  check,
  onUseExample,
}: {
  check: QueryCheck;
  onUseExample: (example: string) => void;
}) {
  const verdict = VERDICT[check.status] ?? check.status.replace(/_/g, " ");
  return (
    <section className={`card check check-${check.status}`} aria-labelledby="query-check-title">
      <h3 id="query-check-title">Query check: {verdict}</h3>
      {check.title ? <p className="check-title">{check.title}</p> : null}
      {check.description ? <p>{check.description}</p> : null}
      {check.issues.length > 0 ? (
        <>
          <h4>Issues</h4>
          <ul>
            {check.issues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
        </>
      ) : null}
      {check.suggestions.length > 0 ? (
        <>
          <h4>Suggestions</h4>
          <ul className="suggestions">
            {check.suggestions.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: suggestions may repeat; the list never reorders
              <li key={i}>
                <p>{s.message}</p>
                {s.example ? (
                  <div className="row">
                    <q>{s.example}</q>
                    <button
                      type="button"
                      aria-label={`Use this example: ${s.example}`}
                      onClick={() => onUseExample(s.example as string)}
                    >
                      Use this example
                    </button>
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
