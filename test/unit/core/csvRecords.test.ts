/**
 * Contract §1 "Quoting" through the real reader: well-formed quoted fields (escaped quotes, line breaks) are
 * read, a malformed quote costs only its own physical line, and reading resumes at the next one. Every outcome is
 * worked out by hand, and must come out alike in pieces of 1, 7 and 65536 bytes.
 */
import { describe, expect, it } from 'vitest';
import { CsvRecords, MAX_RECORD_LINES, type RowSink } from '../../../shared/core/csvRecords.js';
import { acceptedBars, limitsFor, readText } from '../../helpers/read.js';

const HEADER = 'symbol,timestamp,open,high,low,close,volume,note';
const NAME = 'TEST__EQ__NSE__NSE__MINUTE.csv';
const DETAIL = 'unbalanced or misplaced double quote';

/** A good row of ACME at 09:MM IST (03:MM-30 UTC), close 10, volume 5, with its note as written. */
const row = (minute: number, note = 'x') => `ACME,2017-01-02 09:${minute}:00+05:30,10,10,10,10,5,${note}`;

const quotes = (line: number, raw: string) => ({ line, reason: 'quotes', detail: DETAIL, raw });

describe.each([1, 7, 1 << 16])('quoting, read in pieces of %i bytes', (chunkSize) => {
  const read = (text: string, limits = {}) => readText(text, NAME, {}, chunkSize, limits);

  it('reads escaped quotes, commas and line breaks (LF and CRLF) inside quoted fields', async () => {
    const text =
      `${HEADER}\n` +
      '"AC,ME ""X""",2017-01-02 09:15:00+05:30,10,10,10,10,5,"a ""quoted"", note"\n' + // 2 symbol
      'ACME,2017-01-02 09:16:00+05:30,10,10,10,10,v,"three\r\nlines,\n""here"""\r\n' + // 3-5 number
      '"ACME","2017-01-02 09:17:00+05:30","10","10","10","10","5",""\r\n' + // 6
      'ACME,2017-01-02 09:18:00+05:30,10,10,10,10,5,"x,y"'; // 7, no line end
    const result = await read(text);
    expect(acceptedBars(result)).toEqual([
      ['ACME', '2017-01-02T03:47:00Z', 10, 5, 6],
      ['ACME', '2017-01-02T03:48:00Z', 10, 5, 7],
    ]);
    // Line 2's symbol, read whole with its comma and quotes, is no symbol (contract §1 "Symbol"); the row of
    // lines 3-5 is set aside for its volume. Their fields, re-quoted, show the quoted fields read whole.
    expect(result.setAside).toEqual([
      {
        line: 2,
        reason: 'symbol',
        detail: `symbol 'AC,ME "X"' holds a character other than letters, digits and . - _ & ^ = + ! # $ : ~`,
        raw: '"AC,ME ""X""",2017-01-02 09:15:00+05:30,10,10,10,10,5,"a ""quoted"", note"',
      },
      {
        line: 3,
        reason: 'number',
        detail: "volume is not a number: 'v'",
        raw: 'ACME,2017-01-02 09:16:00+05:30,10,10,10,10,v,"three\r\nlines,\n""here"""',
      },
    ]);
    expect(result.report.dataRows).toBe(4);
  });

  it('sets aside a row with a quote inside an unquoted field, alone, and reads on', async () => {
    const text = [
      HEADER,
      row(15), // 2
      'AC"ME,2017-01-02 09:16:00+05:30,10,10,10,10,5,x', // 3 quotes
      row(17), // 4
      row(18, 'x"y'), // 5 quotes
      ` "ACME",2017-01-02 09:19:00+05:30,10,10,10,10,5,x`, // 6 quotes: the space comes before the quote
      row(20), // 7
    ].join('\n');
    const result = await read(text);
    expect(acceptedBars(result)).toEqual([
      ['ACME', '2017-01-02T03:45:00Z', 10, 5, 2],
      ['ACME', '2017-01-02T03:47:00Z', 10, 5, 4],
      ['ACME', '2017-01-02T03:50:00Z', 10, 5, 7],
    ]);
    expect(result.setAside).toEqual([
      quotes(3, 'AC"ME,2017-01-02 09:16:00+05:30,10,10,10,10,5,x'),
      quotes(5, 'ACME,2017-01-02 09:18:00+05:30,10,10,10,10,5,x"y'),
      quotes(6, ' "ACME",2017-01-02 09:19:00+05:30,10,10,10,10,5,x'),
    ]);
    expect(result.report).toMatchObject({
      dataRows: 6,
      accepted: 3,
      bad: { count: 3, byReason: { quotes: 3 } },
      symbols: ['ACME'],
    });
  });

  it('sets aside the first line of a quote that never closes, and reads every line after it', async () => {
    const text =
      `${HEADER}\r\n` +
      `${row(15)}\r\n` + // 2
      `${row(16, '"never closed')}\r\n` + // 3 quotes: open to the end of the object
      `${row(17)}\r\n` + // 4
      '\r\n' + // 5 blank
      `${row(18)}\r\n`; // 6
    const result = await read(text);
    expect(acceptedBars(result)).toEqual([
      ['ACME', '2017-01-02T03:45:00Z', 10, 5, 2],
      ['ACME', '2017-01-02T03:47:00Z', 10, 5, 4],
      ['ACME', '2017-01-02T03:48:00Z', 10, 5, 6],
    ]);
    expect(result.setAside).toEqual([quotes(3, row(16, '"never closed'))]);
    expect(result.report).toMatchObject({ dataRows: 4, accepted: 3, bad: { count: 1 } });
  });

  it('does not take the quote of a later, well-quoted row for the close of an open one', async () => {
    const text = [
      HEADER,
      row(15, '"open'), // 2 quotes: from here, line 3's quote is followed by 2, not a comma
      '"ACME","2017-01-02 09:16:00+05:30",10,10,10,10,5,x', // 3, read anew
      row(17), // 4
    ].join('\n');
    const result = await read(text);
    expect(acceptedBars(result).map((bar) => bar[4])).toEqual([3, 4]);
    expect(result.setAside).toEqual([quotes(2, row(15, '"open'))]);
  });

  it('sets aside a row with text after a closing quote', async () => {
    const text =
      `${HEADER}\n` +
      '"ACME"x,2017-01-02 09:15:00+05:30,10,10,10,10,5,x\n' + // 2 quotes
      `${row(16, '"x" ')}\n` + // 3 quotes: a space after the quote
      `${row(17, '"x"\ry')}\n` + // 4 quotes: a CR that is not a CRLF's
      '"ACME","2017-01-02 09:18:00+05:30","10","10","10","10","5",""\n' + // 5
      row(19, '"x"'); // 6, the quote closed by the end of the object
    const result = await read(text);
    expect(acceptedBars(result)).toEqual([
      ['ACME', '2017-01-02T03:48:00Z', 10, 5, 5],
      ['ACME', '2017-01-02T03:49:00Z', 10, 5, 6],
    ]);
    expect(result.setAside).toEqual([
      quotes(2, '"ACME"x,2017-01-02 09:15:00+05:30,10,10,10,10,5,x'),
      quotes(3, row(16, '"x" ')),
      quotes(4, row(17, '"x"\ry')),
    ]);
  });

  it('sets aside only the first line of a quote that closes on a later line followed by text', async () => {
    const text = [
      HEADER,
      row(15, '"one'), // 2 quotes: the note closes on line 3, then ' three'
      'two" three', // 3 quotes: read anew, its quote is in an unquoted field
      row(16), // 4
    ].join('\n');
    const result = await read(text);
    expect(acceptedBars(result)).toEqual([['ACME', '2017-01-02T03:46:00Z', 10, 5, 4]]);
    expect(result.setAside).toEqual([quotes(2, row(15, '"one')), quotes(3, 'two" three')]);
    expect(result.report.dataRows).toBe(3);
  });

  it(`lets a quoted field span ${MAX_RECORD_LINES} lines, and no more`, async () => {
    expect(MAX_RECORD_LINES).toBe(100);
    // Lines 2-101: the note opens on line 2 and closes on line 101, the 100th.
    const spans100 = `${HEADER}\n${row(15, `"n${'\nn'.repeat(98)}\nn"`)}\n${row(16)}\n`;
    const result = await read(spans100);
    expect(acceptedBars(result)).toEqual([
      ['ACME', '2017-01-02T03:45:00Z', 10, 5, 2],
      ['ACME', '2017-01-02T03:46:00Z', 10, 5, 102],
    ]);
    expect(result.setAside).toEqual([]);

    // One line more: still open at the end of line 101, so line 2 alone is set aside. Read anew, lines 3-101
    // ('n') have one field each, and line 102 (`n"`) a misplaced quote; line 103 is good.
    const spans101 = `${HEADER}\n${row(15, `"n${'\nn'.repeat(99)}\nn"`)}\n${row(16)}\n`;
    const over = await read(spans101);
    expect(acceptedBars(over)).toEqual([['ACME', '2017-01-02T03:46:00Z', 10, 5, 103]]);
    expect(over.setAside.map(({ line, reason }) => [line, reason])).toEqual([
      [2, 'quotes'],
      ...Array.from({ length: 99 }, (_, i) => [3 + i, 'field-count']),
      [102, 'quotes'],
    ]);
    expect(over.setAside[0]!.raw).toBe(row(15, '"n'));
    expect(over.report.dataRows).toBe(102);
  });

  it('holds a well-formed record with quoted line breaks to MAX_LINE_BYTES whole', async () => {
    // The row up to its note is 45 bytes; the note `"`, 26 a, LF, m b, `"` makes 48 + 26 + m bytes.
    const record = (m: number) => row(15, `"${'a'.repeat(26)}\n${'b'.repeat(m)}"`);
    expect(Buffer.byteLength(record(26))).toBe(100);
    const limits = { maxLineBytes: 100 };
    const under = await read(`${HEADER}\n${record(26)}\n${row(16)}\n`, limits);
    expect(acceptedBars(under).map((bar) => bar[4])).toEqual([2, 4]);
    await expect(read(`${HEADER}\n${record(27)}\n${row(16)}\n`, limits)).rejects.toThrow(
      'line 2 is longer than 100 bytes (MAX_LINE_BYTES)',
    );
  });

  it('holds a quote that never closes to MAX_LINE_BYTES up to the end of the object', async () => {
    // Line 2 is 50 bytes, line 3 46: the open record runs to 97 bytes at the end of the object, within 100.
    const limits = { maxLineBytes: 100 };
    const open = row(15, '"open');
    expect([Buffer.byteLength(open), Buffer.byteLength(row(16))]).toEqual([50, 46]);
    const within = await read(`${HEADER}\n${open}\n${row(16)}`, limits);
    expect(acceptedBars(within).map((bar) => bar[4])).toEqual([3]);
    expect(within.setAside).toEqual([quotes(2, open)]);
    // One more line takes it to 144 bytes, still open: past the limit before it could be found malformed.
    await expect(read(`${HEADER}\n${open}\n${row(16)}\n${row(17)}`, limits)).rejects.toThrow(
      'line 2 is longer than 100 bytes (MAX_LINE_BYTES)',
    );
  });

  it('takes a header with a malformed quote as its text split at commas', async () => {
    // An ignored column's name with a quote in it: the header is good.
    const ignored = await read(`${HEADER.replace('note', 'no"te')}\n${row(15)}\n`);
    expect(acceptedBars(ignored)).toEqual([['ACME', '2017-01-02T03:45:00Z', 10, 5, 2]]);
    // An open quote before `timestamp`: the record runs to the end, malformed; its first line has no timestamp.
    await expect(read(`symbol,"timestamp,open,high,low,close,volume,note\n${row(15)}\n`)).rejects.toThrow(
      /^missing required columns: timestamp/,
    );
  });
});

