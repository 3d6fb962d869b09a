// The service's suggestions merged with what the analyst already has:
// nothing of theirs is replaced; new rows are proposed next to their own.
import type { EnrichmentSpec, Suggestions, ValidatorSpec } from "../../lib/ipc";
import { type ComposeState, newUid, type Row } from "./draftState";

export type Proposals = {
  /** The query wording the suggestions were made for. */
  forQuery: string;
  validators: ValidatorSpec[];
  enrichments: EnrichmentSpec[];
  /** Dates the service proposes while the analyst's own window is kept. */
  dates: { startDate: string; endDate: string } | null;
};

export const noProposals = (forQuery: string): Proposals => ({
  forQuery,
  validators: [],
  enrichments: [],
  dates: null,
});

export function hasProposals(p: Proposals | null): boolean {
  return !!p && (p.validators.length > 0 || p.enrichments.length > 0 || p.dates != null);
}

const suggested = <T>(items: T[]): Row<T>[] =>
  items.map((v) => ({ ...v, uid: newUid(), source: "suggested" as const }));

/** A list is the analyst's once it holds a row they added or edited. */
const hasOwn = (rows: Row<unknown>[] | null) => !!rows?.some((r) => r.source === "mine");

function mergeList<T extends { name: string }>(
  rows: Row<T>[] | null,
  offered: T[],
): { rows: Row<T>[] | null; proposed: T[] } {
  if (!hasOwn(rows)) return { rows: suggested(offered), proposed: [] };
  const taken = new Set((rows ?? []).map((r) => r.name.trim()));
  return { rows, proposed: offered.filter((o) => !taken.has(o.name.trim())) };
}

/** True when the analyst chose a window (a preset or dates). */
export const hasOwnWindow = (s: ComposeState) => !!(s.preset || s.startDate || s.endDate);

/**
 * Lists without any row of the analyst's take the suggestions at once;
 * lists with their rows keep them and get the new names as proposals. A
 * window the analyst chose is kept; the service's dates are then proposed.
 */
export function mergeSuggestions(
  state: ComposeState,
  s: Suggestions,
  forQuery: string,
): { state: ComposeState; proposals: Proposals } {
  const v = mergeList(state.validators, s.validators);
  const e = mergeList(state.enrichments, s.enrichments);
  const next: ComposeState = {
    ...state,
    validators: v.rows,
    enrichments: e.rows,
  };
  let dates: Proposals["dates"] = null;
  if (s.startDate || s.endDate) {
    const offered = {
      startDate: s.startDate ?? state.startDate,
      endDate: s.endDate ?? state.endDate,
    };
    if (!hasOwnWindow(state)) {
      next.startDate = offered.startDate;
      next.endDate = offered.endDate;
      next.preset = null;
    } else if (offered.startDate !== state.startDate || offered.endDate !== state.endDate) {
      dates = offered;
    }
  }
  return {
    state: next,
    proposals: { forQuery, validators: v.proposed, enrichments: e.proposed, dates },
  };
}

/** Adds proposed rows (all, or the one named) to the lists. */
export function acceptRows(
  state: ComposeState,
  p: Proposals,
  which?: { list: "validators" | "enrichments"; name: string },
): { state: ComposeState; proposals: Proposals } {
  const take = <T extends { name: string }>(list: "validators" | "enrichments", items: T[]) =>
    which ? items.filter((i) => which.list === list && i.name === which.name) : items;
  const addV = take("validators", p.validators);
  const addE = take("enrichments", p.enrichments);
  return {
    state: {
      ...state,
      validators: addV.length
        ? [...(state.validators ?? []), ...suggested(addV)]
        : state.validators,
      enrichments: addE.length
        ? [...(state.enrichments ?? []), ...suggested(addE)]
        : state.enrichments,
    },
    proposals: {
      ...p,
      validators: p.validators.filter((i) => !addV.includes(i)),
      enrichments: p.enrichments.filter((i) => !addE.includes(i)),
    },
  };
}

/** Rows still as the service suggested them. */
export function suggestedRowCount(s: ComposeState): number {
  return [...(s.validators ?? []), ...(s.enrichments ?? [])].filter((r) => r.source === "suggested")
    .length;
}
