/**
 * Contract §6: the score is a number, never null or NaN, "at the end of a ranking" when there is too little
 * history. An episode whose first bar has no baseline scores 0, every factor 0, `scoreBaseline: "none"`; zero
 * volumes and flat prices fall on the floors (σ ≥ 0.0001, f = 1 with no traded minute, s ≥ 0.25). Expected
 * figures worked out by hand from the contract (quiet bars: see test/helpers/scoreBars.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  barsCsv,
  episodeAt,
  episodesText,
  parseEpisodes,
  pointsOf,
  session,
  writeFiles,
  type Bar,
} from '../../../helpers/scoreBars.js';

const DATE = '2017-01-02';
const at = (time: string) => `${DATE}T${time}`;
/** `count` quiet bars from 03:45, then `changes`. */
const quiet = (count: number, changes: Record<string, [string, number?]>) =>
  session(DATE, { bars: count, changes });
const flatNothing: Bar[] = session(DATE, { bars: 40, volume: 0 }).map((bar) => ({ ...bar, close: '100' }));

/** Five symbols (four others are too few for a market, and their minutes differ anyway). */
const files = writeFiles([
  // 19 bars, then 102 at 04:04 (+1.9% on 100.1) and 100: the episode's first bar has 19 earlier bars, fewer
  // than 20, and no earlier date: no baseline.
  ['SHORT.csv', barsCsv(quiet(19, { '04:04': ['102'], '04:05': ['100'] }))],
  // 20 bars, then 102 at 04:05 (on 100) and 100: a recent baseline of 20 bars (19 returns, σ = 0.0014819).
  ['ENOUGH.csv', barsCsv(quiet(20, { '04:05': ['102'], '04:06': ['100'] }))],
  // Two bars: 100.1, then 102 (A1): no baseline.
  ['TWO.csv', barsCsv(quiet(1, { '03:46': ['102'] }))],
  // One bar: no rule can fire on it, so no episode.
  ['SINGLE.csv', barsCsv(quiet(1, {}))],
  // 40 bars at 100 that never trade, then 101 and 100 on 0.
  [
    'NOTHING.csv',
    barsCsv([
      ...flatNothing,
      { minute: at('04:25'), close: '101', volume: 0 },
      { minute: at('04:26'), close: '100', volume: 0 },
    ]),
  ],
]);

