/**
 * The health page's state and actions (#/health, healthPage.ts draws them), without the DOM: the last answer of
 * /api/health and when it came, why the last ask failed (the page then says it is not up to date and keeps the
 * last answer shown), and the refresh schedule: HEALTH_REFRESH_MS after each answer or failure the page asks
 * again, a refresh now (the `r` key) asks at once in its place, and the page's signal stops both. Kept apart
 * from the DOM so that the schedule can be tested with fake timers and a fake server.
 *
 * The newest ask's outcome wins, with one timer at most (refreshLoop.ts).
 */
import type { Health } from '../api/contract.js';
import { ApiError } from './api.js';
import { RefreshLoop, type AskOutcome } from './refreshLoop.js';

export const HEALTH_REFRESH_MS = 3000;

export type FetchHealth = (signal: AbortSignal) => Promise<Health>;

export interface HealthError {
  message: string;
}

export class HealthCtrl {
  /** The last answer (null until the first comes). */
  health: Health | null = null;
  /** When that answer came (ms since the epoch). */
  updatedAt: number | null = null;
  /** Why the last ask failed; null once an answer comes. A new object each failure. */
  error: HealthError | null = null;

  readonly #loop: RefreshLoop<Health>;

  constructor(fetch: FetchHealth, signal: AbortSignal, changed: () => void) {
    this.#loop = new RefreshLoop(fetch, signal, (outcome) => this.#take(outcome), changed);
  }

  /** Whether the newest ask is still out. */
  get loading(): boolean {
    return this.#loop.loading;
  }

  /** Asks now, in place of the scheduled refresh. Never rejects: a failure is in `error`. */
  refresh(): Promise<void> {
    return this.#loop.refresh();
  }

  /** The newest outcome into the state; the next ask HEALTH_REFRESH_MS on, after an answer or a failure alike. */
  #take(outcome: AskOutcome<Health>): number {
    if ('answer' in outcome) {
      this.health = outcome.answer;
      this.updatedAt = Date.now();
      this.error = null;
    } else {
      const { error } = outcome;
      this.error = { message: error instanceof ApiError ? error.message : String(error) };
    }
    return HEALTH_REFRESH_MS;
  }
}
