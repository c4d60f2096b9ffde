/**
 * A baseline's figures (contract §6 Baselines) as the contract states them, worked out the plain way here, with
 * every median taken from a sorted copy, against SymbolBaseline's (which takes them by selection, merges and sorts
 * of its own), on random series of every kind of volume: many zero minutes, one volume all day, volumes over eight
 * orders of magnitude, a few trades, fractions, volumes a few ulps apart. They must agree to the last bit, or scores would change.
 */
import { describe, expect, it } from 'vitest';
import {
  BASELINE_DAYS,
  BASELINE_SPAN_DAYS,
  BUCKET_MINUTES,
  MIN_BUCKET_BARS,
  MIN_RECENT_BARS,
  MIN_VOLATILITY,
  MIN_VOLUME_SPREAD,
  RECENT_BARS,
  SymbolBaseline,
  type BarBaseline,
} from '../../../../shared/core/suspicion/baseline.js';
import { seededRandom } from '../../../helpers/seededRandom.js';

interface Bar {
  minute: number;
  logReturn: number;
  volume: number;
}

const medianOfSorted = (values: readonly number[]) => {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Contract §6: the figures of a sample of bars. */
function figuresOf(sample: readonly Bar[]) {
  const returns = sample.filter((bar) => !Number.isNaN(bar.logReturn)).map((bar) => Math.abs(bar.logReturn));
  const volatility =
    returns.length === 0
      ? MIN_VOLATILITY
      : Math.max(
          1.4826 * medianOfSorted(returns),
          returns.reduce((sum, value) => sum + value, 0) / returns.length,
          MIN_VOLATILITY,
        );
  const volumes = sample.map((bar) => bar.volume);
  const traded = volumes.filter((volume) => volume > 0);
  const volumeFloor = traded.length === 0 ? 1 : 0.05 * medianOfSorted(traded);
  const logs = volumes.map((volume) => Math.log(volume + volumeFloor));
  const center = medianOfSorted(logs);
  const volumeSpread = Math.max(
    1.4826 * medianOfSorted(logs.map((log) => Math.abs(log - center))),
    MIN_VOLUME_SPREAD,
  );
  let usualVolume = medianOfSorted(volumes);
  if (usualVolume === 0) usualVolume = volumes.reduce((sum, volume) => sum + volume, 0) / volumes.length;
  return {
    volatility,
    usualVolume,
    volumeFloor,
    volumeSpread,
    zeroShare: (volumes.length - traded.length) / volumes.length,
  };
}

/** Contract §6: the baseline of a bar at `minute` from the bars before it. */
function expectedBaseline(before: readonly Bar[], minute: number): Omit<BarBaseline, 'closeMinute'> {
  const date = Math.floor(minute / 1440);
  const dates = [...new Set(before.map((bar) => Math.floor(bar.minute / 1440)))]
    .filter((day) => day < date && day >= date - BASELINE_SPAN_DAYS)
    .slice(-BASELINE_DAYS);
  if (dates.length > 0) {
    const earlier = before.filter((bar) => dates.includes(Math.floor(bar.minute / 1440)));
    const bucket = Math.floor((minute % 1440) / BUCKET_MINUTES);
    const inBucket = earlier.filter((bar) => Math.floor((bar.minute % 1440) / BUCKET_MINUTES) === bucket);
    return { kind: 'usual', ...figuresOf(inBucket.length >= MIN_BUCKET_BARS ? inBucket : earlier) };
  }
  const recent = recentBars(before, minute);
  if (recent.length < MIN_RECENT_BARS) return { kind: 'none', ...figuresOf([]) };
  return { kind: 'recent', ...figuresOf(recent) };
}

/** Contract §6: the symbol's recent bars before `minute`, within the span. */
const recentBars = (before: readonly Bar[], minute: number) =>
  before.slice(-RECENT_BARS).filter((bar) => bar.minute >= minute - BASELINE_SPAN_DAYS * 1440);

/** Contract §6: the volatility of the recent bars before `minute` (an episode's regime), NaN with too few. */
function expectedRecentVolatility(before: readonly Bar[], minute: number): number {
  const recent = recentBars(before, minute);
  return recent.length < MIN_RECENT_BARS ? Number.NaN : figuresOf(recent).volatility;
}

describe("a baseline's figures", () => {
  it('are the contract’s, median for median, on random series of every kind of volume, and so is the recent volatility', () => {
    const random = seededRandom(31);
    const volumeOf = [
      () => (random() < 0.6 ? 0 : Math.floor(random() * 1000)),
      () => 500,
      () => Math.floor(10 ** (random() * 8)),
      () => (random() < 0.95 ? 0 : 1),
      () => Math.floor(random() * 5) + (random() < 0.01 ? 0.5 : 0),
      // Volumes a few ulps apart: their logs are worked out and checked for order one by one.
      () => 1e6 + Math.floor(random() * 4) * 1e-9,
    ];
    let compared = 0;
    let recentCompared = 0;
    for (let series = 0; series < 25; series++) {
      const baseline = new SymbolBaseline();
      const bars: Bar[] = [];
      // Flat minutes (an unchanged close) from a tenth to most of them: the median of the absolute returns from
      // well above the mean's share to 0.
      const zeroShare = [0.1, 0.45, 0.7][series % 3]!;
      let minute = 17_000 * 1440 + 200 + Math.floor(random() * 100);
      for (let i = 0; i < 2500; i++) {
        minute += random() < 0.015 ? 900 + Math.floor(random() * 2500) : 1;
        const bar: Bar = {
          minute,
          logReturn: random() < 0.05 ? Number.NaN : random() < zeroShare ? 0 : (random() - 0.5) * 0.01,
          volume: volumeOf[series % volumeOf.length]!(),
        };
        if (random() < 0.05) {
          const { closeMinute: _close, ...actual } = baseline.baselineAt(minute);
          const expected = expectedBaseline(bars, minute);
          if (expected.kind !== 'none') {
            for (const key of Object.keys(expected) as Array<keyof typeof expected>) {
              expect(
                Object.is(actual[key], expected[key]),
                `${key} at ${minute}: ${actual[key]} ≠ ${expected[key]}`,
              ).toBe(true);
            }
          } else {
            expect(actual.kind).toBe('none');
          }
          const recentVolatility = baseline.recentVolatility(minute);
          const expectedRecent = expectedRecentVolatility(bars, minute);
          expect(
            Object.is(recentVolatility, expectedRecent),
            `recent volatility at ${minute}: ${recentVolatility} ≠ ${expectedRecent}`,
          ).toBe(true);
          if (!Number.isNaN(expectedRecent)) recentCompared++;
          compared++;
        }
        baseline.add(bar.minute, bar.logReturn, bar.volume);
        bars.push(bar);
      }
    }
    expect(compared).toBeGreaterThan(2000);
    expect(recentCompared).toBeGreaterThan(1500);
  });
});
