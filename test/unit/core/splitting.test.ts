/**
 * Real data (FTX BTC-PERP minute bars, UTC; kept outside the repository, see test/helpers/realData.ts) and
 * the promise the pipeline rests on: splitting the input anywhere, or resuming from a serialized state, gives
 * the same alerts as one pass.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ObjectSeriesDetection } from '../../../shared/core/objectSeriesDetection.js';
import type { Alert } from '../../../shared/core/alert.js';
import type { SymbolState } from '../../../shared/core/symbolState.js';
import { configFor, detectTexts, readText } from '../../helpers/read.js';
import { realDataFile } from '../../helpers/realData.js';

const REAL = realDataFile('BTC-PERP__FTX_1m.csv');
const NAME = 'BTC-PERP__FTX_1m.csv';
const text = readFileSync(REAL, 'utf8');
const [header, ...rows] = text.trimEnd().split('\n');
const utc = { timezone: 'UTC' };

/** Alerts without their source, which names the object and line and so differs between splits. */
const withoutSource = (alerts: Alert[]) => alerts.map(({ source: _source, ...alert }) => alert);
const piece = (from: number, to: number) => ({
  name: NAME,
  content: `${header}\n${rows.slice(from, to).join('\n')}\n`,
});

describe('real minute bars: BTC-PERP on FTX', () => {
  it('reads clean: every row accepted, no gaps', async () => {
    const { report } = await readText(text, NAME, utc, 1 << 16);
    expect(report).toMatchObject({
      status: 'accepted',
      dataRows: 45_031,
      accepted: 45_031,
      bad: { count: 0 },
      duplicates: { count: 0, conflicting: 0 },
      outOfOrder: 0,
      gaps: { count: 0, missingMinutes: 0, largest: 0 },
      symbols: ['BTC-PERP'],
      firstMinute: '2021-12-31T23:01:00Z',
      lastMinute: '2022-02-01T05:31:00Z',
    });
  });

  it('gives the alerts an independent count gives', async () => {
    // Counted with Python's decimal module straight from the CSV (|c - p| / p > 0.005; v·n > 1.02·ΣW over
    // the bars of the ten minutes before): 169 A1, 15,754 A2, 15,768 bars with at least one.
    const alerts = await detectTexts([{ name: NAME, content: text }], utc);
    expect(alerts).toHaveLength(15_768);
    expect(alerts.filter((alert) => alert.rules.includes('A1'))).toHaveLength(169);
    expect(alerts.filter((alert) => alert.rules.includes('A2'))).toHaveLength(15_754);
  });

  it('matches alerts checked by hand', async () => {
    const alerts = await detectTexts([{ name: NAME, content: text }], utc);
    const byLine = new Map(alerts.map((alert) => [alert.source.line, alert]));
    // Line 8, 23:07: six bars before (23:01-23:06) sum 6,346,581.8326, mean 1,057,763.638767;
    // 2,931,220.4009 / mean = 2.771149.
    expect(byLine.get(8)).toMatchObject({
      timestamp: '2021-12-31T23:07:00Z',
      rules: ['A2'],
      volume: 2_931_220.4009,
      a2: { avgVolume: 1_057_763.638767, windowBars: 6, volumeRatio: 2.771149 },
    });
    // Line 386, 05:25: 47,200 → 47,459 is +259 / 47,200 = +0.548729%; the ten bars before (lines 376-385)
    // sum 27,338,321.6612, mean 2,733,832.16612, and 5,783,795.1846 is 2.115637 times that.
    expect(byLine.get(386)).toMatchObject({
      timestamp: '2022-01-01T05:25:00Z',
      rules: ['A1', 'A2'],
      a1: { prevClose: 47_200, prevTimestamp: '2022-01-01T05:24:00Z', changePct: 0.548729 },
      a2: { avgVolume: 2_733_832.16612, windowBars: 10, volumeRatio: 2.115637 },
    });
    // Line 5498, 18:37: 46,167 → 45,934 is -233 / 46,167 = -0.504689%; volume 56.5M dwarfs the window.
    expect(byLine.get(5498)).toMatchObject({ rules: ['A1', 'A2'], a1: { changePct: -0.504689 } });
    // Line 2, the first bar, and line 3 (23:02: +0.073%, 1,829,623 < 1.02 × 2,300,413) stay quiet.
    expect(byLine.has(2)).toBe(false);
    expect(byLine.has(3)).toBe(false);
  });
});

describe('splitting the input', () => {
  const onePass = detectTexts([{ name: NAME, content: text }], utc).then(withoutSource);

  it.each([[[1]], [[10, 11, 12_000]], [[5_000, 20_000, 20_001, 44_000]]])(
    'across objects cut after rows %j gives the same alerts as one pass',
    async (cuts) => {
      const bounds = [0, ...cuts, rows.length];
      const pieces = bounds.slice(1).map((end, i) => piece(bounds[i]!, end));
      expect(withoutSource(await detectTexts(pieces, utc))).toEqual(await onePass);
    },
  );

  it('with overlapping re-sent rows gives the same alerts (the overlap is repeats)', async () => {
    const pieces = [piece(0, 30_000), piece(29_000, rows.length), piece(0, 100)];
    expect(withoutSource(await detectTexts(pieces, utc))).toEqual(await onePass);
  });

  // The month of data spans more than the default lateness horizon: with one of 40 days no bar is too late.
  const wideHorizon = { ...utc, latenessHorizonDays: 40 };
  it.each([
    ['backwards', [3, 2, 1, 0]],
    ['shuffled', [2, 0, 3, 1]],
    ['shuffled, with pieces re-sent', [1, 3, 0, 1, 2, 3]],
  ])('in four pieces sent %s gives the same alerts as one pass', async (_name, order) => {
    const bounds = [0, 9_000, 20_000, 33_333, rows.length];
    const pieces = order.map((i) => piece(bounds[i]!, bounds[i + 1]!));
    const alerts = await detectTexts(pieces, wideHorizon);
    expect(withoutSource(alerts)).toEqual(
      withoutSource(await detectTexts([piece(0, rows.length)], wideHorizon)),
    );
  });

  it('resuming from a serialized state gives the same alerts', async () => {
    const config = configFor(utc);
    const first = new ObjectSeriesDetection(config);
    const part1 = piece(0, 17_777);
    first.addObject(await readText(part1.content, NAME, utc, 1 << 16));
    const saved = JSON.parse(JSON.stringify([...first.states()])) as Array<[string, SymbolState]>;

    const resumed = new ObjectSeriesDetection(config, undefined, new Map(saved));
    resumed.addObject(await readText(piece(17_777, rows.length).content, NAME, utc, 1 << 16));
    expect(withoutSource([...first.alerts(), ...resumed.alerts()])).toEqual(await onePass);
  });
});
