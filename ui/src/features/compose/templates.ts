// Worked examples to start from: a query in the service's style, with the
// validators and enrichments that make its records useful.
import type { EnrichmentSpec, JobDraft, ValidatorSpec } from "../../lib/ipc";

export type Template = {
  name: string;
  query: string;
  context: string | null;
  validators: ValidatorSpec[];
  enrichments: EnrichmentSpec[];
};

export const GALLERY: Template[] = [
  {
    name: "Funding rounds",
    query: "Startups announcing a new funding round (seed to Series D)",
    context: "Venture funding only; leave out debt financing and IPOs.",
    validators: [
      { name: "is_funding_round", description: "The article announces a new equity funding round" },
      { name: "is_startup", description: "The company raising money is a private startup" },
    ],
    enrichments: [
      { name: "company", description: "The company that raised the money", kind: "company" },
      { name: "round_type", description: "Seed, Series A, B, C or D", kind: "option" },
      { name: "amount_usd", description: "Amount raised, in US dollars", kind: "number" },
      { name: "lead_investor", description: "The investor that led the round", kind: "company" },
      { name: "announced_on", description: "Date the round was announced", kind: "date" },
    ],
  },
  {
    name: "Mergers and acquisitions",
    query: "Companies agreeing to acquire or merge with another company",
    context: "Announced or completed deals; leave out rumours.",
    validators: [
      {
        name: "is_acquisition",
        description: "The article reports an agreed acquisition or merger",
      },
      { name: "not_rumour", description: "The deal is announced, not speculated about" },
    ],
    enrichments: [
      { name: "acquirer", description: "The buying company", kind: "company" },
      { name: "target", description: "The company being acquired", kind: "company" },
      {
        name: "deal_value_usd",
        description: "Deal value in US dollars, if stated",
        kind: "number",
      },
      {
        name: "deal_status",
        description: "Announced, pending approval or completed",
        kind: "option",
      },
    ],
  },
  {
    name: "Layoffs",
    query: "Companies announcing layoffs or job cuts",
    context: null,
    validators: [
      { name: "is_layoff", description: "The article reports job cuts announced by a company" },
    ],
    enrichments: [
      { name: "company", description: "The company cutting jobs", kind: "company" },
      { name: "jobs_cut", description: "Number of jobs cut", kind: "number" },
      { name: "share_of_workforce", description: "Share of the workforce affected", kind: "text" },
      { name: "reason", description: "The reason the company gives", kind: "text" },
    ],
  },
  {
    name: "Data breaches",
    query: "Organisations disclosing a data breach or cyberattack",
    context: "Confirmed incidents affecting customer or employee data.",
    validators: [
      { name: "is_data_breach", description: "The article reports a confirmed data breach" },
    ],
    enrichments: [
      { name: "organisation", description: "The organisation that was breached", kind: "company" },
      {
        name: "records_affected",
        description: "Number of people or records affected",
        kind: "number",
      },
      { name: "data_types", description: "Kinds of data exposed", kind: "text" },
      { name: "disclosed_on", description: "Date the breach was disclosed", kind: "date" },
    ],
  },
  {
    name: "Executive moves",
    query: "Companies appointing a new chief executive or other C-level officer",
    context: null,
    validators: [
      { name: "is_executive_appointment", description: "A C-level appointment or departure" },
    ],
    enrichments: [
      { name: "company", description: "The company", kind: "company" },
      { name: "person", description: "The person appointed", kind: "text" },
      { name: "role", description: "The role, e.g. CEO or CFO", kind: "option" },
      { name: "predecessor", description: "Who held the role before", kind: "text" },
    ],
  },
  {
    name: "Product launches",
    query: "Companies launching a new product or service",
    context: "New products only; leave out updates and price changes.",
    validators: [
      { name: "is_product_launch", description: "The article announces a new product or service" },
    ],
    enrichments: [
      { name: "company", description: "The launching company", kind: "company" },
      { name: "product", description: "Name of the product", kind: "text" },
      { name: "category", description: "Kind of product", kind: "option" },
      { name: "launch_date", description: "Date it launches or launched", kind: "date" },
    ],
  },
  {
    name: "Regulatory actions",
    query: "Regulators fining, sanctioning or opening investigations into companies",
    context: null,
    validators: [
      { name: "is_regulatory_action", description: "A regulator acts against a named company" },
    ],
    enrichments: [
      { name: "regulator", description: "The regulator or authority", kind: "text" },
      { name: "company", description: "The company concerned", kind: "company" },
      {
        name: "action",
        description: "Fine, sanction, investigation or settlement",
        kind: "option",
      },
      { name: "fine_usd", description: "Fine in US dollars, if any", kind: "number" },
    ],
  },
];

/** What a gallery template fills in: the rest of the draft stays the analyst's. */
export function templateDraft(t: Template, current: JobDraft): JobDraft {
  return {
    ...current,
    query: t.query,
    context: t.context,
    validators: t.validators,
    enrichments: t.enrichments,
  };
}
