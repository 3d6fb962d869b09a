import { FIELD_KINDS } from "./draftState";
import { formatDay } from "./startPlan";
import type { Proposals } from "./suggestions";

const kindLabel = (kind: string) => FIELD_KINDS.find((k) => k.kind === kind)?.label ?? kind;

/** The service's new rows, next to the analyst's own: accept all, one, or dismiss. */
export function ProposalsPanel({
  proposals,
  onAcceptAll,
  onAcceptOne,
  onUseDates,
  onDismiss,
}: {
  proposals: Proposals;
  onAcceptAll: () => void;
  onAcceptOne: (list: "validators" | "enrichments", name: string) => void;
  onUseDates: () => void;
  onDismiss: () => void;
}) {
  const rows = proposals.validators.length + proposals.enrichments.length;
  const group = (list: "validators" | "enrichments", title: string, one: string) => {
    const items = proposals[list];
    if (items.length === 0) return null;
    return (
      <>
        <h4>{title}</h4>
        <ul className="proposals">
          {items.map((item) => (
            <li key={item.name}>
              <span>
                <strong className="mono">{item.name}</strong>
                {"kind" in item ? ` (${kindLabel(item.kind as string)})` : ""}: {item.description}
              </span>{" "}
              <button
                type="button"
                aria-label={`Add suggested ${one} ${item.name}`}
                onClick={() => onAcceptOne(list, item.name)}
              >
                Add
              </button>
            </li>
          ))}
        </ul>
      </>
    );
  };
  return (
    <section className="card stack" aria-labelledby="proposals-title">
      <h3 id="proposals-title">Suggested by the service</h3>
      <p className="help">
        Your own validators and enrichments were kept. Add what fits from the service's proposals.
      </p>
      {group("validators", "Validators", "validator")}
      {group("enrichments", "Enrichments", "enrichment")}
      {proposals.dates ? (
        <p>
          The service suggests {formatDay(proposals.dates.startDate)} to{" "}
          {formatDay(proposals.dates.endDate)}; your date window was kept.{" "}
          <button type="button" onClick={onUseDates}>
            Use the suggested dates
          </button>
        </p>
      ) : null}
      <div className="row">
        {rows > 1 ? (
          <button type="button" onClick={onAcceptAll}>
            Add all {rows} suggestions
          </button>
        ) : null}
        <button type="button" onClick={onDismiss}>
          Dismiss suggestions
        </button>
      </div>
    </section>
  );
}
