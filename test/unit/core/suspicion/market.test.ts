/**
 * Contract §6 The market: a symbol's move is judged against the other symbols' mean that minute, when at least
 * five others gave one. Expected figures worked out by hand from the contract (see test/helpers/scoreBars.ts for
 * the quiet session's σ = 0.0014819).
 *
 * Every symbol here has 40 quiet bars from 03:45 (a *recent* baseline: 39 returns of ±0.0009995, σ = 0.0014819;
 * volume 1,000 all along, so U = 1,000, f = 50, s = 0.25 and u = 0: no volume points anywhere, and the market's
 * volume surprise M = 0). At 04:25 a symbol jumps from 100 and at 04:26 it is back at 100: A1 fires on both, one
 * episode of two bars.
 * - +2%: r = ln(1.02) = 0.0198026, raw z = 13.3634 (bar 04:26 the same, down; the two together net 0):
 *   move = 40 × (1 − e^(−10.3634 / 6)) = 32.889 → **32.9**.
 * - A move the market does not explain gives back all of it at once: g = 1, E = |z| of the peak bar, so
 *   revert = 12 × c((E − 3) / 3).
 */
import { describe, expect, it } from 'vitest';
import {
  barsCsv,
  detailOf,
  episodeAt,
  pointsOf,
  scoredEpisodes,
  session,
} from '../../../helpers/scoreBars.js';

const DATE = '2017-01-02';
/** 40 quiet bars, then 04:25 at `jump` and 04:26 back at `back`. */
const jumpFile = (jump: string, back = '100') =>
  barsCsv(session(DATE, { bars: 40, changes: { '04:25': [jump], '04:26': [back] } }));
/** `count` symbols P1, P2, … whose 04:25 and 04:26 close at `jump` and 100. */
const others = (count: number, jump: string): Array<[string, string]> =>
  Array.from({ length: count }, (_, i) => [`P${i + 1}.csv`, jumpFile(jump)]);

describe('the market factor (contract §6 The market)', () => {
  it('takes the whole move out when six other symbols jump with it: market −32.9, score 0', async () => {
    const episodes = await scoredEpisodes([['JUMP.csv', jumpFile('102')], ...others(6, '102')]);
    // Each symbol's market is the mean of the six others, +2% and −2% like its own (to 1e-8): z with the market
    // out is about 0 on both bars, so the market factor is 0 + 0 − 32.889 − 0 → −32.9; shape: the residual path
    // is ~1e-10 (E ≈ 0): no revert, and a hold of half of 0 points.
    expect(episodes).toHaveLength(7);
    for (const episode of episodes) {
      expect(episode.start).toBe(`${DATE}T04:25:00Z`);
      expect(pointsOf(episode)).toEqual({
        move: 32.9,
        volume: 0,
        market: -32.9,
        shape: 0,
        close: 0,
        liquidity: 0,
      });
      expect(episode.score).toBe(0);
    }
  });

  it('takes out the share the market explains: +2% against a market of +1.5% keeps 3.4', async () => {
    const episodes = await scoredEpisodes([['JUMP.csv', jumpFile('102')], ...others(6, '101.5')]);
    // JUMP: the market is +1.5% at 04:25 (m = ln(1.015) = 0.0148886) and −1.5% at 04:26. With the market out,
    // z = (0.0198026 − 0.0148886) / 0.0014819 = 3.3161 each way: 40 × (1 − e^(−0.3161 / 6)) = 2.053, so
    // market = 2.053 − 32.889 = −30.836 → −30.8. Shape: the residual path peaks at 0.004914 after 1 bar and
    // ends at 0 (g = 1), E = 3.3161: revert = 12 × 1 × (0.3161 / 3) = 1.264 → 1.3. Score 32.9 − 30.8 + 1.3 = 3.4.
    const jump = episodeAt(episodes, 'JUMP', `${DATE}T04:25`);
    expect(pointsOf(jump)).toEqual({
      move: 32.9,
      volume: 0,
      market: -30.8,
      shape: 1.3,
      close: 0,
      liquidity: 0,
    });
    expect(jump.score).toBe(3.4);
    // Each P: raw z = ln(1.015) / σ = 10.0473, move 40 × (1 − e^(−7.0473 / 6)) = 27.642 → 27.6; its market is
    // five +1.5% and one +2%, m = 0.0157076, z = −0.5527 with it out: market −27.6, no shape, score 0.
    for (const symbol of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']) {
      const episode = episodeAt(episodes, symbol, `${DATE}T04:25`);
      expect(pointsOf(episode)).toEqual({
        move: 27.6,
        volume: 0,
        market: -27.6,
        shape: 0,
        close: 0,
        liquidity: 0,
      });
      expect(episode.score).toBe(0);
    }
  });

  it('leaves a symbol moving alone against a flat market of six its whole move: market 0, score 44.9', async () => {
    // The six others close at 100 at 04:25 and 04:26 (r = 0): m = 0, so z is the raw z and market = 0.
    // Shape: path +0.0198026 after 1 bar, back to 0 (g = 1), E = 13.363: revert 12. Score 32.9 + 12 = 44.9.
    const episodes = await scoredEpisodes([['JUMP.csv', jumpFile('102')], ...others(6, '100')]);
    expect(episodes.map((episode) => episode.symbol)).toEqual(['JUMP']);
    const [jump] = episodes;
    expect(pointsOf(jump!)).toEqual({ move: 32.9, volume: 0, market: 0, shape: 12, close: 0, liquidity: 0 });
    expect(jump!.score).toBe(44.9);
    expect(detailOf(jump!, 'market')).not.toContain('too few other symbols');
  });

  it('needs five other symbols: with five the market takes the move out, with four there is none', async () => {
    const withFive = await scoredEpisodes([['JUMP.csv', jumpFile('102')], ...others(5, '102')]);
    expect(pointsOf(episodeAt(withFive, 'JUMP', `${DATE}T04:25`)).market).toBe(-32.9);
    expect(episodeAt(withFive, 'JUMP', `${DATE}T04:25`).score).toBe(0);

    // Four others: no market (taken as 0, and said so): the move and the revert stand, 32.9 + 12 = 44.9.
    const withFour = await scoredEpisodes([['JUMP.csv', jumpFile('102')], ...others(4, '102')]);
    expect(withFour).toHaveLength(5);
    for (const episode of withFour) {
      expect(pointsOf(episode)).toEqual({
        move: 32.9,
        volume: 0,
        market: 0,
        shape: 12,
        close: 0,
        liquidity: 0,
      });
      expect(episode.score).toBe(44.9);
      expect(detailOf(episode, 'market')).toContain('too few other symbols');
    }
  });
});
