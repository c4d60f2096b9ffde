/**
 * Nothing expires silently, on the local stack: the topics keep every record (and a topic whose retention was
 * shortened by hand is corrected); a committed offset that retention left behind the log start makes `wait`
 * fail, the health answer alarm and the dispatcher say so at CRITICAL; an alert message on notify's dead-letter
 * topic shows in the health answer, `wait` and `reports`, and `redrive` sends it back to notify, which writes it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHealth } from '../../console/sources/healthReadings.js';
import { startDispatcher } from '../../functions/dispatcher/dispatcher.js';
import { readVariable } from '../../shared/config/variables.js';
import type { Alert } from '../../shared/core/alert.js';
import { readConsumerLag } from '../../shared/kafka/consumerLag.js';
import { WaitingSince } from '../../shared/kafka/waitingSince.js';
import { alertId } from '../../shared/pipeline/documentIds.js';
import { stackEndpoints } from '../../stack/endpoints.js';
import { ensureKafkaTopics, TOPIC_CONFIGS } from '../../stack/kafka/topics.js';
import { NOTIFY_MAX_DELIVERY_ATTEMPTS } from '../../stack/pubsubResources.js';
import { cli } from '../helpers/faultRun.js';
import { capturingLogger } from '../helpers/logCapture.js';
import { runCli } from '../helpers/runCli.js';
import { emptyStack } from '../helpers/stackFaults.js';

const endpoints = stackEndpoints();
const runId = `${Date.now().toString(36)}${process.pid}`;
const kafka = new Kafka({
  clientId: 'e2e-expiry',
  brokers: [endpoints.kafka.brokers],
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
const pubsub = new PubSub({
  projectId: endpoints.project,
  apiEndpoint: endpoints.pubsub.emulatorHost,
  emulatorMode: true,
});

beforeAll(async () => {
  await emptyStack();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
  await pubsub.close();
  await emptyStack();
});

/** A health answer as /api/health gives it, over the stack's clients, for the given Kafka names. */
const health = (names: { topic: string; group: string; deadLetterTopic: string }) =>
  readHealth({
    kafka,
    pubsub,
    topics: { ...names, notifyDeadLetters: endpoints.pubsub.anomaliesDeadLetterSubscription },
    waitingSince: new WaitingSince(kafka, names.topic, { minIntervalMs: 0 }),
    symbols: async () => [],
    ingestions: async () => ({ running: [], failed: [], recent: [] }),
    timeoutMs: 30_000,
  });

const retentionOf = async (topic: string) => {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
  });
  return resources[0]?.configEntries.find((entry) => entry.configName === 'retention.ms')?.configValue;
};

describe('retention', () => {
  it('keeps every record of both topics, and restores a retention shortened by hand', async () => {
    expect(await retentionOf(endpoints.kafka.topic)).toBe('-1');
    expect(await retentionOf(endpoints.kafka.deadLetterTopic)).toBe('-1');

    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: endpoints.kafka.topic,
          configEntries: [{ name: 'retention.ms', value: String(7 * 24 * 3600 * 1000) }],
        },
      ],
    });
    expect(await retentionOf(endpoints.kafka.topic)).toBe('604800000');
    const said: string[] = [];
    // What `stack up` runs on a stack that is already there.
    await ensureKafkaTopics(endpoints, (line) => said.push(line));
    expect(await retentionOf(endpoints.kafka.topic)).toBe('-1');
    expect(said).toEqual([`kafka: set retention.ms=-1 on ${endpoints.kafka.topic}`]);
  });

  it("dead-letters notify's subscription to the dead-letter topic, which keeps messages 7 days", async () => {
    const [notify] = await pubsub.subscription(endpoints.pubsub.anomaliesNotifySubscription).getMetadata();
    expect(notify.deadLetterPolicy).toMatchObject({
      deadLetterTopic: `projects/${endpoints.project}/topics/${endpoints.pubsub.anomaliesDeadLetterTopic}`,
      maxDeliveryAttempts: NOTIFY_MAX_DELIVERY_ATTEMPTS,
    });
    const [dead] = await pubsub.subscription(endpoints.pubsub.anomaliesDeadLetterSubscription).getMetadata();
    expect(dead.topic).toBe(
      `projects/${endpoints.project}/topics/${endpoints.pubsub.anomaliesDeadLetterTopic}`,
    );
    expect(Number(dead.messageRetentionDuration?.seconds)).toBe(7 * 24 * 3600);
  });
});

