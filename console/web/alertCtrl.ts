/**
 * The alert page's state and actions (#/alerts/:id), without the DOM: the chart answer (the alert, its session's
 * bars and alerts, the thresholds) and the alert's episode as its detail answers it, whether it is loading or
 * why it failed (a retriable failure is shown while the page asks again), and the selected alert of the
 * session, which j/k move and Enter opens, what a late bar did to the alert (its marks: withdrawn, raised late,
 * revised), and its episode's suspicion score with this alert's part in it. alertPage.ts draws it and hands it the analyst's keys; `changed`
 * tells it to draw again. The chart itself is chart.ts's, drawn from chartModel.ts.
 *
 * Both requests go together, on the page's signal and through withRetry (retry.ts): the chart is the page, the
 * detail only adds the episode, so a detail not written yet (404, the alert written before its episode) is no
 * episode rather than a failure. Once the page goes, nothing changes any more.
 */
import type {
  AlertDetail,
  AlertMark,
  ChartResponse,
  EpisodeRow,
  EpisodeScore,
  SessionAlert,
} from '../api/contract.js';
import { ApiError } from './api.js';
import { href } from './hashRoutes.js';
import { alertPoints } from './score.js';
import { isAbort, withRetry, type RetryOptions } from './retry.js';
import { clampedIndex, steppedIndex } from './selection.js';

export interface AlertDeps {
  /** GET /api/alerts/:id/chart (api.ts). */
  chart(id: string, signal: AbortSignal): Promise<ChartResponse>;
  /** GET /api/alerts/:id (api.ts). */
  alert(id: string, signal: AbortSignal): Promise<AlertDetail>;
  /** How retries wait (retry.ts; a test passes its own). */
  wait?: RetryOptions['wait'];
}

export interface AlertError {
  /** The server's own words (ApiError's message), or the failure as text. */
  message: string;
  /** A retriable failure: the page asks again by itself. */
  retrying: boolean;
}

/** An alert with no detail answer yet (written before its episode): no episode. Any other failure is shown. */
function notFoundAsNull(error: unknown): null {
  if (error instanceof ApiError && error.status === 404) return null;
  throw error;
}

export class AlertCtrl {
  readonly id: string;
  /** The chart answer: null until it comes. */
  data: ChartResponse | null = null;
  /** The alert's episode, null without a detail answer. */
  episode: EpisodeRow | null = null;
  loading = false;
  error: AlertError | null = null;
  /** The selected session alert's index in `data.sessionAlerts`, -1 for none (first: the alert itself). */
  selected = -1;

  readonly #deps: AlertDeps;
  readonly #signal: AbortSignal;
  readonly #changed: () => void;

  constructor(id: string, deps: AlertDeps, signal: AbortSignal, changed: () => void) {
    this.id = id;
    this.#deps = deps;
    this.#signal = signal;
    this.#changed = changed;
  }

  get sessionAlerts(): SessionAlert[] {
    return this.data?.sessionAlerts ?? [];
  }

  selectedAlert(): SessionAlert | undefined {
    return this.selected >= 0 ? this.sessionAlerts[this.selected] : undefined;
  }

  /** Where Enter leads: the selected session alert, if any. */
  get selectedHref(): string | undefined {
    const row = this.selectedAlert();
    return row === undefined ? undefined : href.alert(row.id);
  }

  /**
   * What late bars did to the alert (contract §2), the withdrawal first: it decides how the figures are read
   * (as they were), and an alert may have been revised before it was withdrawn. Empty before the answer.
   */
  get marks(): AlertMark[] {
    const alert = this.data?.alert;
    if (alert === undefined) return [];
    return [alert.withdrawn, alert.revision].filter((mark): mark is AlertMark => mark !== undefined);
  }

  /** Its episode's suspicion score (from the detail answer); undefined when not scored or not known. */
  get score(): EpisodeScore | undefined {
    return this.episode?.score;
  }

  /** This alert's part in its episode's score, when the score names it. */
  get points(): number | undefined {
    const alert = this.data?.alert;
    return alert === undefined ? undefined : alertPoints(this.score, alert.timestamp);
  }

  /** Whether the alert no longer fires: its figures are as they were. */
  get withdrawn(): boolean {
    return this.data?.alert.withdrawn !== undefined;
  }

  /** Where `e` leads: the alert's episode, once the alert is loaded. */
  get episodeHref(): string | undefined {
    return this.data === null ? undefined : href.episode(this.data.alert.episode);
  }

  /**
   * Asks for the chart and the detail until both answer, or one fails for good. A retriable failure is in
   * `error` (retrying) while the next try is out. Never rejects; after the page's signal aborts, it leaves
   * everything as it was.
   */
  async load(): Promise<void> {
    const id = this.id;
    this.loading = true;
    this.#changed();
    try {
      const [data, detail] = await withRetry(
        (signal) =>
          Promise.all([this.#deps.chart(id, signal), this.#deps.alert(id, signal).catch(notFoundAsNull)]),
        {
          signal: this.#signal,
          wait: this.#deps.wait,
          onRetry: (error) => {
            this.error = { message: messageOf(error), retrying: true };
            this.#changed();
          },
        },
      );
      // An answer that came as the page went is not kept: the page is the next one's.
      if (this.#signal.aborted) return;
      this.data = data;
      this.episode = detail?.episode ?? null;
      this.loading = false;
      this.error = null;
      this.selected = data.sessionAlerts.findIndex((row) => row.id === data.alert.id);
      this.#changed();
    } catch (error) {
      if (this.#signal.aborted || isAbort(error)) return;
      this.loading = false;
      this.error = { message: messageOf(error), retrying: false };
      this.#changed();
    }
  }

  /** Selects the session alert `delta` away (from none: the first going down, the last going up). */
  move(delta: number): void {
    this.select(steppedIndex(this.selected, delta, this.sessionAlerts.length));
  }

  select(index: number): void {
    this.selected = clampedIndex(index, this.sessionAlerts.length);
    this.#changed();
  }
}

function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}
