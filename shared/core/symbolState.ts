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
  /** The symbol's latest episode (contract §5), which its next alert may still join; null before the first. */
  episode: EpisodeState | null;
}

/** An episode as far as it goes (contract §5): minutes of its first and last alert, its counts, its peak. */
export interface EpisodeState {
  start: number;
  end: number;
  count: number;
  /** How many of its alerts each rule fired on. */
  a1: number;
  a2: number;
  /** The largest severity of its alerts; null while none has one (contract §4). */
  peakSeverity: number | null;
}

export const EMPTY_STATE: SymbolState = { lastMinute: null, lastClose: null, window: [], episode: null };

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
  const { lastMinute, lastClose, window, episode } = state;
  if (lastMinute !== null && !Number.isInteger(lastMinute)) fail('lastMinute');
  if (lastClose !== null && typeof lastClose !== 'string') fail('lastClose');
  if (!Array.isArray(window)) return fail('window');
  for (const entry of window) {
    if (typeof entry !== 'object' || !Number.isInteger(entry?.minute) || typeof entry?.volume !== 'string') {
      fail('window entry');
    }
  }
  // A state written before episodes were kept has none: its next alert starts one.
  if (episode != null) {
    const counts = [episode.start, episode.end, episode.count, episode.a1, episode.a2];
    if (
      !counts.every(Number.isInteger) ||
      (episode.peakSeverity !== null && typeof episode.peakSeverity !== 'number')
    ) {
      fail('episode');
    }
  }
  return { lastMinute: lastMinute ?? null, lastClose: lastClose ?? null, window, episode: episode ?? null };
}
