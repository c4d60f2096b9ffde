/**
 * The ingestions page's state and actions (#/ingestions, ingestionsPage.ts draws them), without the DOM: the
 * status filter as in the URL, the last list answered for it, why the last ask failed, and the refresh schedule:
 * while an ingestion is running, or after a failure, the page asks again INGESTIONS_REFRESH_MS later; once
 * nothing runs it stops. A refresh now (the `r` key) or a new filter asks at once in place of the scheduled
 * refresh, and the page's signal stops both. Kept apart from the DOM so that the schedule can be tested with
 * fake timers and a fake server.
 *
 * The newest ask's outcome wins, with one timer at most (refreshLoop.ts).
 */
import type { IngestionRow } from '../api/contract.js';
import { ApiError } from './api.js';
import { RefreshLoop, type AskOutcome } from './refreshLoop.js';

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
  readonly #loop: RefreshLoop<{ items: IngestionRow[] }>;

  constructor(status: string, deps: IngestionsDeps, signal: AbortSignal, changed: () => void) {
    this.status = status;
    this.#deps = deps;
    this.#loop = new RefreshLoop(
      (signal) => deps.fetch(this.status || undefined, signal),
      signal,
      (outcome) => this.#take(outcome),
      changed,
    );
  }

  /** Whether the newest ask is still out. */
  get loading(): boolean {
    return this.#loop.loading;
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
  refresh(): Promise<void> {
    return this.#loop.refresh();
  }

  /** The newest outcome into the state; the next ask after a failure, or while something runs. */
  #take(outcome: AskOutcome<{ items: IngestionRow[] }>): number | null {
    if ('answer' in outcome) {
      this.items = outcome.answer.items;
      this.error = null;
      return this.running ? INGESTIONS_REFRESH_MS : null;
    }
    const { error } = outcome;
    this.error = { message: error instanceof ApiError ? error.message : String(error) };
    return INGESTIONS_REFRESH_MS;
  }
}
