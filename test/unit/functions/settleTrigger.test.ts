/**
 * When the dispatcher asks detect to settle the scores (functions/dispatcher/settleTrigger.ts): once detect has
 * caught up (nothing in flight for the quiet time), at most every busy interval while records keep coming, one
 * request at a time, at detect's URL + `settle`. Time and `fetch` are fakes: the figures are exact.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { settleTrigger, settleUrlOf } from '../../../functions/dispatcher/settleTrigger.js';
import { createLogger } from '../../../shared/logging/logger.js';

const log = createLogger('test', { write: () => {} });

/** detect's answers, released one by one; each call's URL and method. */
let calls: string[];
let answers: Array<() => void>;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  calls = [];
  answers = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
    calls.push(`${init?.method} ${String(url)}`);
    await new Promise<void>((resolve) => answers.push(resolve));
    return new Response('{}');
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Lets the trigger's promises run (its request starts after an await). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

const URL = 'http://127.0.0.1:8082/';

describe('settleTrigger', () => {
  it("is detect's URL with the path settle", () => {
    expect(settleUrlOf('http://127.0.0.1:8082/')).toBe('http://127.0.0.1:8082/settle');
    expect(settleUrlOf('https://detect-abc.a.run.app')).toBe('https://detect-abc.a.run.app/settle');
  });

  it('asks once nothing has been in flight for the quiet time, not while a record is', async () => {
    const trigger = settleTrigger({
      targetUrl: URL,
      log,
      quietMs: 2_000,
      busyIntervalMs: 30_000,
      idleIntervalMs: 600_000,
    });
    trigger.started();
    trigger.started();
    trigger.ended();
    vi.advanceTimersByTime(5_000);
    await settle();
    expect(calls).toEqual([]); // one still in flight
    trigger.ended();
    vi.advanceTimersByTime(1_999);
    trigger.started(); // another record within the quiet time puts it off
    trigger.ended();
    vi.advanceTimersByTime(1_999);
    await settle();
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    await settle();
    expect(calls).toEqual(['POST http://127.0.0.1:8082/settle']);
    trigger.stop();
  });

  it('asks while records keep coming, at most every busy interval', async () => {
    const trigger = settleTrigger({
      targetUrl: URL,
      log,
      quietMs: 2_000,
      busyIntervalMs: 30_000,
      idleIntervalMs: 600_000,
    });
    // A record a second for 100 s, never quiet for 2 s: asked at 30, 60 and 90 s.
    for (let second = 1; second <= 100; second++) {
      vi.advanceTimersByTime(1_000);
      trigger.started();
      await settle();
      answers.shift()?.();
      trigger.ended();
    }
    expect(calls).toHaveLength(3);
    trigger.stop();
  });

  it('sends one request at a time, and one more for what was asked meanwhile', async () => {
    const trigger = settleTrigger({
      targetUrl: URL,
      log,
      quietMs: 10,
      busyIntervalMs: 60_000,
      idleIntervalMs: 600_000,
    });
    for (let i = 0; i < 3; i++) {
      trigger.started();
      trigger.ended();
      vi.advanceTimersByTime(10);
      await settle();
    }
    expect(calls).toHaveLength(1); // the first still waits for its answer
    answers.shift()!();
    await settle();
    expect(calls).toHaveLength(2); // the asks meanwhile, as one
    answers.shift()!();
    await settle();
    expect(calls).toHaveLength(2);
    trigger.stop();
  });

  it('asks every idle interval when nothing comes at all, and not while it has just asked', async () => {
    const trigger = settleTrigger({
      targetUrl: URL,
      log,
      quietMs: 2_000,
      busyIntervalMs: 30_000,
      idleIntervalMs: 10_000,
    });
    vi.advanceTimersByTime(9_999);
    await settle();
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    await settle();
    expect(calls).toHaveLength(1);
    answers.shift()!();
    await settle();
    vi.advanceTimersByTime(10_000);
    await settle();
    expect(calls).toHaveLength(2);
    answers.shift()!();
    await settle();
    vi.advanceTimersByTime(10_000);
    await settle();
    expect(calls).toHaveLength(3);
    answers.shift()!();
    await settle();
    // A record in flight holds it back.
    trigger.started();
    vi.advanceTimersByTime(25_000);
    await settle();
    expect(calls).toHaveLength(3);
    trigger.stop();
  });
});
