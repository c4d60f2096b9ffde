/** Contract §2 with hand-computed cases: every expected figure below was worked out on paper. */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BarTable } from '../../../shared/core/barTable.js';
import { scanDecimal } from '../../../shared/core/decimal.js';
import { emptyCounts, SymbolDetector } from '../../../shared/core/rules.js';
import type { Alert } from '../../../shared/core/alert.js';
import { configFor, detectTexts, nseCsv } from '../../helpers/read.js';

/** One symbol's bars as [HH:MM, close, volume]; open/high/low equal the close. */
async function detect(rows: Array<[string, string, string]>, settings = {}): Promise<Alert[]> {
  const csv = nseCsv(rows.map(([time, close, volume]) => [time, close, close, close, close, volume]));
  return detectTexts([{ name: 'X__EQ.csv', content: csv }], settings);
}

const firing = (alerts: Alert[]) =>
  alerts.map((alert) => `${alert.timestamp.slice(11, 16)} ${alert.rules.join('+')}`);

describe('A1: price move against the previous close', () => {
  it('does not fire on a move of exactly 0.5%, up or down (78.00 → 78.39 is +0.5% exactly)', async () => {
    const alerts = await detect([
      ['09:15', '78.00', '100'],
      ['09:16', '78.39', '100'], // +0.39 = 0.5% of 78.00
      ['09:17', '78.00', '100'], // -0.39 < 0.5% of 78.39 (0.39195)
    ]);
    expect(firing(alerts)).toEqual([]);
  });

  it('fires just above 0.5%, with the signed change', async () => {
    const alerts = await detect([
      ['09:15', '78.00', '100'],
      ['09:16', '78.40', '100'], // +0.40/78.00 = +0.512820...%
      ['09:17', '78.00', '100'], // -0.40/78.40 = -0.510204...%
    ]);
    expect(alerts.map((alert) => alert.a1)).toEqual([
      // Severity (contract §4): |change| / 0.5%.
      { prevClose: 78, prevTimestamp: '2017-01-02T03:45:00Z', changePct: 0.512821, severity: 1.025641 },
      { prevClose: 78.4, prevTimestamp: '2017-01-02T03:46:00Z', changePct: -0.510204, severity: 1.020408 },
    ]);
    expect(firing(alerts)).toEqual(['03:46 A1', '03:47 A1']);
  });

  it('does not fire on exactly 0.5% where doubles would say it does (100.00 → 100.50, 0.1 → 0.1005)', async () => {
    // In doubles, |100.5 - 100| / 100 = 0.005 but (0.1005 - 0.1) / 0.1 = 0.00500000000000006 > 0.005.
    expect(
      firing(
        await detect([
          ['09:15', '0.1', '1'],
          ['09:16', '0.1005', '1'],
        ]),
      ),
    ).toEqual([]);
    expect(
      firing(
        await detect([
          ['09:15', '100.00', '1'],
          ['09:16', '100.50', '1'],
        ]),
      ),
    ).toEqual([]);
    expect(
      firing(
        await detect([
          ['09:15', '0.1', '1'],
          ['09:16', '0.100500000001', '1'],
        ]),
      ),
    ).toEqual(['03:46 A1']);
  });

  it('compares against the previous processed bar whatever the gap', async () => {
    const alerts = await detect([
      ['09:15', '100', '100'],
      ['14:00', '101', '100'], // +1% after a long gap: A1, and the window is empty so no A2
    ]);
    expect(firing(alerts)).toEqual(['08:30 A1']);
    expect(alerts[0]!.a1!.prevTimestamp).toBe('2017-01-02T03:45:00Z');
  });

  it('never fires on the first bar of a symbol', async () => {
    expect(await detect([['09:15', '100', '100']])).toEqual([]);
  });

  it('uses the configured threshold', async () => {
    const rows: Array<[string, string, string]> = [
      ['09:15', '100', '100'],
      ['09:16', '100.9', '100'], // +0.9%
    ];
    expect(firing(await detect(rows, { a1: '0.01' }))).toEqual([]);
    expect(firing(await detect(rows, { a1: '0.008' }))).toEqual(['03:46 A1']);
  });
});

