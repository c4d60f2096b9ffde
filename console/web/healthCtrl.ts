/**
 * The health page's state and actions (#/health, healthPage.ts draws them), without the DOM: the last answer of
 * /api/health and when it came, why the last ask failed (the page then says it is not up to date and keeps the
 * last answer shown), and the refresh schedule: HEALTH_REFRESH_MS after each answer or failure the page asks
 * again, a refresh now (the `r` key) asks at once in its place, and the page's signal stops both. Kept apart
 * from the DOM so that the schedule can be tested with fake timers and a fake server.
 *
 * A refresh now while an ask is out leaves two out at once: an answer older than the one shown is dropped, and
 * only the newest ask, once settled, schedules the next, so there is never more than one timer.
 */
import type { Health } from '../api/contract.js';
import { ApiError } from './api.js';
import { later } from './retry.js';

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

  readonly #fetch: FetchHealth;
  readonly #signal: AbortSignal;
  readonly #changed: () => void;
  /** How many asks were made, and the newest of them whose answer or failure is shown. */
  #asked = 0;
  #settled = 0;
  #cancelNext: () => void = () => undefined;

  constructor(fetch: FetchHealth, signal: AbortSignal, changed: () => void) {
    this.#fetch = fetch;
    this.#signal = signal;
    this.#changed = changed;
  }

  /** Whether the newest ask is still out. */
  get loading(): boolean {
    return this.#settled < this.#asked;
  }

  /** Asks now, in place of the scheduled refresh. Never rejects: a failure is in `error`. */
  async refresh(): Promise<void> {
    if (this.#signal.aborted) return;
    this.#cancelNext();
    const ask = ++this.#asked;
    try {
      const health = await this.#fetch(this.#signal);
      if (!this.#current(ask)) return;
      this.health = health;
      this.updatedAt = Date.now();
      this.error = null;
    } catch (error) {
      if (!this.#current(ask)) return;
      this.error = { message: error instanceof ApiError ? error.message : String(error) };
    }
    if (ask === this.#asked) {
      this.#cancelNext = later(this.#signal, HEALTH_REFRESH_MS, () => void this.refresh());
    }
    this.#changed();
  }

  /** Whether ask `ask`'s outcome is to be shown (the page is there, and nothing newer is shown). */
  #current(ask: number): boolean {
    if (this.#signal.aborted || ask < this.#settled) return false;
    this.#settled = ask;
    return true;
  }
}
