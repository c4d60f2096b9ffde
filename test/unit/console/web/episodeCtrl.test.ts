/**
 * The episode page's state (console/web/episodeCtrl.ts) without a browser: the detail asked on the page's
 * signal, a retriable failure shown while it is asked again, another failure in the server's own words, a page
 * that goes; and what a late bar's revision did: a withdrawn episode and where its alerts went, the episodes
 * merged into this one. The server is a fake that answers what the test says.
 */
import { describe, expect, it } from 'vitest';
import type { EpisodeDetail, EpisodeRow } from '../../../../console/api/contract.js';
import { ApiError } from '../../../../console/web/api.js';
import { EpisodeCtrl } from '../../../../console/web/episodeCtrl.js';

const ID = 'ACME@2017-01-02T05:00:00Z';

const EPISODE: EpisodeRow = {
  id: ID,
  symbol: 'ACME',
  start: '2017-01-02T05:00:00Z',
  end: '2017-01-02T05:09:00Z',
  count: 4,
  a1: 2,
  a2: 3,
  peakSeverity: 2.5,
  status: 'new',
};

const MERGED: EpisodeRow = {
  ...EPISODE,
  id: 'ACME@2017-01-02T05:06:00Z',
  start: '2017-01-02T05:06:00Z',
  count: 2,
  status: 'escalated',
  assignee: 'bo',
  withdrawn: { at: '2024-03-01T10:00:05.250Z', into: ID, object: 'late.csv', generation: '7' },
};

const DETAIL: EpisodeDetail = { episode: EPISODE, alerts: [], history: [], merged: [] };

/** A ctrl over a fake server answering `answer` to each request; requests, waits and draws recorded. */
function episodeOf(answer: (signal: AbortSignal) => Promise<EpisodeDetail>) {
  const requests: string[] = [];
  const waits: number[] = [];
  const draws: Array<{ loading: boolean; error: string | null; episode: string | null }> = [];
  const page = new AbortController();
  const ctrl: EpisodeCtrl = new EpisodeCtrl(
    ID,
    {
      episode: (id, signal) => {
        requests.push(id);
        return answer(signal);
      },
      wait: async (ms) => void waits.push(ms),
    },
    page.signal,
    () =>
      draws.push({
        loading: ctrl.loading,
        error: ctrl.error && `${ctrl.error.message}${ctrl.error.retrying ? ' (retrying)' : ''}`,
        episode: ctrl.detail?.episode.id ?? null,
      }),
  );
  return { ctrl, requests, waits, draws, page };
}

describe('EpisodeCtrl: loading', () => {
  it('asks for the detail, loading until it answers, then holds it', async () => {
    const { ctrl, requests, draws } = episodeOf(async () => DETAIL);
    await ctrl.load();
    expect(requests).toEqual([ID]);
    expect(ctrl.detail).toEqual(DETAIL);
    expect(draws).toEqual([
      { loading: true, error: null, episode: null },
      { loading: false, error: null, episode: ID },
    ]);
  });

  it('shows a retriable failure while it asks again, then the answer', async () => {
    const answers = [new ApiError(503, 'Firestore is unavailable'), DETAIL];
    const { ctrl, requests, waits, draws } = episodeOf(async () => {
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return next;
    });
    await ctrl.load();
    expect(requests).toEqual([ID, ID]);
    expect(waits).toEqual([1500]);
    expect(draws.map((draw) => draw.error)).toEqual([null, 'Firestore is unavailable (retrying)', null]);
    expect(ctrl.detail).toEqual(DETAIL);
  });

  it("shows another failure in the server's own words and asks no more", async () => {
    const { ctrl, requests } = episodeOf(async () => {
      throw new ApiError(404, `no such episode '${ID}'`);
    });
    await ctrl.load();
    expect(requests).toEqual([ID]);
    expect([ctrl.loading, ctrl.detail, ctrl.error]).toEqual([
      false,
      null,
      { message: `no such episode '${ID}'`, retrying: false },
    ]);
  });

  it('keeps no answer that comes after the page went', async () => {
    // The page goes while the answer is on its way.
    const leaving: { page?: AbortController } = {};
    const { ctrl, page, draws } = episodeOf(async () => {
      leaving.page!.abort();
      return DETAIL;
    });
    leaving.page = page;
    await ctrl.load();
    expect(ctrl.detail).toBeNull();
    expect(draws).toEqual([{ loading: true, error: null, episode: null }]);
  });
});

describe('EpisodeCtrl: what a late bar regrouped', () => {
  it('holds a standing episode as such, with none merged into it, nor anything before the answer', async () => {
    const { ctrl } = episodeOf(async () => DETAIL);
    expect([ctrl.withdrawn, ctrl.intoHref, ctrl.merged]).toEqual([undefined, undefined, []]);
    await ctrl.load();
    expect([ctrl.withdrawn, ctrl.intoHref, ctrl.merged]).toEqual([undefined, undefined, []]);
  });

  it('holds a withdrawn episode with the link to the one it merged into, or none', async () => {
    const merged = episodeOf(async () => ({ ...DETAIL, episode: MERGED }));
    await merged.ctrl.load();
    expect(merged.ctrl.withdrawn).toEqual(MERGED.withdrawn);
    expect(merged.ctrl.intoHref).toBe('#/episodes/ACME@2017-01-02T05:00:00Z');

    const gone = episodeOf(async () => ({
      ...DETAIL,
      episode: { ...MERGED, withdrawn: { ...MERGED.withdrawn!, into: null } },
    }));
    await gone.ctrl.load();
    expect(gone.ctrl.withdrawn?.into).toBeNull();
    expect(gone.ctrl.intoHref).toBeUndefined();
  });

  it('holds the episodes merged into this one, with their triage and history', async () => {
    const history = [{ at: '2024-03-01T09:30:00Z', by: 'bo', from: 'new', to: 'escalated' } as const];
    const { ctrl } = episodeOf(async () => ({ ...DETAIL, merged: [{ episode: MERGED, history }] }));
    await ctrl.load();
    expect(ctrl.merged).toEqual([{ episode: MERGED, history }]);
  });

  it('holds the score of a scored episode, and none for one not scored', async () => {
    const score = {
      score: 12.5,
      settled: true,
      baseline: 'recent' as const,
      factors: [{ factor: 'move' as const, points: 12.5, detail: '+0.9%' }],
      alerts: [],
    };
    const scored = episodeOf(async () => ({ ...DETAIL, episode: { ...EPISODE, score } })).ctrl;
    expect(scored.score).toBeUndefined();
    await scored.load();
    expect(scored.score).toEqual(score);
    const unscored = episodeOf(async () => DETAIL).ctrl;
    await unscored.load();
    expect(unscored.score).toBeUndefined();
  });
});