describe('A2: volume spike over the prior ten minutes', () => {
  it('does not fire at exactly 1.02 × the mean, fires just above', async () => {
    // Window 09:15–09:24: ten volumes of 100 (none above its own window), mean 100; 1.02 × 100 = 102.
    const window: Array<[string, string, string]> = Array.from({ length: 10 }, (_, i) => [
      `09:${15 + i}`,
      '10',
      '100',
    ]);
    expect(firing(await detect([...window, ['09:25', '10', '102']]))).toEqual([]);
    expect(firing(await detect([...window, ['09:25', '10', '102.0000001']]))).toEqual(['03:55 A2']);
  });

  it('is exact where doubles are not: 0.0918 is exactly 1.02 × 0.09', async () => {
    // In doubles 1.02 * 0.09 is 0.09179999999999999, so a naive 0.0918 > 1.02 * 0.09 fires.
    expect(
      firing(
        await detect([
          ['09:15', '10', '0.09'],
          ['09:16', '10', '0.0918'],
        ]),
      ),
    ).toEqual([]);
    expect(
      firing(
        await detect([
          ['09:15', '10', '0.09'],
          ['09:16', '10', '0.09180001'],
        ]),
      ),
    ).toEqual(['03:46 A2']);
  });

  it('reports the mean, the window size and the ratio', async () => {
    const alerts = await detect([
      ['09:15', '10', '100'],
      ['09:16', '10', '200'], // window {100}: 200 > 102, ratio 2
      ['09:17', '10', '300'], // window {100, 200}: mean 150, ratio 2
    ]);
    expect(alerts.map((alert) => alert.a2)).toEqual([
      // Severity (contract §4): 200 / (100 × 1.02) and 300 / (150 × 1.02).
      { avgVolume: 100, windowBars: 1, volumeRatio: 2, severity: 1.960784 },
      { avgVolume: 150, windowBars: 2, volumeRatio: 2, severity: 1.960784 },
    ]);
  });

  it('averages only the bars in [m − 10, m − 1]: gaps make the window smaller', async () => {
    const alerts = await detect([
      ['09:15', '10', '1000'], // 11 minutes before 09:26: outside its window
      ['09:20', '10', '100'],
      ['09:26', '10', '101'], // window {09:20: 100} only: 101 ≤ 102, no alert
      ['09:40', '10', '5000'], // window empty (nothing in 09:30–09:39): no A2
    ]);
    expect(firing(alerts)).toEqual([]);
  });

  it('includes the bar exactly ten minutes before', async () => {
    const alerts = await detect([
      ['09:15', '10', '100'],
      ['09:25', '10', '103'], // window {09:15}: 103 > 102
    ]);
    expect(firing(alerts)).toEqual(['03:55 A2']);
  });

  it('fires on any volume after a window of zero volumes, with no ratio', async () => {
    const alerts = await detect([
      ['09:15', '10', '0'],
      ['09:16', '10', '0'], // 0 > 0? no
      ['09:17', '10', '1'],
    ]);
    expect(alerts.map((alert) => alert.a2)).toEqual([
      { avgVolume: 0, windowBars: 2, volumeRatio: null, severity: null },
    ]);
    expect(alerts[0]!.severity).toBeNull();
  });

  it('never fires on a bar that traded nothing, whatever the window and threshold', async () => {
    // 0 × n > (1 + a2) × sum is false for any sum ≥ 0 and a2 ≥ 0: ties of zero windows included.
    const rows: Array<[string, string, string]> = [
      ['09:15', '10', '0'],
      ['09:16', '10', '0'],
      ['09:17', '10', '-0'],
      ['09:18', '10', '5'], // 5 > 0: fires
      ['09:19', '10', '0'],
    ];
    expect(firing(await detect(rows))).toEqual(['03:48 A2']);
    expect(firing(await detect(rows, { a2: '0' }))).toEqual(['03:48 A2']);
  });

  it('uses the configured threshold and window', async () => {
    const rows: Array<[string, string, string]> = [
      ['09:15', '10', '100'],
      ['09:20', '10', '100'],
      ['09:21', '10', '105'], // +5% over the mean of the window
    ];
    expect(firing(await detect(rows, { a2: '0.05' }))).toEqual([]);
    expect(firing(await detect(rows, { a2: '0.04' }))).toEqual(['03:51 A2']);
    // A 3-minute window sees only 09:20 (mean 100); with a2 = 0.06 nothing fires either way.
    expect((await detect(rows, { windowMinutes: 3 }))[0]!.a2!.windowBars).toBe(1);
  });
});

