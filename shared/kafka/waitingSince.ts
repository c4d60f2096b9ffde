/**
 * How long the oldest record not yet handled has waited, per partition with lag: the Kafka timestamp of the
 * record at the group's next offset (PartitionLag.from). The admin API gives offsets, not timestamps, so the
 * record itself is read, through a throwaway consumer group (offsetReader.ts): a group join, a second or so
 * locally and a few on a managed cluster. A record's timestamp never changes, so each one read is kept while
 * its partition still waits on it, and new reads are made at most every `minIntervalMs`: a stalled partition
 * costs one read, and a flowing one (whose next record changes between polls) one per interval.
 */
import type { Kafka } from 'kafkajs';
import type { PartitionLag } from './consumerLag.js';
import { readFromOffsets } from './offsetReader.js';

/** A read gives up after this long; the caller says the ages are unknown and asks again later. */
const READ_TIMEOUT_MS = 8_000;
/** One record is wanted per partition: fetch little beyond it. */
const READ_BYTES_PER_PARTITION = 64 * 1024;

/**
 * The timestamps (ms since the epoch) of the records at `offsets` (partition → offset). Where the record at
 * the offset is gone, the first one after it.
 */
export async function recordTimestamps(
  kafka: Kafka,
  topic: string,
  offsets: ReadonlyMap<number, number>,
): Promise<Map<number, { offset: number; timestamp: number }>> {
  const found = new Map<number, { offset: number; timestamp: number }>();
  await readFromOffsets(
    kafka,
    topic,
    offsets,
    (partition, message) => {
      const offset = Number(message.offset);
      if (offset < offsets.get(partition)!) return false;
      found.set(partition, { offset, timestamp: Number(message.timestamp) });
      return true;
    },
    // From the beginning: a start offset retention removed meanwhile resumes at the log start, not the end.
    { timeoutMs: READ_TIMEOUT_MS, fromBeginning: true, maxBytesPerPartition: READ_BYTES_PER_PARTITION },
  );
  return found;
}

export type ReadTimestamps = typeof recordTimestamps;

/** The oldest waiting record's timestamp per partition, kept across polls (see the file's header). */
export class WaitingSince {
  /** Per partition, the offset read last and its record's timestamp. */
  readonly #known = new Map<number, { offset: number; timestamp: number }>();
  #lastReadAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly options: { minIntervalMs: number; now?: () => number; read?: ReadTimestamps },
  ) {}

  /**
   * Per partition with lag, the timestamp of the record at its `from` offset (ms since the epoch), or null when
   * not known yet (its partition moved on since the last read, which is at most `minIntervalMs` old). Reads
   * what is unknown when the interval allows, and waits for that read. @throws what the read threw
   */
  async of(lags: readonly PartitionLag[]): Promise<Map<number, number | null>> {
    const waiting = lags.filter((lag) => lag.lag > 0);
    const unknown = waiting.filter((lag) => this.#known.get(lag.partition)?.offset !== lag.from);
    const now = this.options.now ?? Date.now;
    if (
      unknown.length > 0 &&
      this.#reading === undefined &&
      now() - this.#lastReadAt >= this.options.minIntervalMs
    ) {
      this.#lastReadAt = now();
      const read = this.options.read ?? recordTimestamps;
      this.#reading = read(this.kafka, this.topic, new Map(unknown.map((lag) => [lag.partition, lag.from])))
        .then((found) => {
          for (const [partition, record] of found) this.#known.set(partition, record);
        })
        .finally(() => {
          this.#reading = undefined;
        });
    }
    await this.#reading;
    // Partitions with nothing waiting any more are forgotten, so the map stays as small as the topic.
    for (const partition of this.#known.keys()) {
      if (!waiting.some((lag) => lag.partition === partition)) this.#known.delete(partition);
    }
    return new Map(
      waiting.map((lag) => {
        const known = this.#known.get(lag.partition);
        // A read that found a later record (the one at `from` removed meanwhile) is as good: it waits too.
        return [lag.partition, known !== undefined && known.offset >= lag.from ? known.timestamp : null];
      }),
    );
  }
}
