/** The health page's shared reading: one computation serves every caller for a while, a failure none. */
import { describe, expect, it } from 'vitest';
import { sharedReading } from '../../../../console/sources/sharedReading.js';

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
