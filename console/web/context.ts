/**
 * What every page shares: the exchange time zone and the server's meta (symbols, statuses, the user). The zone
 * comes from /api/meta when the server gives one, else from the last chart answer (remembered across reloads),
 * else the contract's default exchange zone.
 */
import { api, type Meta } from './api.js';
import { isTimeZone } from './format.js';

/** The contract's default exchange time zone (detect --timezone). */
export const DEFAULT_TIME_ZONE = 'Asia/Kolkata';
const STORED_ZONE = 'stock-anomalies.timeZone';

export interface PageContext {
  readonly timeZone: string;
  readonly meta: Meta | null;
}

const state: { timeZone: string; meta: Meta | null } = { timeZone: initialZone(), meta: null };

function initialZone(): string {
  try {
    const stored = localStorage.getItem(STORED_ZONE);
    if (stored !== null && isTimeZone(stored)) return stored;
  } catch {
    // Storage may be unavailable (a locked-down browser): the default serves.
  }
  return DEFAULT_TIME_ZONE;
}

export const context: PageContext = {
  get timeZone() {
    return state.timeZone;
  },
  get meta() {
    return state.meta;
  },
};

/** Adopts the zone the server named (a chart answer's `timeZone`). Returns whether it changed. */
export function adoptTimeZone(timeZone: string | undefined): boolean {
  if (timeZone === undefined || !isTimeZone(timeZone) || timeZone === state.timeZone) return false;
  state.timeZone = timeZone;
  try {
    localStorage.setItem(STORED_ZONE, timeZone);
  } catch {
    // Not remembered; the next chart answer tells again.
  }
  return true;
}

/** Loads /api/meta once. A failure leaves meta null (the pages still work; symbol filters become free text). */
export async function loadMeta(): Promise<Meta | null> {
  try {
    state.meta = await api.meta();
    adoptTimeZone(state.meta.timeZone);
  } catch {
    state.meta = null;
  }
  return state.meta;
}
