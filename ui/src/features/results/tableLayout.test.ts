import { gridLines, gridTemplate } from "./tableLayout";

test("a job's grid: a track per column, or per column in view and per run between", () => {
  const widths = [100, 10, 20, 30, 200, 5, 7];
  expect(gridTemplate(96, widths, null)).toBe("96px 100px 10px 20px 30px 200px 5px 7px");
  expect(gridLines(null)(3)).toBe(5);
  // Columns 0, 3 and 4 have cells: 1-2 and 5-6 become one track each, as
  // wide as they are together, so every column keeps its place.
  const own = [0, 3, 4];
  expect(gridTemplate(96, widths, own)).toBe("96px 100px 30px 30px 200px 12px");
  const line = gridLines(own);
  expect(own.map(line)).toEqual([2, 4, 5]);
  // A run before the first column with cells, and none after the last.
  expect(gridTemplate(96, widths, [2, 5, 6])).toBe("96px 110px 20px 230px 5px 7px");
  expect([2, 5, 6].map(gridLines([2, 5, 6]))).toEqual([3, 5, 6]);
});
