/**
 * The dead-letter topic as `redrive` and the console's health page see it: the records parked there that
 * `redrive` has not yet handled. `redrive` records how far it got as the committed offsets of its own consumer
 * group on the topic, so what lies beyond them is outstanding, whatever consumed or restarted meanwhile.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { readParked, type ParkedRecord } from '../pipeline/parkedRecord.js';
import { readConsumerLag } from './consumerLag.js';

/** The consumer group whose committed offsets mark what redrive has handled. */
export const redriveGroup = (groupId: string) => `${groupId}-redrive`;

/** Per partition, the range of offsets not yet handled: [from, to). */
export type OutstandingRanges = Map<number, { from: number; to: number }>;

/** The ranges of the dead-letter topic beyond redrive's committed offsets; cheap (no records read). */
export async function outstandingRanges(
  admin: Admin,
  topic: string,
  group: string,
): Promise<OutstandingRanges> {
  const ranges: OutstandingRanges = new Map();
  for (const { partition, from, end, lag } of await readConsumerLag(admin, topic, group)) {
    if (lag > 0) ranges.set(partition, { from, to: end });
  }
  return ranges;
}

/** How long reading the outstanding records may take before it is given up as a stack problem. */
const READ_TIMEOUT_MS = 60_000;

/**
 * Reads the records in `ranges`, in order per partition, through a consumer group of its own (removed
 * afterwards), so that nothing the dispatcher or redrive commit is touched.
 */
export async function readRanges(
  kafka: Kafka,
  topic: string,
  ranges: OutstandingRanges,
): Promise<ParkedRecord[]> {
  if (ranges.size === 0) return [];
  const groupId = `stock-anomalies-cli-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const records = new Map<number, ParkedRecord[]>([...ranges.keys()].map((partition) => [partition, []]));
  const remaining = new Set(ranges.keys());
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} took over ${READ_TIMEOUT_MS / 1000} s`)),
        READ_TIMEOUT_MS,
      );
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const [partition, range] of ranges)
          consumer.seek({ topic, partition, offset: String(range.from) });
      });
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const range = ranges.get(partition);
            const offset = Number(message.offset);
            if (range === undefined || offset < range.from || offset >= range.to) return;
            records.get(partition)!.push(readParked(partition, message));
            if (offset === range.to - 1) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect());
  }
  return [...records.values()].flat();
}

/** Every outstanding parked record. */
export async function outstandingParked(kafka: Kafka, topic: string, group: string): Promise<ParkedRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ranges: OutstandingRanges;
  try {
    ranges = await outstandingRanges(admin, topic, group);
  } finally {
    await admin.disconnect();
  }
  return readRanges(kafka, topic, ranges);
}
