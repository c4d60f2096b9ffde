/**
 * Rows whose symbol comes from the object's name are read in one pass where they are in the plain form (a good
 * row: plain decimals, a timestamp, the header's fields); every other row the general way, which knows why a row
 * is set aside. Whichever way a row goes, an object must read as the same rows with a symbol column do (those
 * always go the general way): the same bars, values, lines and report, the same rows set aside for the same
 * reasons. Random rows, most good, many off by one character in the ways files are.
 */
import { describe, expect, it } from 'vitest';
import { CLOSE, HIGH, LOW, OPEN, VOLUME } from '../../../shared/core/barTable.js';
import type { ObjectBars } from '../../../shared/core/objectIntake.js';
import { seededRandom } from '../../helpers/seededRandom.js';
import { readText } from '../../helpers/read.js';

const random = seededRandom(77);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** A price or volume as files write them, now and then as no plain decimal or no good value at all. */
function value(price: boolean): string {
  const good = price ? (50 + random() * 100).toFixed(pick([0, 1, 2, 4])) : String(Math.floor(random() * 1e5));
  if (random() < 0.95) return good;
  return pick([
    `${good}.`,
    `.${good.replace('.', '')}`,
    ` ${good}`,
    `${good} `,
    `+${good}`,
    `-${good}`,
    `${good}e1`,
    '0',
    '0.00',
    '',
    'x',
    `${good}x`,
    '12345678901234567890',
    '1.12345678901234567890123',
    '9007199254740993',
    `${good}.5`,
  ]);
}

/** A timestamp on the minute `minute` of a session (6 hours a day from 2017-01-02), now and then a bad one. */
function timestamp(minute: number): string {
  const date = `2017-01-${String(2 + Math.floor(minute / 360)).padStart(2, '0')}`;
  const hh = String(9 + Math.floor((minute % 360) / 60)).padStart(2, '0');
  const mm = String(minute % 60).padStart(2, '0');
  const good = `${date} ${hh}:${mm}:00+05:30`;
  if (random() < 0.95) return good;
  return pick([
    `${date}T${hh}:${mm}:00+05:30`,
    `${date} ${hh}:${mm}`,
    `${date} ${hh}:${mm}:00`,
    `${date} ${hh}:${mm}:00Z`,
    `${date} ${hh}:${mm}:00.5+0530`,
    ` ${good}`,
    `2099-01-02 ${hh}:${mm}:00+05:30`,
    `2017-13-02 ${hh}:${mm}:00+05:30`,
    `${good}x`,
    '',
  ]);
}

/** `count` rows of [timestamp, open, high, low, close, volume], minutes mostly rising, some repeated or back. */
function rows(count: number): string[][] {
  const made: string[][] = [];
  let minute = 0;
  for (let i = 0; i < count; i++) {
    minute = Math.max(0, minute + pick([1, 1, 1, 1, 1, 2, 0, -3]));
    const row = [timestamp(minute), value(true), value(true), value(true), value(true), value(false)];
    if (random() < 0.02) row.push('7');
    if (random() < 0.02) row.pop();
    made.push(row);
  }
  return made;
}

/** What a read gives, but the set-aside rows' text (with a symbol column, it holds the symbol). */
function outcome(bars: ObjectBars) {
  const { table } = bars;
  const cells: Array<number | string> = [];
  for (let row = 0; row < table.length; row++) {
    cells.push(table.minute(row), table.line(row));
    for (const column of [OPEN, HIGH, LOW, CLOSE, VOLUME]) cells.push(table.text(row, column));
  }
  return {
    report: { ...bars.report, object: undefined },
    symbols: bars.runs.map((run) => [run.symbol, [...run.rows]]),
    cells,
    // A field count's detail counts the symbol column too.
    setAside: bars.setAside.map(({ line, reason, detail }) => ({
      line,
      reason,
      detail: reason === 'field-count' ? undefined : detail,
    })),
  };
}

describe('rows read in one pass', () => {
  it('read as the same rows with a symbol column: bars, values, report and rows set aside', async () => {
    const made = rows(4000);
    const plain = ['timestamp,open,high,low,close,volume', ...made.map((row) => row.join(','))].join('\n');
    const withSymbol = [
      'symbol,timestamp,open,high,low,close,volume',
      ...made.map((row) => ['X', ...row].join(',')),
    ].join('\n');
    const byName = await readText(`${plain}\n`, 'X__EQ__NSE__NSE__MINUTE.csv', {}, 1 << 12);
    const byColumn = await readText(`${withSymbol}\n`, 'ANY.csv', {}, 1 << 12);

    // Most rows taken, and every way of setting one aside met.
    expect(byName.report.accepted).toBeGreaterThan(1500);
    expect(Object.keys(byName.report.bad.byReason).sort()).toEqual(
      ['field-count', 'future', 'number', 'price-not-positive', 'timestamp', 'volume-negative'].sort(),
    );
    expect(byName.report.duplicates.count).toBeGreaterThan(50);
    expect(byName.report.outOfOrder).toBeGreaterThan(50);
    expect(outcome(byName)).toEqual(outcome(byColumn));
  });

  it('reads a file whose timestamps change length, and values of every plain form, as written', async () => {
    const text = [
      'volume,close,timestamp,low,high,open,note',
      '10,101.5,2017-01-02 09:15:00+05:30,100,102,100.25,a',
      '0,101.50,2017-01-02 09:16+05:30,100.0,102,100,',
      '7,9007199254740991,2017-01-02T09:17:00.123+05:30,1,9007199254740991,1,b,',
      '8,3,2017-01-02 09:18:00+05:30,1,4,2,c',
    ].join('\r\n');
    const bars = await readText(text, 'Y__EQ__NSE__NSE__MINUTE.csv', {}, 5);
    const { table } = bars;
    // The third row has a field too many; the others are good.
    expect(bars.setAside.map((row) => [row.line, row.reason])).toEqual([[4, 'field-count']]);
    expect(table.length).toBe(3);
    expect([0, 1, 2].map((row) => table.minute(row) - table.minute(0))).toEqual([0, 1, 3]);
    expect([0, 1, 2].map((row) => [OPEN, HIGH, LOW, CLOSE, VOLUME].map((c) => table.text(row, c)))).toEqual([
      ['100.25', '102', '100', '101.5', '10'],
      ['100', '102', '100.0', '101.50', '0'],
      ['2', '4', '1', '3', '8'],
    ]);
    expect([0, 1, 2].map((row) => table.line(row))).toEqual([2, 3, 5]);
  });
});
