/**
 * The health page's state (console/web/healthCtrl.ts) without a browser, on fake timers: the first answer, a
 * refresh every HEALTH_REFRESH_MS (3 s) after each answer or failure, a refresh now in place of the scheduled
 * one, a failure shown with the last answer kept, two asks out at once, and a page that goes. The server is a
 * fake that records when it was asked and answers when the test says (or at once, with `auto`).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Health } from '../../../../console/api/contract.js';
import { ApiError } from '../../../../console/web/api.js';
import { HEALTH_REFRESH_MS, HealthCtrl } from '../../../../console/web/healthCtrl.js';

/** 2024-03-01 10:00:00 UTC, the fake clock's start. */
const T0 = Date.UTC(2024, 2, 1, 10, 0, 0);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});

afterEach(() => {
  vi.useRealTimers();
});

/** A health answer told apart by its total lag. */
const health = (totalLag: number): Health => ({
  kafka: { topic: 'bars', group: 'detect', totalLag, totalExpired: 0, partitions: [] },
  deadLetters: [],
  notifyDeadLetters: { subscription: 'anomalies-dead-letter-sub', count: 0, oldest: null },
  symbols: [],
  ingestions: { running: [], failed: [] },
  undetected: { tooLate: 0, future: 0, symbol: 0, late: 0, objects: [] },
});

const lagOf = (answer: Health | null) =>
  answer === null ? null : 'totalLag' in answer.kafka ? answer.kafka.totalLag : answer.kafka.error;

interface Ask {
  /** When it was asked, ms after T0. */
  at: number;
  signal: AbortSignal;
  answer(value: Health): void;
  fail(error: unknown): void;
}

/**
 * A ctrl over a fake server: each ask is recorded and stays out until the test settles it, or is settled at
 * once by `auto` (the answer, or an Error to fail with). An abort fails the ask out, as fetch does.
 */
function healthOf(auto?: (n: number) => Health | Error | undefined) {
  const asks: Ask[] = [];
  const draws: Array<{ lag: number | string | null; error: string | null; at: number | null }> = [];
  const page = new AbortController();
  const ctrl: HealthCtrl = new HealthCtrl(
    (signal) =>
      new Promise<Health>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(new DOMException('left', 'AbortError')));
        asks.push({ at: Date.now() - T0, signal, answer: resolve, fail: reject });
        const value = auto?.(asks.length);
        if (value instanceof Error) reject(value);
        else if (value !== undefined) resolve(value);
      }),
    page.signal,
    () =>
      draws.push({
        lag: lagOf(ctrl.health),
        error: ctrl.error?.message ?? null,
        at: ctrl.updatedAt === null ? null : ctrl.updatedAt - T0,
      }),
  );
  return { ctrl, asks, draws, page, times: () => asks.map((ask) => ask.at) };
}

