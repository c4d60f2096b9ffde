/** Contract §1, line by line, through the real reader. */
import { describe, expect, it } from 'vitest';
import { ObjectRejectedError } from '../../../shared/core/report.js';
import { acceptedBars, gzip, readText } from '../../helpers/read.js';

const HEADER = 'timestamp,open,high,low,close,volume';

describe('line ends and quoting', () => {
  it('reads LF and CRLF mixed in one object alike, however it is cut into chunks', async () => {
    const text = [
      `${HEADER}\r\n`,
      '2017-01-02 09:15:00+05:30,10,10,10,10,5\n',
      '2017-01-02 09:16:00+05:30,10,10,10,x,6\r\n',
      '2017-01-02 09:17:00+05:30,10,10,10,12,"7"\r\n',
      '2017-01-02 09:18:00+05:30,10,10,10,13,8',
    ].join('');
    for (const chunkSize of [1, 7, 1 << 16]) {
      const result = await readText(text, 'TEST__EQ__NSE__NSE__MINUTE.csv', {}, chunkSize);
      expect(acceptedBars(result)).toEqual([
        ['TEST', '2017-01-02T03:45:00Z', 10, 5, 2],
        ['TEST', '2017-01-02T03:47:00Z', 12, 7, 4],
        ['TEST', '2017-01-02T03:48:00Z', 13, 8, 5],
      ]);
      // The set-aside row is the line as written, without its line end.
      expect(result.setAside).toEqual([
        {
          line: 3,
          reason: 'number',
          detail: "close is not a number: 'x'",
          raw: '2017-01-02 09:16:00+05:30,10,10,10,x,6',
        },
      ]);
    }
  });

  it('reads RFC 4180 quoting; a quoted line break keeps later line numbers right', async () => {
    const text = [
      'timestamp,open,high,low,close,volume,note',
      '"2017-01-02 09:15:00+05:30","10","10","10","10","5","a, ""quoted"" note"',
      '2017-01-02 09:16:00+05:30,10,10,10,10,5,"two',
      'lines"',
      '2017-01-02 09:17:00+05:30,10,10,10,10,5,x',
    ].join('\n');
    expect(acceptedBars(await readText(text)).map((bar) => bar[4])).toEqual([2, 3, 5]);
  });

  it('sets aside a row with broken quoting and goes on', async () => {
    const text = `${HEADER}\n2017-01-02 09:15:00+05:30,10,10,10,10,5\n2017-01-02 09:16:00+05:30,10,"10,10,10,5\n`;
    const result = await readText(text);
    expect(result.report.accepted).toBe(1);
    expect(result.setAside.map((row) => row.reason)).toEqual(['quotes']);
  });
});

