/**
 * The replay's regrouping of files into minute objects: exact names and contents written by hand from the
 * files below, what ingest's own reader makes of them, and, on the sample data, the same alerts as the files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MINUTE_OBJECT_HEADER,
  MinuteObjects,
  minuteObjectName,
  type MinuteRange,
  type UnplacedRow,
} from '../../../../cli/replay/minuteObjects.js';
import { readRows } from '../../../../shared/objects/readObject.js';
import { ZoneOffsets } from '../../../../shared/core/timestamp.js';
import type { Alert } from '../../../../shared/core/alert.js';
import { detectTexts, limitsFor, readText } from '../../../helpers/read.js';

const kolkata = new ZoneOffsets('Asia/Kolkata');
const minuteOf = (iso: string) => Date.parse(iso) / 60_000;

/** Groups the files (name, text), in the order given, as the command does, read in 5-byte chunks. */
async function group(files: Array<[string, string]>, range: MinuteRange = {}) {
  const unplaced: UnplacedRow[] = [];
  const book = new MinuteObjects(kolkata, range, (row) => unplaced.push(row));
  for (const [name, text] of files) {
    const rows = book.file(name);
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 5) }, (_, i) =>
      bytes.subarray(i * 5, i * 5 + 5),
    );
    await readRows(chunks, { objectName: name, limits: limitsFor() }, rows);
    rows.finish();
  }
  const objects = book.minutes().map((minute) => [minuteObjectName(minute), book.content(minute)]);
  return { book, objects: Object.fromEntries(objects) as Record<string, string>, unplaced };
}

// AAA: one file per symbol, symbol from the name; 09:16:30 comes after 09:17 and is floored to 09:16;
// nothing at 09:18 or 09:19; the next bar is the next morning.
const AAA = [
  'AAA__EQ__NSE__NSE__MINUTE.csv',
  'timestamp,open,high,low,close,volume\n' +
    '2017-01-02 09:15:00+05:30,10.0,10.5,9.5,10.25,100.0\n' +
    '2017-01-02 09:17:00+05:30,11,11,11,11,0\n' +
    '\n' +
    '2017-01-02 09:16:30+05:30,10.10,10.10,10.10,10.10,7\n' +
    '2017-01-03 09:15:00+05:30,12.5,12.5,12.5,12.5,1e2\n',
] as [string, string];

// A file with a symbol column of another name, other columns in another order, and an ignored column; one
// timestamp without an offset (exchange time), one in UTC.
const MIXED = [
  'data/mixed.csv',
  'Date_Time, Ticker ,Oi,Open,High,Low,Close,Volume\r\n' +
    '2017-01-02T03:45:00Z, BBB ,9,5,5,5,5,1\r\n' +
    '2017-01-02 09:16,CCC,9,1.00,1.00,1.00,1.00,2\r\n' +
    '2017-01-02T03:48Z,BBB,9,5,5,5,5,3\r\n',
] as [string, string];

