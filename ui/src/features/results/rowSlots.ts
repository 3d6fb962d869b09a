// Which <tr> each row on screen uses while the table scrolls.

/**
 * Slots for the rows on screen, keyed by row index. A row that stays keeps
 * its slot; a row scrolling in takes the lowest slot free, which is one a
 * row scrolling out just gave up. Rows keyed by slot make React refill the
 * same elements instead of building new ones: keyed by index modulo a pool
 * with spare slots, a 400 px scroll step built ~11 new rows (measured with a
 * MutationObserver in bench/ui's scroll: 2,777 rows added in 250 steps).
 */
export function assignSlots(
  previous: ReadonlyMap<number, number>,
  indexes: readonly number[],
): Map<number, number> {
  const next = new Map<number, number>();
  const taken = new Set<number>();
  for (const i of indexes) {
    const slot = previous.get(i);
    if (slot !== undefined && !next.has(i)) {
      next.set(i, slot);
      taken.add(slot);
    }
  }
  let free = 0;
  for (const i of indexes) {
    if (next.has(i)) continue;
    while (taken.has(free)) free++;
    next.set(i, free);
    taken.add(free);
  }
  return next;
}
