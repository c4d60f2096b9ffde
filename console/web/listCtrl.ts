/**
 * A list page's state and actions (alerts and episodes, docs/console-api.md "Query filters"), without the DOM:
 * the filters as they sit in the URL, the page shown and the stack of cursors that leads back to it, the
 * selected row, whether it is loading or why it failed, and how many new rows match since (the banner). The
 * view (listView.ts) draws it and calls its actions; `changed` tells the view to draw again.
 *
 * Paging is the server's (a `next` cursor per page); "previous" pops the stack. Live updates: on the first page
 * a change refreshes the list in place, keeping the selected row; further on, only the count of new rows is
 * fetched, since moving the rows under the analyst's eyes would lose their place.
 */
import type { Page } from '../api/contract.js';
import { ApiError, type ListQuery } from './api.js';
import { queryFromParams, withFilter, type FilterKey } from './filters.js';
import { withRetry, type RetryOptions } from './retry.js';
import { clampedIndex, steppedIndex } from './selection.js';

export const DEFAULT_LIMIT = 50;

export interface ListDeps<T> {
  fetch(query: ListQuery, signal: AbortSignal): Promise<Page<T>>;
  id(row: T): string;
  /** The exchange zone the URL's days are in (context.ts). */
  timeZone(): string;
  /** Writes the filters into the URL, without a navigation (history.replaceState). */
  replaceUrl(params: URLSearchParams): void;
  /** How retries wait (retry.ts; a test passes its own). */
  wait?: RetryOptions['wait'];
}

export interface ListError {
  message: string;
  /** A retriable failure: the list asks again by itself. */
  retrying: boolean;
}

export class ListCtrl<T> {
  /** The filters, sort and limit, as in the URL. */
  params: URLSearchParams;
  /** The cursor of each page from the first to the one shown (the first page's is undefined). */
  cursors: (string | undefined)[] = [undefined];
  page: Page<T> | null = null;
  loading = false;
  error: ListError | null = null;
  /** The selected row's index in the page, -1 for none. */
  selected = -1;
  /** Whether the analyst moved the selection (the view then moves the focus to it). */
  focusSelected = false;
  /** New rows matching the filters since this page was loaded, shown on a later page (0: none). */
  newRows = 0;

  readonly #deps: ListDeps<T>;
  readonly #signal: AbortSignal;
  readonly #changed: () => void;
  /** The load in flight: a newer one cancels it (its answer would be for other filters or another page). */
  #load: AbortController | null = null;
  #following = false;
  #followAgain = false;

  constructor(params: URLSearchParams, deps: ListDeps<T>, signal: AbortSignal, changed: () => void) {
    this.params = new URLSearchParams(params);
    this.#deps = deps;
    this.#signal = signal;
    this.#changed = changed;
  }

  get rows(): T[] {
    return this.page?.items ?? [];
  }

  /** The shown page's number from 0. */
  get pageIndex(): number {
    return this.cursors.length - 1;
  }

  get limit(): number {
    const value = Number(this.params.get('limit'));
    return Number.isInteger(value) && value > 0 ? value : DEFAULT_LIMIT;
  }

  /** The position of the page's first row in the whole list, from 0. */
  get start(): number {
    return this.pageIndex * this.limit;
  }

  get canPrevious(): boolean {
    return this.pageIndex > 0;
  }

  get canNext(): boolean {
    return this.page?.next !== undefined;
  }

  selectedRow(): T | undefined {
    return this.selected >= 0 ? this.rows[this.selected] : undefined;
  }

