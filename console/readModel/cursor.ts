/**
 * The API's opaque `after` cursor: the order it was made for and the key of the last row shown. The next page
 * starts strictly after that key, so rows written meanwhile neither repeat nor push rows off a page.
 */
import { SORTS, type RankKey, type Sort } from './ranking.js';

export function encodeCursor(sort: Sort, key: RankKey): string {
  const severity = Number.isNaN(key.severity) ? null : key.severity;
  return Buffer.from(JSON.stringify([sort, severity, key.time, key.tie])).toString('base64url');
}

/** The key a cursor holds; undefined when it is not one made for `sort`. */
export function decodeCursor(text: string, sort: Sort): RankKey | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 4) return undefined;
  const [made, severity, time, tie] = value as unknown[];
  if (made !== sort || !(SORTS as readonly unknown[]).includes(made)) return undefined;
  if (severity !== null && (typeof severity !== 'number' || !Number.isFinite(severity))) return undefined;
  if (typeof time !== 'number' || !Number.isFinite(time) || typeof tie !== 'string') return undefined;
  return { severity: severity ?? Number.NaN, time, tie };
}
