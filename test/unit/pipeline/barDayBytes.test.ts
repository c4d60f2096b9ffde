/** The bar-day documents' bytes, and merging a batch's bars into a day already stored. */
import { describe, expect, it } from 'vitest';
import {
  decodeBars,
  decodeExactDay,
  encodeBars,
  encodeExactDay,
  mergeBars,
  mergeExactDay,
  type ExactBar,
  type ExactDay,
  type StoredBar,
} from '../../../shared/pipeline/barDayBytes.js';

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

describe("a day's exact bars", () => {
  const sources = [
    { object: 'A.csv', generation: '1' },
    { object: 'B.csv', generation: '2' },
  ];
  /** The document as barStore writes it: the float64 bars from the texts, and the exact fields. */
  const stored = (day: ExactDay) => ({
    bars: encodeBars(day.bars.map(([m, o, h, l, c, v]): StoredBar => [m, +o, +h, +l, +c, +v])),
    ...encodeExactDay(day),
  });

  it('give back each close and volume exactly, and each line and source, in 6 bytes a bar', () => {
    const day: ExactDay = {
      sources,
      bars: [
        [10, '100.05', '101.5', '99.95', '100.1', '12345', 2, 0],
        [11, '100.1', '100.1', '100.1', '100.1', '7', 70_000, 1],
      ],
    };
    const fields = stored(day);
    expect(fields.lines.length).toBe(2 * 6);
    expect(fields.texts).toBeUndefined();
    expect(decodeExactDay(fields)).toEqual(day);
  });

  it('keep the text of a close or volume a float64 does not give back: more than 15 significant digits', () => {
    // 0.12345678901234567 is not a float64; 1168.0 and 0.50 are 1168 and 0.5 exactly, and read back so.
    const bars: ExactBar[] = [
      [10, '1', '1', '1', '0.12345678901234567', '5', 2, 0],
      [11, '1', '1', '1', '0.50', '1168.0', 3, 0],
    ];
    const fields = stored({ sources, bars });
    expect(JSON.parse(fields.texts!.toString())).toEqual({ 10: ['0.12345678901234567', '5'] });
    expect(decodeExactDay(fields).bars.map((bar) => [bar[4], bar[5]])).toEqual([
      ['0.12345678901234567', '5'],
      ['0.5', '1168'],
    ]);
  });

  it('read as none from a document written without them', () => {
    expect(decodeExactDay({ bars: encodeBars([bar(1, 1)]) })).toEqual({ sources: [], bars: [] });
  });

  it('merge by minute, the sources of both kept once each', () => {
    const a: ExactDay = { sources: [sources[0]!], bars: [[1, '1', '1', '1', '1', '1', 2, 0]] };
    const b: ExactDay = {
      sources: [sources[1]!, sources[0]!],
      bars: [
        [0, '2', '2', '2', '2', '2', 5, 0],
        [3, '3', '3', '3', '3', '3', 6, 1],
      ],
    };
    expect(mergeExactDay(a, b)).toEqual({
      sources,
      bars: [
        [0, '2', '2', '2', '2', '2', 5, 1],
        [1, '1', '1', '1', '1', '1', 2, 0],
        [3, '3', '3', '3', '3', '3', 6, 0],
      ],
    });
  });
});
