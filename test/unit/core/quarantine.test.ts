/** The quarantine CSV: safe to open in a spreadsheet, and read back as what was set aside. */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { quarantineCsv } from '../../../shared/core/quarantine.js';
import type { SetAsideRow } from '../../../shared/core/report.js';

const row = (raw: string, detail = 'unreadable timestamp'): SetAsideRow => ({
  line: 7,
  reason: 'timestamp',
  detail,
  raw,
});

/** The cells of the CSV's data lines, as a spreadsheet (or any RFC 4180 reader) sees them. */
function cells(csv: string): string[][] {
  const parsed = Papa.parse<string[]>(csv.trimEnd(), { delimiter: ',', newline: '\n' });
  expect(parsed.errors).toEqual([]);
  expect(parsed.data[0]).toEqual(['object', 'line', 'reason', 'detail', 'raw']);
  return parsed.data.slice(1);
}

describe('quarantineCsv', () => {
  it.each([
    ["=cmd|' /C calc'!A0", `"'=cmd|' /C calc'!A0"`],
    ['@SUM(1)', `"'@SUM(1)"`],
    ['+1', `"'+1"`],
    ['-2', `"'-2"`],
    ['\tx', `"'\tx"`],
    ['\r=1', `"'\r=1"`],
    ['=HYPERLINK("http://x","y"),1', `"'=HYPERLINK(""http://x"",""y""),1"`],
  ])('prefixes a cell starting %j with a quote and quotes it', (raw, written) => {
    const csv = quarantineCsv([{ object: 'A.csv', row: row(raw) }]);
    expect(csv).toBe(`object,line,reason,detail,raw\nA.csv,7,timestamp,unreadable timestamp,${written}\n`);
    expect(cells(csv)).toEqual([['A.csv', '7', 'timestamp', 'unreadable timestamp', `'${raw}`]]);
  });

  it('does the same for the object name and the detail, which can start with a symbol', () => {
    const csv = quarantineCsv([
      { object: '=evil.csv', row: row('x', '@SYM 2017-01-02T03:45:00Z already seen') },
    ]);
    expect(cells(csv)).toEqual([
      ["'=evil.csv", '7', 'timestamp', "'@SYM 2017-01-02T03:45:00Z already seen", 'x'],
    ]);
  });

  it('leaves an ordinary cell as it is, quoted only where RFC 4180 needs it', () => {
    const raw = '2017-01-02 09:16:00+05:30,10,10,10,x,6';
    const csv = quarantineCsv([
      { object: 'A.csv', row: row(raw, "close is not a number: 'x'") },
      { object: 'A.csv', row: row('plain') },
    ]);
    expect(csv).toBe(
      'object,line,reason,detail,raw\n' +
        `A.csv,7,timestamp,close is not a number: 'x',"${raw}"\n` +
        'A.csv,7,timestamp,unreadable timestamp,plain\n',
    );
    expect(cells(csv).map((line) => line[4])).toEqual([raw, 'plain']);
  });

  it('writes a cell that only contains such a character later unchanged', () => {
    expect(cells(quarantineCsv([{ object: 'A.csv', row: row('x=1+2') }]))[0]![4]).toBe('x=1+2');
  });
});
