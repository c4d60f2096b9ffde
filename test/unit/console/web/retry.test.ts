/** The pages' one fetch-with-retry (console/web/retry.ts), on fake timers: waits, aborts, what is retried. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, RETRY_MS } from '../../../../console/web/api.js';
import { isAbort, later, withRetry } from '../../../../console/web/retry.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

const loading = () => new ApiError(503, 'loading 3 of 9');

describe('withRetry', () => {
  it('asks again 1.5 s after each retriable failure, until an answer', async () => {
    const call = vi
      .fn<(signal: AbortSignal) => Promise<string>>()
      .mockRejectedValueOnce(loading())
      .mockRejectedValueOnce(new ApiError(0, 'the console server did not answer'))
      .mockResolvedValueOnce('the page');
    const heard: Array<[number, number]> = [];
    const answer = withRetry(call, {
      signal: new AbortController().signal,
      onRetry: (_error, attempt, delay) => heard.push([attempt, delay]),
    });

    await vi.advanceTimersByTimeAsync(0);
    expect(call).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1499);
    expect(call).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(call).toHaveBeenCalledTimes(2);
    expect(RETRY_MS).toBe(1500);
    // The second wait is the same 1.5 s.
    await vi.advanceTimersByTimeAsync(1499);
    expect(call).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);

    await expect(answer).resolves.toBe('the page');
    expect(call).toHaveBeenCalledTimes(3);
    expect(heard).toEqual([
      [1, 1500],
      [2, 1500],
    ]);
  });

  it('does not retry an answer that is not retriable: it rejects with it at once', async () => {
    const refused = new ApiError(400, 'limit: must be a whole number from 1 to 200');
    const call = vi.fn<(signal: AbortSignal) => Promise<string>>().mockRejectedValue(refused);
    const onRetry = vi.fn();

    await expect(withRetry(call, { signal: new AbortController().signal, onRetry })).rejects.toBe(refused);
    expect(call).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops waiting when its signal aborts: no further call, no timer left, the abort as its rejection', async () => {
    const controller = new AbortController();
    const call = vi.fn<(signal: AbortSignal) => Promise<string>>().mockRejectedValue(loading());
    const answer = withRetry(call, { signal: controller.signal });
    const settled = answer.catch((error: unknown) => error);

    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();

    expect(isAbort(await settled)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('hands the signal to the call, and a call the abort cancelled is the abort, not a failure to retry', async () => {
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const call = (signal: AbortSignal) =>
      new Promise<string>((_resolve, reject) => {
        seen.push(signal);
        // As fetch does: a cancelled request rejects (api.ts passes the AbortError on).
        signal.addEventListener('abort', () => reject(new ApiError(0, 'the console server did not answer')));
      });
    const onRetry = vi.fn();
    const settled = withRetry(call, { signal: controller.signal, onRetry }).catch((error: unknown) => error);

    controller.abort();

    expect(isAbort(await settled)).toBe(true);
    expect(seen).toEqual([controller.signal]);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('makes no call at all on a signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const call = vi.fn<(signal: AbortSignal) => Promise<string>>();

    expect(
      isAbort(await withRetry(call, { signal: controller.signal }).catch((error: unknown) => error)),
    ).toBe(true);
    expect(call).not.toHaveBeenCalled();
  });

  it('retries what `retriable` says, through the `wait` it is given', async () => {
    const waits: number[] = [];
    const call = vi
      .fn<(signal: AbortSignal) => Promise<string>>()
      .mockRejectedValueOnce(new Error('500'))
      .mockResolvedValueOnce('meta');

    const answer = await withRetry(call, {
      signal: new AbortController().signal,
      retriable: () => true,
      wait: async (ms) => void waits.push(ms),
    });

    expect(answer).toBe('meta');
    expect(waits).toEqual([RETRY_MS]);
  });
});

describe('later', () => {
  it('runs after its time, unless the signal aborts or it is cancelled first', async () => {
    const controller = new AbortController();
    const runs: string[] = [];
    later(controller.signal, 3000, () => runs.push('kept'));
    const cancel = later(controller.signal, 3000, () => runs.push('cancelled'));
    later(controller.signal, 5000, () => runs.push('aborted'));

    cancel();
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toEqual(['kept']);
    controller.abort();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toEqual(['kept']);
  });
});
