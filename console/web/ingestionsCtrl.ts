/**
 * The ingestions page's state and actions (#/ingestions, ingestionsPage.ts draws them), without the DOM: the
 * status filter as in the URL, the last list answered for it, why the last ask failed, and the refresh schedule:
 * while an ingestion is running, or after a failure, the page asks again INGESTIONS_REFRESH_MS later; once
 * nothing runs it stops. A refresh now (the `r` key) or a new filter asks at once in place of the scheduled
 * refresh, and the page's signal stops both. Kept apart from the DOM so that the schedule can be tested with
 * fake timers and a fake server.
 *
 * A new ask while one is out leaves two out at once: an answer older than the one shown is dropped, and only
 * the newest ask, once settled, schedules the next, so there is never more than one timer.
 */
import type { IngestionRow } from '../api/contract.js';
import { ApiError } from './api.js';
import { later } from './retry.js';

export const INGESTIONS_REFRESH_MS = 5000;

export interface IngestionsDeps {
  /** The ingestions, with this status only when one is given. */
  fetch(status: string | undefined, signal: AbortSignal): Promise<{ items: IngestionRow[] }>;
  /** Writes the filter into the URL, without a navigation (history.replaceState). */
  replaceUrl(status: string): void;
}

export interface IngestionsError {
  message: string;
}

export class IngestionsCtrl {
  /** The status filter ('' for any). */
  status: string;
  /** The last list answered (null until the first comes); kept while a failure is shown. */
  items: IngestionRow[] | null = null;
  /** Why the last ask failed; null once an answer comes. A new object each failure. */
  error: IngestionsError | null = null;

  readonly #deps: IngestionsDeps;
  readonly #signal: AbortSignal;
  readonly #changed: () => void;
  /** How many asks were made, and the newest of them whose answer or failure is shown. */
  #asked = 0;
  #settled = 0;
  #cancelNext: () => void = () => undefined;

  constructor(status: string, deps: IngestionsDeps, signal: AbortSignal, changed: () => void) {
    this.status = status;
    this.#deps = deps;
    this.#signal = signal;
    this.#changed = changed;
  }

  /** Whether the newest ask is still out. */
  get loading(): boolean {
    return this.#settled < this.#asked;
  }

  /** Whether an ingestion in the list shown is running (the page then keeps refreshing). */
  get running(): boolean {
    return (this.items ?? []).some((item) => item.status === 'running');
  }

  /** Another status filter ('' for any): into the URL, and its list asked for at once. */
  setStatus(status: string): Promise<void> {
    this.status = status;
    this.#deps.replaceUrl(status);
    return this.refresh();
  }

  /** Asks now, in place of the scheduled refresh. Never rejects: a failure is in `error`. */
  async refresh(): Promise<void> {
    if (this.#signal.aborted) return;
    this.#cancelNext();
    const ask = ++this.#asked;
    let again: boolean;
    try {
      const { items } = await this.#deps.fetch(this.status || undefined, this.#signal);
      if (!this.#current(ask)) return;
      this.items = items;
      this.error = null;
      again = this.running;
    } catch (error) {
      if (!this.#current(ask)) return;
      this.error = { message: error instanceof ApiError ? error.message : String(error) };
      again = true;
    }
    if (again && ask === this.#asked) {
      this.#cancelNext = later(this.#signal, INGESTIONS_REFRESH_MS, () => void this.refresh());
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
