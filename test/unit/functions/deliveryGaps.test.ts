/** Settle's steps wait for a gap between detect's deliveries, and never longer than the bound. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeliveryGaps } from '../../../functions/detect/deliveryGaps.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Whether the promise has settled after the pending callbacks ran. */
async function isDone(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('DeliveryGaps', () => {
  it('gives a gap at once when no delivery is in flight', async () => {
    const gaps = new DeliveryGaps(1_000);
    expect(await isDone(gaps.gap())).toBe(true);
    gaps.started();
    gaps.ended();
    expect(await isDone(gaps.gap())).toBe(true);
  });

  it('waits while deliveries are in flight, until the last of them ends', async () => {
    const gaps = new DeliveryGaps(1_000);
    gaps.started();
    gaps.started();
    const first = gaps.gap();
    const second = gaps.gap();
    expect(await isDone(first)).toBe(false);
    gaps.ended();
    expect(await isDone(first)).toBe(false);
    gaps.ended();
    expect(await isDone(first)).toBe(true);
    expect(await isDone(second)).toBe(true);
  });

  it('goes on after the bound when deliveries never stop, and a later gap is its own', async () => {
    const gaps = new DeliveryGaps(1_000);
    gaps.started();
    const waiting = gaps.gap();
    await vi.advanceTimersByTimeAsync(999);
    expect(await isDone(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await isDone(waiting)).toBe(true);

    const next = gaps.gap();
    expect(await isDone(next)).toBe(false);
    gaps.ended();
    expect(await isDone(next)).toBe(true);
  });
});
