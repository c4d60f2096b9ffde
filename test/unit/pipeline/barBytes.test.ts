/** The `bars/` documents' bytes, and merging a batch's bars into those already stored. */
import { describe, expect, it } from 'vitest';
import {
  decodeBars,
  decodeExactBars,
  EncodedBars,
  encodeBars,
  encodeExactBars,
  mergeBars,
  mergeExactBars,
  type ExactBar,
  type ExactBars,
  type StoredBar,
} from '../../../shared/pipeline/barBytes.js';

const bar = (minute: number, close: number): StoredBar => [minute, 100.05, 101.5, 99.95, close, 12_345];

describe('bars documents', () => {
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
  const stored = (day: ExactBars) => ({
    bars: encodeBars(day.bars.map(([m, o, h, l, c, v]): StoredBar => [m, +o, +h, +l, +c, +v])),
    ...encodeExactBars(day),
  });

  it('give back each close and volume exactly, and each line and source, in 6 bytes a bar', () => {
    const day: ExactBars = {
      sources,
      bars: [
        [10, '100.05', '101.5', '99.95', '100.1', '12345', 2, 0],
        [11, '100.1', '100.1', '100.1', '100.1', '7', 70_000, 1],
      ],
    };
    const fields = stored(day);
    expect(fields.lines.length).toBe(2 * 6);
    expect(fields.texts).toBeUndefined();
    expect(decodeExactBars(fields)).toEqual(day);
  });

  it('keep the text of a close or volume a float64 does not give back: more than 15 significant digits', () => {
    // 0.12345678901234567 is not a float64; 1168.0 and 0.50 are 1168 and 0.5 exactly, and read back so.
    const bars: ExactBar[] = [
      [10, '1', '1', '1', '0.12345678901234567', '5', 2, 0],
      [11, '1', '1', '1', '0.50', '1168.0', 3, 0],
    ];
    const fields = stored({ sources, bars });
    expect(JSON.parse(fields.texts!.toString())).toEqual({ 10: ['0.12345678901234567', '5'] });
    expect(decodeExactBars(fields).bars.map((bar) => [bar[4], bar[5]])).toEqual([
      ['0.12345678901234567', '5'],
      ['0.5', '1168'],
    ]);
  });

  it('read as none from a document written without them', () => {
    expect(decodeExactBars({ bars: encodeBars([bar(1, 1)]) })).toEqual({ sources: [], bars: [] });
  });

  it('merge by minute, the sources of both kept once each', () => {
    const a: ExactBars = { sources: [sources[0]!], bars: [[1, '1', '1', '1', '1', '1', 2, 0]] };
    const b: ExactBars = {
      sources: [sources[1]!, sources[0]!],
      bars: [
        [0, '2', '2', '2', '2', '2', 5, 0],
        [3, '3', '3', '3', '3', '3', 6, 1],
      ],
    };
    expect(mergeExactBars(a, b)).toEqual({
      sources,
      bars: [
        [0, '2', '2', '2', '2', '2', 5, 1],
        [1, '1', '1', '1', '1', '1', 2, 0],
        [3, '3', '3', '3', '3', '3', 6, 0],
      ],
    });
  });
});

describe('a day kept encoded, as detect appends to it commit after commit', () => {
  /** One batch: bars at `minutes`, close and volume texts given, all from `object`. */
  const batch = (object: string, rows: Array<[minute: number, close: string, volume: string]>) => ({
    bars: rows.map(([minute, close, volume]): StoredBar => [
      minute,
      1,
      2,
      0.5,
      Number(close),
      Number(volume),
    ]),
    exact: {
      sources: [{ object, generation: '7' }],
      bars: rows.map(([minute, close, volume], i): ExactBar => [
        minute,
        '1',
        '2',
        '0.5',
        close,
        volume,
        i + 2,
        0,
      ]),
    },
  });
  const batches = [
    // A live market: one object a minute.
    batch('m-0915.csv', [[1000, '100.5', '10']]),
    batch('m-0916.csv', [[1001, '100.6', '20']]),
    // Several minutes from one object, one of them a volume a float64 does not give back.
    batch('m-0917.csv', [
      [1002, '100.7', '30'],
      [1003, '100.8', '12345678901234567'],
    ]),
    // An object seen before, again.
    batch('m-0916.csv', [[1004, '100.9', '40']]),
    // A late bar before the last, and one written again with another value.
    batch('m-late.csv', [
      [999, '99.5', '5'],
      [1001, '100.65', '21'],
    ]),
    batch('m-0919.csv', [[1005, '101', '50']]),
    batch('m-0920.csv', [[1006, '101.1', '0.1000000000000000055511151231257827']]),
  ];

  it('stores after each commit exactly the fields of the whole merged day encoded afresh', () => {
    let day = EncodedBars.of([], { sources: [], bars: [] });
    let bars: StoredBar[] = [];
    let exact: ExactBars = { sources: [], bars: [] };
    for (const added of batches) {
      day = day.with(added.bars, added.exact);
      bars = mergeBars(bars, added.bars);
      exact = mergeExactBars(exact, added.exact);
      expect(day.fields).toEqual({ bars: encodeBars(bars), ...encodeExactBars(exact) });
      expect(decodeExactBars(day.fields)).toEqual(exact);
    }
    expect(exact.sources.map((source) => source.object)).toEqual([
      'm-0915.csv',
      'm-0916.csv',
      'm-0917.csv',
      'm-late.csv',
      'm-0919.csv',
      'm-0920.csv',
    ]);
    expect(Object.keys(JSON.parse(day.fields.texts!.toString()))).toEqual(['1003', '1006']);
  });

  it('goes on from a day read back from its document as from the one that wrote it', () => {
    const written = batches
      .slice(0, 3)
      .reduce(
        (day, added) => day.with(added.bars, added.exact),
        EncodedBars.of([], { sources: [], bars: [] }),
      );
    const read = EncodedBars.of(decodeBars(written.fields), decodeExactBars(written.fields));
    const next = batches[3]!;
    expect(read.with(next.bars, next.exact).fields).toEqual(written.with(next.bars, next.exact).fields);
  });
});
