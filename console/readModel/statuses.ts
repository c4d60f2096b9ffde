/** Triage statuses (docs/records.md): their order, which of them close an episode, and their column codes. */
import type { Status, Statuses } from '../api/contract.js';

/** The contract's `Statuses` as a value: the compiler holds it to that list, in that order. */
export const STATUSES: Statuses = ['new', 'investigating', 'escalated', 'dismissed', 'confirmed'];

/** Closing an episode with one of these needs a comment saying why. */
export const CLOSING_STATUSES: readonly Status[] = ['dismissed', 'confirmed'];

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/** The code a status is stored as in the columns (its index in STATUSES); absent or unknown reads as `new`. */
export function statusCode(value: unknown): number {
  const code = STATUSES.indexOf(value as Status);
  return code < 0 ? 0 : code;
}

export function statusOfCode(code: number): Status {
  return STATUSES[code] ?? 'new';
}
