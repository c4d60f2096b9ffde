/** Severity (contract §4): how far past its threshold an alert went, where 1 is the threshold itself. */

/** The larger of two severities; a missing one (null) never wins over a number. */
export function higherSeverity(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}