describe('MinuteObjects: files regrouped by market minute', () => {
  it('puts every symbol of a minute in one object, minutes ascending, names and contents exact', async () => {
    const { objects, unplaced, book } = await group([AAA, MIXED]);
    expect(objects).toEqual({
      'replay/2017-01-02T0345Z.csv':
        `${MINUTE_OBJECT_HEADER}\n` +
        '2017-01-02T03:45:00Z,AAA,10.0,10.5,9.5,10.25,100.0\n' +
        '2017-01-02T03:45:00Z,BBB,5,5,5,5,1\n',
      'replay/2017-01-02T0346Z.csv':
        `${MINUTE_OBJECT_HEADER}\n` +
        '2017-01-02T03:46:00Z,AAA,10.10,10.10,10.10,10.10,7\n' +
        '2017-01-02T03:46:00Z,CCC,1.00,1.00,1.00,1.00,2\n',
      'replay/2017-01-02T0347Z.csv': `${MINUTE_OBJECT_HEADER}\n2017-01-02T03:47:00Z,AAA,11,11,11,11,0\n`,
      'replay/2017-01-02T0348Z.csv': `${MINUTE_OBJECT_HEADER}\n2017-01-02T03:48:00Z,BBB,5,5,5,5,3\n`,
      'replay/2017-01-03T0345Z.csv': `${MINUTE_OBJECT_HEADER}\n2017-01-03T03:45:00Z,AAA,12.5,12.5,12.5,12.5,1e2\n`,
    });
    // Object.keys keeps insertion order: the minutes come ascending.
    expect(Object.keys(objects)).toEqual(Object.keys(objects).sort());
    expect(unplaced).toEqual([]);
    expect(book.counts).toEqual({ placed: 7, outside: 0, unplaced: 0, symbols: 3 });
  });

  it('names objects by UTC minute under the upload prefix, so that names sort in time order', () => {
    expect(minuteObjectName(minuteOf('2017-01-02T03:45:00Z'))).toBe('replay/2017-01-02T0345Z.csv');
    expect(minuteObjectName(minuteOf('2020-12-31T23:59:00Z'), 'uploads/')).toBe(
      'uploads/replay/2020-12-31T2359Z.csv',
    );
    const names = ['2017-01-02T09:59:00Z', '2017-01-02T10:00:00Z', '2017-01-10T00:00:00Z'].map((iso) =>
      minuteObjectName(minuteOf(iso)),
    );
    expect([...names].sort()).toEqual(names);
  });

  it('keeps the rows of --from to --to, both included, and counts the others', async () => {
    const { objects, book } = await group([AAA, MIXED], {
      from: minuteOf('2017-01-02T03:46:00Z'),
      to: minuteOf('2017-01-02T03:47:00Z'),
    });
    expect(Object.keys(objects)).toEqual(['replay/2017-01-02T0346Z.csv', 'replay/2017-01-02T0347Z.csv']);
    expect(book.counts).toMatchObject({ placed: 3, outside: 4 });
  });

  it('reports and skips only the rows it cannot place: timestamp or symbol field unreadable, bad quoting', async () => {
    const { objects, unplaced } = await group([
      [
        'BAD.csv',
        'symbol,timestamp,open,high,low,close,volume\n' +
          'BAD,2017-01-02 25:00:00+05:30,1,1,1,1,1\n' +
          'BAD\n' +
          'BAD,2017-01-02T03:45Z,1,"1,1,1,1\n' +
          '"BAD"x,2017-01-02T03:45Z,1,1,1,1,1\n' +
          'BAD,2017-01-02T03:45Z,1,1,1,1,1\n',
      ],
    ]);
    expect(unplaced).toEqual([
      { file: 'BAD.csv', line: 2, reason: "unreadable timestamp '2017-01-02 25:00:00+05:30'" },
      { file: 'BAD.csv', line: 3, reason: 'no timestamp field' },
      { file: 'BAD.csv', line: 4, reason: 'malformed quoting: its fields cannot be read' },
      { file: 'BAD.csv', line: 5, reason: 'malformed quoting: its fields cannot be read' },
    ]);
    expect(objects).toEqual({
      'replay/2017-01-02T0345Z.csv': `${MINUTE_OBJECT_HEADER}\n2017-01-02T03:45:00Z,BAD,1,1,1,1,1\n`,
    });
  });

  it('passes every other bad row on, so that ingest sets it aside for the same reason', async () => {
    const { objects } = await group([
      [
        'ZZZ__EQ__NSE__NSE__MINUTE.csv',
        'timestamp,open,high,low,close,volume\n' +
          '2017-01-02 09:15:00+05:30,10,10,10,10,5\n' +
          '2017-01-02 09:15:20+05:30,11,11,11,11,6\n' + // duplicate minute: the first is kept
          '2017-01-02 09:16:00+05:30,10,10,10,10\n' + // one field short
          '2017-01-02 09:16:00+05:30,10,10,10,10,5,extra,more\n' + // two over
          '2017-01-02 09:17:00+05:30,10,"1,0",-1,10,5\n' + // not a number, not positive
          '2017-01-02 09:17:30+05:30,10,10,10,10,-5\n' +
          '2017-01-02 09:18:00+05:30,10,10,10,10,5\n',
      ],
      ['EMPTY.csv', 'symbol,timestamp,open,high,low,close,volume\n , 2017-01-02T03:48Z ,10,10,10,10,5\n'],
    ]);
    expect(objects['replay/2017-01-02T0346Z.csv']).toBe(
      `${MINUTE_OBJECT_HEADER}\n` +
        '2017-01-02T03:46:00Z,ZZZ,10,10,10,10\n' +
        '2017-01-02T03:46:00Z,ZZZ,10,10,10,10,5,,\n',
    );
    expect(objects['replay/2017-01-02T0347Z.csv']).toBe(
      `${MINUTE_OBJECT_HEADER}\n` +
        '2017-01-02T03:47:00Z,ZZZ,10,"1,0",-1,10,5\n' +
        '2017-01-02T03:47:00Z,ZZZ,10,10,10,10,-5\n',
    );
    const reasons: Record<string, unknown> = {};
    for (const [name, content] of Object.entries(objects)) {
      const { report, setAside } = await readText(content, name);
      reasons[name] = [report.accepted, setAside.map((row) => row.reason)];
    }
    expect(reasons).toEqual({
      'replay/2017-01-02T0345Z.csv': [1, ['duplicate']],
      'replay/2017-01-02T0346Z.csv': [0, ['field-count', 'field-count']],
      'replay/2017-01-02T0347Z.csv': [0, ['number', 'volume-negative']],
      'replay/2017-01-02T0348Z.csv': [1, ['symbol-empty']],
    });
  });

  it('rejects a file as ingest would: no header, or a required column missing', async () => {
    await expect(group([['X.csv', '\n\n']])).rejects.toThrow('no header line: the object is empty');
    await expect(group([['X.csv', 'timestamp,open,high,low,close\n']])).rejects.toThrow(
      'missing required columns: volume',
    );
  });

  it("gives the sample data's alerts, minute object after minute object, as detect gives on the files", async () => {
    const dir = new URL('../../../../data/sample/', import.meta.url).pathname;
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.csv'))
      .sort()
      .map((name) => [join(dir, name), readFileSync(join(dir, name), 'utf8')] as [string, string]);
    const { objects, unplaced } = await group(files);
    // The one row of the sample whose timestamp does not parse: ingest sets it aside too.
    expect(unplaced).toEqual([
      {
        file: join(dir, 'IDFCFIRSTB__EQ__NSE__NSE__MINUTE.csv'),
        line: 480,
        reason: "unreadable timestamp '2017-01-03 25:14:00+05:30'",
      },
    ]);
    // Without their source (object and line differ) and in one order (the files give them by symbol).
    const withoutSource = (alerts: Alert[]) =>
      alerts
        .map(({ source: _source, ...alert }) => alert)
        .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.timestamp.localeCompare(b.timestamp));
    const fromFiles = await detectTexts(files.map(([name, content]) => ({ name, content })));
    const fromMinutes = await detectTexts(
      Object.entries(objects).map(([name, content]) => ({ name, content })),
    );
    expect(fromFiles).toHaveLength(909);
    expect(withoutSource(fromMinutes)).toEqual(withoutSource(fromFiles));
  });
});
