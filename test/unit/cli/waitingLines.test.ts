import { describe, expect, it } from 'vitest';
import { waitingLines } from '../../../cli/commands/wait.js';
import { partitionLags } from '../../../shared/kafka/consumerLag.js';

describe('waitingLines', () => {
  it("names each partition with lag, its count and its oldest record's age when known", () => {
    const lags = partitionLags(
      [
        { partition: 0, low: '0', high: '10' },
        { partition: 1, low: '0', high: '4' },
        { partition: 2, low: '0', high: '7' },
      ],
      [
        { partition: 0, offset: '9' },
        { partition: 1, offset: '4' },
        { partition: 2, offset: '2' },
      ],
    );
    const now = Date.parse('2026-12-06T12:00:00Z');
    const times = new Map([
      [0, now - (2 * 3_600_000 + 5 * 60_000)],
      [2, null],
    ]);
    expect(waitingLines(lags, times, now)).toEqual([
      'partition 0: 1 record, the oldest waiting 2 h 5 min',
      'partition 2: 5 records',
    ]);
  });
});