describe('both rules, alert shape', () => {
  it('lists the rules in the order A1, A2 and carries the bar and its source', async () => {
    const csv = nseCsv([
      ['09:15', '100', '101', '99', '100', '10'],
      ['09:16', '100', '102', '99.5', '101', '20'],
    ]);
    const [alert] = await detectTexts([{ name: 'ACME__EQ__NSE__NSE__MINUTE.csv', content: csv }]);
    expect(alert).toEqual({
      symbol: 'ACME',
      timestamp: '2017-01-02T03:46:00Z',
      rules: ['A1', 'A2'],
      open: 100,
      high: 102,
      low: 99.5,
      close: 101,
      volume: 20,
      a1: { prevClose: 100, prevTimestamp: '2017-01-02T03:45:00Z', changePct: 1, severity: 2 },
      a2: { avgVolume: 10, windowBars: 1, volumeRatio: 2, severity: 1.960784 },
      // The larger of 1% / 0.5% and 20 / (10 × 1.02).
      severity: 2,
      episodeStart: '2017-01-02T03:46:00Z',
      source: { object: 'ACME__EQ__NSE__NSE__MINUTE.csv', line: 3 },
    });
  });
});

describe('repeated bars and state', () => {
  it('does not detect a bar whose minute an earlier object brought, whatever its values', async () => {
    const first = nseCsv([
      ['09:15', '100', '100', '100', '100', '100'],
      ['09:16', '100', '100', '100', '100', '100'],
    ]);
    const resent = nseCsv([
      ['09:16', '200', '200', '200', '200', '900'], // a repeat: would fire both rules
      ['09:17', '100', '100', '100', '100.4', '101'], // +0.4% on 100 (not on 200), 101 ≤ 102: quiet
    ]);
    const alerts = await detectTexts([
      { name: 'X.csv', content: first },
      { name: 'X.csv', content: resent },
    ]);
    expect(alerts).toEqual([]);
  });

  it('keeps only what a later bar can need, as plain values that survive JSON', () => {
    const config = configFor();
    const table = new BarTable();
    const symbol = table.symbolId('X');
    for (let minute = 0; minute < 15; minute++) {
      const row = table.addRow(symbol, 1000 + minute, minute + 2);
      for (let column = 0; column < 5; column++) {
        scanDecimal(column === 4 ? `${minute}.5` : '10.25');
        table.setScannedValue(row, column, '');
      }
    }
    const detector = new SymbolDetector('X', config);
    detector.run(
      table,
      Array.from({ length: 15 }, (_, i) => i),
      { object: 'X.csv' },
      emptyCounts(),
      () => {},
    );
    const state = JSON.parse(JSON.stringify(detector.toState()));
    expect(state).toEqual({
      lastMinute: 1014,
      lastClose: '10.25',
      window: Array.from({ length: 10 }, (_, i) => ({ minute: 1005 + i, volume: `${5 + i}.5` })),
      // Every bar after the first fires A2 (each volume beats the rising mean); the first, 1.5 against a mean
      // of 0.5, went furthest: 1.5 / (0.5 × 1.02).
      episode: { start: 1001, end: 1014, count: 14, a1: 0, a2: 14, peakSeverity: 2.941176 },
    });
  });

  it('lets go of the bars it ran on: a detector outlives the objects it reads', async () => {
    v8.setFlagsFromString('--expose-gc');
    const collectGarbage = vm.runInNewContext('gc') as () => void;
    const detector = new SymbolDetector('X', configFor());
    const tableRef = (() => {
      const table = new BarTable();
      const symbol = table.symbolId('X');
      for (let minute = 0; minute < 3; minute++) {
        const row = table.addRow(symbol, 1000 + minute, minute + 2);
        for (let column = 0; column < 5; column++) {
          scanDecimal(`${10 + minute}`); // every bar moves more than 0.5%: a finding per bar after the first
          table.setScannedValue(row, column, '');
        }
      }
      let findings = 0;
      detector.run(table, [0, 1, 2], { object: 'X.csv' }, emptyCounts(), () => findings++);
      expect(findings).toBe(2);
      return new WeakRef(table);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(tableRef.deref()).toBeUndefined();
    expect(detector.toState().lastClose).toBe('12');
  });
});
