import { describe, expect, it } from 'vitest';
import { partitionLags, totalExpired, totalLag } from '../../../shared/kafka/consumerLag.js';

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
      { partition: 0, committed: null, logStart: 5, from: 5, end: 9, lag: 4, expired: 0 },
      { partition: 1, committed: 7, logStart: 0, from: 7, end: 10, lag: 3, expired: 0 },
    ]);
  });

  it('counts the records retention removed past the commit as expired, never as lag; -1 means no commit', () => {
    const lags = partitionLags(
      [
        { partition: 0, low: '40', high: '50' },
        { partition: 1, low: '0', high: '6' },
        { partition: 2, low: '3', high: '3' },
        { partition: 3, low: '8', high: '8' },
      ],
      [
        { partition: 0, offset: '12' },
        { partition: 1, offset: '-1' },
        { partition: 2, offset: '3' },
        // Everything expired, nothing left to read: still 8 records never handled.
        { partition: 3, offset: '0' },
      ],
    );
    expect(lags).toEqual([
      { partition: 0, committed: 12, logStart: 40, from: 40, end: 50, lag: 10, expired: 28 },
      { partition: 1, committed: null, logStart: 0, from: 0, end: 6, lag: 6, expired: 0 },
      { partition: 2, committed: 3, logStart: 3, from: 3, end: 3, lag: 0, expired: 0 },
      { partition: 3, committed: 0, logStart: 8, from: 8, end: 8, lag: 0, expired: 8 },
    ]);
    expect(totalLag(lags)).toBe(16);
    expect(totalExpired(lags)).toBe(36);
  });

  it('a group without a commit on a partition whose log start moved has expired nothing: it never started', () => {
    const [lag] = partitionLags([{ partition: 0, low: '100', high: '120' }], []);
    expect(lag).toMatchObject({ committed: null, from: 100, lag: 20, expired: 0 });
  });
});
