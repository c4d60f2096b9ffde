/** The hand-written alert JSON must be exactly what JSON.stringify writes for the same alert. */
import { describe, expect, it } from 'vitest';
import { seededRandom as seeded } from '../../../helpers/seededRandom.js';
import type { Alert } from '../../../../shared/core/alert.js';
import { roundFigure } from '../../../../shared/core/figures.js';
import { JSON_LAYOUT } from '../../../../cli/output/alertJson.js';
import { AlertLineWriter } from '../../../../cli/output/alertLines.js';

const writer = new AlertLineWriter(JSON_LAYOUT);

/** An alert's JSON line as the writer writes it, without the line feed. */
function alertJson(alert: Alert): string {
  const target = { bytes: new Uint8Array(writer.maxBytes(alert)), length: 0 };
  writer.write(alert, target);
  return Buffer.from(target.bytes.subarray(0, target.length - 1)).toString('utf8');
}

const base: Alert = {
  symbol: 'A"B\\C',
  timestamp: '2017-01-02T03:46:00Z',
  rules: ['A1', 'A2'],
  open: 1010.5,
  high: 1e21,
  low: 0.000001,
  close: 11,
  volume: 2931220.4009,
  a1: {
    prevClose: 46167,
    prevTimestamp: '2017-01-02T03:45:00Z',
    changePct: roundFigure(-0.50468949682),
    severity: 1.009379,
  },
  a2: {
    avgVolume: roundFigure(1057763.63876666),
    windowBars: 6,
    volumeRatio: roundFigure(2.7711492),
    severity: 2.716813,
  },
  severity: 2.716813,
  episodeStart: '2017-01-02T03:40:00Z',
  source: { object: 'x/ÄÖ.csv', generation: '17', line: 386 },
};

describe('JSON lines', () => {
  it.each([
    ['a full alert with awkward text and numbers', base],
    [
      'A2 only, zero mean',
      {
        ...base,
        rules: ['A2'] as const,
        a1: undefined,
        a2: { avgVolume: 0, windowBars: 2, volumeRatio: null, severity: null },
        severity: null,
      },
    ],
    [
      'A1 only, no generation',
      { ...base, rules: ['A1'] as const, a2: undefined, source: { object: 'o.csv', line: 2 } },
    ],
    [
      'figures beyond the fast path',
      {
        ...base,
        a2: { avgVolume: roundFigure(123456789012.3457), windowBars: 10, volumeRatio: 1e-7, severity: 1e-7 },
      },
    ],
    [
      'negative and tiny changes',
      {
        ...base,
        a1: {
          prevClose: 0.1,
          prevTimestamp: base.timestamp,
          changePct: roundFigure(-0.0000004),
          severity: 0,
        },
      },
    ],
  ])('equals JSON.stringify for %s', (_, alert) => {
    // The contract's field order (§3, §4, §5): the bar, a1 and a2 when present, severity, episode, source.
    const { a1, a2, severity, episodeStart, source, ...bar } = alert as Alert;
    expect(alertJson(alert as Alert)).toBe(
      JSON.stringify({ ...bar, ...(a1 && { a1 }), ...(a2 && { a2 }), severity, episodeStart, source }),
    );
  });

  it('writes every rounded figure as String() does', () => {
    const random = seeded(7);
    for (let i = 0; i < 20_000; i++) {
      // A figure rounded to -0 is written 0, as JSON.stringify writes it (and reads back as 0).
      const value = roundFigure((random() - 0.5) * 10 ** Math.floor(random() * 12)) || 0;
      const json = alertJson({ ...base, a1: { ...base.a1!, changePct: value } });
      expect(JSON.parse(json).a1.changePct).toBe(value);
      expect(json).toContain(`"changePct":${String(value)},"severity":`);
    }
  });

  it('writes any price as String() does: on a tick grid, off it, huge, tiny, negative', () => {
    const prices = [0, -0, 0.05, 1e-6, 1e-7, 123.45, 99999999999999.9, 1e15, 2 ** 53, 1 / 3, -2.5, 5e-324];
    const random = seeded(11);
    for (let i = 0; i < 20_000; i++) {
      const magnitude = 10 ** Math.floor(random() * 24 - 8);
      prices.push(Math.round(random() * 1e5) / 20, random() * magnitude, -random() * magnitude);
    }
    for (const price of prices) {
      expect(alertJson({ ...base, open: price })).toContain(`"open":${JSON.stringify(price)},`);
    }
  });
});
