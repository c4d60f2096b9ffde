/** The ranking figures of bench:ranking, on hand-made rankings whose figures are worked out by hand. */
import { describe, expect, it } from 'vitest';
import { rankingFigures, type RankedEpisode, type TruthEvent } from '../../../bench/rankingMetrics.js';

const episode = (symbol: string, start: number, end = start): RankedEpisode => ({ symbol, start, end });
const event = (kind: string, symbol: string | null, start: number, end = start): TruthEvent => ({
  kind,
  symbol,
  start,
  end,
});

const planted = [event('pump', 'A', 100, 120), event('close', 'B', 370, 375)];
const shock = [event('shock', null, 200)];

describe('rankingFigures', () => {
  it('is 1 everywhere when the planted events rank first', () => {
    const figures = rankingFigures(
      [episode('A', 110, 130), episode('B', 360, 371), episode('C', 200), episode('A', 5)],
      planted,
      shock,
    );
    expect(figures).toEqual({
      averagePrecision: 1,
      precisionAtR: 1,
      recall: 1,
      legitimateInTopR: { shock: 0 },
      byKind: { pump: { planted: 1, found: 1, inTopR: 1 }, close: { planted: 1, found: 1, inTopR: 1 } },
    });
  });

  it('averages the precision at each first find: hits at ranks 2 and 4 give (1/2 + 2/4) / 2', () => {
    const figures = rankingFigures(
      [episode('C', 200), episode('A', 100), episode('A', 115), episode('B', 375)],
      planted,
      shock,
    );
    // A's second episode finds nothing new; the market shock (any symbol) ranks first, inside the top R = 2.
    expect(figures.averagePrecision).toBe(0.5);
    expect(figures.precisionAtR).toBe(0.5);
    expect(figures.legitimateInTopR).toEqual({ shock: 1 });
    expect(figures.recall).toBe(1);
  });

  it('counts an event found by no episode as 0 towards the average, and misses it in recall', () => {
    const figures = rankingFigures([episode('B', 372), episode('A', 50, 99)], planted, shock);
    // B found at rank 1 (precision 1); A's episode ends before the pump begins: never found.
    expect(figures.averagePrecision).toBe(0.5);
    expect(figures.recall).toBe(0.5);
    expect(figures.byKind.pump).toEqual({ planted: 1, found: 0, inTopR: 0 });
  });
});
