/**
 * Contract §6 `shape`: a jump that is given back (revert) against one that holds (hold, negative: how news moves
 * a price). Expected figures worked out by hand from the contract.
 *
 * Every symbol has 40 quiet bars from 03:45 on 2017-01-02 (a *recent* baseline: σ = 0.0014819, see
 * test/helpers/scoreBars.ts; volume 1,000, U = 1,000, f = 50, s = 0.25), then its case from 04:25 on. At most five
 * symbols a run: four others are too few for a market. A +2% bar from 100 has z = ln(1.02) / σ = 13.3634 and
 * moves 32.889 → **32.9** points alone; a +1% bar z = ln(1.01) / σ = 6.7148. Later bars keep σ: the episode's own
 * returns join the recent sample, but its median stays 0.0009995 and its mean below 0.0014819.
 */
import { describe, expect, it } from 'vitest';
import { barsCsv, episodeAt, pointsOf, scoredEpisodes, session } from '../../../helpers/scoreBars.js';

const DATE = '2017-01-02';
const after = (changes: Record<string, [string, number?]>) => barsCsv(session(DATE, { bars: 40, changes }));
const at = (time: string) => `${DATE}T${time}`;

describe('the shape factor: hold against revert (contract §6)', () => {
  it('gives a jump given back 12 and one that holds half its move off', async () => {
    const episodes = await scoredEpisodes([
      // 102 then back to 100: path 0.0198026 after 1 bar, then 0: g = 1, E = 13.363, revert = 12 × 1 × 1 = 12.
      ['REVERT.csv', after({ '04:25': ['102'], '04:26': ['100'] })],
      // 102 and it stays (04:26 is flat, no alert): an episode of one bar, g = 0 < 0.3, the move in 1 bar:
      // hold = −½ × 32.889 = −16.444 → −16.4. Score 32.9 − 16.4 = 16.5.
      ['HOLD.csv', after({ '04:25': ['102'], '04:26': ['102'] })],
      // 102 then 101 (A1 fires, −0.98%): the path ends at ln(1.01) = 0.0099503, g = 0.0098523 / 0.0198026 =
      // 0.4975: not past ½ (no revert), not below 0.3 (no hold). Shape 0; the move is bar 04:25 alone (with
      // 04:26's z = −6.649 the run is 4.75): score 32.9.
      ['HALF.csv', after({ '04:25': ['102'], '04:26': ['101'] })],
      // +1% twice, then flat: the move's run is both bars, 2 × 6.7148 / √2 = 9.4961: 40 × (1 − e^(−6.4961 / 6)) =
      // 26.453 → 26.5, made in 2 bars and held: hold = −13.226 → −13.2. Score 13.3.
      ['TWOBARS.csv', after({ '04:25': ['101'], '04:26': ['102.01'], '04:27': ['102.01'] })],
      // +1% three times: 3 × 6.7148 / √3 = 11.6303, 40 × (1 − e^(−8.6303 / 6)) = 30.508 → 30.5; three bars are
      // not a jump: no hold. Score 30.5.
      ['THREEBARS.csv', after({ '04:25': ['101'], '04:26': ['102.01'], '04:27': ['103.0301'] })],
    ]);
    const figures = (symbol: string) => {
      const episode = episodeAt(episodes, symbol, at('04:25'));
      return { end: episode.end, points: pointsOf(episode), score: episode.score };
    };
    const none = { volume: 0, market: 0, close: 0, liquidity: 0 };
    expect(figures('REVERT')).toEqual({
      end: `${at('04:26')}:00Z`,
      points: { move: 32.9, shape: 12, ...none },
      score: 44.9,
    });
    expect(figures('HOLD')).toEqual({
      end: `${at('04:25')}:00Z`,
      points: { move: 32.9, shape: -16.4, ...none },
      score: 16.5,
    });
    expect(figures('HALF')).toEqual({
      end: `${at('04:26')}:00Z`,
      points: { move: 32.9, shape: 0, ...none },
      score: 32.9,
    });
    expect(figures('TWOBARS')).toEqual({
      end: `${at('04:26')}:00Z`,
      points: { move: 26.5, shape: -13.2, ...none },
      score: 13.3,
    });
    expect(figures('THREEBARS')).toEqual({
      end: `${at('04:27')}:00Z`,
      points: { move: 30.5, shape: 0, ...none },
      score: 30.5,
    });
  });

  it('takes the hold off the worked example when its second bar stays at 102: 63.3 becomes 34.9', async () => {
    // §6's worked example (102 on 5,000, then 3,000) with 04:26 at 102 instead of 100.1: A2 fires on it (3,000
    // against a mean of 1,400), so the episode is both bars. Volume as in the example: w = 6.2826 and 4.2654, run
    // 7.4586, 18.352 → 18.4. The move is bar 04:25 alone (04:26's z is 0): 32.9; g = 0, so no revert (12 in the
    // example) but a hold of −16.444 → −16.4; no push (04:26 does not move). Score 32.9 + 18.4 − 16.4 = 34.9.
    const [episode, ...more] = await scoredEpisodes([
      ['HOLDVOLUME.csv', after({ '04:25': ['102', 5000], '04:26': ['102', 3000] })],
    ]);
    expect(more).toEqual([]);
    expect([episode!.start, episode!.end]).toEqual([`${at('04:25')}:00Z`, `${at('04:26')}:00Z`]);
    expect(pointsOf(episode!)).toEqual({
      move: 32.9,
      volume: 18.4,
      market: 0,
      shape: -16.4,
      close: 0,
      liquidity: 0,
    });
    expect(episode!.score).toBe(34.9);
  });
});
