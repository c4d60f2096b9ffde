/**
 * Contract §6 `close`: a push of moves in the last 15 minutes before the symbol's usual close (the latest minute
 * of the day its earlier dates ended at). Expected figures worked out by hand from the contract.
 *
 * Every symbol trades 03:45–05:14 UTC on 1,000 a minute, quiet (σ = 0.0014819, see test/helpers/scoreBars.ts), on
 * three earlier dates: its close is 05:14, its last 15 minutes 05:00–05:14. On the day judged it pushes up from 100
 * four minutes in a row, +1% each (101, 102.01, 103.0301, 104.060401): A1 fires on all four, one episode.
 * - Each bar: r = ln(1.01) = 0.0099503, z = 6.7148. The strongest run is all four: 4 × 6.7148 / √4 = 13.4295:
 *   move = 40 × (1 − e^(−10.4295 / 6)) = 32.967 → **33.0**.
 * - On 5,000 (usual 1,000, f = 50, s = 0.25): w = ln(5050 / 1050) / 0.25 = 6.2824 each, the run of four
 *   12.5648: volume = 35 × (1 − e^(−9.5648 / 6)) = 27.892 → **27.9**; push: L = 4 bars up with w > 0.5,
 *   8 × c(1 / 4) = **2** (no revert: g = 0; no hold: the move takes 4 bars).
 * - No market (three symbols at most), no zero usual.
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

const PUSH = ['101', '102.01', '103.0301', '104.060401'];
/**
 * The day judged: the push from `first` on (an even index after 03:45, so after a close of 100), four minutes on
 * `volume`; then the day ends.
 */
function pushDay(first: '04:31' | '04:57' | '04:59' | '05:11', volume: number) {
  const start = Number(first.slice(0, 2)) * 60 + Number(first.slice(3));
  const times = [0, 1, 2, 3].map(
    (i) =>
      `${String(Math.floor((start + i) / 60)).padStart(2, '0')}:${String((start + i) % 60).padStart(2, '0')}`,
  );
  const changes = Object.fromEntries(
    times.map((time, i): [string, [string, number]] => [time, [PUSH[i]!, volume]]),
  );
  return session(DAY, { changes, until: times[3] });
}
const earlier = EARLIER_DATES.flatMap((date) => session(date));

