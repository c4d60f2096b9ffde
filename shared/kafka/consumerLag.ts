/**
 * How far a consumer group is behind on a topic: the one lag computation the console's health page, `wait`,
 * `redrive` and the benchmarks share. Read through the admin API only (committed and end offsets), so reading it never joins
 * the group or moves anything it has committed.
 */
import type { Admin } from 'kafkajs';

/** One partition's position: what the group has committed, where the log starts and ends, what lies between. */
export interface PartitionLag {
  partition: number;
  /** The group's committed offset, or null when it has committed none on this partition. */
  committed: number | null;
  /** The log start: the first offset the topic still keeps (retention removes the records before it). */
  logStart: number;
  /** The first offset the group has not handled: its committed offset, or the log start when that is later. */
  from: number;
  /** The log end: the offset the next record will take. */
  end: number;
  /** Records in [from, end): not yet handled by the group. */
  lag: number;
  /**
   * Records in [committed, logStart): removed by retention before the group handled them. A consumer resumes at
   * the log start without a word (kafkajs's `fromBeginning`), so these are never handled: an alarm, not lag.
   */
  expired: number;
}

/** The offsets as kafkajs's admin answers them (strings; a group with no commit on a partition says -1). */
export type TopicEnds = ReadonlyArray<{ partition: number; low: string; high: string }>;
export type CommittedOffsets = ReadonlyArray<{ partition: number; offset: string }>;

/**
 * Lag per partition, in partition order. Without a commit, or with one older than the log start (records
 * removed by retention), the group's next record is the log start's; in the second case the records between the
 * commit and the log start are counted as expired.
 */
export function partitionLags(ends: TopicEnds, committed: CommittedOffsets): PartitionLag[] {
  const byPartition = new Map(committed.map((entry) => [entry.partition, Number(entry.offset)]));
  return ends
    .map((end) => {
      const offset = byPartition.get(end.partition);
      const at = offset === undefined || offset < 0 ? null : offset;
      const high = Number(end.high);
      const low = Number(end.low);
      const from = Math.min(high, Math.max(at ?? 0, low));
      const expired = at !== null && at < low ? low - at : 0;
      return {
        partition: end.partition,
        committed: at,
        logStart: low,
        from,
        end: high,
        lag: high - from,
        expired,
      };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** The sum of the partitions' lags. */
export const totalLag = (lags: readonly PartitionLag[]): number =>
  lags.reduce((sum, entry) => sum + entry.lag, 0);

/** The sum of the partitions' records expired unhandled. */
export const totalExpired = (lags: readonly PartitionLag[]): number =>
  lags.reduce((sum, entry) => sum + entry.expired, 0);

/** Reads `group`'s lag on `topic` over a connected admin client. */
/** The part of kafkajs's admin client the lag needs. */
export type OffsetsAdmin = Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets'>;

export async function readConsumerLag(
  admin: OffsetsAdmin,
  topic: string,
  group: string,
): Promise<PartitionLag[]> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  ]);
  return partitionLags(ends, committed[0]?.partitions ?? []);
}
