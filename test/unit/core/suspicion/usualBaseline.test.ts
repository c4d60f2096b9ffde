/**
 * Contract §6 The bars it reads: the *usual* baseline, from the same quarter hour (UTC) of the symbol's earlier
 * dates when they hold at least 20 bars, else from those dates whole; only dates within the 10 calendar days
 * before. Expected figures worked out by hand from the contract.
 *
 * Every symbol trades 03:45–05:14 UTC (90 quiet bars a day, σ = 0.0014819 everywhere, see
 * test/helpers/scoreBars.ts) on 5,000 a minute in its opening quarter hour (03:45–03:59) and 1,000 after it. On
 * the day judged it jumps from 100 to 102 and back at once, on 5,000 both minutes: A1 fires on both bars, one
 * episode of two. Its move is always 32.9 (z = ±13.363) and its shape a revert of 12 (g = 1, E = 13.363); no
 * market (three symbols), no close (05:14 is far), no zero usual. Only the volume differs:
 * - against 5,000 (U = 5,000, f = 250, s = 0.25): u = ln(5250 / 5250) = 0, volume **0**;
 * - against 1,000 (U = 1,000, f = 50, s = 0.25): u = ln(5050 / 1050) = 1.57066, w = 6.2824 on each bar, the run
 *   of both 12.565 / √2 = 8.8846: 35 × (1 − e^(−5.8846 / 6)) = 21.874 → **21.9**.
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
  type Bar,
} from '../../../helpers/scoreBars.js';

/** 5,000 a minute in the opening quarter hour, 1,000 after. */
const heavyOpen = (time: string) => (time < '04:00' ? 5000 : 1000);
const earlier = (dates: readonly string[]): Bar[] =>
  dates.flatMap((date) => session(date, { volume: heavyOpen }));
/** The day judged: the jump at `at` (an even index, after a close of 100) and back the next minute, on 5,000. */
const jumpDay = (at: string, back: string) =>
  session(DAY, { volume: heavyOpen, changes: { [at]: ['102', 5000], [back]: ['100', 5000] } });

describe('the usual baseline by quarter hour (contract §6)', () => {
  it('judges the open against opens (5× midday is usual there) and midday against middays', async () => {
    const episodes = await scoredEpisodes([
      ['OPEN.csv', barsCsv([...earlier(EARLIER_DATES), ...jumpDay('03:51', '03:52')])],
      ['MIDDAY.csv', barsCsv([...earlier(EARLIER_DATES), ...jumpDay('04:31', '04:32')])],
    ]);
    expect(episodes.map((episode) => [episode.symbol, episode.start, episode.end])).toEqual([
      ['MIDDAY', '2017-01-05T04:31:00Z', '2017-01-05T04:32:00Z'],
      ['OPEN', '2017-01-05T03:51:00Z', '2017-01-05T03:52:00Z'],
    ]);
    // The open's quarter hour holds 45 earlier bars (≥ 20), all on 5,000: the open's 5,000 is its usual.
    const open = episodeAt(episodes, 'OPEN', `${DAY}T03:51`);
    expect(open.scoreBaseline).toBe('usual');
    expect(pointsOf(open)).toEqual({ move: 32.9, volume: 0, market: 0, shape: 12, close: 0, liquidity: 0 });
    expect(open.score).toBe(44.9);
    // 04:30–04:44 holds 45 earlier bars on 1,000: the same 5,000 is five times its usual. 32.9 + 21.9 + 12.
    const midday = episodeAt(episodes, 'MIDDAY', `${DAY}T04:31`);
    expect(midday.scoreBaseline).toBe('usual');
    expect(pointsOf(midday)).toEqual({
      move: 32.9,
      volume: 21.9,
      market: 0,
      shape: 12,
      close: 0,
      liquidity: 0,
    });
    expect(midday.score).toBe(66.8);
  });

  it('falls back to the whole earlier dates when the quarter hour holds fewer than 20 bars', async () => {
    // One earlier date: 15 bars in the open's quarter hour, so all 90 of it: 15 on 5,000 and 75 on 1,000, median
    // 1,000 (U = 1,000, f = 50; the MAD of ln(v + f) is 0, s = 0.25). The open's 5,000 is five times that: 66.8.
    const episodes = await scoredEpisodes([
      ['ONEDAY.csv', barsCsv([...earlier([EARLIER_DATES[2]]), ...jumpDay('03:51', '03:52')])],
    ]);
    const [episode, ...more] = episodes;
    expect(more).toEqual([]);
    expect(episode!.scoreBaseline).toBe('usual');
    expect(pointsOf(episode!)).toEqual({
      move: 32.9,
      volume: 21.9,
      market: 0,
      shape: 12,
      close: 0,
      liquidity: 0,
    });
    expect(episode!.score).toBe(66.8);
  });

  it('reads earlier dates within the 10 calendar days before only: 10 days back is usual, 11 is none', async () => {
    // 2016-12-26 is 10 days before 2017-01-05: its whole day is the usual (15 bars in the quarter hour), 66.8 as
    // above. 2016-12-25 is 11: no usual date, and the recent bars within 10 days are the day's own six
    // (03:45–03:50), fewer than 20: no baseline, score 0.
    const episodes = await scoredEpisodes([
      ['TEN.csv', barsCsv([...earlier(['2016-12-26']), ...jumpDay('03:51', '03:52')])],
      ['ELEVEN.csv', barsCsv([...earlier(['2016-12-25']), ...jumpDay('03:51', '03:52')])],
    ]);
    const ten = episodeAt(episodes, 'TEN', `${DAY}T03:51`);
    expect([ten.scoreBaseline, ten.score, pointsOf(ten).volume]).toEqual(['usual', 66.8, 21.9]);
    const eleven = episodeAt(episodes, 'ELEVEN', `${DAY}T03:51`);
    expect([eleven.scoreBaseline, eleven.score]).toEqual(['none', 0]);
  });

  it('needs 20 bars in the quarter hour: 20 make its usual, 19 fall back to the whole days', async () => {
    // Two earlier dates whose sessions open late. TWENTY: both at 03:50, 10 + 10 bars in 03:45–03:59, all on 5,000:
    // U = 5,000, the open's 5,000 is usual, 44.9. NINETEEN: at 03:50 and 03:51, 10 + 9 bars: the whole days, 19 on
    // 5,000 and 150 on 1,000, median 1,000: five times its usual, 66.8. (A day of an odd number of bars ends at
    // 100.1 and the next opens at 100.1: a return of 0 here and there leaves the median |r| and σ as they are.)
    const late = (opens: readonly string[]) =>
      opens.flatMap((from, i) =>
        session(EARLIER_DATES[i + 1]!, { from, bars: 85, volume: heavyOpen, until: '05:14' }),
      );
    const episodes = await scoredEpisodes([
      ['TWENTY.csv', barsCsv([...late(['03:50', '03:50']), ...jumpDay('03:51', '03:52')])],
      ['NINETEEN.csv', barsCsv([...late(['03:50', '03:51']), ...jumpDay('03:51', '03:52')])],
    ]);
    const twenty = episodeAt(episodes, 'TWENTY', `${DAY}T03:51`);
    expect([twenty.scoreBaseline, pointsOf(twenty).volume, twenty.score]).toEqual(['usual', 0, 44.9]);
    const nineteen = episodeAt(episodes, 'NINETEEN', `${DAY}T03:51`);
    expect([nineteen.scoreBaseline, pointsOf(nineteen).volume, nineteen.score]).toEqual([
      'usual',
      21.9,
      66.8,
    ]);
  });
});
