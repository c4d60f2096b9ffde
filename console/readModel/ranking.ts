/**
 * One page of a ranked list, computed over columns: every row is tested against the filter (so the total is
 * exact), and the first `limit` rows after the cursor, in the list's order, are kept in a small sorted buffer.
 * 290,000 rows take a few milliseconds, whatever the filter and the order.
 *
 * Orders (the API's `sort`):
 * - `score` (the default): suspicion score descending (an alert's is its episode's), rows not scored last, ties
 *   by severity as `severity` orders them (an alert's own, an episode's peak);
 * - `newest`: time descending;
 * - `severity`: severity descending, rows without one last, ties newest first.
 * Remaining ties go by the `tie` text ascending (the symbol of an alert, the id of an episode), so that the
 * order is total and a cursor (the key of the last row shown) always says exactly where the next page starts,
 * however many rows arrived meanwhile.
 */

export const SORTS = ['score', 'newest', 'severity'] as const;
export type Sort = (typeof SORTS)[number];
export const DEFAULT_SORT: Sort = 'score';

/** Where a row stands in the order. `score` and `severity` are NaN for none. */
export interface RankKey {
  score: number;
  severity: number;
  time: number;
  tie: string;
}

/** The rows to rank, by accessor. */
export interface Ranked {
  readonly size: number;
  score(row: number): number;
  severity(row: number): number;
  time(row: number): number;
  tie(row: number): string;
}

export interface RankedPage {
  rows: number[];
  /** Rows matching the filter, cursor aside. */
  total: number;
  /** Whether rows follow the last one of this page. */
  more: boolean;
}

/** Larger first, NaN (none) last; 0 when they tie. */
function descending(a: number, b: number): number {
  const aNone = Number.isNaN(a);
  const bNone = Number.isNaN(b);
  if (aNone !== bNone) return aNone ? 1 : -1;
  return aNone || a === b ? 0 : a > b ? -1 : 1;
}

/** Negative when `a` comes first. */
export function compareKeys(sort: Sort, a: RankKey, b: RankKey): number {
  if (sort === 'score') {
    const byScore = descending(a.score, b.score);
    if (byScore !== 0) return byScore;
  }
  if (sort !== 'newest') {
    const bySeverity = descending(a.severity, b.severity);
    if (bySeverity !== 0) return bySeverity;
  }
  if (a.time !== b.time) return a.time > b.time ? -1 : 1;
  return a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0;
}

export function keyOf(source: Ranked, row: number): RankKey {
  return {
    score: source.score(row),
    severity: source.severity(row),
    time: source.time(row),
    tie: source.tie(row),
  };
}

/** `row` against `key` without making the row's key (the scan's hot path). */
function compareRow(sort: Sort, source: Ranked, row: number, key: RankKey): number {
  if (sort === 'score') {
    const byScore = descending(source.score(row), key.score);
    if (byScore !== 0) return byScore;
  }
  if (sort !== 'newest') {
    const bySeverity = descending(source.severity(row), key.severity);
    if (bySeverity !== 0) return bySeverity;
  }
  const time = source.time(row);
  if (time !== key.time) return time > key.time ? -1 : 1;
  const tie = source.tie(row);
  return tie < key.tie ? -1 : tie > key.tie ? 1 : 0;
}

export function rankPage(
  source: Ranked,
  sort: Sort,
  matches: (row: number) => boolean,
  after: RankKey | undefined,
  limit: number,
): RankedPage {
  const rows: number[] = [];
  const keys: RankKey[] = [];
  let total = 0;
  let following = 0;
  // Last row first: rows are added as documents are first read (a scan in id order, each symbol's oldest first,
  // then what arrives live, newest), so the newest come early and few rows after them enter the kept buffer. The
  // page is the same in any order (the order is total); first to last, newest first cost 0.3 s for 1M episodes.
  for (let row = source.size - 1; row >= 0; row--) {
    if (!matches(row)) continue;
    total++;
    if (after !== undefined && compareRow(sort, source, row, after) <= 0) continue;
    following++;
    if (rows.length === limit && compareRow(sort, source, row, keys[limit - 1]!) >= 0) continue;
    const key = keyOf(source, row);
    // Binary search for the first kept key that comes after this one.
    let low = 0;
    let high = keys.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compareKeys(sort, keys[middle]!, key) <= 0) low = middle + 1;
      else high = middle;
    }
    keys.splice(low, 0, key);
    rows.splice(low, 0, row);
    if (rows.length > limit) {
      keys.pop();
      rows.pop();
    }
  }
  return { rows, total, more: following > rows.length };
}