describe('the close factor (contract §6)', () => {
  it('gives a push into the usual close on heavy volume 12 points, the same push at midday none', async () => {
    const episodes = await scoredEpisodes([
      ['INTOCLOSE.csv', barsCsv([...earlier, ...pushDay('05:11', 5000)])],
      ['MIDDAY.csv', barsCsv([...earlier, ...pushDay('04:31', 5000)])],
      // One earlier date ended at 04:44: the close is still the latest, 05:14.
      [
        'SHORTDAY.csv',
        barsCsv([
          ...session(EARLIER_DATES[0]),
          ...session(EARLIER_DATES[1], { until: '04:44' }),
          ...session(EARLIER_DATES[2]),
          ...pushDay('05:11', 5000),
        ]),
      ],
    ]);
    expect(episodes.map((episode) => [episode.symbol, episode.start, episode.end, episode.count])).toEqual([
      ['INTOCLOSE', `${DAY}T05:11:00Z`, `${DAY}T05:14:00Z`, 4],
      ['MIDDAY', `${DAY}T04:31:00Z`, `${DAY}T04:34:00Z`, 4],
      ['SHORTDAY', `${DAY}T05:11:00Z`, `${DAY}T05:14:00Z`, 4],
    ]);

    // All four bars lie in 05:00–05:14; their strongest run is 13.43 and their mean w 6.28 ≥ 1:
    // close = 12 × c((13.43 − 2) / 2) = 12. Score 33.0 + 27.9 + 2 + 12 = 74.9.
    for (const symbol of ['INTOCLOSE', 'SHORTDAY']) {
      const episode = episodeAt(episodes, symbol, `${DAY}T05:11`);
      expect(episode.scoreBaseline).toBe('usual');
      expect(pointsOf(episode)).toEqual({
        move: 33,
        volume: 27.9,
        market: 0,
        shape: 2,
        close: 12,
        liquidity: 0,
      });
      expect(episode.score).toBe(74.9);
    }
    // 04:31–04:34 is an hour before the close: 33.0 + 27.9 + 2 = 62.9.
    const midday = episodeAt(episodes, 'MIDDAY', `${DAY}T04:31`);
    expect(pointsOf(midday)).toEqual({ move: 33, volume: 27.9, market: 0, shape: 2, close: 0, liquidity: 0 });
    expect(midday.score).toBe(62.9);
  });

  it('halves it on usual volume: the same push on 1,000 a minute scores 33.0 + 6', async () => {
    // w = 0 on every bar: no volume, no push (w > 0.5 needed), not flat (no volume run); the close's mean w is
    // 0 < 1, so 12 × ½ = 6.
    const episodes = await scoredEpisodes([['QUIET.csv', barsCsv([...earlier, ...pushDay('05:11', 1000)])]]);
    const quiet = episodeAt(episodes, 'QUIET', `${DAY}T05:11`);
    expect(pointsOf(quiet)).toEqual({ move: 33, volume: 0, market: 0, shape: 0, close: 6, liquidity: 0 });
    expect(quiet.score).toBe(39);
  });

  it('takes the close from the last 5 earlier dates only: a sixth that ended later does not move it', async () => {
    // 2016-12-30 ends at 05:29 (105 bars), and is followed by five dates ending at 05:14. SIX has all six: the
    // usual reads the last five, its close is 05:14, and the push into it earns 12: 74.9 as above. FIVE drops
    // one of the five: 2016-12-30 is among its last five, its close is 05:29 (last 15 minutes 05:15–05:29), and the
    // same push is an ordinary one: 62.9.
    const long = session('2016-12-30', { bars: 105 });
    const dates = ['2016-12-31', '2017-01-01', ...EARLIER_DATES];
    const episodes = await scoredEpisodes([
      ['SIX.csv', barsCsv([...long, ...dates.flatMap((date) => session(date)), ...pushDay('05:11', 5000)])],
      [
        'FIVE.csv',
        barsCsv([...long, ...dates.slice(1).flatMap((date) => session(date)), ...pushDay('05:11', 5000)]),
      ],
    ]);
    const six = episodeAt(episodes, 'SIX', `${DAY}T05:11`);
    expect([pointsOf(six).close, six.score]).toEqual([12, 74.9]);
    const five = episodeAt(episodes, 'FIVE', `${DAY}T05:11`);
    expect([pointsOf(five).close, five.score]).toEqual([0, 62.9]);
  });

  it('counts the last 15 minutes from 05:00: two bars in them are enough, one is not', async () => {
    // 04:59–05:02: 05:00, 05:01 and 05:02 are in the last 15 minutes; their run is 3 × 6.7148 / √3 = 11.63 and
    // their mean w 6.28: close 12, and the rest as into the close: 74.9. 04:57–05:00: only 05:00 is in: no close,
    // 62.9.
    const episodes = await scoredEpisodes([
      ['THREEIN.csv', barsCsv([...earlier, ...pushDay('04:59', 5000)])],
      ['ONEIN.csv', barsCsv([...earlier, ...pushDay('04:57', 5000)])],
    ]);
    const threeIn = episodeAt(episodes, 'THREEIN', `${DAY}T04:59`);
    expect(pointsOf(threeIn)).toEqual({
      move: 33,
      volume: 27.9,
      market: 0,
      shape: 2,
      close: 12,
      liquidity: 0,
    });
    expect(threeIn.score).toBe(74.9);
    const oneIn = episodeAt(episodes, 'ONEIN', `${DAY}T04:57`);
    expect([pointsOf(oneIn).close, oneIn.score]).toEqual([0, 62.9]);
  });
});
