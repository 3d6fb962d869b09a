import type { Suggestions } from "../../lib/ipc";
import { type ComposeState, emptyState } from "./draftState";
import { acceptRows, hasProposals, mergeSuggestions, suggestedRowCount } from "./suggestions";

const offered: Suggestions = {
  validators: [
    { name: "is_layoff", description: "Announces job cuts" },
    { name: "is_bank", description: "Company is a bank" },
  ],
  enrichments: [{ name: "jobs_cut", description: "How many jobs", kind: "number" }],
  startDate: "2025-01-01T00:00:00Z",
  endDate: "2025-01-20T00:00:00Z",
  dateMessages: [],
};

test("empty lists and the service's default window take the suggestions at once", () => {
  const { state, proposals } = mergeSuggestions(
    { ...emptyState(), query: "Layoffs" },
    offered,
    "Layoffs",
  );
  expect(state.validators?.map((v) => [v.name, v.source])).toEqual([
    ["is_layoff", "suggested"],
    ["is_bank", "suggested"],
  ]);
  expect(state.startDate).toBe("2025-01-01T00:00:00Z");
  expect(hasProposals(proposals)).toBe(false);
  expect(suggestedRowCount(state)).toBe(3);
});

test("the analyst's rows and window are kept; new names are proposed, then accepted", () => {
  const mine: ComposeState = {
    ...emptyState(),
    query: "Layoffs",
    preset: "7d",
    startDate: "2025-02-01T00:00:00Z",
    endDate: "2025-02-08T00:00:00Z",
    validators: [{ uid: "m1", source: "mine", name: "is_bank", description: "My own wording" }],
    enrichments: null,
  };
  const { state, proposals } = mergeSuggestions(mine, offered, "Layoffs");
  // Theirs untouched, the colliding name not proposed again.
  expect(state.validators).toEqual(mine.validators);
  expect(proposals.validators.map((v) => v.name)).toEqual(["is_layoff"]);
  // A list without own rows is filled.
  expect(state.enrichments?.map((e) => e.name)).toEqual(["jobs_cut"]);
  expect(state.preset).toBe("7d");
  expect(state.startDate).toBe("2025-02-01T00:00:00Z");
  expect(proposals.dates).toEqual({
    startDate: "2025-01-01T00:00:00Z",
    endDate: "2025-01-20T00:00:00Z",
  });

  const one = acceptRows(state, proposals, { list: "validators", name: "is_layoff" });
  expect(one.state.validators?.map((v) => [v.name, v.source])).toEqual([
    ["is_bank", "mine"],
    ["is_layoff", "suggested"],
  ]);
  expect(one.proposals.validators).toEqual([]);
  expect(hasProposals(one.proposals)).toBe(true); // the dates are still offered
});
