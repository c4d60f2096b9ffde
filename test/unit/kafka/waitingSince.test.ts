import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { PartitionLag } from '../../../shared/kafka/consumerLag.js';
import { WaitingSince, type ReadTimestamps } from '../../../shared/kafka/waitingSince.js';

const lag = (partition: number, from: number, end: number): PartitionLag => ({
  partition,
  committed: from,
  logStart: 0,
  from,
  end,
  lag: end - from,
  expired: 0,
});

/** A topic whose record at offset o of partition p was written at p * 1000 + o (ms); counts the reads asked. */
function fakeTopic() {
  const asked: Array<Array<[number, number]>> = [];
  const read: ReadTimestamps = async (_kafka, _topic, offsets) => {
    asked.push([...offsets]);
    return new Map([...offsets].map(([p, o]) => [p, { offset: o, timestamp: p * 1000 + o }]));
  };
  return { read, asked };
}

describe('WaitingSince', () => {
  it('gives the timestamp of the record at each waiting partition’s next offset, reading each record once', async () => {
    const topic = fakeTopic();
    let now = 0;
    const since = new WaitingSince({} as Kafka, 'minute-bars', {
      minIntervalMs: 10_000,
      now: () => now,
      read: topic.read,
    });
    // Partition 1 has nothing waiting: neither read nor answered.
    expect(await since.of([lag(0, 5, 9), lag(1, 4, 4), lag(2, 7, 8)])).toEqual(
      new Map([
        [0, 5],
        [2, 2007],
      ]),
    );
    expect(topic.asked).toEqual([
      [
        [0, 5],
        [2, 7],
      ],
    ]);
    // A stalled partition is answered from what was read: no new read however often it is asked.
    now = 60_000;
    expect(await since.of([lag(0, 5, 12), lag(2, 7, 8)])).toEqual(
      new Map([
        [0, 5],
        [2, 2007],
      ]),
    );
    expect(topic.asked).toHaveLength(1);
  });

  it('reads a partition that moved on at most once per interval, and says unknown (null) meanwhile', async () => {
    const topic = fakeTopic();
    let now = 0;
    const since = new WaitingSince({} as Kafka, 'minute-bars', {
      minIntervalMs: 10_000,
      now: () => now,
      read: topic.read,
    });
    await since.of([lag(0, 5, 9)]);
    now = 3_000;
    // Offset 5 was handled: the time read for it is not the oldest waiting any more.
    expect(await since.of([lag(0, 6, 9)])).toEqual(new Map([[0, null]]));
    expect(topic.asked).toHaveLength(1);
    now = 10_000;
    expect(await since.of([lag(0, 6, 9)])).toEqual(new Map([[0, 6]]));
    expect(topic.asked).toEqual([[[0, 5]], [[0, 6]]]);
  });

  it('fails as the read fails, and tries again only after the interval', async () => {
    let now = 0;
    let reads = 0;
    const since = new WaitingSince({} as Kafka, 'minute-bars', {
      minIntervalMs: 10_000,
      now: () => now,
      read: async () => {
        reads++;
        throw new Error('reading minute-bars took over 8 s');
      },
    });
    await expect(since.of([lag(0, 5, 9)])).rejects.toThrow(/took over 8 s/);
    expect(await since.of([lag(0, 5, 9)])).toEqual(new Map([[0, null]]));
    now = 10_000;
    await expect(since.of([lag(0, 5, 9)])).rejects.toThrow(/took over 8 s/);
    expect(reads).toBe(2);
  });
});
