/**
 * Contract §6 `liquidity`: volume measured from a zero usual proves little, so the volume factor counts half.
 * Expected figures worked out by hand from the contract.
 *
 * Both symbols trade 03:45–05:14 UTC, quiet prices (σ = 0.0014819, see test/helpers/scoreBars.ts), on three
 * earlier dates and the day judged; at 04:31 on the day judged one bar trades 20 (A2 fires: the window's mean is 0,
 * or 1). Its price moves +0.1% as every quiet bar does: z = 0.6745, so no move, and no run of moves reaches 1.5
 * over the volume run: the shape is **flat**, 10 × c((V − 3) / 5) = 10 for V ≥ 8. No market (two symbols), no close.
 */
import { describe, expect, it } from 'vitest';
import {
  barsCsv,
  DAY,
  EARLIER_DATES,
  episodeAt,
  pointsOf,
  scoredEpisodes,
  session,
} from '../../../helpers/scoreBars.js';

/** Every day on `volume` a minute, and 20 at 04:31 on the day judged. */
const symbolOn = (volume: number) =>
  barsCsv([
    ...EARLIER_DATES.flatMap((date) => session(date, { volume })),
    ...session(DAY, { volume, changes: { '04:31': ['100.1', 20] } }),
  ]);

describe('the liquidity factor (contract §6)', () => {
  it('halves the volume when its usual at that time of day is 0, and not when it is 1', async () => {
    const episodes = await scoredEpisodes([
      ['NEVER.csv', symbolOn(0)],
      ['ONE.csv', symbolOn(1)],
    ]);
    expect(episodes.map((episode) => [episode.symbol, episode.start, episode.end])).toEqual([
      ['NEVER', `${DAY}T04:31:00Z`, `${DAY}T04:31:00Z`],
      ['ONE', `${DAY}T04:31:00Z`, `${DAY}T04:31:00Z`],
    ]);
    // NEVER: 04:30–04:44 of its earlier dates never traded: U = 0 (median 0, mean 0), f = 1 (no minute traded),
    // s = 0.25 (every ln(0 + 1) is 0). u = ln(21 / 1) = 3.0445, w = 12.1781: volume = 35 × (1 − e^(−9.1781 / 6)) =
    // 27.419 → 27.4; its run holds a minute of usual 0: liquidity = −½ × (27.419 + min(0, 0)) = −13.709 → −13.7.
    // Score 27.4 + 10 − 13.7 = 23.7.
    const never = episodeAt(episodes, 'NEVER', `${DAY}T04:31`);
    expect(never.scoreBaseline).toBe('usual');
    expect(pointsOf(never)).toEqual({
      move: 0,
      volume: 27.4,
      market: 0,
      shape: 10,
      close: 0,
      liquidity: -13.7,
    });
    expect(never.score).toBe(23.7);
    // ONE: U = 1, f = 0.05, s = 0.25; u = ln(20.05 / 1.05) = 2.9494, w = 11.7978: 35 × (1 − e^(−8.7978 / 6)) =
    // 26.923 → 26.9, kept whole. Score 26.9 + 10 = 36.9.
    const one = episodeAt(episodes, 'ONE', `${DAY}T04:31`);
    expect(pointsOf(one)).toEqual({ move: 0, volume: 26.9, market: 0, shape: 10, close: 0, liquidity: 0 });
    expect(one.score).toBe(36.9);
  });

  it('adds a negative market before halving: a market-wide burst from nothing loses nothing more', async () => {
    // Seven symbols that never traded, all trading 20 at 04:31: each one's market is the six others' u =
    // 3.0445 (to 1e-6), so w with the market out is ~0: market = 0 − 27.419 → −27.4, and liquidity =
    // −½ × (27.419 + min(0, −27.419)) = 0. (Shape is left out here: whether flat's V is the raw volume run, 12.18,
    // or the one with the market out, ~0, the contract does not say; see the report of this suite.)
    const episodes = await scoredEpisodes(
      Array.from({ length: 7 }, (_, i): [string, string] => [`NEVER${i + 1}.csv`, symbolOn(0)]),
    );
    expect(episodes).toHaveLength(7);
    for (const episode of episodes) {
      expect(episode.start).toBe(`${DAY}T04:31:00Z`);
      const { move, volume, market, close, liquidity } = pointsOf(episode);
      expect({ move, volume, market, close, liquidity }).toEqual({
        move: 0,
        volume: 27.4,
        market: -27.4,
        close: 0,
        liquidity: 0,
      });
    }
  });
});
