/** The health page's shared reading: one computation serves every caller for a while, a failure none. */
import { describe, expect, it } from 'vitest';
import { partitionLags, sharedReading } from '../../../console/health.js';

describe('sharedReading', () => {
  it('reads once for every caller within its age, and again after it', async () => {
    let clock = 0;
    let reads = 0;
    const read = sharedReading(
      async () => ++reads,
      3_000,
      () => clock,
    );
    expect(await Promise.all([read(), read(), read()])).toEqual([1, 1, 1]);
    clock = 2_999;
    expect(await read()).toBe(1);
    clock = 3_000;
    expect(await read()).toBe(2);
    expect(reads).toBe(2);
  });

  it('keeps no failed reading: the next caller reads again', async () => {
    let reads = 0;
    const read = sharedReading(
      async () => {
        if (++reads === 1) throw new Error('Kafka down');
        return reads;
      },
      60_000,
      () => 0,
    );
    await expect(read()).rejects.toThrow('Kafka down');
    expect(await read()).toBe(2);
  });
});

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
      { partition: 0, committed: null, end: 9, lag: 4 },
      { partition: 1, committed: 7, end: 10, lag: 3 },
    ]);
  });
});
