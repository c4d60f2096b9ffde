/** The ranking figures of bench:ranking and calibrate, on hand-made rankings whose figures are worked out by hand. */
import { describe, expect, it } from 'vitest';
import {
  byPeakSeverity,
  byScore,
  rankingFigures,
  type RankedEpisode,
  type TruthEvent,
} from '../../../shared/core/rankingQuality.js';

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

describe('byScore', () => {
  it('ranks the highest score first, ties by peak severity, then by start', () => {
    const e = (symbol: string, start: string, score: number, peakSeverity: number | null) => ({
      symbol,
      start,
      end: start,
      score,
      peakSeverity,
    });
    const ranked = byScore([
      e('A', '2021-01-04T03:45:00Z', 10, 9),
      e('B', '2021-01-04T03:50:00Z', 60, null),
      e('C', '2021-01-04T03:47:00Z', 10, 12),
      e('D', '2021-01-04T03:46:00Z', 10, 9),
    ]);
    expect(ranked.map((r) => r.symbol)).toEqual(['B', 'C', 'A', 'D']);
  });
});

describe('byPeakSeverity', () => {
  it('ranks the largest peak first, an episode without one last, ties by start', () => {
    const e = (symbol: string, start: string, peakSeverity: number | null) => ({
      symbol,
      start,
      end: start,
      peakSeverity,
    });
    const ranked = byPeakSeverity([
      e('A', '2021-01-04T03:45:00Z', 1.5),
      e('B', '2021-01-04T03:50:00Z', null),
      e('C', '2021-01-04T03:47:00Z', 3),
      e('D', '2021-01-04T03:46:00Z', 1.5),
    ]);
    // 2021-01-04T03:45Z is minute 26,828,865 since the epoch (18,631 days × 1440 + 225).
    expect(ranked.map((r) => `${r.symbol} ${r.start - 26_828_865}`)).toEqual(['C 2', 'A 0', 'D 1', 'B 5']);
  });
});
