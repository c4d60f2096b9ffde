/**
 * The reader takes a row without a double quote as its line, reading each field where it lies (RowSink.addLine),
 * and a quoted record as its fields. The same rows, written plain and with every field quoted, must come out
 * alike: the same bars, values, reports and rows set aside, each reason worked out by hand here.
 */
import { describe, expect, it } from 'vitest';
import { CLOSE, HIGH, LOW, OPEN, VOLUME } from '../../../shared/core/barTable.js';
import type { ObjectBars } from '../../../shared/core/objectIntake.js';
import { formatMinute } from '../../../shared/core/timestamp.js';
import { readText } from '../../helpers/read.js';

/** A row's fields after the symbol, and what becomes of it (a reason set aside, or taken). */
const ROWS: Array<[fields: string, outcome: string]> = [
  ['2017-01-02 09:15:00+05:30,10,10,10,10,5', 'taken'],
  // Spaces around every value are not part of it.
  [' 2017-01-02 09:16:00+05:30 , 10.5 ,11,10,10.5, 7 ', 'taken'],
  ['2017-01-02 09:17:00+05:30,1e1,+10,10.0,1E+1,0', 'taken'],
  // Seconds of one digit: the next character is the comma, not a second digit.
  ['2017-01-02 09:18:0,10,10,10,10,5', 'timestamp'],
  ['2017-01-02 09:19,10,10,10,10,5', 'taken'],
  ['2017-01-02T09:20:00Z,10,10,10,10,5', 'taken'],
  ['2017-01-02 09:21:00.5+05:30,10,10,10,10,5', 'taken'],
  ['2017-01-02 09:22:00+0530,10,10,10,10,5', 'taken'],
  ['2017-01-02 09:23:00+05:30,10,10,10,10', 'field-count'],
  ['2017-01-02 09:24:00+05:30,10,10,10,10,5,', 'field-count'],
  ['2017-01-02 09:25:00+05:30,,10,10,10,5', 'number'],
  ['2017-01-02 09:26:00+05:30,10,10,10,-1,5', 'price-not-positive'],
  ['2017-01-02 09:27:00+05:30,10,10,10,10,-5', 'volume-negative'],
  // An exponent with no digits: what follows the field must not be taken for them.
  ['2017-01-02 09:28:00+05:30,10,10,10,10,1e', 'number'],
  ['2017-01-02 09:29:00+05:30,1e,-5,10,10,5', 'number'],
  ['2017-01-02 09:15:00+05:30,11,11,11,11,5', 'duplicate'],
  ['2099-01-02 09:30:00+05:30,10,10,10,10,5', 'future'],
  ['2017-02-30 09:31:00+05:30,10,10,10,10,5', 'timestamp'],
  ['2017-01-02 09:32:00+05:30,123456789012345678901234567890,10,10,10,5', 'taken'],
  ['2017-01-02 09:33:00+05:30,0.00000000000000000000000001,10,10,10,5', 'taken'],
  ['2017-01-02 09:34:00 +05:30,10,10,10,10,5', 'timestamp'],
  ['2017-01-02 09:35:00+05:30,1\uFFFD,10,10,10,5', 'encoding'],
  ['2017-01-02 09:36:00+05:30,10,10,10,10,5\r', 'taken'],
  ['2017-01-02 09:37:00+05:30,-,10,10,10,5', 'number'],
  ['2017-01-02 09:38:00+05:30,10,10,10,10,+', 'number'],
];

const quoted = (line: string) => {
  const cr = line.endsWith('\r') ? '\r' : '';
  return `${(cr ? line.slice(0, -1) : line)
    .split(',')
    .map((field) => `"${field}"`)
    .join(',')}${cr}`;
};

/** Everything the reader made of an object, values as the table holds them. */
function outcome(bars: ObjectBars) {
  const { table } = bars;
  const rows = bars.runs.flatMap((run) => [...run.rows]);
  return {
    report: bars.report,
    setAside: bars.setAside,
    bars: rows.map((row) => [
      table.symbols[table.symbolOf(row)],
      formatMinute(table.minute(row)),
      table.line(row),
      ...[OPEN, HIGH, LOW, CLOSE, VOLUME].map((column) => table.value(row, column)),
    ]),
  };
}

describe.each([
  ['a symbol column', 'symbol,timestamp,open,high,low,close,volume', (row: string) => `ACME,${row}`],
  ['the symbol from the name', 'timestamp,open,high,low,close,volume', (row: string) => row],
])('rows as lines and as quoted fields, with %s', (_, header, withSymbol) => {
  const lines = ROWS.map(([row]) => withSymbol(row));
  // A blank line among them is skipped either way.
  const plain = [header, ...lines.slice(0, 3), '   ', ...lines.slice(3)].join('\n');
  const allQuoted = [
    quoted(header),
    ...lines.slice(0, 3).map(quoted),
    '   ',
    ...lines.slice(3).map(quoted),
  ].join('\n');

  it.each([1, 7, 1 << 16])(
    'come out alike, each as worked out by hand (pieces of %i bytes)',
    async (size) => {
      const asLines = outcome(await readText(plain, 'ACME__EQ__NSE__NSE__MINUTE.csv', {}, size));
      const asFields = outcome(await readText(allQuoted, 'ACME__EQ__NSE__NSE__MINUTE.csv', {}, size));
      expect(asLines).toEqual(asFields);

      // Line numbers: the header is line 1, the blank line is line 5.
      const lineOf = (index: number) => (index < 3 ? index + 2 : index + 3);
      const taken = ROWS.flatMap(([, result], index) => (result === 'taken' ? [lineOf(index)] : []));
      expect(asLines.bars.map((bar) => bar[2]).sort((a, b) => Number(a) - Number(b))).toEqual(taken);
      const setAside = ROWS.flatMap(([, result], index) =>
        result === 'taken' ? [] : [{ line: lineOf(index), reason: result }],
      );
      expect(asLines.setAside.map(({ line, reason }) => ({ line, reason }))).toEqual(setAside);
      expect(asLines.report.dataRows).toBe(ROWS.length);

      // Values as written: 10.5 and 7 without their spaces, 1e1 and +10 as 10, the overflowing decimals' doubles.
      const byLine = new Map(asLines.bars.map((bar) => [bar[2], bar.slice(3)]));
      expect(byLine.get(lineOf(1))).toEqual([10.5, 11, 10, 10.5, 7]);
      expect(byLine.get(lineOf(2))).toEqual([10, 10, 10, 10, 0]);
      expect(byLine.get(lineOf(18))).toEqual([1.2345678901234568e29, 10, 10, 10, 5]);
      expect(byLine.get(lineOf(19))).toEqual([1e-26, 10, 10, 10, 5]);
      // 09:20Z is 14:50 in Kolkata, and a time without an offset is Kolkata's: 09:19 there is 03:49Z.
      expect(asLines.bars.find((bar) => bar[2] === lineOf(5))?.[1]).toBe('2017-01-02T09:20:00Z');
      expect(asLines.bars.find((bar) => bar[2] === lineOf(4))?.[1]).toBe('2017-01-02T03:49:00Z');
    },
  );
});
