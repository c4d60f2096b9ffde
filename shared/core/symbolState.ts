/**
 * A symbol's rolling state between batches, as a plain serializable value: the last processed bar's minute
 * and close, and the processed bars of the last `window` minutes. Minutes are whole minutes since the Unix
 * epoch (UTC); values are decimal text, so that a state written and read back compares exactly as before.
 */
import { FinalError } from '../errors.js';

export interface SymbolState {
  lastMinute: number | null;
  lastClose: string | null;
  /** The recent processed bars, oldest first (objects, not pairs: Firestore stores no nested arrays). */
  window: Array<{ minute: number; volume: string }>;
}

export const EMPTY_STATE: SymbolState = { lastMinute: null, lastClose: null, window: [] };

/**
 * A stored symbol state that is not one: a problem with the data (written by hand, by an older version, or
 * damaged), not a bug of the code reading it, and reading it again gives the same answer.
 */
export class StateFormatError extends FinalError {
  override name = 'StateFormatError';
}

/** Checks a value read back from storage. @throws StateFormatError naming what is wrong */
export function parseSymbolState(value: unknown): SymbolState {
  const state = value as Partial<SymbolState> | null;
  const fail = (what: string): never => {
    throw new StateFormatError(`not a symbol state: ${what}`);
  };
  if (typeof state !== 'object' || state === null) return fail('not an object');
  const { lastMinute, lastClose, window } = state;
  if (lastMinute !== null && !Number.isInteger(lastMinute)) fail('lastMinute');
  if (lastClose !== null && typeof lastClose !== 'string') fail('lastClose');
  if (!Array.isArray(window)) return fail('window');
  for (const entry of window) {
    if (typeof entry !== 'object' || !Number.isInteger(entry?.minute) || typeof entry?.volume !== 'string') {
      fail('window entry');
    }
  }
  return { lastMinute: lastMinute ?? null, lastClose: lastClose ?? null, window };
}
