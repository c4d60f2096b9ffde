/** The quality report of one object and the rows it set aside (contract §1: nothing is silently lost). */
import { FinalError } from '../errors.js';

/** Why a data row was set aside. */
export const BAD_REASONS = [
  'field-count',
  'quotes',
  'encoding',
  'symbol-empty',
  'symbol',
  'timestamp',
  'future',
  'number',
  'price-not-positive',
  'volume-negative',
] as const;
export type BadReason = (typeof BAD_REASONS)[number];
export type SetAsideReason = BadReason | 'duplicate';

/** A row kept aside: bad or duplicate. `raw` is the row as CSV text (its fields, re-quoted where needed). */
export interface SetAsideRow {
  line: number;
  reason: SetAsideReason;
  detail: string;
  raw: string;
}

export interface GapStats {
  /** Runs of missing minutes between consecutive bars of one symbol on the same exchange-local date. */
  count: number;
  missingMinutes: number;
  largest: number;
}

export interface QualityReport {
  object: string;
  status: 'accepted' | 'rejected';
  /** Why the object was rejected as a whole. */
  error?: string;
  missingColumns?: string[];
  /** Non-blank lines after the header; always accepted + bad.count + duplicates.count. */
  dataRows: number;
  accepted: number;
  bad: { count: number; byReason: Partial<Record<BadReason, number>> };
  duplicates: { count: number; conflicting: number };
  /** Accepted rows whose minute is before the latest minute already seen for their symbol in the object. */
  outOfOrder: number;
  gaps: GapStats;
  symbols: string[];
  firstMinute: string | null;
  lastMinute: string | null;
}

export function emptyReport(object: string): QualityReport {
  return {
    object,
    status: 'accepted',
    dataRows: 0,
    accepted: 0,
    bad: { count: 0, byReason: {} },
    duplicates: { count: 0, conflicting: 0 },
    outOfOrder: 0,
    gaps: { count: 0, missingMinutes: 0, largest: 0 },
    symbols: [],
    firstMinute: null,
    lastMinute: null,
  };
}

/** Thrown for an object that cannot be read at all; the message names the problem. Final: the same bytes get the same answer. */
export class ObjectRejectedError extends FinalError {
  override name = 'ObjectRejectedError';
  constructor(
    message: string,
    readonly missingColumns?: string[],
  ) {
    super(message);
  }
}
