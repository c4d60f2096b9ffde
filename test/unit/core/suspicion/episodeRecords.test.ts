/**
 * An episode set aside as numbers (episodeRecords.ts) must read back as the very figures it was written from, to
 * the bit: its bars' baselines are kept once in a table, and their return parts worked out again from their log
 * returns, so every bar of every kind of episode must still come back whole.
 */
import { describe, expect, it } from 'vitest';
import {
  maxRecordLength,
  readRecords,
  writeRecord,
} from '../../../../shared/core/suspicion/episodeRecords.js';
import type { EpisodeCounts } from '../../../../shared/core/suspicion/episodeRecords.js';
import { marketPartOf } from '../../../../shared/core/suspicion/marketMinutes.js';
import type { EpisodeBar, EpisodeFigures } from '../../../../shared/core/suspicion/symbolScoring.js';
import { seededRandom } from '../../../helpers/seededRandom.js';

const random = seededRandom(41);

/** A bar as SymbolScoring makes it: its return part from its log return, its surprise part from A2's window. */
function bar(minute: number, baseline: [number, number | null, number], logReturn: number): EpisodeBar {
  const [volatility, usualVolume, volumeSpread] = baseline;
  const windowSurprise = random() < 0.1 ? Number.NaN : (random() - 0.5) * 20;
  return {
    minute,
    alert: random() < 0.5,
    logReturn,
    volatility,
    volume: Math.floor(random() * 1e6),
    surprise: random() < 0.1 ? -0 : random() - 0.5,
    usualVolume,
    volumeSpread,
    part: marketPartOf(logReturn, windowSurprise),
  };
}

function figuresOf(bars: EpisodeBar[], baseline: EpisodeFigures['baseline']): EpisodeFigures {
  return {
    symbol: 'S',
    start: bars[0]?.minute ?? 0,
    end: bars.at(-1)?.minute ?? 0,
    baseline,
    zeroShare: random(),
    closeMinute: random() < 0.5 ? null : 600,
    bars,
  };
}

const countsOf = (figures: EpisodeFigures, peak: number | null): EpisodeCounts => ({
  start: figures.start,
  end: figures.end,
  count: figures.bars.length,
  a1: 1,
  a2: 2,
  peakSeverity: peak,
});

describe('episode records', () => {
  it('read back as the figures written, whichever baselines their bars share', () => {
    const usual: Array<[number, number | null, number]> = [
      [0.001, 1500, 0.3],
      [0.002, 0, 0.25],
      [0.002, null, 0.25],
      [Number.NaN, -0, 0.25],
    ];
    const episodes: Array<[EpisodeCounts, EpisodeFigures]> = [];
    // Quarter hours: runs of bars on one baseline, then the next; a baseline seen again after others.
    const quarters = [0, 0, 0, 1, 1, 2, 3, 3, 0, 2, 1].map((k) => usual[k]!);
    const usualBars = quarters.map((baseline, i) =>
      bar(27_000_000 + i, baseline, i === 0 ? Number.NaN : (random() - 0.5) * (i === 5 ? 0.5 : 0.01)),
    );
    const usualEpisode = figuresOf(usualBars, 'usual');
    episodes.push([countsOf(usualEpisode, 2.5), usualEpisode]);
    // From recent bars: each bar a baseline of its own, as many as bars.
    const recentBars = Array.from({ length: 40 }, (_, i) =>
      bar(27_001_000 + i, [0.001 + i * 1e-6, 100 + i, 0.25 + i * 0.01], (random() - 0.5) * 0.01),
    );
    const recentEpisode = figuresOf(recentBars, 'recent');
    episodes.push([countsOf(recentEpisode, null), recentEpisode]);
    const noBars = figuresOf([], 'none');
    episodes.push([countsOf(noBars, 1), noBars]);

    const room = episodes.reduce((sum, [, figures]) => sum + maxRecordLength(figures.bars.length), 0);
    const numbers = new Float64Array(room);
    let used = 0;
    for (const [counts, figures] of episodes) used += writeRecord(numbers, used, counts, figures);
    // The usual episode's 11 bars on 4 baselines, not 11.
    expect(used).toBeLessThan(room);

    const read = [...readRecords('S', numbers.subarray(0, used))];
    expect(read).toHaveLength(3);
    read.forEach(({ counts, figures }, i) => {
      expect(counts).toEqual(episodes[i]![0]);
      expect(figures).toEqual(episodes[i]![1]);
    });
    // toEqual compares numbers with Object.is: -0, NaN and the flags came back as written.
    expect(Object.is(read[0]!.figures.bars[6]!.usualVolume, -0)).toBe(true);
  });

  it('refuses a record cut short', () => {
    const figures = figuresOf([bar(27_000_000, [0.001, 5, 0.3], 0.001)], 'usual');
    const numbers = new Float64Array(maxRecordLength(1));
    const used = writeRecord(numbers, 0, countsOf(figures, null), figures);
    expect(() => [...readRecords('S', numbers.subarray(0, used - 1))]).toThrow(/cut short at 0/);
  });
});
