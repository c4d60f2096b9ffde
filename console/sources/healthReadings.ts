/**
 * One reading of what `/api/health` shows (answers/health.ts shapes it): the dispatcher's consumer lag and the
 * dead-letter records redrive has not handled, from Kafka; every symbol's state and every ingestion, from
 * Firestore. Each Kafka part fails on its own, as `{ error }`, within a time limit, so that the page says
 * Kafka is down instead of hanging; Firestore down fails the request (503).
 */
import type { Kafka } from 'kafkajs';
import { readConsumerLag } from '../../shared/kafka/consumerLag.js';
import { outstandingParked, redriveGroup } from '../../shared/kafka/deadLetters.js';
import { describeError } from '../../shared/errors.js';
import type { IngestionSummary } from '../../shared/state/ingestionStore.js';
import type { SymbolSummary } from '../../shared/state/symbolStateStore.js';
import type { Health } from '../api/contract.js';
import { healthOf, type Failed } from '../answers/health.js';

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

async function consumerLag(sources: HealthSources) {
  const { topic, group } = sources.topics;
  const admin = sources.kafka.admin();
  await admin.connect();
  try {
    return await readConsumerLag(admin, topic, group);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const failed = (error: unknown): Failed => ({
  error: `Kafka: ${error instanceof Error ? error.message : describeError(error)}`,
});

export async function readHealth(sources: HealthSources): Promise<Health> {
  const { topics, timeoutMs } = sources;
  const [lags, parked, symbols, ingestions] = await Promise.all([
    withTimeout(consumerLag(sources), timeoutMs, 'Kafka').catch(failed),
    withTimeout(
      outstandingParked(sources.kafka, topics.deadLetterTopic, redriveGroup(topics.group)),
      timeoutMs,
      'Kafka',
    ).catch(failed),
    sources.symbols(),
    sources.ingestions(),
  ]);
  return healthOf({ topics, lags, parked, symbols, ingestions });
}
