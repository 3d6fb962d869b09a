// A record's matched companies (the service's connected entities), as the
// table's "entities" cells carry them and as people read them.
import type { MatchedCompany } from "../../lib/ipc";

/** Between two companies of a cell, and between a company's parts (the store's form). */
const COMPANY_SEP = "\u001e";
const PART_SEP = "\u001f";

/** The companies of a table cell, in the record's order. */
export function companiesOfCell(text: string): MatchedCompany[] {
  if (!text) return [];
  return text
    .split(COMPANY_SEP)
    .filter((e) => e.includes(PART_SEP))
    .map((e) => {
      const [name = "", score = "", association = ""] = e.split(PART_SEP);
      const n = Number.parseInt(score, 10);
      return {
        name,
        relevance: Number.isFinite(n) ? n : null,
        association: association || null,
        relation: null,
        domain: null,
      };
    });
}

/**
 * How many companies a table cell leaves out: a long one keeps whole
 * companies and ends with "+N" for the rest (the record panel has all).
 */
export function companiesLeftOut(text: string): number {
  const last = text.split(COMPANY_SEP).pop() ?? "";
  return /^\+\d+$/.test(last) ? Number(last.slice(1)) : 0;
}

/** "subject" or "mentioned", in words, for the service's association type. */
export function associationInWords(association: string | null): string | null {
  if (association === "event_associated") return "subject of the event";
  if (association === "mention") return "mentioned";
  return association;
}

/** One company in words: "Globex, relevance 9 of 10, subject of the event". */
export function companyInWords(c: MatchedCompany): string {
  const parts = [c.name];
  if (c.relevance != null) parts.push(`relevance ${c.relevance} of 10`);
  const a = associationInWords(c.association);
  if (a) parts.push(a);
  return parts.join(", ");
}

/** A cell's companies as one line of text (copying rows, tooltips). */
export function cellInWords(text: string): string {
  const words = companiesOfCell(text).map((c) => {
    const extra = [c.relevance != null ? String(c.relevance) : null, c.association].filter(
      (x) => x,
    );
    return extra.length ? `${c.name} (${extra.join(", ")})` : c.name;
  });
  const more = companiesLeftOut(text);
  if (more > 0) words.push(`${more} more`);
  return words.join("; ");
}
