/**
 * One reading of what `/api/health` shows (answers/health.ts shapes it): the dispatcher's consumer lag, how long
 * each waiting partition's oldest record has waited, and the dead-letter records redrive has not handled, from
 * Kafka; notify's dead-lettered alert messages, from Pub/Sub; every symbol's state and pages of the ingestions
 * (the newest running, failed, and of any status), from Firestore. Each Kafka and Pub/Sub part fails on its own, as `{ error }`, within a time limit, so that the page
 * says Kafka or Pub/Sub is down instead of hanging; Firestore down fails the request (503).
 */
import type { PubSub } from '@google-cloud/pubsub';
import type { Kafka } from 'kafkajs';
import { countDeadLetters } from '../../shared/clients/deadLetterMessages.js';
import { readConsumerLag } from '../../shared/kafka/consumerLag.js';
import { outstandingParked, redriveGroup } from '../../shared/kafka/deadLetters.js';
import type { WaitingSince } from '../../shared/kafka/waitingSince.js';
import { describeError } from '../../shared/errors.js';
import type { SymbolSummary } from '../../shared/state/symbolStateStore.js';
import type { Health } from '../api/contract.js';
import { healthOf, type Failed, type HealthReadings } from '../answers/health.js';

export interface HealthSources {
  kafka: Kafka;
  pubsub: PubSub;
  topics: { topic: string; group: string; deadLetterTopic: string; notifyDeadLetters: string };
  /** The bar topic's waiting records' times, kept across readings (one per console). */
  waitingSince: WaitingSince;
  symbols(): Promise<SymbolSummary[]>;
  /** Pages of the ingestions (answers/health.ts `HealthReadings`). */
  ingestions(): Promise<HealthReadings['ingestions']>;
  /** How long a Kafka or Pub/Sub part may take before it is reported as failed. */
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

const failed =
  (service: string) =>
  (error: unknown): Failed => ({
    error: `${service}: ${error instanceof Error ? error.message : describeError(error)}`,
  });

/** The lag, then the times of what waits (which needs the lag's offsets), each failing on its own. */
async function lagAndWaiting(sources: HealthSources) {
  const lags = await withTimeout(consumerLag(sources), sources.timeoutMs, 'Kafka').catch(failed('Kafka'));
  if (!Array.isArray(lags)) return { lags, waitingSince: lags };
  const waitingSince = await withTimeout(sources.waitingSince.of(lags), sources.timeoutMs, 'Kafka').catch(
    failed('Kafka'),
  );
  return { lags, waitingSince };
}

export async function readHealth(sources: HealthSources): Promise<Health> {
  const { topics, timeoutMs } = sources;
  const [{ lags, waitingSince }, parked, notifyDeadLetters, symbols, ingestions] = await Promise.all([
    lagAndWaiting(sources),
    withTimeout(
      outstandingParked(sources.kafka, topics.deadLetterTopic, redriveGroup(topics.group)),
      timeoutMs,
      'Kafka',
    ).catch(failed('Kafka')),
    withTimeout(countDeadLetters(sources.pubsub, topics.notifyDeadLetters), timeoutMs, 'Pub/Sub').catch(
      failed('Pub/Sub'),
    ),
    sources.symbols(),
    sources.ingestions(),
  ]);
  return healthOf({
    topics: { topic: topics.topic, group: topics.group, notifyDeadLetters: topics.notifyDeadLetters },
    lags,
    waitingSince,
    parked,
    notifyDeadLetters,
    symbols,
    ingestions,
  });
}
