import { describe, expect, it } from 'vitest';
import { priceText, rowText, volumeText } from '../../../cli/generate/rowText.js';

describe('Function: priceText', () => {
  it.each([
    [20210, '1010.5'],
    [20240, '1012.0'],
    [20241, '1012.05'],
    [20, '1.0'],
    [1, '0.05'],
    [3, '0.15'],
    [-20210, '-1010.5'],
    [0, '0.0'],
  ])('prints %i ticks as %s', (ticks, text) => {
    expect(priceText(ticks)).toBe(text);
  });
});

describe('Function: rowText', () => {
  it('prints a row like the real data set', () => {
    const bar = { index: 0, open: 20210, high: 20240, low: 20182, close: 20220, volume: 11 };
    expect(rowText('2017-01-02 09:15:00+05:30', bar)).toBe(
      '2017-01-02 09:15:00+05:30,1010.5,1012.0,1009.1,1011.0,11.0',
    );
    expect(volumeText(0)).toBe('0.0');
  });
});
