/**
 * The ingestions page's state (console/web/ingestionsCtrl.ts) without a browser, on fake timers: the first list
 * for the URL's filter, a refresh every INGESTIONS_REFRESH_MS (5 s) while something runs and none once nothing
 * does, a failure shown and asked again 5 s later, a new filter or a refresh now in place of the scheduled
 * refresh, two asks out at once, and a page that goes. The server is a fake that records each ask and answers
 * when the test says (or at once, with `auto`).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IngestionRow } from '../../../../console/api/contract.js';
import { ApiError } from '../../../../console/web/api.js';
import { INGESTIONS_REFRESH_MS, IngestionsCtrl } from '../../../../console/web/ingestionsCtrl.js';

const T0 = Date.UTC(2024, 2, 1, 10, 0, 0);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});

afterEach(() => {
  vi.useRealTimers();
});

/** An ingestion row: its object is `id`.csv. */
const row = (id: string, status: string): IngestionRow => ({
  id,
  object: `${id}.csv`,
  generation: '1',
  status,
  late: 0,
  repeats: 0,
  tooLate: 0,
  revised: 0,
  withdrawn: 0,
  processed: 0,
  alerts: 0,
});

interface Ask {
  /** When it was asked, ms after T0. */
  at: number;
  status: string | undefined;
  signal: AbortSignal;
  answer(items: IngestionRow[]): void;
  fail(error: unknown): void;
}

/**
 * A ctrl over a fake server for the filter `status`: each ask is recorded and stays out until the test settles
 * it, or is settled at once by `auto` (the rows, or an Error to fail with). An abort fails the ask out.
 */
function ingestionsOf(status: string, auto?: (n: number) => IngestionRow[] | Error | undefined) {
  const asks: Ask[] = [];
  const urls: string[] = [];
  const draws: Array<{ ids: string[] | null; error: string | null }> = [];
  const page = new AbortController();
  const ctrl: IngestionsCtrl = new IngestionsCtrl(
    status,
    {
      fetch: (wanted, signal) =>
        new Promise((resolve, reject) => {
          signal.addEventListener('abort', () => reject(new DOMException('left', 'AbortError')));
          asks.push({
            at: Date.now() - T0,
            status: wanted,
            signal,
            answer: (items) => resolve({ items }),
            fail: reject,
          });
          const value = auto?.(asks.length);
          if (value instanceof Error) reject(value);
          else if (value !== undefined) resolve({ items: value });
        }),
      replaceUrl: (next) => urls.push(next),
    },
    page.signal,
    () => draws.push({ ids: ids(ctrl), error: ctrl.error?.message ?? null }),
  );
  return { ctrl, asks, urls, draws, page, times: () => asks.map((ask) => ask.at) };
}

const ids = (ctrl: IngestionsCtrl) => ctrl.items?.map((item) => item.id) ?? null;

