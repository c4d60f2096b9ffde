/**
 * The dispatcher's alarm for records that expired unhandled: a committed offset of its group behind the log
 * start means retention removed records before they were delivered (shared/kafka/consumerLag.ts, `expired`).
 * kafkajs then resumes at the log start without a word, so the dispatcher looks for it itself: before it starts
 * consuming (the commit it would resume from is still there to compare) and every `intervalMs` after (a
 * partition held on one record while retention runs). Each finding is logged at CRITICAL once: again only when
 * more expire. The topics keep every record (docs/deploy.md, "Nothing expires silently"), so this fires only if
 * someone shortened a topic's retention.
 */
import { readConsumerLag, type OffsetsAdmin, type PartitionLag } from '../../shared/kafka/consumerLag.js';
import type { Logger } from '../../shared/logging/logger.js';

/** How often the dispatcher compares its commits with the log start while it runs. */
export const EXPIRY_CHECK_MS = 60_000;

export interface ExpiryWatch {
  /** One check now: logs what it finds and returns the partitions with expired records. */
  check(): Promise<PartitionLag[]>;
  stop(): void;
}

export function watchExpiry(options: {
  admin: OffsetsAdmin;
  topic: string;
  groupId: string;
  log: Logger;
  intervalMs?: number;
}): ExpiryWatch {
  const { admin, topic, groupId, log } = options;
  /** Per partition, the log start of the last finding logged. */
  const reported = new Map<number, number>();
  const check = async () => {
    const expired = (await readConsumerLag(admin, topic, groupId)).filter((lag) => lag.expired > 0);
    for (const lag of expired) {
      if (reported.get(lag.partition) === lag.logStart) continue;
      reported.set(lag.partition, lag.logStart);
      log.critical(
        `${lag.expired} records of ${topic} partition ${lag.partition} expired before they were delivered ` +
          `(committed ${lag.committed}, log start ${lag.logStart}): retention removed them, they will never be ` +
          'detected; their objects are still in the bucket',
        {
          topic,
          partition: lag.partition,
          committed: lag.committed,
          logStart: lag.logStart,
          expired: lag.expired,
        },
      );
    }
    return expired;
  };
  const timer = setInterval(() => {
    // A failed check (Kafka unreachable for a moment) is tried again at the next interval.
    check().catch((error: unknown) =>
      log.warn('could not compare the committed offsets with the log start; trying again', { error }),
    );
  }, options.intervalMs ?? EXPIRY_CHECK_MS);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
