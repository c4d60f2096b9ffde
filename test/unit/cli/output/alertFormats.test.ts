import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from '../../../../cli/output/alertCsv.js';
import { alertOutput, type AlertOutput } from '../../../../cli/output/alertFormats.js';
import type { Alert } from '../../../../shared/core/alert.js';
import { roundFigure } from '../../../../shared/core/figures.js';
import type { AlertSource } from '../../../../shared/core/finding.js';
import { ObjectSeriesDetection } from '../../../../shared/core/objectSeriesDetection.js';
import type { ObjectBars } from '../../../../shared/core/objectIntake.js';
import { configFor, nseCsv, readText } from '../../../helpers/read.js';

/** A deterministic stream of varied alerts: prices on and off a tick grid, every rule combination. */
function* alerts(symbols: string[], perSymbol: number): Generator<Alert> {
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let i = 0; i < perSymbol; i++) {
    for (const symbol of symbols) {
      const tick = Math.round(random() * 200_000) / 20;
      const kind = i % 3;
      const minute = `2017-01-02T${String(3 + (Math.floor(i / 60) % 20)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`;
      yield {
        symbol,
        timestamp: minute,
        rules: kind === 0 ? ['A1'] : kind === 1 ? ['A2'] : ['A1', 'A2'],
        open: tick,
        high: tick + 0.05,
        low: random() * 1000,
        close: i % 7 === 0 ? 1e21 : tick,
        volume: Math.floor(random() * 1e7),
        ...(kind !== 1 && {
          a1: {
            prevClose: tick,
            prevTimestamp: minute,
            changePct: roundFigure((random() - 0.5) * 3),
            severity: i % 11 === 0 ? null : roundFigure(random() * 5),
          },
        }),
        ...(kind !== 0 && {
          a2: {
            avgVolume: roundFigure(random() * 1e6),
            windowBars: 1 + (i % 10),
            volumeRatio: i % 5 === 0 ? null : roundFigure(random() * 10),
            severity: i % 5 === 0 ? null : roundFigure(random() * 10),
          },
        }),
        severity: i % 4 === 0 ? null : roundFigure(random() * 10),
        episodeStart: `2017-01-02T03:${String(i % 60).padStart(2, '0')}:00Z`,
        source: { object: `${symbol}__EQ__NSE__NSE__MINUTE.csv`, line: i + 2 },
      };
    }
  }
}

/**
 * Runs detection over objects twice: into `output`, which writes straight from what the rules found, and into
 * records, the expectation the output is checked against.
 */
function detectInto(
  output: AlertOutput,
  objects: Array<{ bars: ObjectBars; source?: AlertSource }>,
): Alert[] {
  const straight = new ObjectSeriesDetection(configFor(), output);
  const kept = new ObjectSeriesDetection(configFor());
  for (const { bars, source } of objects) {
    straight.addObject(bars, source);
    kept.addObject(bars, source);
  }
  return [...kept.alerts()];
}

function text(chunks: Iterable<string | Uint8Array>): string {
  return Buffer.concat([...chunks].map((chunk) => Buffer.from(chunk))).toString('utf8');
}

describe('jsonl output', () => {
  it('writes each alert as JSON.stringify does, one per line, by symbol then in the order given', () => {
    // Enough alerts to fill several of each symbol's buffers.
    const symbols = ['ZEE', 'ÄÖ"\\', 'ACME'];
    const output = alertOutput('jsonl');
    const given = [...alerts(symbols, 2000)];
    for (const alert of given) output.add(alert);
    const expected = [...symbols]
      .sort()
      .flatMap((symbol) => given.filter((alert) => alert.symbol === symbol))
      .map((alert) => `${JSON.stringify(alert)}\n`)
      .join('');
    expect(text(output.chunks())).toBe(expected);
    output.close();
  });

  it('writes what detection found as the JSON of the same alerts kept as records', async () => {
    // The sample data fires A1 and A2 alone and together, on bars after a gap, a night and a bad row.
    const sample = new URL('../../../../data/sample/', import.meta.url).pathname;
    const files = readdirSync(sample).filter((name) => name.endsWith('.csv'));
    const objects = await Promise.all(
      files.map(async (name) => ({
        bars: await readText(readFileSync(join(sample, name)), name, {}, 1 << 16),
      })),
    );
    const written = alertOutput('jsonl');
    const records = detectInto(written, objects);
    expect(new Set(records.map((alert) => alert.rules.join('+')))).toEqual(new Set(['A1', 'A2', 'A1+A2']));
    expect(text(written.chunks())).toBe(records.map((alert) => `${JSON.stringify(alert)}\n`).join(''));
    written.close();
  });

  it('writes values read in any decimal form as JSON.stringify writes their numbers', async () => {
    // Rising volumes fire A2 on every bar after the first, so every row's five values are written.
    const csv = nseCsv([
      ['09:15', '10', '10', '10', '10', '1'],
      ['09:16', '1e3', '2127.000', '0.0000001', '12345678901234567', '3'],
      ['09:17', '0.1e-5', '1.5E2', '99999999999999.9', '10.000', '10'],
      ['09:18', '123456789.123456', '7', '+7', '0.30', '1e2'],
      ['09:19', '1234567890.1234567', '1e21', '5e-7', '007.50', '250.50'],
    ]);
    const written = alertOutput('jsonl');
    // As the pipeline names a bucket object: with its generation.
    const source = { object: 'bucket/TEST__EQ__NSE__NSE__MINUTE.csv', generation: '1700000000000001' };
    const records = detectInto(written, [{ bars: await readText(csv), source }]);
    expect(records.map((alert) => alert.close)).toEqual([Number('12345678901234567'), 10, 0.3, 7.5]);
    expect(text(written.chunks())).toBe(records.map((alert) => `${JSON.stringify(alert)}\n`).join(''));
    written.close();
  });
});