describe('header', () => {
  it('matches names trimmed and case-insensitively, in any order, ignoring other columns', async () => {
    const text = ' Volume ,CLOSE,extra,Low,High,Open, DateTime \n5,10,x,9,11,10,2017-01-02 09:15:00+05:30\n';
    expect(acceptedBars(await readText(text))).toEqual([['TEST', '2017-01-02T03:45:00Z', 10, 5, 2]]);
  });

  it("takes the first present timestamp name in the contract's order", async () => {
    // `timestamp` wins over `date` even though `date` comes first in the file.
    const text = 'date,timestamp,open,high,low,close,volume\ngarbage,2017-01-02 09:15:00+05:30,1,1,1,1,1\n';
    expect((await readText(text)).report.accepted).toBe(1);
  });

  it('skips blank lines before the header', async () => {
    const text = `\n  \n${HEADER}\n2017-01-02 09:15:00+05:30,10,10,10,10,5\n`;
    const result = await readText(text);
    expect(acceptedBars(result)).toEqual([['TEST', '2017-01-02T03:45:00Z', 10, 5, 4]]);
  });

  it('rejects an object missing required columns, listing them', async () => {
    const error = await readText('timestamp,open,close\n2017-01-02 09:15:00+05:30,1,1\n').catch((e) => e);
    expect(error).toBeInstanceOf(ObjectRejectedError);
    expect(error.missingColumns).toEqual(['high', 'low', 'volume']);
    expect(error.message).toBe('missing required columns: high, low, volume');
  });

  it('rejects an object without a timestamp column', async () => {
    await expect(readText('when,open,high,low,close,volume\n')).rejects.toThrow(
      /timestamp \(one of timestamp,/,
    );
  });

  it('rejects an empty object', async () => {
    await expect(readText('')).rejects.toThrow(/no header line/);
    await expect(readText('\n\n')).rejects.toThrow(/no header line/);
  });
});

describe('symbol', () => {
  it('comes from the symbol column when there is one; an empty cell makes the row bad', async () => {
    const text = [
      'Ticker,timestamp,open,high,low,close,volume',
      'AAA,2017-01-02 09:15:00+05:30,1,1,1,1,1',
      ',2017-01-02 09:15:00+05:30,1,1,1,1,1',
      'BBB,2017-01-02 09:15:00+05:30,2,2,2,2,2',
    ].join('\n');
    const result = await readText(text, 'IGNORED__EQ.csv');
    expect(result.report.symbols).toEqual(['AAA', 'BBB']);
    expect(result.report.bad.byReason).toEqual({ 'symbol-empty': 1 });
  });

  it.each([
    ['BAJAJ_AUTO__EQ__NSE__NSE__MINUTE.csv', 'BAJAJ_AUTO'],
    ['uploads/2017/M_M__EQ__NSE__NSE__MINUTE.csv.gz', 'M_M'],
    ['INFY.csv', 'INFY'],
    ['INFY.csv.gz', 'INFY'],
    ['INFY.gz', 'INFY'],
    ['dir/BTC-PERP', 'BTC-PERP'],
  ])('comes from the object name %j as %j otherwise', async (name, symbol) => {
    const text = `${HEADER}\n2017-01-02 09:15:00+05:30,1,1,1,1,1\n`;
    expect((await readText(name.endsWith('.gz') ? gzip(text) : text, name)).report.symbols).toEqual([symbol]);
  });
});

describe('row validity', () => {
  const good = '2017-01-02 09:15:00+05:30,10,11,9,10.5,100';
  it.each([
    ['2017-01-02 09:16:00+05:30,10,11,9,10.5', 'field-count'],
    ['2017-01-02 09:16:00+05:30,10,11,9,10.5,100,7', 'field-count'],
    ['2017-01-02 25:16:00+05:30,10,11,9,10.5,100', 'timestamp'],
    ['yesterday,10,11,9,10.5,100', 'timestamp'],
    ['2017-01-02 09:16:00+05:30,,11,9,10.5,100', 'number'],
    ['2017-01-02 09:16:00+05:30,10,abc,9,10.5,100', 'number'],
    ['2017-01-02 09:16:00+05:30,10,11,NaN,10.5,100', 'number'],
    ['2017-01-02 09:16:00+05:30,10,11,9,Infinity,100', 'number'],
    ['2017-01-02 09:16:00+05:30,10,11,9,10.5,', 'number'],
    ['2017-01-02 09:16:00+05:30,0,11,9,10.5,100', 'price-not-positive'],
    ['2017-01-02 09:16:00+05:30,10,11,-9,10.5,100', 'price-not-positive'],
    ['2017-01-02 09:16:00+05:30,10,11,9,0.0,100', 'price-not-positive'],
    ['2017-01-02 09:16:00+05:30,10,11,9,10.5,-1', 'volume-negative'],
  ])('sets aside %j as %s, with its line and raw text', async (row, reason) => {
    const result = await readText(`${HEADER}\n${good}\n${row}\n`);
    expect(result.report.accepted).toBe(1);
    expect(result.report.bad).toEqual({ count: 1, byReason: { [reason]: 1 } });
    expect(result.setAside).toEqual([{ line: 3, reason, detail: expect.any(String), raw: row }]);
  });

  it('accepts a zero volume and exponent notation', async () => {
    const result = await readText(`${HEADER}\n2017-01-02 09:15:00+05:30,1e1,1.1E1,9,10,0\n`);
    expect(acceptedBars(result)).toEqual([['TEST', '2017-01-02T03:45:00Z', 10, 0, 2]]);
  });

  it('skips blank lines without counting them; data rows = accepted + bad + duplicates', async () => {
    const text = `${HEADER}\n\n${good}\n   \n2017-01-02 09:15:00+05:30,1,1,1,1,1\nbad,1,1,1,1,1\n\n`;
    const { report, setAside } = await readText(text);
    expect(report.dataRows).toBe(3);
    expect([report.accepted, report.bad.count, report.duplicates.count]).toEqual([1, 1, 1]);
    expect(setAside.map((row) => [row.line, row.reason])).toEqual([
      [5, 'duplicate'],
      [6, 'timestamp'],
    ]);
  });
});

describe('duplicates, order and gaps', () => {
  it('keeps the first of two rows in one minute and counts conflicting values', async () => {
    const text = [
      HEADER,
      '2017-01-02 09:15:00+05:30,10,10,10,10,5',
      '2017-01-02 09:15:00+05:30,10,10,10,10.0,5.00', // same values written differently
      '2017-01-02 09:15:30+05:30,10,10,10,12,5', // same minute, other close
      '2017-01-02 03:45:00Z,10,10,10,10,5', // same instant, other offset
    ].join('\n');
    const { report, setAside } = await readText(text);
    expect(acceptedBars({ ...(await readText(text)) })).toEqual([['TEST', '2017-01-02T03:45:00Z', 10, 5, 2]]);
    expect(report.duplicates).toEqual({ count: 3, conflicting: 1 });
    expect(setAside.map((row) => [row.line, row.reason])).toEqual([
      [3, 'duplicate'],
      [4, 'duplicate'],
      [5, 'duplicate'],
    ]);
  });

  it('never lets a bad row claim a minute', async () => {
    const text = `${HEADER}\n2017-01-02 09:15:00+05:30,10,10,10,-1,5\n2017-01-02 09:15:00+05:30,10,10,10,10,5\n`;
    const { report } = await readText(text);
    expect([report.accepted, report.bad.count, report.duplicates.count]).toEqual([1, 1, 0]);
  });

  it('sorts each symbol by minute and counts rows that came out of order', async () => {
    const text = [
      'symbol,timestamp,open,high,low,close,volume',
      'B,2017-01-02 09:17:00+05:30,1,1,1,3,1',
      'A,2017-01-02 09:16:00+05:30,1,1,1,2,1',
      'B,2017-01-02 09:15:00+05:30,1,1,1,1,1', // out of order for B
      'A,2017-01-02 09:15:00+05:30,1,1,1,1,1', // out of order for A
      'B,2017-01-02 09:16:00+05:30,1,1,1,2,1', // out of order for B (09:17 seen)
      'A,2017-01-02 09:17:00+05:30,1,1,1,3,1',
    ].join('\n');
    const result = await readText(text);
    expect(result.report.outOfOrder).toBe(3);
    expect(acceptedBars(result).map(([symbol, minute]) => `${symbol} ${minute.slice(11, 16)}`)).toEqual([
      'B 03:45',
      'B 03:46',
      'B 03:47',
      'A 03:45',
      'A 03:46',
      'A 03:47',
    ]);
    expect(result.report.firstMinute).toBe('2017-01-02T03:45:00Z');
    expect(result.report.lastMinute).toBe('2017-01-02T03:47:00Z');
  });

  it('sorts a shuffled session of three days into minute order', async () => {
    // Every in-session minute of three days, shuffled by a fixed permutation, every seventh left out.
    const minutes: string[] = [];
    for (const day of ['2017-01-02', '2017-01-03', '2017-01-04']) {
      for (let m = 9 * 60 + 15; m <= 15 * 60 + 29; m++) {
        const time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        if (m % 7 !== 0) minutes.push(`${day} ${time}:00+05:30`);
      }
    }
    const shuffled = minutes.map((_, i) => minutes[(i * 7919) % minutes.length]!);
    expect(new Set(shuffled).size).toBe(minutes.length);
    const text = [HEADER, ...shuffled.map((minute) => `${minute},1,1,1,1,1`)].join('\n');
    const expected = minutes.map(
      (minute) => new Date(minute.replace(' ', 'T')).toISOString().slice(0, 19) + 'Z',
    );
    expect(
      acceptedBars(await readText(text, 'TEST__EQ__NSE__NSE__MINUTE.csv', {}, 1 << 16)).map(
        ([, minute]) => minute,
      ),
    ).toEqual(expected);
  });

  it('sorts rows years apart as well as rows minutes apart', async () => {
    const text = [
      HEADER,
      '2019-06-03 09:15:00+05:30,1,1,1,3,1',
      '2001-01-02 09:15:00+05:30,1,1,1,1,1',
      '2024-12-31 15:29:00+05:30,1,1,1,4,1',
      '2001-01-02 09:16:00+05:30,1,1,1,2,1',
    ].join('\n');
    const result = await readText(text);
    expect(result.report.outOfOrder).toBe(2);
    expect(acceptedBars(result).map(([, minute, close]) => `${minute} ${close}`)).toEqual([
      '2001-01-02T03:45:00Z 1',
      '2001-01-02T03:46:00Z 2',
      '2019-06-03T03:45:00Z 3',
      '2024-12-31T09:59:00Z 4',
    ]);
  });

  it('counts gaps within an exchange-local date only', async () => {
    const text = [
      HEADER,
      '2017-01-02 09:15:00+05:30,1,1,1,1,1',
      '2017-01-02 09:16:00+05:30,1,1,1,1,1',
      '2017-01-02 09:20:00+05:30,1,1,1,1,1', // 3 missing
      '2017-01-02 09:22:00+05:30,1,1,1,1,1', // 1 missing
      '2017-01-02 15:29:00+05:30,1,1,1,1,1', // 366 missing
      '2017-01-03 09:15:00+05:30,1,1,1,1,1', // next day: not a gap
    ].join('\n');
    expect((await readText(text)).report.gaps).toEqual({ count: 3, missingMinutes: 370, largest: 366 });
  });

  it('judges the local date in the exchange time zone', async () => {
    // 18:00 and 19:00 UTC on 2017-01-02 are 23:30 on the 2nd and 00:30 on the 3rd in Kolkata.
    const text = `${HEADER}\n2017-01-02 18:00:00Z,1,1,1,1,1\n2017-01-02 19:00:00Z,1,1,1,1,1\n`;
    expect((await readText(text)).report.gaps.count).toBe(0);
    expect((await readText(text, 'T.csv', { timezone: 'UTC' })).report.gaps).toEqual({
      count: 1,
      missingMinutes: 59,
      largest: 59,
    });
  });
});

describe('objects with no accepted rows, and symbols with none', () => {
  const NO_ROWS = {
    dataRows: 0,
    accepted: 0,
    bad: { count: 0, byReason: {} },
    duplicates: { count: 0, conflicting: 0 },
    outOfOrder: 0,
    gaps: { count: 0, missingMinutes: 0, largest: 0 },
    symbols: [],
    firstMinute: null,
    lastMinute: null,
  };

  it.each([
    ['a symbol from the object name', `${HEADER}\n`],
    ['a symbol from the object name, blank lines after', `${HEADER}\n\n  \n\r\n`],
    ['a symbol column', 'symbol,timestamp,open,high,low,close,volume\n'],
    ['a symbol column, blank lines after', 'symbol,timestamp,open,high,low,close,volume\n\n\n'],
  ])('accepts a header without rows (%s) as an empty object', async (_, text) => {
    const result = await readText(text);
    expect(result.report).toEqual({
      object: 'TEST__EQ__NSE__NSE__MINUTE.csv',
      status: 'accepted',
      ...NO_ROWS,
    });
    expect(result.runs).toEqual([]);
    expect(result.setAside).toEqual([]);
  });

  it('accepts an object whose rows are all bad, with no symbol and every row set aside', async () => {
    const text = `${HEADER}\nyesterday,1,1,1,1,1\n2017-01-02 09:15:00+05:30,0,1,1,1,1\n`;
    const result = await readText(text);
    expect(result.report).toMatchObject({
      ...NO_ROWS,
      dataRows: 2,
      bad: { count: 2, byReason: { timestamp: 1, 'price-not-positive': 1 } },
    });
    expect(result.runs).toEqual([]);
    expect(result.setAside.map((row) => [row.line, row.reason])).toEqual([
      [2, 'timestamp'],
      [3, 'price-not-positive'],
    ]);
  });

  it('sets aside a footer line as one bad row and keeps the rows before it', async () => {
    const text = [
      'symbol,timestamp,open,high,low,close,volume',
      'AAA,2017-01-02 09:15:00+05:30,1,1,1,1,1',
      'AAA,2017-01-02 09:16:00+05:30,2,2,2,2,2',
      'Total,,,,,,',
    ].join('\n');
    const result = await readText(text);
    expect(acceptedBars(result)).toEqual([
      ['AAA', '2017-01-02T03:45:00Z', 1, 1, 2],
      ['AAA', '2017-01-02T03:46:00Z', 2, 2, 3],
    ]);
    expect(result.report).toMatchObject({
      dataRows: 3,
      accepted: 2,
      bad: { count: 1, byReason: { timestamp: 1 } },
      symbols: ['AAA'],
      firstMinute: '2017-01-02T03:45:00Z',
      lastMinute: '2017-01-02T03:46:00Z',
    });
    expect(result.setAside).toEqual([
      { line: 4, reason: 'timestamp', detail: "unreadable timestamp ''", raw: 'Total,,,,,,' },
    ]);
  });

  it('sorts, counts conflicts and gaps for the other symbols when one symbol has only bad rows', async () => {
    const text = [
      'symbol,timestamp,open,high,low,close,volume',
      'ZZZ,yesterday,1,1,1,1,1', // ZZZ is seen first, but never accepted
      'BBB,2017-01-02 09:17:00+05:30,3,3,3,3,3',
      'BBB,2017-01-02 09:15:00+05:30,1,1,1,1,1', // out of order
      'BBB,2017-01-02 09:15:00+05:30,9,9,9,9,9', // conflicting duplicate
      'ZZZ,2017-01-02 09:15:00+05:30,0,1,1,1,1',
    ].join('\n');
    const result = await readText(text);
    expect(acceptedBars(result)).toEqual([
      ['BBB', '2017-01-02T03:45:00Z', 1, 1, 4],
      ['BBB', '2017-01-02T03:47:00Z', 3, 3, 3],
    ]);
    expect(result.report).toMatchObject({
      dataRows: 5,
      accepted: 2,
      bad: { count: 2, byReason: { timestamp: 1, 'price-not-positive': 1 } },
      duplicates: { count: 1, conflicting: 1 },
      outOfOrder: 1,
      gaps: { count: 1, missingMinutes: 1, largest: 1 },
      symbols: ['BBB'],
    });
    expect(result.runs.map((run) => run.symbol)).toEqual(['BBB']);
  });
});
