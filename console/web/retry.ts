/**
 * The one way the pages ask the server until it answers: a call is tried again RETRY_MS after each retriable
 * failure (the server loading its read model, a backing service down, no answer at all: api.ts isRetriable), as
 * the pages always have, and stops at once when its page goes (its AbortSignal aborts: the request in flight is
 * cancelled and no timer is left behind). Any other failure is the caller's to show. No DOM: unit-tested with
 * fake timers.
 */
import { isRetriable as apiRetriable, RETRY_MS } from './api.js';

/** Whether `error` is the abort of a page's signal (not a failure to show). */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** The signal's reason as an error (browsers and Node give a DOMException named AbortError). */
function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('the page was left', 'AbortError');
}

/** Resolves after `ms`, or rejects with the abort as soon as `signal` aborts (its timer cleared). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  /** The page's signal: aborting it cancels the call in flight and the wait. */
  signal: AbortSignal;
  /** Hears each failure that will be tried again, with the try that failed (1, 2, ...) and the wait. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Which failures are worth trying again (default: api.ts's, 503 or no answer). */
  retriable?: (error: unknown) => boolean;
  /** The wait (default: a timer the signal clears); a test passes its own. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * `call`'s answer, asking again after each retriable failure; rejects with the first failure that is not, or
 * with the abort when the signal aborts (isAbort tells it apart).
 */
export async function withRetry<T>(
  call: (signal: AbortSignal) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { signal, onRetry, retriable = apiRetriable, wait = sleep } = options;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw abortError(signal);
    try {
      return await call(signal);
    } catch (error) {
      // A request cancelled by the abort fails too: it is the abort, never a failure to retry or show.
      if (signal.aborted) throw abortError(signal);
      if (!retriable(error)) throw error;
      const delay = RETRY_MS;
      onRetry?.(error, attempt, delay);
      await wait(delay, signal);
    }
  }
}

/** Runs `run` after `ms` unless `signal` aborts first, or the returned function is called (a refresh now). */
export function later(signal: AbortSignal, ms: number, run: () => void): () => void {
  if (signal.aborted) return () => undefined;
  const clear = () => {
    clearTimeout(timer);
    signal.removeEventListener('abort', clear);
  };
  const timer = setTimeout(() => {
    clear();
    run();
  }, ms);
  signal.addEventListener('abort', clear, { once: true });
  return clear;
}
