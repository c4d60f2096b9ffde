/**
 * A page that refreshes itself (health, ingestions): asks now in place of the scheduled ask, shows only the
 * newest outcome, and schedules the next ask when that outcome says so. A new ask while one is out leaves two
 * out at once: an outcome older than the one shown is dropped, and only the newest ask, once settled, schedules
 * the next, so there is never more than one timer. The page's signal stops asks and timer alike. No DOM.
 */
import { later } from './retry.js';

/** What an ask came to: its answer, or why it failed. */
export type AskOutcome<T> = { answer: T } | { error: unknown };

export class RefreshLoop<T> {
  readonly #ask: (signal: AbortSignal) => Promise<T>;
  readonly #signal: AbortSignal;
  readonly #settle: (outcome: AskOutcome<T>) => number | null;
  readonly #changed: () => void;
  /** How many asks were made, and the newest of them whose outcome is shown. */
  #asked = 0;
  #settled = 0;
  #cancelNext: () => void = () => undefined;

  /**
   * @param settle takes the newest outcome into the page's state and says in how many ms to ask again (null:
   *   not until asked)
   * @param changed tells the view to draw again, after each outcome taken
   */
  constructor(
    ask: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
    settle: (outcome: AskOutcome<T>) => number | null,
    changed: () => void,
  ) {
    this.#ask = ask;
    this.#signal = signal;
    this.#settle = settle;
    this.#changed = changed;
  }

  /** Whether the newest ask is still out. */
  get loading(): boolean {
    return this.#settled < this.#asked;
  }

  /** Asks now, in place of the scheduled ask. Never rejects: a failure is the outcome `settle` takes. */
  async refresh(): Promise<void> {
    if (this.#signal.aborted) return;
    this.#cancelNext();
    const ask = ++this.#asked;
    let outcome: AskOutcome<T>;
    try {
      outcome = { answer: await this.#ask(this.#signal) };
    } catch (error) {
      outcome = { error };
    }
    if (this.#signal.aborted || ask < this.#settled) return;
    this.#settled = ask;
    const nextMs = this.#settle(outcome);
    if (nextMs !== null && ask === this.#asked) {
      this.#cancelNext = later(this.#signal, nextMs, () => void this.refresh());
    }
    this.#changed();
  }
}
