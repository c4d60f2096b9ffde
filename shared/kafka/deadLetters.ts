/**
 * The dead-letter topic as `redrive` and the console's health page see it: the records parked there that
 * `redrive` has not yet handled. `redrive` records how far it got as the committed offsets of its own consumer
 * group on the topic, so what lies beyond them is outstanding, whatever consumed or restarted meanwhile.
 */
import type { Admin, Kafka } from 'kafkajs';
import { readParked, type ParkedRecord } from '../pipeline/parkedRecord.js';
import { readConsumerLag } from './consumerLag.js';
import { readFromOffsets } from './offsetReader.js';

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
  const records = new Map<number, ParkedRecord[]>([...ranges.keys()].map((partition) => [partition, []]));
  await readFromOffsets(
    kafka,
    topic,
    new Map([...ranges].map(([partition, range]) => [partition, range.from])),
    (partition, message) => {
      const range = ranges.get(partition)!;
      const offset = Number(message.offset);
      if (offset < range.from || offset >= range.to) return offset >= range.to;
      records.get(partition)!.push(readParked(partition, message));
      return offset === range.to - 1;
    },
    { timeoutMs: READ_TIMEOUT_MS, fromBeginning: true },
  );
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
