/**
 * The pipeline's health as the console shows it (docs/console-api.md `/api/health`): the dispatcher's consumer lag per
 * partition of the bar topic, the dead-letter records redrive has not handled, each symbol's last processed
 * minute and hold, and the ingestions running or failed. Each Kafka part fails on its own, as `{ error }`;
 * Firestore down fails the request (503).
 */
import type { Admin, Kafka } from 'kafkajs';
import { readConsumerLag, totalLag } from '../shared/kafka/consumerLag.js';
import { outstandingParked, redriveGroup } from '../shared/kafka/deadLetters.js';
import { describeError } from '../shared/errors.js';
import type { IngestionSummary } from '../shared/state/ingestionStore.js';
import type { SymbolSummary } from '../shared/state/symbolStateStore.js';
import type { DeadLetterRow, Health, KafkaHealth, PartitionLag, SymbolHealth } from './api/contract.js';
import { listedIngestions } from './ingestions.js';

export function symbolHealthOf(summary: SymbolSummary): SymbolHealth {
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

export interface HealthSources {
  kafka: Kafka;
  topics: { topic: string; group: string; deadLetterTopic: string };
  symbols(): Promise<SymbolSummary[]>;
  ingestions(): Promise<IngestionSummary[]>;
  /** How long a Kafka part may take before it is reported as failed. */
  timeoutMs: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function kafkaHealth(sources: HealthSources): Promise<KafkaHealth> {
  const { topic, group } = sources.topics;
  const admin: Admin = sources.kafka.admin();
  await admin.connect();
  try {
    const lags = await readConsumerLag(admin, topic, group);
    const partitions: PartitionLag[] = lags.map(({ partition, committed, end, lag }) => ({
      partition,
      committed,
      end,
      lag,
    }));
    return { topic, group, partitions, totalLag: totalLag(lags) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function deadLetters(sources: HealthSources): Promise<DeadLetterRow[]> {
  const { deadLetterTopic, group } = sources.topics;
  const parked = await outstandingParked(sources.kafka, deadLetterTopic, redriveGroup(group));
  return parked.map((record) => ({
    partition: record.at.partition,
    offset: record.at.offset,
    ...(record.key !== null && { symbol: record.key }),
    ...(record.reason !== '' && { reason: record.reason }),
    ...(record.parkedAt !== '' && { at: record.parkedAt }),
  }));
}

const failed = (error: unknown) => ({
  error: `Kafka: ${error instanceof Error ? error.message : describeError(error)}`,
});

/**
 * One reading shared by every caller for `maxAgeMs`: each open health page polls every few seconds, and each
 * reading costs Kafka a consumer join and Firestore a read of every state and ingestion, whoever asks.
 */
export function sharedReading<T>(read: () => Promise<T>, maxAgeMs: number, now = () => Date.now()) {
  let last: { at: number; reading: Promise<T> } | undefined;
  return (): Promise<T> => {
    if (last === undefined || now() - last.at >= maxAgeMs) {
      const reading = read();
      last = { at: now(), reading };
      // A failed reading is not kept: the next caller tries again.
      reading.catch(() => {
        if (last?.reading === reading) last = undefined;
      });
    }
    return last.reading;
  };
}

export async function readHealth(sources: HealthSources): Promise<Health> {
  const [kafka, parked, symbols, ingestions] = await Promise.all([
    withTimeout(kafkaHealth(sources), sources.timeoutMs, 'Kafka').catch(failed),
    withTimeout(deadLetters(sources), sources.timeoutMs, 'Kafka').catch(failed),
    sources.symbols(),
    sources.ingestions(),
  ]);
  return {
    kafka,
    deadLetters: parked,
    symbols: symbols
      .map(symbolHealthOf)
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0)),
    ingestions: {
      running: listedIngestions(ingestions, 'running'),
      failed: listedIngestions(ingestions, 'failed'),
    },
  };
}