/** The CSV cells an alert's row must hold: numbers as String() writes them, an empty cell for what is absent. */
function csvCells(alert: Alert): string[] {
  const cell = (value: unknown) => (value === undefined || value === null ? '' : String(value));
  return [
    alert.symbol,
    alert.timestamp,
    alert.rules.join('+'),
    ...[alert.open, alert.high, alert.low, alert.close, alert.volume].map(cell),
    cell(alert.a1?.prevClose),
    cell(alert.a1?.prevTimestamp),
    cell(alert.a1?.changePct),
    cell(alert.a1?.severity),
    cell(alert.a2?.avgVolume),
    cell(alert.a2?.windowBars),
    cell(alert.a2?.volumeRatio),
    cell(alert.a2?.severity),
    cell(alert.severity),
    alert.episodeStart,
    alert.source.object,
    String(alert.source.line),
  ];
}

describe('csv output', () => {
  it('writes a header and a row an alert that reads back cell for cell, from records and from detection', async () => {
    const csv = nseCsv([
      ['09:15', '10', '10', '10', '10', '1'],
      ['09:16', '1e3', '2127.000', '0.0000001', '12345678901234567', '3'],
      ['09:17', '0.1e-5', '1.5E2', '99999999999999.9', '10.000', '10'],
      ['09:18', '123456789.123456', '7', '+7', '11', '0'],
      ['09:19', '1234567890.1234567', '1e21', '5e-7', '011.010', '250.50'],
    ]);
    const fromDetection = alertOutput('csv');
    // An object name that needs quoting in CSV.
    const source = { object: 'dir, with "quotes"/TEST.csv' };
    const records = detectInto(fromDetection, [{ bars: await readText(csv), source }]);
    const fromRecords = alertOutput('csv');
    for (const alert of records) fromRecords.add(alert);
    expect(records.map((alert) => alert.rules.join('+'))).toEqual(['A1+A2', 'A1+A2', 'A1', 'A2']);

    for (const output of [fromRecords, fromDetection]) {
      const parsed = Papa.parse<string[]>(text(output.chunks()).trimEnd(), { delimiter: ',' });
      expect(parsed.errors).toEqual([]);
      expect(parsed.data).toEqual([[...CSV_COLUMNS], ...records.map(csvCells)]);
      output.close();
    }
  });

  it('writes a symbol or an object name that would start a formula as text a spreadsheet does not run', () => {
    const output = alertOutput('csv');
    output.add({
      symbol: '=HYPERLINK("http://x")',
      timestamp: '2017-01-02T03:46:00Z',
      rules: ['A1'],
      open: 11,
      high: 11,
      low: 11,
      close: 11,
      volume: 5,
      a1: { prevClose: 10, prevTimestamp: '2017-01-02T03:45:00Z', changePct: 10, severity: 20 },
      severity: 20,
      episodeStart: '2017-01-02T03:46:00Z',
      source: { object: '@SUM(A1).csv', line: 3 },
    });
    const row = text(output.chunks()).split('\n')[1]!;
    output.close();
    expect(row).toBe(
      `"'=HYPERLINK(""http://x"")",2017-01-02T03:46:00Z,A1,11,11,11,11,5,10,2017-01-02T03:45:00Z,10,20,,,,,20,2017-01-02T03:46:00Z,"'@SUM(A1).csv",3`,
    );
  });
});