describe('HealthCtrl', () => {
  it("asks once on the page's signal, shows the answer with its time, then schedules the next", async () => {
    const { ctrl, asks, draws, page } = healthOf();
    expect(HEALTH_REFRESH_MS).toBe(3000);

    const loaded = ctrl.refresh();
    expect(asks).toHaveLength(1);
    expect(asks[0]!.signal).toBe(page.signal);
    expect([ctrl.loading, ctrl.health, ctrl.updatedAt, ctrl.error]).toEqual([true, null, null, null]);
    // Nothing is scheduled while the ask is out.
    expect(vi.getTimerCount()).toBe(0);

    await vi.advanceTimersByTimeAsync(700);
    asks[0]!.answer(health(4));
    await loaded;

    expect(ctrl.loading).toBe(false);
    expect(lagOf(ctrl.health)).toBe(4);
    // Its time is when it came (0.7 s after the ask), not when it was asked.
    expect(ctrl.updatedAt).toBe(T0 + 700);
    expect(draws).toEqual([{ lag: 4, error: null, at: 700 }]);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('refreshes 3 s after each answer: asks at 0, 3, 6, 9 s with an answer at once', async () => {
    const { ctrl, times, draws } = healthOf((n) => health(n));
    await ctrl.refresh();

    await vi.advanceTimersByTimeAsync(2999);
    expect(times()).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times()).toEqual([0, 3000]);
    await vi.advanceTimersByTimeAsync(6000);
    expect(times()).toEqual([0, 3000, 6000, 9000]);
    expect(draws).toEqual([
      { lag: 1, error: null, at: 0 },
      { lag: 2, error: null, at: 3000 },
      { lag: 3, error: null, at: 6000 },
      { lag: 4, error: null, at: 9000 },
    ]);
    // Never more than the one timer.
    expect(vi.getTimerCount()).toBe(1);
  });

  it('counts the 3 s from the answer, not the ask: a slow answer at 1.2 s is refreshed at 4.2 s', async () => {
    const { ctrl, asks, times } = healthOf();
    const loaded = ctrl.refresh();
    await vi.advanceTimersByTimeAsync(1200);
    asks[0]!.answer(health(0));
    await loaded;

    await vi.advanceTimersByTimeAsync(2999);
    expect(times()).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times()).toEqual([0, 4200]);
  });

  it('shows a failure with the last answer kept, asks again 3 s later, and an answer clears it', async () => {
    const { ctrl, times, draws } = healthOf((n) =>
      n === 2
        ? new ApiError(503, 'the dispatcher is not answering')
        : n === 3
          ? new Error('boom')
          : health(n),
    );
    await ctrl.refresh();
    await vi.advanceTimersByTimeAsync(3000);

    expect(times()).toEqual([0, 3000]);
    expect(ctrl.error).toEqual({ message: 'the dispatcher is not answering' });
    // The last answer and its time stay shown beside the failure.
    expect([lagOf(ctrl.health), ctrl.updatedAt]).toEqual([1, T0]);
    expect(vi.getTimerCount()).toBe(1);

    // Retried on the same schedule (not retry.ts's 1.5 s): at 6 s, failing again (not an ApiError: its text).
    await vi.advanceTimersByTimeAsync(2999);
    expect(times()).toEqual([0, 3000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times()).toEqual([0, 3000, 6000]);
    expect(ctrl.error).toEqual({ message: 'Error: boom' });

    await vi.advanceTimersByTimeAsync(3000);
    expect(times()).toEqual([0, 3000, 6000, 9000]);
    expect([ctrl.error, lagOf(ctrl.health), ctrl.updatedAt]).toEqual([null, 4, T0 + 9000]);
    expect(draws).toEqual([
      { lag: 1, error: null, at: 0 },
      { lag: 1, error: 'the dispatcher is not answering', at: 0 },
      { lag: 1, error: 'Error: boom', at: 0 },
      { lag: 4, error: null, at: 9000 },
    ]);
  });

  it('a failure before any answer leaves nothing to show but the failure, retried 3 s later', async () => {
    const { ctrl, times } = healthOf((n) =>
      n === 1 ? new ApiError(0, 'the console server did not answer (Failed to fetch)') : health(7),
    );
    await ctrl.refresh();
    expect([ctrl.health, ctrl.updatedAt, ctrl.error?.message]).toEqual([
      null,
      null,
      'the console server did not answer (Failed to fetch)',
    ]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(times()).toEqual([0, 3000]);
    expect([lagOf(ctrl.health), ctrl.error]).toEqual([7, null]);
  });

  it('a refresh now asks at once in place of the scheduled one: asked at 0 and 1 s, then 4 s', async () => {
    const { ctrl, times } = healthOf((n) => health(n));
    await ctrl.refresh();
    await vi.advanceTimersByTimeAsync(1000);

    await ctrl.refresh();
    expect(times()).toEqual([0, 1000]);
    expect(vi.getTimerCount()).toBe(1);
    // No ask at 3 s: the timer set at 0 was cleared.
    await vi.advanceTimersByTimeAsync(2999);
    expect(times()).toEqual([0, 1000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times()).toEqual([0, 1000, 4000]);
  });

  it('with two asks out, an older answer coming last is dropped and only the newest schedules', async () => {
    const { ctrl, asks, draws } = healthOf();
    const first = ctrl.refresh();
    await vi.advanceTimersByTimeAsync(500);
    const second = ctrl.refresh();
    expect(asks).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(500);
    asks[1]!.answer(health(2));
    await second;
    await vi.advanceTimersByTimeAsync(500);
    asks[0]!.answer(health(1));
    await first;

    expect([lagOf(ctrl.health), ctrl.updatedAt]).toEqual([2, T0 + 1000]);
    expect(draws).toEqual([{ lag: 2, error: null, at: 1000 }]);
    // One timer, 3 s after the newest answer (1 s): the next ask is at 4 s.
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(2499);
    expect(asks).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(asks.map((ask) => ask.at)).toEqual([0, 500, 4000]);
  });

  it('an older failure coming last is dropped too; an older answer coming first is shown until the newest', async () => {
    const { ctrl, asks, draws } = healthOf();
    const first = ctrl.refresh();
    const second = ctrl.refresh();
    asks[0]!.answer(health(1));
    await first;
    // Shown (nothing newer yet), but the newest is still out: nothing scheduled.
    expect([lagOf(ctrl.health), ctrl.loading, vi.getTimerCount()]).toEqual([1, true, 0]);
    asks[1]!.answer(health(2));
    await second;
    expect([lagOf(ctrl.health), ctrl.loading, vi.getTimerCount()]).toEqual([2, false, 1]);

    const third = ctrl.refresh();
    const fourth = ctrl.refresh();
    asks[3]!.answer(health(4));
    await fourth;
    asks[2]!.fail(new ApiError(503, 'late and wrong'));
    await third;
    expect([lagOf(ctrl.health), ctrl.error]).toEqual([4, null]);
    expect(draws.map((draw) => draw.lag)).toEqual([1, 2, 4]);
  });

  it('stops when its page goes with an ask out: the ask cancelled, no timer, nothing changed', async () => {
    const { ctrl, asks, draws, page } = healthOf();
    const first = ctrl.refresh();
    asks[0]!.answer(health(1));
    await first;
    await vi.advanceTimersByTimeAsync(3000);
    expect(asks).toHaveLength(2);

    page.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(asks[1]!.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect([lagOf(ctrl.health), ctrl.error, ctrl.updatedAt]).toEqual([1, null, T0]);
    expect(draws).toHaveLength(1);

    // A late answer, a refresh now, time passing: nothing.
    asks[1]!.answer(health(2));
    await ctrl.refresh();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(asks).toHaveLength(2);
    expect(lagOf(ctrl.health)).toBe(1);
    expect(draws).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops when its page goes between refreshes: the timer cleared', async () => {
    const { ctrl, asks, page } = healthOf((n) => health(n));
    await ctrl.refresh();
    expect(vi.getTimerCount()).toBe(1);

    page.abort();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(asks).toHaveLength(1);
  });
});
