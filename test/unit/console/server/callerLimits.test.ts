/**
 * The per-caller limits as pure values, on a clock of the test's own: a token bucket per caller (burst, then one
 * request per 60 000 / perMinute ms, each refusal saying in whole seconds when the next will pass), and the event
 * streams open at once, per caller and in all, each slot given back once.
 */
import { describe, expect, it } from 'vitest';
import { RequestRate, StreamSlots, STREAM_RETRY_SECONDS } from '../../../../console/server/callerLimits.js';

describe('RequestRate', () => {
  it('lets a caller make `burst` requests at once, then one a second at 60 a minute', () => {
    const rate = new RequestRate({ perMinute: 60, burst: 3 });
    expect([0, 0, 0].map((at) => rate.take('ana', at).ok)).toEqual([true, true, true]);
    expect(rate.take('ana', 0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Half a token back after 500 ms: still refused, for the second that is not over.
    expect(rate.take('ana', 500)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(rate.take('ana', 1000)).toEqual({ ok: true });
    expect(rate.take('ana', 1000)).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it('says how long to wait at a slow rate: 6 a minute is one every 10 s', () => {
    const rate = new RequestRate({ perMinute: 6, burst: 1 });
    expect(rate.take('ana', 0)).toEqual({ ok: true });
    expect(rate.take('ana', 0)).toEqual({ ok: false, retryAfterSeconds: 10 });
    // 2.5 s later a quarter of a token is back: 7.5 s to go, 8 whole seconds.
    expect(rate.take('ana', 2500)).toEqual({ ok: false, retryAfterSeconds: 8 });
    expect(rate.take('ana', 10_000)).toEqual({ ok: true });
  });

  it("keeps each caller's allowance apart, and refills no further than the burst after a long pause", () => {
    const rate = new RequestRate({ perMinute: 60, burst: 2 });
    rate.take('ana', 0);
    rate.take('ana', 0);
    expect(rate.take('ana', 0).ok).toBe(false);
    expect(rate.take('bo', 0).ok).toBe(true);
    const later = 3_600_000;
    expect([later, later, later].map((at) => rate.take('ana', at).ok)).toEqual([true, true, false]);
  });
});

describe('StreamSlots', () => {
  it('refuses a caller past its own streams, and anyone past the total, until one is given back', () => {
    const slots = new StreamSlots({ total: 3, perCaller: 2 });
    const a1 = slots.acquire('ana');
    const a2 = slots.acquire('ana');
    expect([a1.ok, a2.ok]).toEqual([true, true]);
    expect(slots.acquire('ana')).toMatchObject({ ok: false, retryAfterSeconds: STREAM_RETRY_SECONDS });
    expect(slots.acquire('bo').ok).toBe(true);
    expect(slots.acquire('cy')).toMatchObject({ ok: false, why: expect.stringContaining('at most 3') });
    expect(slots.open).toBe(3);
    if (!a1.ok) throw new Error('unreachable');
    a1.release();
    a1.release(); // once only
    expect(slots.open).toBe(2);
    expect(slots.acquire('cy').ok).toBe(true);
    expect(slots.acquire('dee').ok).toBe(false);
  });
});