describe('records without a quote', () => {
  const TEXT = 'a,b\r\n\n c , d ,\r\n\r\nlast,"q"\ne,f\ng';

  /** Every record the machine gives, as [line, fields] or [line, 'malformed', text], in pieces of `size`. */
  function records(size: number, withLines: boolean): unknown[] {
    const given: unknown[] = [];
    const sink: RowSink = {
      addRow: (fields, line) => given.push([line, [...fields]]),
      addMalformed: (text, line) => given.push([line, 'malformed', text]),
      replacementSeen: () => {},
      ...(withLines
        ? {
            addLine: (text: string, start: number, end: number, line: number) =>
              given.push([line, text.slice(start, end)]),
          }
        : {}),
    };
    const machine = new CsvRecords(sink, limitsFor());
    for (let at = 0; at < TEXT.length; at += size) machine.add(TEXT.slice(at, at + size));
    machine.end();
    return given;
  }

  it.each([1, 3, 1 << 16])(
    'are given as their lines, or split at commas to a sink that takes no lines (pieces of %i)',
    (size) => {
      // A CR before LF is dropped, a blank line is a record, the text after the last LF is one too.
      expect(records(size, true)).toEqual([
        [1, 'a,b'],
        [2, ''],
        [3, ' c , d ,'],
        [4, ''],
        [5, ['last', 'q']],
        [6, 'e,f'],
        [7, 'g'],
      ]);
      expect(records(size, false)).toEqual([
        [1, ['a', 'b']],
        [2, ['']],
        [3, [' c ', ' d ', '']],
        [4, ['']],
        [5, ['last', 'q']],
        [6, ['e', 'f']],
        [7, ['g']],
      ]);
    },
  );
});
