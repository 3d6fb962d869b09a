import {
  emptyState,
  freshDates,
  fromDraft,
  localProblems,
  move,
  presetDates,
  presetOf,
  toDraft,
} from "./draftState";

test("names must be snake_case, unique and not empty; messages are keyed per field", () => {
  const s = {
    ...emptyState(),
    query: "Funding rounds",
    validators: [
      { uid: "a", source: "mine" as const, name: "is_funding", description: "A funding round" },
      { uid: "b", source: "mine" as const, name: "is_funding", description: "Again" },
      { uid: "c", source: "mine" as const, name: "", description: "No name" },
    ],
    enrichments: [
      {
        uid: "d",
        source: "mine" as const,
        name: "Amount Raised",
        description: "How much",
        kind: "number" as const,
      },
    ],
  };
  const p = localProblems(s);
  expect(p["validators.0.name"]).toBeUndefined();
  expect(p["validators.1.name"]).toMatch(/already used/);
  expect(p["validators.2.name"]).toBe("Give this a name.");
  expect(p["enrichments.0.name"]).toMatch(/lowercase letters/);
});

test("limit at least 10 and a date window of at most 30 days", () => {
  const base = { ...emptyState(), query: "x" };
  expect(localProblems({ ...base, limit: "5" }).limit).toMatch(/at least 10/);
  expect(localProblems({ ...base, limit: "10" }).limit).toBeUndefined();
  expect(
    localProblems({ ...base, startDate: "2025-01-01", endDate: "2025-03-01" }).endDate,
  ).toMatch(/at most 30 days/);
  expect(
    localProblems({ ...base, startDate: "2025-02-01", endDate: "2025-01-01" }).endDate,
  ).toMatch(/before the start/);
});

test("the draft is exactly what is on screen, without the UI's row ids", () => {
  const d = toDraft({
    ...emptyState(),
    query: " Launches ",
    limit: "1,000",
    enrichments: [
      { uid: "x", source: "mine", name: "product", description: "Product name", kind: "text" },
    ],
  });
  expect(d).toEqual({
    query: "Launches",
    context: null,
    startDate: null,
    endDate: null,
    limit: 1000,
    mode: "base",
    validators: null,
    enrichments: [{ name: "product", description: "Product name", kind: "text" }],
    sourceGroups: null,
  });
  expect(move([1, 2, 3], 2, 1)).toEqual([1, 3, 2]);
  expect(move([1, 2, 3], 0, -1)).toEqual([1, 2, 3]);
});

test("a relative window is remembered and counts from today", () => {
  const then = presetDates(168, new Date("2025-01-10T12:00:00Z"));
  expect(presetOf(then.startDate, then.endDate)).toBe("7d");
  expect(presetOf("2025-01-03", "2025-01-10")).toBeNull();
  const now = new Date("2025-03-01T08:00:00Z");
  const s = fromDraft(
    {
      query: "Layoffs",
      context: null,
      ...then,
      limit: null,
      mode: "base",
      validators: null,
      enrichments: null,
    },
    now,
  );
  expect(s.preset).toBe("7d");
  expect(s.endDate).toBe("2025-03-01T08:00:00Z");
  expect(s.startDate).toBe("2025-02-22T08:00:00Z");
  const later = freshDates(s, new Date("2025-03-02T08:00:00Z"));
  expect(later.endDate).toBe("2025-03-02T08:00:00Z");
  expect(freshDates({ ...s, preset: null }, new Date()).endDate).toBe(s.endDate);
});

test("chosen source groups go into the draft, and more than 20 is a problem on screen", () => {
  const base = { ...emptyState(), query: "Launches of new phones" };
  expect(
    toDraft({ ...base, sourceGroups: ["tech-press", "tier-1-business"] }).sourceGroups,
  ).toEqual(["tech-press", "tier-1-business"]);
  expect(toDraft(base).sourceGroups).toBeNull();
  expect(
    localProblems({ ...base, sourceGroups: Array.from({ length: 20 }, (_, i) => `g${i}`) }),
  ).toEqual({});
  expect(
    localProblems({ ...base, sourceGroups: Array.from({ length: 21 }, (_, i) => `g${i}`) })
      .sourceGroups,
  ).toBe("Choose at most 20 source groups (21 are chosen).");
  expect(fromDraft({ ...toDraft(base), sourceGroups: ["tech-press"] }).sourceGroups).toEqual([
    "tech-press",
  ]);
  expect(fromDraft({ ...toDraft(base), sourceGroups: null }).sourceGroups).toEqual([]);
});
