/**
 * The episode page's state (#/episodes/:id), without the DOM: the detail as the server answers it, whether it is
 * loading or why it failed (a retriable failure is shown while the page asks again), and what a late bar's
 * revision did (contract §5): whether this episode was withdrawn and where its alerts went, and the withdrawn
 * episodes that merged into it, whose triage and history are shown here, and its suspicion score. The triage form's own state is
 * triageCtrl.ts's; episodePage.ts draws both.
 *
 * The request goes on the page's signal and through withRetry (retry.ts). Once the page goes, nothing changes.
 */
import type { EpisodeDetail, EpisodeScore, EpisodeWithdrawal, MergedEpisode } from '../api/contract.js';
import { ApiError } from './api.js';
import { href } from './hashRoutes.js';
import { isAbort, withRetry, type RetryOptions } from './retry.js';

export interface EpisodeDeps {
  /** GET /api/episodes/:id (api.ts). */
  episode(id: string, signal: AbortSignal): Promise<EpisodeDetail>;
  /** How retries wait (retry.ts; a test passes its own). */
  wait?: RetryOptions['wait'];
}

export interface EpisodeError {
  /** The server's own words (ApiError's message), or the failure as text. */
  message: string;
  /** A retriable failure: the page asks again by itself. */
  retrying: boolean;
}

export class EpisodeCtrl {
  readonly id: string;
  /** The detail answer: null until it comes. */
  detail: EpisodeDetail | null = null;
  loading = false;
  error: EpisodeError | null = null;

  readonly #deps: EpisodeDeps;
  readonly #signal: AbortSignal;
  readonly #changed: () => void;

  constructor(id: string, deps: EpisodeDeps, signal: AbortSignal, changed: () => void) {
    this.id = id;
    this.#deps = deps;
    this.#signal = signal;
    this.#changed = changed;
  }

  /** The episode's suspicion score: why it ranks where it does; undefined when not scored (or not loaded). */
  get score(): EpisodeScore | undefined {
    return this.detail?.episode.score;
  }

  /** Set when a late bar's revision regrouped the episode away: it is listed no more and takes no triage. */
  get withdrawn(): EpisodeWithdrawal | undefined {
    return this.detail?.episode.withdrawn;
  }

  /** Where its alerts went: the episode it merged into, if any. */
  get intoHref(): string | undefined {
    const into = this.withdrawn?.into;
    return into ? href.episode(into) : undefined;
  }

  /** The withdrawn episodes that merged into this one, by start, with their triage and history. */
  get merged(): MergedEpisode[] {
    return this.detail?.merged ?? [];
  }

  /**
   * Asks for the detail until it answers, or fails for good. A retriable failure is in `error` (retrying) while
   * the next try is out. Never rejects; after the page's signal aborts, it leaves everything as it was.
   */
  async load(): Promise<void> {
    this.loading = true;
    this.#changed();
    try {
      const detail = await withRetry((signal) => this.#deps.episode(this.id, signal), {
        signal: this.#signal,
        wait: this.#deps.wait,
        onRetry: (error) => {
          this.error = { message: messageOf(error), retrying: true };
          this.#changed();
        },
      });
      // An answer that came as the page went is not kept: the page is the next one's.
      if (this.#signal.aborted) return;
      this.detail = detail;
      this.loading = false;
      this.error = null;
      this.#changed();
    } catch (error) {
      if (this.#signal.aborted || isAbort(error)) return;
      this.loading = false;
      this.error = { message: messageOf(error), retrying: false };
      this.#changed();
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}
