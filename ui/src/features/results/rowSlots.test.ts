import { describe, expect, it } from "vitest";
import { assignSlots } from "./rowSlots";

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe("assignSlots", () => {
  it("numbers the first rows from zero", () => {
    expect([...assignSlots(new Map(), range(0, 4))]).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
  });

  it("gives rows scrolling in the slots of rows scrolling out, for any step", () => {
    let slots = assignSlots(new Map(), range(0, 29));
    for (const step of [1, 3, 11, 29, 30, 500]) {
      const first = [...slots.keys()][0] + step;
      const before = slots;
      slots = assignSlots(before, range(first, first + 29));
      // Rows still on screen keep their slot.
      for (const [i, s] of slots) if (before.has(i)) expect(s).toBe(before.get(i));
      // No new slot: the same 30 elements, refilled.
      expect(new Set(slots.values())).toEqual(new Set(range(0, 29)));
    }
  });

  it("adds slots only when more rows fit, and never gives two rows one slot", () => {
    const a = assignSlots(new Map(), range(10, 19));
    const b = assignSlots(a, range(12, 23));
    expect(new Set(b.values())).toEqual(new Set(range(0, 11)));
    const c = assignSlots(b, range(20, 24));
    expect(new Set(c.values()).size).toBe(5);
    for (const i of [20, 21, 22, 23]) expect(c.get(i)).toBe(b.get(i));
  });

  it("is stable when asked again for the same rows", () => {
    const a = assignSlots(new Map(), range(5, 40));
    expect(assignSlots(a, range(5, 40))).toEqual(a);
  });
});
