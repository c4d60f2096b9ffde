/**
 * The API's opaque `after` cursor: the order it was made for and the key of the last row shown. The next page
 * starts strictly after that key, so rows written meanwhile neither repeat nor push rows off a page.
 */
import { SORTS, type RankKey, type Sort } from './ranking.js';

const orNull = (value: number) => (Number.isNaN(value) ? null : value);
const nullableFinite = (value: unknown) =>
  value === null || (typeof value === 'number' && Number.isFinite(value));

export function encodeCursor(sort: Sort, key: RankKey): string {
  return Buffer.from(
    JSON.stringify([sort, orNull(key.score), orNull(key.severity), key.time, key.tie]),
  ).toString('base64url');
}

/** The key a cursor holds; undefined when it is not one made for `sort`. */
export function decodeCursor(text: string, sort: Sort): RankKey | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  // A cursor made before scores ([sort, severity, time, tie]) still pages the orders it was made for.
  const fields = value.length === 4 && value[0] !== 'score' ? [value[0], null, ...value.slice(1)] : value;
  if (fields.length !== 5) return undefined;
  const [made, score, severity, time, tie] = fields as unknown[];
  if (made !== sort || !(SORTS as readonly unknown[]).includes(made)) return undefined;
  if (!nullableFinite(score) || !nullableFinite(severity)) return undefined;
  if (typeof time !== 'number' || !Number.isFinite(time) || typeof tie !== 'string') return undefined;
  return {
    score: (score as number | null) ?? Number.NaN,
    severity: (severity as number | null) ?? Number.NaN,
    time,
    tie,
  };
}
