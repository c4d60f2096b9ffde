/**
 * The pipeline's health as the console shows it (docs/console-api.md `/api/health`), from what
 * sources/healthReadings.ts read: the dispatcher's consumer lag per partition of the bar topic (with the
 * records expired unhandled and how long the oldest waiting record has waited), the dead-letter records redrive
 * has not handled, notify's dead-lettered alert messages, each symbol's last processed minute and hold, the
 * newest ingestions running or failed, and what the newest ingestions sent that will not be detected. Each Kafka and Pub/Sub part is its answer or `{ error }` on its own. Pure.
 */
import type { DeadLetterMessages } from '../../shared/clients/deadLetterMessages.js';
import { totalExpired, totalLag, type PartitionLag } from '../../shared/kafka/consumerLag.js';
import type { ParkedRecord } from '../../shared/pipeline/parkedRecord.js';
import type { IngestionSummary } from '../../shared/state/ingestionStore.js';
import type { SymbolSummary } from '../../shared/state/symbolStateStore.js';
import type { DeadLetterRow, Health, KafkaHealth, SymbolHealth } from '../api/contract.js';
import { listedIngestions } from './ingestions.js';
import { undetectedOf } from '../../shared/core/undetected.js';

/** A Kafka or Pub/Sub part that could not be read, as the answer says it. */
export type Failed = { error: string };

/** What one reading of the health found; a Kafka or Pub/Sub part that failed is its `{ error }`. */
export interface HealthReadings {
  topics: { topic: string; group: string; notifyDeadLetters: string };
  lags: PartitionLag[] | Failed;
  /** Per partition with lag, its oldest waiting record's timestamp (ms), null when not known yet. */
  waitingSince: ReadonlyMap<number, number | null> | Failed;
  /** The dead-letter records redrive has not handled. */
  parked: ParkedRecord[] | Failed;
  notifyDeadLetters: DeadLetterMessages | Failed;
  symbols: SymbolSummary[];
  /**
   * Pages of the ingestions (never all of them): the newest running and failed ones, and the newest of any status,
   * whose set-aside and too-late figures `undetected` adds up.
   */
  ingestions: { running: IngestionSummary[]; failed: IngestionSummary[]; recent: IngestionSummary[] };
}

const isFailed = (value: object): value is Failed => 'error' in value;

const isoTime = (ms: number) => new Date(ms).toISOString();

function symbolHealthOf(summary: SymbolSummary): SymbolHealth {
  return {
    symbol: summary.symbol,
    lastMinute:
      summary.lastMinute === null
        ? null
        : new Date(summary.lastMinute * 60_000).toISOString().replace('.000Z', 'Z'),
    held: summary.held,
    alerts: summary.alertCount,
  };
}

function kafkaHealthOf(readings: HealthReadings, lags: PartitionLag[]): KafkaHealth {
  const { waitingSince } = readings;
  const partitions = lags.map(({ partition, committed, logStart, end, lag, expired }) => {
    const since = isFailed(waitingSince) ? null : (waitingSince.get(partition) ?? null);
    return {
      partition,
      committed,
      logStart,
      end,
      lag,
      expired,
      waitingSince: lag > 0 && since !== null ? isoTime(since) : null,
    };
  });
  return {
    topic: readings.topics.topic,
    group: readings.topics.group,
    partitions,
    totalLag: totalLag(lags),
    totalExpired: totalExpired(lags),
    ...(isFailed(waitingSince) && { waitingSinceError: waitingSince.error }),
  };
}

function deadLetterRowOf(record: ParkedRecord): DeadLetterRow {
  return {
    partition: record.at.partition,
    offset: record.at.offset,
    ...(record.key !== null && { symbol: record.key }),
    ...(record.reason !== '' && { reason: record.reason }),
    ...(record.parkedAt !== '' && { at: record.parkedAt }),
  };
}

export function healthOf(readings: HealthReadings): Health {
  const { lags, parked, notifyDeadLetters } = readings;
  return {
    kafka: isFailed(lags) ? lags : kafkaHealthOf(readings, lags),
    deadLetters: isFailed(parked) ? parked : parked.map(deadLetterRowOf),
    notifyDeadLetters: isFailed(notifyDeadLetters)
      ? notifyDeadLetters
      : { subscription: readings.topics.notifyDeadLetters, ...notifyDeadLetters },
    symbols: readings.symbols
      .map(symbolHealthOf)
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0)),
    ingestions: {
      running: listedIngestions(readings.ingestions.running, 'running'),
      failed: listedIngestions(readings.ingestions.failed, 'failed'),
    },
    undetected: undetectedOf(readings.ingestions.recent),
  };
}
