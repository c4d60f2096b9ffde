/** Moving a selection along a list of rows, as the pages' j/k keys do: pure, shared by the ctrls and the table. */

/** `index` held to the rows: -1 when there are none. */
export function clampedIndex(index: number, count: number): number {
  return count === 0 ? -1 : Math.max(0, Math.min(count - 1, index));
}

/** The row `delta` away from `selected` (from none, -1: the first going down, the last going up), held to the rows. */
export function steppedIndex(selected: number, delta: number, count: number): number {
  return clampedIndex(selected < 0 ? (delta > 0 ? 0 : count - 1) : selected + delta, count);
}
