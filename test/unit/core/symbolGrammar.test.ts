/**
 * Contract §1 "Symbol": the grammar on its own (real tickers in, every form the pipeline cannot store out), then
 * through the real reader: rows whose symbol is outside it are set aside as `symbol`, with a detail naming it.
 */
import { describe, expect, it } from 'vitest';
import { symbolProblem } from '../../../shared/core/symbolGrammar.js';
import { acceptedBars, readText } from '../../helpers/read.js';

const OTHER_CHARACTER = 'holds a character other than letters, digits and . - _ & ^ = + ! # $ : ~';
const RESERVED = 'a form reserved for document ids (__name__, . or ..)';
const TOO_LONG = 'longer than 32 characters';

describe('the symbol grammar', () => {
  it.each([
    ['M&M', 'NSE, an ampersand'],
    ['BAJAJ-AUTO', 'NSE, a hyphen'],
    ['L&TFH', 'NSE'],
    ['BAJAJ_AUTO', 'an underscore'],
    ['BRK.B', 'US share class'],
    ['^NSEI', 'an index'],
    ['BTC-PERP', 'a crypto perpetual'],
    ['6E', 'a future starting with a digit'],
    ['EURUSD=X', 'a currency pair'],
    ['ES1!', 'a continuous future'],
    ['NSE:INFY', 'an exchange-qualified ticker'],
    ['BANKNIFTY24JAN48000CE', 'an option contract'],
    ['株式', 'CJK letters'],
    ['ÄÖÜ', 'Latin letters with diacritics'],
    ['रिलायंस', 'Devanagari, whose vowel signs are combining marks'],
    ['__X', 'underscores, but not the reserved __name__ form'],
    ['.X', 'a dot, but not a bare . or ..'],
    ['A'.repeat(32), 'exactly 32 characters'],
    ['株'.repeat(32), '32 characters of 3 bytes each'],
  ])('accepts %s (%s)', (symbol) => {
    expect(symbolProblem(symbol)).toBeUndefined();
  });

  it.each([
    ['A/B', OTHER_CHARACTER],
    ['A@B', OTHER_CHARACTER],
    ['A%2F', OTHER_CHARACTER],
    ['ACME 2017', OTHER_CHARACTER],
    ['A\tB', OTHER_CHARACTER],
    ['A\u0000B', OTHER_CHARACTER],
    ['A\u200bB', OTHER_CHARACTER], // a zero-width space: a format character, not a letter
    ['A,B', OTHER_CHARACTER],
    ['"A"', OTHER_CHARACTER],
    ['EUR€', OTHER_CHARACTER], // a currency sign is no letter
    ['@SUM(A1)', OTHER_CHARACTER],
    ['__X__', RESERVED],
    ['____', RESERVED],
    ['__a/b__', RESERVED],
    ['.', RESERVED],
    ['..', RESERVED],
    ['A'.repeat(33), TOO_LONG],
    ['X'.repeat(1501), TOO_LONG],
  ])('refuses %j: %s', (symbol, problem) => {
    expect(symbolProblem(symbol)).toBe(problem);
  });
});

describe('symbols through the reader', () => {
  const HEADER = 'symbol,timestamp,open,high,low,close,volume';
  const row = (symbol: string, minute: number, close = '10') =>
    `${symbol},2017-01-02 09:${minute}:00+05:30,10,10,10,${close},5`;

  it('sets aside each row whose symbol is outside the grammar, and keeps the good symbols exact', async () => {
    const long = 'L'.repeat(1501);
    const text = [
      HEADER,
      row('ACME', 15), // 2
      row('__X__', 16), // 3
      row('A/B', 16), // 4
      row('A@B', 17), // 5
      row(long, 17), // 6
      row('ACME', 16, '11'), // 7
      row('__X__', 18), // 8: checked again, as it never became a symbol
    ].join('\n');
    const result = await readText(text);
    expect(acceptedBars(result)).toEqual([
      ['ACME', '2017-01-02T03:45:00Z', 10, 5, 2],
      ['ACME', '2017-01-02T03:46:00Z', 11, 5, 7],
    ]);
    expect(result.setAside.map(({ line, reason, detail }) => [line, reason, detail])).toEqual([
      [3, 'symbol', `symbol '__X__' ${RESERVED}`],
      [4, 'symbol', `symbol 'A/B' ${OTHER_CHARACTER}`],
      [5, 'symbol', `symbol 'A@B' ${OTHER_CHARACTER}`],
      [6, 'symbol', `symbol '${'L'.repeat(40)}… (1501 characters)' ${TOO_LONG}`],
      [8, 'symbol', `symbol '__X__' ${RESERVED}`],
    ]);
    expect(result.setAside[3]!.raw).toBe(row(long, 17));
    expect(result.report).toMatchObject({
      dataRows: 7,
      accepted: 2,
      bad: { count: 5, byReason: { symbol: 5 } },
      symbols: ['ACME'],
    });
  });

  it('counts no refused symbol towards MAX_SYMBOLS_PER_OBJECT', async () => {
    const text = [HEADER, row('ACME', 15), row('A B', 15), row('C D', 15)].join('\n');
    const result = await readText(text, 'x.csv', {}, 7, { maxSymbols: 1 });
    expect(result.report).toMatchObject({ accepted: 1, bad: { count: 2, byReason: { symbol: 2 } } });
  });

  it("sets every row aside when the object name's symbol is outside the grammar", async () => {
    const text =
      'timestamp,open,high,low,close,volume\n2017-01-02 09:15:00+05:30,10,10,10,10,5\nx,1,1,1,1,1\n';
    const result = await readText(text, 'daily/ACME 2017 Q1.csv');
    expect(acceptedBars(result)).toEqual([]);
    expect(result.setAside.map(({ line, reason, detail }) => [line, reason, detail])).toEqual([
      [2, 'symbol', `symbol 'ACME 2017 Q1' ${OTHER_CHARACTER} (from the object name)`],
      [3, 'symbol', `symbol 'ACME 2017 Q1' ${OTHER_CHARACTER} (from the object name)`],
    ]);
    expect(result.report).toMatchObject({ symbols: [], bad: { count: 2, byReason: { symbol: 2 } } });
  });

  it('keeps symbol-empty for an empty symbol, before the grammar', async () => {
    const text = [HEADER, row('  ', 15)].join('\n');
    const result = await readText(text);
    expect(result.setAside.map(({ reason, detail }) => [reason, detail])).toEqual([
      ['symbol-empty', 'empty symbol'],
    ]);
  });
});