describe('a committed offset behind the log start', () => {
  // A topic and group of their own, so that the stack's dispatcher is not involved until the test starts one.
  const names = {
    topic: `expiry-${runId}`,
    group: `expiry-${runId}-group`,
    deadLetterTopic: `expiry-${runId}-dlq`,
  };
  const env = {
    ...process.env,
    KAFKA_TOPIC: names.topic,
    KAFKA_GROUP_ID: names.group,
    KAFKA_DEAD_LETTER_TOPIC: names.deadLetterTopic,
  };
  // Record o of partition 0 was written at T0 + o minutes.
  const T0 = Date.parse('2026-11-02T09:15:00Z');

  beforeAll(async () => {
    // Kept for ever, as the stack's topics are: with the broker's own retention (24 hours) the records, stamped
    // weeks ago, could all go at its next retention check, between the records' deletion below and this test's checks.
    await admin.createTopics({
      topics: [
        { topic: names.topic, numPartitions: 2, configEntries: [...TOPIC_CONFIGS] },
        { topic: names.deadLetterTopic, numPartitions: 1, configEntries: [...TOPIC_CONFIGS] },
      ],
      waitForLeaders: true,
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({
      topic: names.topic,
      acks: -1,
      messages: Array.from({ length: 5 }, (_, o) => ({
        partition: 0,
        key: 'ACME',
        value: `record ${o}`,
        timestamp: String(T0 + o * 60_000),
      })),
    });
    await producer.disconnect();
    // The group handled record 0; then retention (here deleteTopicRecords) removed records 0 to 3.
    await admin.setOffsets({
      groupId: names.group,
      topic: names.topic,
      partitions: [{ partition: 0, offset: '1' }],
    });
    await admin.deleteTopicRecords({ topic: names.topic, partitions: [{ partition: 0, offset: '4' }] });
  });

  it('makes `wait` fail at once, saying how many records expired, and the health answer alarm', async () => {
    const started = Date.now();
    const waited = await runCli(['wait', '--timeout', '120'], env);
    expect(waited.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(waited.stderr).toContain(
      `3 records of ${names.topic} expired before the dispatcher handled them: retention removed them, they will never be detected`,
    );
    expect(waited.stderr).toContain('  partition 0: 3 records (committed 1, log start 4)');

    const answer = await health(names);
    expect(answer.kafka).toMatchObject({ topic: names.topic, totalLag: 1, totalExpired: 3 });
    expect(answer.kafka).not.toHaveProperty('waitingSinceError');
    expect('partitions' in answer.kafka && answer.kafka.partitions).toEqual([
      {
        partition: 0,
        committed: 1,
        logStart: 4,
        end: 5,
        lag: 1,
        expired: 3,
        // Record 4, the oldest not handled, was written at T0 + 4 min.
        waitingSince: new Date(T0 + 4 * 60_000).toISOString(),
      },
      { partition: 1, committed: null, logStart: 0, end: 0, lag: 0, expired: 0, waitingSince: null },
    ]);
  });

  it('has the dispatcher say so at CRITICAL before it resumes at the log start', async () => {
    const server: Server = createServer((request, response) => {
      request.resume().on('end', () => response.writeHead(200).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { logger, entries } = capturingLogger('dispatcher');
    const dispatcher = await startDispatcher({
      settle: false,
      kafka,
      topic: names.topic,
      groupId: names.group,
      deadLetterTopic: names.deadLetterTopic,
      targetUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      initialBackoffMs: 10,
      maxBackoffMs: 50,
      attemptTimeoutMs: 5_000,
      log: logger,
    });
    try {
      expect(entries.filter((entry) => entry.severity === 'CRITICAL')).toEqual([
        expect.objectContaining({
          message: expect.stringContaining(
            `3 records of ${names.topic} partition 0 expired before they were delivered`,
          ),
          committed: 1,
          logStart: 4,
          expired: 3,
        }),
      ]);
      // Then it goes on from the log start: record 4 is delivered, and the commit passes the log start.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [partition0] = await readConsumerLag(admin, names.topic, names.group);
        if (partition0!.committed === 5) break;
        if (Date.now() > deadline) throw new Error('the dispatcher did not deliver record 4');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await dispatcher.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("notify's dead letters", () => {
  const symbol = `DLQ${runId}`.toUpperCase();
  const alert: Alert = {
    symbol,
    timestamp: '2017-01-02T03:46:00Z',
    rules: ['A1'],
    open: 100,
    high: 102,
    low: 99,
    close: 101,
    volume: 10,
    a1: { prevClose: 100, prevTimestamp: '2017-01-02T03:45:00Z', changePct: 1, severity: 2 },
    severity: 2,
    episodeStart: '2017-01-02T03:46:00Z',
    source: { object: `${symbol}.csv`, generation: '1', line: 3 },
  };
  const names = {
    topic: endpoints.kafka.topic,
    group: readVariable('KAFKA_GROUP_ID'),
    deadLetterTopic: endpoints.kafka.deadLetterTopic,
  };

  it('shows in the health answer, `wait` and `reports` until `redrive` sends it back and notify writes it', async () => {
    // As Pub/Sub dead-letters a message: the alert message detect published, on the dead-letter topic.
    await pubsub
      .topic(endpoints.pubsub.anomaliesDeadLetterTopic)
      .publishMessage({ data: Buffer.from(JSON.stringify({ v: 1, alerts: [alert] })) });
    const published = Date.now();

    const answer = await health(names);
    expect(answer.notifyDeadLetters).toMatchObject({
      subscription: endpoints.pubsub.anomaliesDeadLetterSubscription,
      count: 1,
    });
    const oldest = Date.parse((answer.notifyDeadLetters as { oldest: string }).oldest);
    expect(Math.abs(oldest - published)).toBeLessThan(30_000);
    // Counting leaves it there: a second reading finds it again.
    expect((await health(names)).notifyDeadLetters).toMatchObject({ count: 1 });

    const line = `1 alert message on ${endpoints.pubsub.anomaliesDeadLetterSubscription}, which notify could not write`;
    const waited = await cli('wait', '--timeout', '120');
    expect(waited.code).toBe(1);
    expect(waited.stderr).toContain(line);
    const reported = await cli('reports');
    expect(reported.code).toBe(1);
    expect(reported.stderr).toContain(line);

    const redriven = await cli('redrive');
    expect(redriven.code, redriven.stderr).toBe(0);
    expect(redriven.stderr).toContain(
      `sent 1 alert message(s) notify could not write from ${endpoints.pubsub.anomaliesDeadLetterSubscription} back to ${endpoints.pubsub.anomaliesTopic}`,
    );

    process.env.FIRESTORE_EMULATOR_HOST ??= endpoints.firestore.emulatorHost;
    const firestore = new Firestore({ projectId: endpoints.project });
    try {
      const document = firestore.collection(readVariable('ALERTS_COLLECTION')).doc(alertId(alert));
      const deadline = Date.now() + 60_000;
      while (!(await document.get()).exists) {
        if (Date.now() > deadline) throw new Error('notify did not write the redriven alert');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const written = (await document.get()).data()!;
      expect(written).toMatchObject({ symbol, rules: ['A1'], close: 101 });
      // Stored as a Firestore timestamp.
      expect(written.timestamp.toDate().toISOString()).toBe('2017-01-02T03:46:00.000Z');
    } finally {
      await firestore.terminate();
    }
    expect((await health(names)).notifyDeadLetters).toMatchObject({ count: 0, oldest: null });
    const clear = await cli('wait', '--timeout', '120');
    expect(clear.stderr).toContain('all dropped objects ingested, all alerts written');
    expect(clear.code).toBe(0);
  });
});
