/**
 * Reads records from given offsets, per partition, through a consumer group of its own that is removed
 * afterwards: nothing the dispatcher or redrive commit is touched, and it never takes a partition from them.
 * kafkajs has no consumer without a group (no `assign`), so this joins a throwaway group and seeks once it is in.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface ReadOptions {
  /** How long the read may take; then it fails with an error that says so (a retry may help). */
  timeoutMs: number;
  /**
   * Where the partitions not in `starts` begin (from the log start, or from the end, reading nothing old),
   * and where kafkajs resumes a partition whose start offset retention removed meanwhile.
   */
  fromBeginning: boolean;
  /** At most this many bytes per partition and fetch (Kafka still returns one record larger than it). */
  maxBytesPerPartition?: number;
}

/**
 * Reads from `starts` (partition → offset) in order per partition, handing each record of those partitions to
 * `take`, which says when its partition is done; resolves when every partition is.
 */
export async function readFromOffsets(
  kafka: Kafka,
  topic: string,
  starts: ReadonlyMap<number, number>,
  take: (partition: number, message: KafkaMessage) => boolean,
  options: ReadOptions,
): Promise<void> {
  if (starts.size === 0) return;
  const groupId = `stock-anomalies-cli-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    ...(options.maxBytesPerPartition !== undefined && { maxBytesPerPartition: options.maxBytesPerPartition }),
  });
  const remaining = new Set(starts.keys());
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} took over ${options.timeoutMs / 1000} s`)),
        options.timeoutMs,
      );
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        // The group is this reader's alone, so it holds every partition: fetch only the ones asked for.
        const others = (payload.memberAssignment[topic] ?? []).filter((partition) => !starts.has(partition));
        if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
        for (const [partition, offset] of starts) consumer.seek({ topic, partition, offset: String(offset) });
      });
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (!remaining.has(partition)) return;
            if (!take(partition, message)) return;
            remaining.delete(partition);
            // Nothing more of it is wanted: fetch only what is still being read.
            consumer.pause([{ topic, partitions: [partition] }]);
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
}
