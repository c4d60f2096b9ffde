import { describe, expect, it } from 'vitest';
import { partitionLags, totalLag } from '../../../shared/kafka/consumerLag.js';

describe('partitionLags', () => {
  it('counts from the committed offset, or from the log start when the group committed none', () => {
    expect(
      partitionLags(
        [
          { partition: 1, low: '0', high: '10' },
          { partition: 0, low: '5', high: '9' },
        ],
        [{ partition: 1, offset: '7' }],
      ),
    ).toEqual([
      { partition: 0, committed: null, from: 5, end: 9, lag: 4 },
      { partition: 1, committed: 7, from: 7, end: 10, lag: 3 },
    ]);
  });

  it('counts from the log start when retention removed records past the commit, and -1 means no commit', () => {
    const lags = partitionLags(
      [
        { partition: 0, low: '40', high: '50' },
        { partition: 1, low: '0', high: '6' },
        { partition: 2, low: '3', high: '3' },
      ],
      [
        { partition: 0, offset: '12' },
        { partition: 1, offset: '-1' },
        { partition: 2, offset: '3' },
      ],
    );
    expect(lags).toEqual([
      { partition: 0, committed: 12, from: 40, end: 50, lag: 10 },
      { partition: 1, committed: null, from: 0, end: 6, lag: 6 },
      { partition: 2, committed: 3, from: 3, end: 3, lag: 0 },
    ]);
    expect(totalLag(lags)).toBe(16);
  });
});
