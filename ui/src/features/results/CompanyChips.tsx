import type { MatchedCompany } from "../../lib/ipc";
import { associationInWords, companyInWords } from "./companies";

/**
 * A record's matched companies as chips, each with its relevance (1-10);
 * a company that is the event's subject is marked apart from one only
 * mentioned. `detailed` adds why the service linked it (the record panel).
 */
export function CompanyChips({
  companies,
  more = 0,
  detailed = false,
}: {
  companies: MatchedCompany[];
  /** Companies not listed (the record panel lists them all). */
  more?: number;
  detailed?: boolean;
}) {
  if (companies.length === 0) return null;
  return (
    <ul className={`company-chips${detailed ? " detailed" : ""}`} aria-label="Matched companies">
      {companies.map((c, i) => (
        <li
          // biome-ignore lint/suspicious/noArrayIndexKey: a company may be named twice; the list never reorders
          key={i}
          className={`company-chip${c.association === "event_associated" ? " subject" : ""}`}
          title={companyInWords(c)}
        >
          <span className="company-name">{c.name}</span>
          {c.relevance != null ? (
            <>
              <span className="relevance" aria-hidden="true">
                {c.relevance}
              </span>
              <span className="visually-hidden">, relevance {c.relevance} of 10</span>
            </>
          ) : null}
          {detailed ? (
            <span className="muted small">
              {[associationInWords(c.association), c.relation, c.domain]
                .filter((x) => x)
                .join(" · ")}
            </span>
          ) : c.association ? (
            <span className="visually-hidden">, {associationInWords(c.association)}</span>
          ) : null}
        </li>
      ))}
      {more > 0 ? <li className="company-chip more">+{more} more</li> : null}
    </ul>
  );
}