  /** The API query of the filters, for the page after `after`. */
  query(after?: string): ListQuery {
    return { ...queryFromParams(this.params, this.#deps.timeZone()), after };
  }

  /**
   * Loads the page the cursors lead to; `focus` selects its first row for the keys (paging), `keepSelection`
   * keeps the selected row where it is (a refresh). Never rejects: a failure is in `error`.
   */
  async load(options: { keepSelection?: boolean; focus?: boolean } = {}): Promise<void> {
    this.#load?.abort();
    const load = new AbortController();
    this.#load = load;
    const stop = () => load.abort();
    this.#signal.addEventListener('abort', stop, { once: true });
    const after = this.cursors[this.pageIndex];
    try {
      const page = await withRetry(
        (signal) => {
          this.loading = true;
          this.#changed();
          return this.#deps.fetch(this.query(after), signal);
        },
        {
          signal: load.signal,
          wait: this.#deps.wait,
          onRetry: (error) => {
            this.loading = false;
            this.error = { message: messageOf(error), retrying: true };
            this.#changed();
          },
        },
      );
      // An answer that came as a newer load (or the page's end) cancelled this one is not shown.
      if (!load.signal.aborted) this.#show(page, options);
    } catch (error) {
      if (load.signal.aborted) return;
      this.loading = false;
      this.error = { message: messageOf(error), retrying: false };
      this.#changed();
    } finally {
      this.#signal.removeEventListener('abort', stop);
      if (this.#load === load) this.#load = null;
    }
  }

  #show(page: Page<T>, options: { keepSelection?: boolean; focus?: boolean }): void {
    const before = this.selectedRow();
    const beforeId = before === undefined ? undefined : this.#deps.id(before);
    const rows = page.items;
    this.page = page;
    this.loading = false;
    this.error = null;
    // The selected row stays selected if it is still listed; else the selection stays at its place.
    const kept = beforeId === undefined ? -1 : rows.findIndex((row) => this.#deps.id(row) === beforeId);
    this.selected =
      rows.length === 0
        ? -1
        : kept >= 0
          ? kept
          : this.selected >= 0
            ? Math.min(this.selected, rows.length - 1)
            : -1;
    this.focusSelected = false;
    if (options.focus && rows.length > 0 && !options.keepSelection) {
      this.selected = 0;
      this.focusSelected = true;
    }
    if (this.pageIndex === 0) this.newRows = 0;
    this.#changed();
  }

  async nextPage(): Promise<void> {
    const next = this.page?.next;
    if (next === undefined) return;
    this.cursors = [...this.cursors, next];
    await this.load({ focus: true });
  }

  async previousPage(): Promise<void> {
    if (this.cursors.length <= 1) return;
    this.cursors = this.cursors.slice(0, -1);
    await this.load({ focus: true });
  }

  /** Back to the first page (the new rows' banner leads there). */
  async firstPage(): Promise<void> {
    this.cursors = [undefined];
    this.newRows = 0;
    await this.load({ focus: true });
  }

  /** One filter changed (an empty value removes it): the first page of the new list. */
  setFilter(key: FilterKey, value: string): Promise<void> {
    return this.#apply(withFilter(this.params, key, value));
  }

  /** Every filter removed but the page size. */
  clearFilters(): Promise<void> {
    const limit = this.params.get('limit');
    return this.#apply(new URLSearchParams(limit ? { limit } : {}));
  }

  #apply(params: URLSearchParams): Promise<void> {
    this.params = params;
    this.#deps.replaceUrl(params);
    this.cursors = [undefined];
    return this.load();
  }

  /** Selects the row `delta` away (from none: the first going down, the last going up). */
  move(delta: number): void {
    this.select(steppedIndex(this.selected, delta, this.rows.length));
  }

  select(index: number): void {
    this.selected = clampedIndex(index, this.rows.length);
    this.focusSelected = this.selected >= 0;
    this.#changed();
  }

  /** The server's data changed (/api/events): follow it, one reading at a time, the last change not lost. */
  async changed(): Promise<void> {
    if (this.#following) {
      this.#followAgain = true;
      return;
    }
    this.#following = true;
    try {
      do {
        this.#followAgain = false;
        if (this.#signal.aborted) return;
        if (this.pageIndex === 0) {
          await this.load({ keepSelection: true });
        } else {
          await this.#countNew();
        }
      } while (this.#followAgain);
    } finally {
      this.#following = false;
    }
  }

  async #countNew(): Promise<void> {
    try {
      const probe = await this.#deps.fetch({ ...this.query(), limit: 1 }, this.#signal);
      const added = probe.total - (this.page?.total ?? probe.total);
      if (added > 0 && !this.#signal.aborted && this.pageIndex > 0) {
        this.newRows = added;
        this.#changed();
      }
    } catch {
      // The next change tries again.
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}
