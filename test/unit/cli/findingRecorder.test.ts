/**
 * The records detect's main thread hands a read worker to write an object's alert lines from (findingRecords.ts),
 * each object's in a buffer of its own, made again from those the workers give back: what an object's records
 * hold must be its own findings, never the last object's that left the buffer.
 */
import { describe, expect, it } from 'vitest';
import { FIELDS, FindingRecorder } from '../../../cli/detect/findingRecords.js';
import { Finding } from '../../../shared/core/finding.js';

/** A finding of row `row` whose figures all follow from it (A1 only on odd rows, A2 on every one). */
function finding(row: number): Finding {
  const found = new Finding('X');
  found.row = row;
  found.minute = 1000 + row;
  found.a1 = row % 2 === 1;
  found.a2 = true;
  found.prevMinute = 999 + row;
  found.prevClose = 100 + row;
  found.changePct = row / 10;
  found.a1Severity = found.a1 ? row : null;
  found.avgVolume = 50 * row;
  found.windowBars = 10;
  found.volumeRatio = 2 + row;
  found.a2Severity = 3 + row;
  found.severity = 4 + row;
  found.episode = { start: 900, end: 1000 + row, count: 1, a1: 0, a2: 1, peakSeverity: 4 + row };
  return found;
}

/** The record of {@link finding}(row), field by field as findingRecords.ts lays it out (null as NaN). */
function recordOf(row: number): number[] {
  const a1 = row % 2 === 1;
  return [
    row,
    a1 ? 3 : 2,
    1000 + row,
    999 + row,
    100 + row,
    row / 10,
    a1 ? row : NaN,
    50 * row,
    10,
    2 + row,
    3 + row,
    4 + row,
    900,
  ];
}

function recordAll(recorder: FindingRecorder, rows: number[]): Float64Array {
  for (const row of rows) recorder.found(finding(row));
  return recorder.take();
}

describe('FindingRecorder', () => {
  it('hands each object its own records, in buffers given back and used again', () => {
    const recorder = new FindingRecorder();
    const first = recordAll(recorder, [0, 1, 2, 3, 4]);
    expect(FIELDS).toBe(13);
    expect([...first]).toEqual([0, 1, 2, 3, 4].flatMap(recordOf));
    const firstBuffer = first.buffer;
    recorder.giveBack(first);

    // Fewer findings: the buffer given back, holding only them.
    const second = recordAll(recorder, [7, 8]);
    expect(second.buffer).toBe(firstBuffer);
    expect([...second]).toEqual([7, 8].flatMap(recordOf));

    // More than any buffer given back holds (the second is out): a new one.
    const third = recordAll(
      recorder,
      Array.from({ length: 12 }, (_, i) => 20 + i),
    );
    expect(third.buffer).not.toBe(firstBuffer);
    expect([...third]).toEqual(Array.from({ length: 12 }, (_, i) => recordOf(20 + i)).flat());

    // The smallest buffer that fits is used, the larger kept for larger objects.
    recorder.giveBack(second);
    recorder.giveBack(third);
    const fourth = recordAll(recorder, [40]);
    expect(fourth.buffer).toBe(firstBuffer);
    expect([...fourth]).toEqual(recordOf(40));
    expect(recordAll(recorder, []).length).toBe(0);
  });
});
