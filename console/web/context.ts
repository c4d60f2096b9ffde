/**
 * What every page shares: the server's meta (symbols, statuses, the user, the exchange time zone). Every time
 * the app shows is in the zone /api/meta names (the server's detection settings, EXCHANGE_TIMEZONE), so main.ts
 * mounts no page before the meta has come.
 */
import type { Meta } from '../api/contract.js';
import { api } from './api.js';
import { isTimeZone } from './format.js';
import { sleep, withRetry } from './retry.js';

/** What a time is shown in when the browser does not know the server's zone: UTC, named as such. */
export const FALLBACK_TIME_ZONE = 'UTC';

export interface PageContext {
  readonly timeZone: string;
  readonly meta: Meta | null;
}

const state: { timeZone: string; meta: Meta | null } = { timeZone: FALLBACK_TIME_ZONE, meta: null };

export const context: PageContext = {
  get timeZone() {
    return state.timeZone;
  },
  get meta() {
    return state.meta;
  },
};

/** The zone to show times in for the server's meta: its `timeZone`, or UTC when this browser has no such zone. */
export function timeZoneOf(meta: Pick<Meta, 'timeZone'>): string {
  return isTimeZone(meta.timeZone) ? meta.timeZone : FALLBACK_TIME_ZONE;
}

/**
 * Loads /api/meta, asking again after any failure until it comes (without it the app knows no zone to show
 * times in), waiting as retry.ts does; `waiting` hears each failure.
 */
/** The app's own signal for the meta: no page is shown before it comes, so nothing ever aborts it. */
const APP = new AbortController().signal;

export async function loadMeta(
  waiting: (error: unknown) => void = () => undefined,
  wait: (ms: number) => Promise<void> = (ms) => sleep(ms, APP),
): Promise<Meta> {
  const meta = await withRetry(() => api.meta(), {
    signal: APP,
    retriable: () => true,
    onRetry: waiting,
    wait: (ms) => wait(ms),
  });
  state.meta = meta;
  state.timeZone = timeZoneOf(meta);
  return meta;
}