describe('the score is never NaN or null (contract §6)', () => {
  it('scores an episode without a baseline 0, every factor 0, and the short and flat cases in numbers', async () => {
    const episodes = parseEpisodes(await episodesText(files));
    expect(episodes.map((episode) => [episode.symbol, episode.start, episode.scoreBaseline])).toEqual([
      ['ENOUGH', `${at('04:05')}:00Z`, 'recent'],
      ['NOTHING', `${at('04:25')}:00Z`, 'recent'],
      ['SHORT', `${at('04:04')}:00Z`, 'none'],
      ['TWO', `${at('03:46')}:00Z`, 'none'],
    ]);
    const zero = { move: 0, volume: 0, market: 0, shape: 0, close: 0, liquidity: 0 };
    // SHORT: its second bar (04:05) has 20 earlier bars and a baseline, but the episode's figures are its first
    // bar's: none.
    for (const [symbol, start] of [
      ['SHORT', '04:04'],
      ['TWO', '03:46'],
    ] as const) {
      const episode = episodeAt(episodes, symbol, at(start));
      expect(episode.score).toBe(0);
      expect(pointsOf(episode)).toEqual(zero);
      expect(episode.scoreAlerts.every((alert) => alert.points === 0)).toBe(true);
      expect(episode.scoreAlerts).toHaveLength(episode.count);
    }

    // ENOUGH: bar 04:05 z = 13.363 (move 32.9), given back at once: revert 12, score 44.9. Bar 04:06 is measured
    // against its own recent σ, which now holds 04:05's return: median 0.0009995 still, but the mean
    // (19 × 0.0009995 + 0.0198026) / 20 = 0.0019397 is above 0.0014819: z = −0.0198026 / 0.0019397 = −10.209.
    // The alerts' parts: 44.9 × 13.363 / 23.573 = 25.5 and 44.9 × 10.209 / 23.573 = 19.4.
    const enough = episodeAt(episodes, 'ENOUGH', at('04:05'));
    expect(pointsOf(enough)).toEqual({ ...zero, move: 32.9, shape: 12 });
    expect(enough.score).toBe(44.9);
    expect(enough.scoreAlerts).toEqual([
      { minute: `${at('04:05')}:00Z`, points: 25.5 },
      { minute: `${at('04:06')}:00Z`, points: 19.4 },
    ]);

    // NOTHING: 39 returns of 0, so σ = 0.0001 (the floor); no minute traded, so U = 0, f = 1, s = 0.25, and
    // u = ln(1 / 1) = 0 on every bar: volume 0 (and liquidity −½ × (0 + 0) = 0). 04:25: z = ln(1.01) / 0.0001 =
    // 99.503, move 40 × (1 − e^(−96.503 / 6)) = 39.99999 → 40; given back at once (g = 1, E = 99.5): revert 12.
    // Score 52. 04:26's σ holds 04:25's return: median 0, mean 0.0099503 / 40 = 0.00024876, z = −40.0.
    // Parts: 52 × 99.503 / 139.503 = 37.1 and 52 × 40 / 139.503 = 14.9.
    const nothing = episodeAt(episodes, 'NOTHING', at('04:25'));
    expect(pointsOf(nothing)).toEqual({ ...zero, move: 40, shape: 12 });
    expect(nothing.score).toBe(52);
    expect(nothing.scoreAlerts.map((alert) => alert.points)).toEqual([37.1, 14.9]);

    // Every figure is a finite number.
    for (const episode of episodes) {
      expect(Number.isFinite(episode.score), episode.symbol).toBe(true);
      for (const { points } of episode.scoreFactors)
        expect(Number.isFinite(points), episode.symbol).toBe(true);
      for (const { points } of episode.scoreAlerts)
        expect(Number.isFinite(points), episode.symbol).toBe(true);
    }
  });

  it('writes a number in every score column of the CSV', async () => {
    const [header, ...rows] = (await episodesText(files, 'csv')).trimEnd().split('\n');
    const columns = header!.split(',');
    expect(columns).toEqual([
      'symbol',
      'start',
      'end',
      'count',
      'a1',
      'a2',
      'peakSeverity',
      'score',
      'scoreBaseline',
      'move',
      'volume',
      'market',
      'shape',
      'close',
      'liquidity',
    ]);
    const bySymbol: Record<string, Record<string, string>> = Object.fromEntries(
      rows.map((row) => {
        const cells = Object.fromEntries(row.split(',').map((cell, i) => [columns[i]!, cell]));
        return [cells.symbol, cells];
      }),
    );
    expect(Object.keys(bySymbol).sort()).toEqual(['ENOUGH', 'NOTHING', 'SHORT', 'TWO']);
    for (const cells of Object.values(bySymbol)) {
      for (const column of ['score', 'move', 'volume', 'market', 'shape', 'close', 'liquidity']) {
        expect(cells[column], `${cells.symbol} ${column}`).toMatch(/^-?\d+(\.\d)?$/);
      }
    }
    expect([bySymbol.SHORT!.score, bySymbol.SHORT!.scoreBaseline]).toEqual(['0', 'none']);
    expect([bySymbol.ENOUGH!.score, bySymbol.ENOUGH!.scoreBaseline]).toEqual(['44.9', 'recent']);
    expect([bySymbol.NOTHING!.score, bySymbol.NOTHING!.move, bySymbol.NOTHING!.shape]).toEqual([
      '52',
      '40',
      '12',
    ]);
  });
});
