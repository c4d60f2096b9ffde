import { describe, expect, it } from 'vitest';
import {
  compareExact,
  exactFromText,
  formatDecimal,
  OVERFLOW_SCALE,
  scanDecimal,
  scanDecimalIn,
  scanned,
  scannedSign,
  scannedValue,
} from '../../../shared/core/decimal.js';

describe('scanDecimalIn', () => {
  // The reader scans a value where it lies in its line: nothing after its end may count.
  it.each([
    ['1e5', 0, 2, false, 0, 0],
    ['+5', 0, 1, false, 0, 0],
    ['x-5', 1, 1, false, 0, 0],
    ['12.5,', 0, 3, false, 0, 0],
    [',10.25,', 1, 6, true, 1025, 2],
    [', 7 ,', 1, 4, true, 7, 0],
    ['1e+12', 0, 4, true, 1, -1],
  ])('scans %j from %i to %i: %s', (text, from, to, ok, mantissa, scale) => {
    expect(scanDecimalIn(text, from, to)).toBe(ok);
    if (ok) expect([scanned.mantissa, scanned.scale]).toEqual([mantissa, scale]);
  });
});

describe('scanDecimal', () => {
  it.each([
    ['1010.5', 10105, 1, 1010.5],
    ['11.0', 110, 1, 11],
    ['-3', -3, 0, -3],
    ['+0.05', 5, 2, 0.05],
    ['1e3', 1, -3, 1000],
    ['2.5E-2', 25, 3, 0.025],
    ['  7.25\r', 725, 2, 7.25],
    ['0', 0, 0, 0],
    ['007.50', 750, 2, 7.5],
    ['9007199254740991', 9007199254740991, 0, 9007199254740991],
    ['0.0000000000000000000001', 1, 22, 1e-22],
  ])('reads %j as mantissa %d, scale %d', (text, mantissa, scale, value) => {
    expect(scanDecimal(text)).toBe(true);
    expect([scanned.mantissa, scanned.scale]).toEqual([mantissa, scale]);
    expect(scannedValue()).toBe(value);
    expect(Math.sign(scannedSign())).toBe(Math.sign(value));
  });

  it.each([
    '',
    ' ',
    'abc',
    'NaN',
    'Infinity',
    '-Infinity',
    '1.',
    '.5',
    '1e',
    '1e+',
    '1.2.3',
    '0x10',
    '1,5',
    '--1',
    '1 2',
    '12.5x',
    '1..2',
  ])('rejects %j', (text) => {
    expect(scanDecimal(text)).toBe(false);
  });

  it('keeps decimals just beyond the fast form exactly, as text', () => {
    for (const text of ['9007199254740993', '0.00000000000000000000001', '123456789012345678.5']) {
      expect(scanDecimal(text)).toBe(true);
      expect(scanned.scale).toBe(OVERFLOW_SCALE);
      expect(scannedValue()).toBe(Number(text));
    }
  });

  it('rejects a number too large to be finite', () => {
    expect(scanDecimal('1e400')).toBe(false);
  });

  it('keeps numbers beyond the fast form as text (overflow), with the right double', () => {
    expect(scanDecimal('12345678901234567890.5')).toBe(true);
    expect(scanned.scale).toBe(OVERFLOW_SCALE);
    expect(scannedValue()).toBe(Number('12345678901234567890.5'));
  });
});

describe('exact arithmetic', () => {
  it('compares decimals of different scales exactly', () => {
    expect(compareExact(exactFromText('0.1'), exactFromText('0.10'))).toBe(0);
    expect(compareExact(exactFromText('78.39'), exactFromText('78.390000000000000001'))).toBe(-1);
    expect(compareExact(exactFromText('1e2'), exactFromText('99.99'))).toBe(1);
  });

  it.each([
    [110, 1, '11.0'],
    [5, 3, '0.005'],
    [-5, 3, '-0.005'],
    [10105, 1, '1010.5'],
    [7, 0, '7'],
    [1, -3, '1e3'],
  ])('formats mantissa %d scale %d as %j, which reads back the same', (mantissa, scale, text) => {
    expect(formatDecimal(mantissa, scale)).toBe(text);
    scanDecimal(text);
    expect([scanned.mantissa, scanned.scale]).toEqual([mantissa, scale]);
  });
});