describe('IngestionsCtrl', () => {
  it("asks for the URL's filter on the page's signal and shows the list; nothing running, nothing scheduled", async () => {
    const { ctrl, asks, draws, page } = ingestionsOf('failed');
    expect(ctrl.status).toBe('failed');

    const loaded = ctrl.refresh();
    expect(asks.map((ask) => [ask.status, ask.signal === page.signal])).toEqual([['failed', true]]);
    expect([ctrl.loading, ctrl.items, ctrl.error]).toEqual([true, null, null]);
    asks[0]!.answer([row('a', 'failed'), row('b', 'failed')]);
    await loaded;

    expect([ctrl.loading, ids(ctrl), ctrl.running]).toEqual([false, ['a', 'b'], false]);
    expect(draws).toEqual([{ ids: ['a', 'b'], error: null }]);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asks).toHaveLength(1);
  });

  it('asks for any status (no filter sent) when the URL has none', async () => {
    const { ctrl, asks } = ingestionsOf('', () => []);
    await ctrl.refresh();
    expect(asks.map((ask) => ask.status)).toEqual([undefined]);
    expect(ids(ctrl)).toEqual([]);
  });

  it('refreshes 5 s after each answer while something runs, and stops once nothing does', async () => {
    // Running in the first three answers (at 0, 5, 10 s), done in the fourth (15 s).
    const { ctrl, times, draws } = ingestionsOf('', (n) => [
      row('a', n < 4 ? 'running' : 'done'),
      row('b', 'done'),
    ]);
    expect(INGESTIONS_REFRESH_MS).toBe(5000);
    await ctrl.refresh();
    expect([ctrl.running, vi.getTimerCount()]).toEqual([true, 1]);

    await vi.advanceTimersByTimeAsync(4999);
    expect(times()).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times()).toEqual([0, 5000]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(times()).toEqual([0, 5000, 10_000, 15_000]);
    expect([ctrl.running, vi.getTimerCount()]).toEqual([false, 0]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(times()).toEqual([0, 5000, 10_000, 15_000]);
    expect(draws).toHaveLength(4);
  });

  it('shows a failure with the last list kept, asks again 5 s later, and a list clears it', async () => {
    const { ctrl, times, draws } = ingestionsOf('', (n) =>
      n === 2
        ? new ApiError(503, 'the read model is loading')
        : n === 3
          ? new Error('boom')
          : [row('a', n === 1 ? 'running' : 'done')],
    );
    await ctrl.refresh();
    await vi.advanceTimersByTimeAsync(5000);
    expect(times()).toEqual([0, 5000]);
    expect(ctrl.error).toEqual({ message: 'the read model is loading' });
    expect(ids(ctrl)).toEqual(['a']);
    expect(vi.getTimerCount()).toBe(1);

    await vi.advanceTimersByTimeAsync(4999);
    expect(times()).toEqual([0, 5000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ctrl.error).toEqual({ message: 'Error: boom' });
    await vi.advanceTimersByTimeAsync(5000);
    expect(times()).toEqual([0, 5000, 10_000, 15_000]);
    // The fourth answer: nothing running, no error, no more refreshes.
    expect([ctrl.error, ctrl.running, vi.getTimerCount()]).toEqual([null, false, 0]);
    expect(draws).toEqual([
      { ids: ['a'], error: null },
      { ids: ['a'], error: 'the read model is loading' },
      { ids: ['a'], error: 'Error: boom' },
      { ids: ['a'], error: null },
    ]);
  });

  it('a failure on a page with nothing running is asked again 5 s later all the same', async () => {
    const { ctrl, times } = ingestionsOf('done', (n) =>
      n === 1 ? new ApiError(0, 'the console server did not answer (Failed to fetch)') : [row('a', 'done')],
    );
    await ctrl.refresh();
    expect([ctrl.items, ctrl.error?.message]).toEqual([
      null,
      'the console server did not answer (Failed to fetch)',
    ]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(times()).toEqual([0, 5000]);
    expect([ids(ctrl), ctrl.error, vi.getTimerCount()]).toEqual([['a'], null, 0]);
  });

  it('a new filter goes into the URL and is asked for at once, in place of the scheduled refresh', async () => {
    const { ctrl, asks, urls, times } = ingestionsOf('', (n) =>
      n === 1 ? [row('a', 'running'), row('b', 'failed')] : [row('b', 'failed')],
    );
    await ctrl.refresh();
    await vi.advanceTimersByTimeAsync(2000);

    await ctrl.setStatus('failed');
    expect(urls).toEqual(['failed']);
    expect(asks.map((ask) => [ask.at, ask.status])).toEqual([
      [0, undefined],
      [2000, 'failed'],
    ]);
    expect([ctrl.status, ids(ctrl), vi.getTimerCount()]).toEqual(['failed', ['b'], 0]);
    // The refresh that was due at 5 s is gone.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(times()).toEqual([0, 2000]);

    await ctrl.setStatus('');
    expect(urls).toEqual(['failed', '']);
    expect(asks[2]!.status).toBeUndefined();
  });

  it('a refresh now asks at once in place of the scheduled one: asked at 0 and 1 s, then 6 s', async () => {
    const { ctrl, times } = ingestionsOf('', () => [row('a', 'running')]);
    await ctrl.refresh();
    await vi.advanceTimersByTimeAsync(1000);
    await ctrl.refresh();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(4999);
    expect(times()).toEqual([0, 1000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times()).toEqual([0, 1000, 6000]);
  });

  it("with two filters' asks out, the older list coming last is dropped and only the newest schedules", async () => {
    const { ctrl, asks, draws } = ingestionsOf('');
    const first = ctrl.refresh();
    await vi.advanceTimersByTimeAsync(500);
    const second = ctrl.setStatus('running');
    expect(asks.map((ask) => ask.status)).toEqual([undefined, 'running']);

    asks[1]!.answer([row('r', 'running')]);
    await second;
    await vi.advanceTimersByTimeAsync(500);
    asks[0]!.answer([row('r', 'running'), row('d', 'done')]);
    await first;

    expect(ids(ctrl)).toEqual(['r']);
    expect(draws).toEqual([{ ids: ['r'], error: null }]);
    // One timer, 5 s after the newest answer (at 0.5 s).
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(4499);
    expect(asks).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(asks.map((ask) => [ask.at, ask.status])).toEqual([
      [0, undefined],
      [500, 'running'],
      [5500, 'running'],
    ]);
  });

  it('an older failure coming last is dropped too; an older list coming first is shown until the newest', async () => {
    const { ctrl, asks, draws } = ingestionsOf('');
    const first = ctrl.refresh();
    const second = ctrl.refresh();
    asks[0]!.answer([row('a', 'running')]);
    await first;
    // Shown, running, but the newest is still out: it is the one to schedule.
    expect([ids(ctrl), ctrl.loading, vi.getTimerCount()]).toEqual([['a'], true, 0]);
    asks[1]!.fail(new ApiError(503, 'the read model is loading'));
    await second;
    expect([ctrl.error?.message, ctrl.loading, vi.getTimerCount()]).toEqual([
      'the read model is loading',
      false,
      1,
    ]);

    const third = ctrl.refresh();
    const fourth = ctrl.refresh();
    asks[3]!.answer([row('a', 'done')]);
    await fourth;
    asks[2]!.fail(new ApiError(503, 'late and wrong'));
    await third;
    expect([ids(ctrl), ctrl.error, vi.getTimerCount()]).toEqual([['a'], null, 0]);
    expect(draws.map((draw) => draw.error)).toEqual([null, 'the read model is loading', null]);
  });

  it('stops when its page goes with an ask out: the ask cancelled, no timer, nothing changed', async () => {
    const { ctrl, asks, draws, page } = ingestionsOf('', (n) =>
      n === 1 ? [row('a', 'running')] : undefined,
    );
    await ctrl.refresh();
    await vi.advanceTimersByTimeAsync(5000);
    expect(asks).toHaveLength(2);

    page.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(asks[1]!.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect([ids(ctrl), ctrl.error]).toEqual([['a'], null]);
    expect(draws).toHaveLength(1);

    asks[1]!.answer([row('b', 'done')]);
    await ctrl.refresh();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asks).toHaveLength(2);
    expect(ids(ctrl)).toEqual(['a']);
    expect(draws).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops when its page goes between refreshes: the timer cleared', async () => {
    const { ctrl, asks, page } = ingestionsOf('', () => [row('a', 'running')]);
    await ctrl.refresh();
    expect(vi.getTimerCount()).toBe(1);
    page.abort();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(asks).toHaveLength(1);
  });
});
