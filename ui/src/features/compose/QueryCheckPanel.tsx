import type { QueryCheck } from "../../lib/ipc";

const VERDICT: Record<string, string> = {
  good: "Looks good",
  needs_work: "Could be clearer",
  critical: "Needs changes before it can run well",
};

/** Each issue code the service sends, as a plain sentence on what to change. */
export const ISSUE_SENTENCES: Record<string, string> = {
  missing_event_type:
    "Say what kind of event to find, such as a funding round, an acquisition or layoffs.",
  too_vague: "Be more specific: name an industry, a region or the kind of company.",
  too_specific: "Loosen it a little: very narrow queries find few or no records.",
  wrong_timeframe:
    "Leave dates out of the wording and set them under Date window; the service only looks back, not ahead.",
  static_content: "Ask for events that happen (news), not for facts or lists that stay the same.",
  article_request: "Ask for the events themselves, not for articles or news about a topic.",
  multiple_event_types: "Keep to one kind of event per job; start another job for the others.",
  too_short: "Add a few words: what happened, to whom, and where.",
  too_long:
    "Shorten it: keep one kind of event and the key constraints, and move background to the context.",
};

export function issueSentence(code: string): string {
  const known = ISSUE_SENTENCES[code];
  if (known) return known;
  // A newer code, or a sentence already.
  const words = code.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The service's verdict on the query, in one block: verdict, what to change, examples. */
export function QueryCheckPanel({
  check,
  stale = false,
  onUseExample,
}: {
  check: QueryCheck;
  /** The query changed since the check. */
  stale?: boolean;
  onUseExample: (example: string) => void;
}) {
  const verdict = VERDICT[check.status] ?? issueSentence(check.status);
  // Issues named by the check, then any named only by a suggestion; each once.
  const codes = [...new Set([...check.issues, ...check.suggestions.map((s) => s.issue)])].filter(
    Boolean,
  );
  const advice = (code: string) =>
    [
      ...new Set(
        check.suggestions
          .filter((s) => s.issue === code && s.message.trim())
          .map((s) => s.message.trim()),
      ),
    ].filter((m) => m !== issueSentence(code));
  const examples = [
    ...new Set(check.suggestions.map((s) => s.example?.trim() ?? "").filter(Boolean)),
  ];
  return (
    <section
      className={`card stack query-check query-check-${check.status}`}
      aria-labelledby="query-check-title"
    >
      <h3 id="query-check-title">Query check: {verdict}</h3>
      {stale ? (
        <p className="notice notice-info">This check was for an earlier wording of the query.</p>
      ) : null}
      {check.title ? <p className="check-title">{check.title}</p> : null}
      {check.description ? <p>{check.description}</p> : null}
      {codes.length > 0 ? (
        <>
          <h4>What to change</h4>
          <ul className="check-issues">
            {codes.map((code) => (
              <li key={code}>
                {issueSentence(code)}
                {advice(code).map((m) => (
                  <span key={m} className="muted">
                    {" "}
                    {m}
                  </span>
                ))}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {examples.length > 0 ? (
        <>
          <h4>{examples.length === 1 ? "An example" : "Examples"}</h4>
          <ul className="check-examples">
            {examples.map((example) => (
              <li key={example}>
                <q>{example}</q>{" "}
                <button
                  type="button"
                  aria-label={`Use this example: ${example}`}
                  onClick={() => onUseExample(example)}
                >
                  Use this
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
