/**
 * The pipeline's health as the console shows it (docs/console-api.md `/api/health`), from what
 * sources/healthReadings.ts read: the dispatcher's consumer lag per partition of the bar topic, the dead-letter
 * records redrive has not handled, each symbol's last processed minute and hold, and the ingestions running or
 * failed. Each Kafka part is its answer or `{ error }` on its own. Pure.
 */
import { totalLag, type PartitionLag } from '../../shared/kafka/consumerLag.js';
import type { ParkedRecord } from '../../shared/pipeline/parkedRecord.js';
import type { IngestionSummary } from '../../shared/state/ingestionStore.js';
import type { SymbolSummary } from '../../shared/state/symbolStateStore.js';
import type { DeadLetterRow, Health, KafkaHealth, SymbolHealth } from '../api/contract.js';
import { listedIngestions } from './ingestions.js';

/** A Kafka part that could not be read, as the answer says it. */
export type Failed = { error: string };

/** What one reading of the health found; a Kafka part that failed is its `{ error }`. */
export interface HealthReadings {
  topics: { topic: string; group: string };
  lags: PartitionLag[] | Failed;
  /** The dead-letter records redrive has not handled. */
  parked: ParkedRecord[] | Failed;
  symbols: SymbolSummary[];
  ingestions: IngestionSummary[];
}

const isFailed = (value: object): value is Failed => 'error' in value;

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

function kafkaHealthOf(topics: HealthReadings['topics'], lags: PartitionLag[]): KafkaHealth {
  const partitions = lags.map(({ partition, committed, end, lag }) => ({ partition, committed, end, lag }));
  return { topic: topics.topic, group: topics.group, partitions, totalLag: totalLag(lags) };
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
  const { lags, parked } = readings;
  return {
    kafka: isFailed(lags) ? lags : kafkaHealthOf(readings.topics, lags),
    deadLetters: isFailed(parked) ? parked : parked.map(deadLetterRowOf),
    symbols: readings.symbols
      .map(symbolHealthOf)
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0)),
    ingestions: {
      running: listedIngestions(readings.ingestions, 'running'),
      failed: listedIngestions(readings.ingestions, 'failed'),
    },
  };
}
