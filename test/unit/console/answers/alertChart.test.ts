/** The chart's figures (console/answers/alertChart.ts) on bars worked out by hand. */
import { describe, expect, it } from 'vitest';
import { barsOf, chartOf, scoreContextOf } from '../../../../console/answers/alertChart.js';
import { dayOf, encodeBars, type StoredBar } from '../../../../shared/pipeline/barBytes.js';
import type { AlertRow } from '../../../../console/api/contract.js';

const M = Date.UTC(2017, 0, 2, 5, 6) / 60_000; // the alert's minute
const T = M * 60;
const THRESHOLDS = { a1: 0.005, a2: 0.02, windowMinutes: 10 };

/** Bars at M-12 ... M, with M-7 and M-3 missing; volume v at minute M-k is 10k. */
const stored: StoredBar[] = [];
for (let k = 12; k >= 0; k--) if (k !== 7 && k !== 3) stored.push([M - k, 100, 101, 99, 100 + k, 10 * k]);

const alert = (withA1: boolean): AlertRow => ({
  id: `ACME@${new Date(T * 1000).toISOString().slice(0, 19)}Z`,
  symbol: 'ACME',
  timestamp: `${new Date(T * 1000).toISOString().slice(0, 19)}Z`,
  rules: withA1 ? ['A1', 'A2'] : ['A2'],
  severity: 1,
  open: 100,
  high: 101,
  low: 99,
  close: 100,
  volume: 0,
  ...(withA1 && {
    a1: { prevClose: 123.8, prevTimestamp: '2017-01-02T05:05:00Z', changePct: -0.5, severity: 0.05 },
  }),
  source: { object: 'ACME.csv', line: 2 },
  episode: 'ACME@x',
  status: 'new',
});

describe('chartOf', () => {
  const bars = barsOf([
    { symbol: 'ACME', day: '2017-01-02', count: stored.length, bars: encodeBars(stored) },
  ]);

  it('reads the bars the document holds, ascending, and none from one that holds no bars', () => {
    expect(bars).toHaveLength(11);
    expect(barsOf([{ symbol: 'ACME', day: '2017-01-02', bars: Buffer.alloc(47) }])).toEqual([]);
    expect(barsOf([{ symbol: 'ACME', day: '2017-01-02', minutes: {} }])).toEqual([]);
    expect(bars[0]).toEqual({ time: (M - 12) * 60, open: 100, high: 101, low: 99, close: 112, volume: 120 });
    expect(bars.at(-1)!.time).toBe(T);
  });

  it('averages the bars of [m-10, m-1] present: k = 10, 9, 8, 6, 5, 4, 2, 1', () => {
    const chart = chartOf(alert(false), bars, [], THRESHOLDS, 'Asia/Kolkata');
    // volumes 100 + 90 + 80 + 60 + 50 + 40 + 20 + 10 = 450 over 8 bars
    expect(chart.window).toEqual({ from: T - 600, to: T - 60, mean: 56.25, limit: 56.25 * 1.02 });
    // no A1: the previous bar's close (k = 1: 101)
    expect(chart.prevClose).toBe(101);
    expect(chart.prevTime).toBe(T - 60);
    expect(chart.thresholds).toEqual(THRESHOLDS);
    expect(chart.timeZone).toBe('Asia/Kolkata');
  });

  it("takes A1's previous close when the alert has one", () => {
    const chart = chartOf(alert(true), bars, [], THRESHOLDS, 'UTC');
    expect(chart.prevClose).toBe(123.8);
    expect(chart.prevTime).toBe(Date.parse('2017-01-02T05:05:00Z') / 1000);
  });

  it('has no mean, limit or previous close without bars', () => {
    const chart = chartOf(alert(false), barsOf([]), [], THRESHOLDS, 'UTC');
    expect(chart).toMatchObject({
      bars: [],
      prevClose: null,
      prevTime: null,
      window: { mean: null, limit: null },
    });
  });

  it('names the UTC day of a minute', () => {
    expect(dayOf(M)).toBe('2017-01-02');
    expect(dayOf(Date.UTC(2017, 0, 2, 23, 59) / 60_000)).toBe('2017-01-02');
  });

  it("gives the score's context of the alert's UTC day, in time order, and none for an episode not scored", () => {
    // The episode's minutes: M-1 and M on the alert's day, M+1 given out of order, and the next day's first
    // minute (an episode across midnight UTC): that one is not on this chart.
    const nextDay = (Math.floor(M / 1440) + 1) * 1440;
    const episode = {
      score: 55,
      scoreContext: {
        minutes: [M - 1, M + 1, M, nextDay],
        usualVolume: [40, 60, null, 5],
        marketMovePct: [0.1, null, -0.25, 0],
      },
    };
    const chart = chartOf(alert(false), bars, [], THRESHOLDS, 'UTC', scoreContextOf(episode));
    expect(chart.scoreContext).toEqual([
      { time: T - 60, usualVolume: 40, marketMovePct: 0.1 },
      { time: T, usualVolume: null, marketMovePct: -0.25 },
      { time: T + 60, usualVolume: 60, marketMovePct: null },
    ]);
    expect(chartOf(alert(false), bars, [], THRESHOLDS, 'UTC').scoreContext).toEqual([]);
    expect(scoreContextOf(undefined)).toBeNull();
    expect(scoreContextOf({ peakSeverity: 1 })).toBeNull();
    expect(scoreContextOf({ ...episode, score: undefined })).toBeNull();
  });
});
