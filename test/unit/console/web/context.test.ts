import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Meta } from '../../../../console/api/contract.js';
import { ApiError, RETRY_MS } from '../../../../console/web/api.js';
import { context, loadMeta, timeZoneOf } from '../../../../console/web/context.js';
import { formatDateTime } from '../../../../console/web/format.js';

const META: Meta = {
  symbols: ['ACME'],
  statuses: ['new'],
  user: 'ana',
  version: '0.1.0',
  timeZone: 'America/New_York',
};

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => vi.unstubAllGlobals());

describe('console/web context: the zone every time is shown in', () => {
  it("takes the meta's zone, or UTC when the browser knows no such zone", () => {
    expect(timeZoneOf({ timeZone: 'Europe/London' })).toBe('Europe/London');
    expect(timeZoneOf({ timeZone: 'Mars/Olympus_Mons' })).toBe('UTC');
  });

  it('shows times in the zone /api/meta names once loaded, asking again until the meta comes', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(answer(503, { error: 'loading' }))
      .mockResolvedValueOnce(answer(200, META));
    vi.stubGlobal('fetch', fetch);
    const heard: unknown[] = [];
    const waits: number[] = [];

    const meta = await loadMeta(
      (error) => heard.push(error),
      async (ms) => void waits.push(ms),
    );

    expect(fetch.mock.calls.map((args) => args[0])).toEqual(['/api/meta', '/api/meta']);
    expect(heard).toEqual([new ApiError(503, 'loading')]);
    expect(waits).toEqual([RETRY_MS]);
    expect(meta).toEqual(META);
    expect(context.meta).toEqual(META);
    expect(context.timeZone).toBe('America/New_York');
    // 2017-01-02T05:06Z is 00:06 in New York (EST), not 10:36 as in the old default Asia/Kolkata.
    expect(formatDateTime('2017-01-02T05:06:00Z', context.timeZone)).toBe('2017-01-02 00:06');
  });
});
