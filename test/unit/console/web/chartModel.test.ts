import { describe, expect, it } from 'vitest';
import type { ChartResponse } from '../../../../console/api/contract.js';
import { chartModel, findGaps } from '../../../../console/web/chartModel.js';

const t = (hhmm: string) => Date.parse(`2017-01-02T${hhmm}:00Z`) / 1000;
const IST = 19_800;

function response(times: string[], alertAt: string, others: string[] = []): ChartResponse {
  const bars = times.map((time, i) => ({
    time: t(time),
    open: 10,
    high: 11,
    low: 9,
    close: 10 + i / 100,
    volume: i,
  }));
  const alert = {
    id: `X@2017-01-02T${alertAt}:00Z`,
    symbol: 'X',
    timestamp: `2017-01-02T${alertAt}:00Z`,
    rules: ['A1' as const],
    severity: 1,
    open: 1,
    high: 1,
    low: 1,
    close: 1,
    volume: 1,
    source: { object: 'x.csv', line: 2 },
    episode: `X@2017-01-02T${alertAt}:00Z`,
    status: 'new' as const,
  };
  return {
    alert,
    timeZone: 'Asia/Kolkata',
    thresholds: { a1: 0.005, a2: 0.02, windowMinutes: 10 },
    bars,
    sessionAlerts: [alertAt, ...others].sort().map((at) => ({
      id: `X@2017-01-02T${at}:00Z`,
      timestamp: `2017-01-02T${at}:00Z`,
      rules: ['A2' as const],
      severity: 0.5,
    })),
    prevClose: 100,
    prevTime: t('04:00'),
    window: { from: t(alertAt) - 600, to: t(alertAt) - 60, mean: 8, limit: 8.16 },
    scoreContext: [],
  };
}

describe('console/web chartModel', () => {
  it('finds the runs of missing minutes between bars', () => {
    expect(findGaps([t('04:00'), t('04:01'), t('04:04'), t('04:05'), t('04:07')])).toEqual([
      { from: t('04:02'), to: t('04:03'), minutes: 2 },
      { from: t('04:06'), to: t('04:06'), minutes: 1 },
    ]);
    expect(findGaps([])).toEqual([]);
  });

  it('shifts every time into the exchange zone and fills each gap with whitespace', () => {
    const model = chartModel(response(['04:00', '04:01', '04:04', '04:05'], '04:05'), 'Asia/Kolkata');
    expect(model.bars.map((bar) => bar.time)).toEqual(
      ['04:00', '04:01', '04:04', '04:05'].map((x) => t(x) + IST),
    );
    expect(model.whitespace.map((point) => point.time)).toEqual([t('04:02') + IST, t('04:03') + IST]);
    expect(model.candleData.map((point) => point.time)).toEqual(
      ['04:00', '04:01', '04:02', '04:03', '04:04', '04:05'].map((x) => t(x) + IST),
    );
    expect(model.gaps).toHaveLength(1);
  });

  it('marks the alert large and the others small, and colours the window and the alert on the volume pane', () => {
    const times = Array.from({ length: 15 }, (_, i) => `04:${String(i).padStart(2, '0')}`);
    const model = chartModel(response(times, '04:12', ['04:03']), 'Asia/Kolkata');
    expect(model.markers.map((m) => [m.time, m.shape])).toEqual([
      [t('04:03') + IST, 'circle'],
      [t('04:12') + IST, 'arrowDown'],
    ]);
    const colours = model.volumes.map((bar) => bar.color);
    expect(new Set(colours.slice(2, 12)).size).toBe(1);
    expect(colours[1]).not.toBe(colours[2]);
    expect(colours[12]).not.toBe(colours[11]);
    expect(colours[13]).toBe(colours[1]);
  });

  it('draws the previous close and the band, and the window mean and limit', () => {
    const model = chartModel(response(['04:00', '04:01'], '04:01'), 'Asia/Kolkata');
    expect(model.priceLines.map((line) => [line.id, line.price])).toEqual([
      ['prevClose', 100],
      ['a1Upper', 100 * 1.005],
      ['a1Lower', 100 * 0.995],
    ]);
    expect(model.priceLines[1]!.title).toBe('+0.5%');
    expect(model.volumeLines.map((line) => [line.id, line.price])).toEqual([
      ['a2Mean', 8],
      ['a2Limit', 8.16],
    ]);
  });

  it('draws no lines it has no figures for', () => {
    const data = {
      ...response(['04:00'], '04:00'),
      prevClose: null,
      window: { from: 0, to: 0, mean: null, limit: null },
    };
    const model = chartModel(data, 'Asia/Kolkata');
    expect(model.priceLines).toEqual([]);
    expect(model.volumeLines).toEqual([]);
  });

  it("draws the score's context: the usual volume over the volume, the market's move apart, breaks for none", () => {
    const data = {
      ...response(['04:00', '04:01', '04:02'], '04:01'),
      // Out of order, as any answer may be: drawn in time order.
      scoreContext: [
        { time: t('04:02'), usualVolume: null, marketMovePct: -0.2 },
        { time: t('04:00'), usualVolume: 12.5, marketMovePct: 0.1 },
        { time: t('04:01'), usualVolume: 20, marketMovePct: null },
      ],
    };
    const model = chartModel(data, 'Asia/Kolkata');
    const ist = (hhmm: string) => t(hhmm) + 19_800;
    expect(model.usualVolume).toEqual([
      { time: ist('04:00'), value: 12.5 },
      { time: ist('04:01'), value: 20 },
      { time: ist('04:02') },
    ]);
    expect(model.marketMove).toEqual([
      { time: ist('04:00'), value: 0.1 },
      { time: ist('04:01') },
      { time: ist('04:02'), value: -0.2 },
    ]);
  });

  it('draws no context line without a figure for it, and none at all for an episode not scored', () => {
    const base = response(['04:00'], '04:00');
    const noBaseline = chartModel(
      { ...base, scoreContext: [{ time: t('04:00'), usualVolume: null, marketMovePct: 0.3 }] },
      'UTC',
    );
    expect(noBaseline.usualVolume).toEqual([]);
    expect(noBaseline.marketMove).toEqual([{ time: t('04:00'), value: 0.3 }]);
    const none = chartModel(base, 'UTC');
    expect([none.usualVolume, none.marketMove]).toEqual([[], []]);
  });
});
