// Which windows of rows the table needs for what is on screen.
export const WINDOW_SIZE = 150;

/** Window indexes covering rows [first, last]; window 0 while the total is unknown. */
export function windowsFor(first: number, last: number, count: number): number[] {
  if (count <= 0 || last < first) return [0];
  const a = Math.floor(Math.max(0, first) / WINDOW_SIZE);
  const b = Math.floor(Math.min(last, count - 1) / WINDOW_SIZE);
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

export const viewKeyOf = (v: unknown) => JSON.stringify(v);
