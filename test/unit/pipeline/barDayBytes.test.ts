/** The bar-day documents' bytes, and merging a batch's bars into a day already stored. */
import { describe, expect, it } from 'vitest';
import { decodeBars, encodeBars, mergeBars, type StoredBar } from '../../../shared/pipeline/barDayBytes.js';

const bar = (minute: number, close: number): StoredBar => [minute, 100.05, 101.5, 99.95, close, 12_345];

describe('bar-day documents', () => {
  it('hold each bar as six float64 numbers, read back exactly', () => {
    const bars = [bar(24_000_000, 100.1), bar(24_000_001, 0.1 + 0.2)];
    const bytes = encodeBars(bars);
    expect(bytes.length).toBe(2 * 6 * 8);
    expect(bytes.readDoubleLE(6 * 8)).toBe(24_000_001);
    expect(decodeBars({ bars: bytes })).toEqual(bars);
  });

  it('read as no bars when the field is missing or cut short', () => {
    expect(decodeBars(undefined)).toEqual([]);
    expect(decodeBars({ bars: encodeBars([bar(1, 1)]).subarray(0, 40) })).toEqual([]);
  });

  it('append a later batch of the same day after the bars stored', () => {
    expect(mergeBars([bar(1, 1), bar(2, 2)], [bar(5, 5)])).toEqual([bar(1, 1), bar(2, 2), bar(5, 5)]);
    expect(mergeBars([], [bar(5, 5)])).toEqual([bar(5, 5)]);
  });

  it('keep one bar per minute when the same bars are written again, the newer one winning', () => {
    expect(mergeBars([bar(1, 1), bar(3, 3)], [bar(2, 2), bar(3, 30)])).toEqual([
      bar(1, 1),
      bar(2, 2),
      bar(3, 30),
    ]);
  });
});
