/**
 * kafkajs against the broker the stack pins (stack/kafka/pom.xml). Kafka 4 removed every protocol version older
 * than Kafka 2.1 (KIP-896), and kafkajs picks min(its newest version, the broker's newest) without looking at the
 * broker's oldest: an API whose newest kafkajs version fell below the broker's minimum would be sent anyway and
 * rejected. This test checks the version ranges, then does the real thing: admin, produce, consume in a group with
 * eachBatch, commit, resume from the committed offsets.
 *
 * It needs the local stack: `stock-anomalies stack up`. It fails (does not skip) when Kafka is not there.
 */
import { createRequire } from 'node:module';

import kafkajs, { type Admin, type EachBatchPayload, type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { requestApiVersions, type ApiVersionRange } from '../../stack/kafka/apiVersions.js';
import { stackEndpoints } from '../../stack/endpoints.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;
const endpoints = stackEndpoints();
const runId = `${Date.now().toString(36)}-${process.pid}`;

/** kafkajs's own table of the protocol versions it implements (not public API; read to test what it will send). */
interface KafkajsRequestTable {
  requests: Record<string, { versions: string[] }>;
}
const requireFromHere = createRequire(import.meta.url);
const kafkajsRequests = (requireFromHere('kafkajs/src/protocol/requests/index.js') as KafkajsRequestTable)
  .requests;
const kafkajsApiKeys = requireFromHere('kafkajs/src/protocol/requests/apiKeys.js') as Record<string, number>;

/** The APIs the project's producers, consumers and admin calls go through. */
const APIS_WE_USE = [
  'Produce',
  'Fetch',
  'ListOffsets',
  'Metadata',
  'OffsetCommit',
  'OffsetFetch',
  'GroupCoordinator', // FindCoordinator
  'JoinGroup',
  'Heartbeat',
  'LeaveGroup',
  'SyncGroup',
  'DescribeGroups',
  'ListGroups',
  'ApiVersions',
  'CreateTopics',
  'DeleteTopics',
  'CreatePartitions',
  'DescribeConfigs',
  'DeleteGroups',
  'InitProducerId',
];

let brokerVersions: Map<number, ApiVersionRange>;
let admin: Admin | undefined;
/** Set when the broker is not there: every test then fails with it (none is skipped). */
let unavailable: Error | undefined;
const kafka = new Kafka({
  clientId: `kafka-test-${runId}`,
  brokers: [endpoints.kafka.brokers],
  logLevel: logLevel.ERROR,
  retry: { retries: 5 },
});

beforeAll(async () => {
  try {
    brokerVersions = await requestApiVersions(endpoints.host, endpoints.kafka.port, 3000);
  } catch (error) {
    unavailable = new Error(
      `Kafka is not answering on ${endpoints.kafka.brokers} (${(error as Error).message}). ` +
        'This test needs the local stack: run `stock-anomalies stack up` first.',
      { cause: error },
    );
    return;
  }
  admin = kafka.admin();
  await admin.connect();
});

beforeEach(() => {
  if (unavailable) throw unavailable;
});

afterAll(async () => {
  await admin?.disconnect();
});

/** The connected admin client (beforeEach has failed the test already when there is none). */
function connectedAdmin(): Admin {
  if (!admin) throw new Error('no Kafka admin client');
  return admin;
}

describe('kafkajs and the pinned broker', () => {
  it.each(APIS_WE_USE)('%s: the version kafkajs sends is one the broker accepts', (api) => {
    const implemented = (kafkajsRequests[api]?.versions ?? []).map(Number);
    expect(implemented.length, `kafkajs implements ${api}`).toBeGreaterThan(0);
    const key = kafkajsApiKeys[api] as number;
    const broker = brokerVersions.get(key);
    expect(broker, `the broker advertises ${api} (key ${key})`).toBeDefined();
    const { min, max } = broker as ApiVersionRange;
    // kafkajs's choice (src/protocol/requests/index.js lookup): its newest version capped by the broker's newest.
    const sent = Math.min(Math.max(...implemented), max);
    expect(sent, `${api} v${sent} is within the broker's v${min}-v${max}`).toBeGreaterThanOrEqual(min);
    expect(implemented).toContain(sent);
  });

  it("the stack's topics exist with their partition counts", async () => {
    const admin = connectedAdmin();
    const metadata = await admin.fetchTopicMetadata({
      topics: [endpoints.kafka.topic, endpoints.kafka.deadLetterTopic],
    });
    const partitions = Object.fromEntries(
      metadata.topics.map((topic) => [topic.name, topic.partitions.length]),
    );
    expect(partitions).toEqual({
      [endpoints.kafka.topic]: endpoints.kafka.partitions,
      [endpoints.kafka.deadLetterTopic]: 1,
    });
  });

  it('admin calls work: create, grow, describe and delete a topic', async () => {
    const admin = connectedAdmin();
    const topic = `kafka-test-admin-${runId}`;
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })).toBe(
      true,
    );
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })).toBe(false);
    await admin.createPartitions({ topicPartitions: [{ topic, count: 2 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(2);
    const configs = await admin.describeConfigs({
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic }],
      includeSynonyms: false,
    });
    expect(configs.resources[0]?.errorCode).toBe(0);
    expect(configs.resources[0]?.configEntries.some((entry) => entry.configName === 'cleanup.policy')).toBe(
      true,
    );
    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('produces, consumes in a group with eachBatch, commits, and a new member resumes after the commit', async () => {
    const admin = connectedAdmin();
    const topic = `kafka-test-roundtrip-${runId}`;
    const groupId = `kafka-test-group-${runId}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const symbols = ['INFY', 'TCS', 'RELIANCE', 'HDFCBANK', 'ITC'];
      const first = Array.from({ length: 50 }, (_, i) => ({
        key: symbols[i % symbols.length] as string,
        value: JSON.stringify({ seq: i }),
        headers: { 'content-type': 'application/json', seq: String(i) },
      }));
      await producer.send({ topic, messages: first.slice(0, 25), acks: -1 });
      await producer.send({ topic, messages: first.slice(25), acks: -1, compression: CompressionTypes.GZIP });

      const firstRun = await consumeUntil(groupId, topic, 50);
      expect(firstRun.map((m) => JSON.parse(String(m.value)).seq).sort((a, b) => a - b)).toEqual(
        first.map((_, i) => i),
      );
      // Keys and headers survive, and one key's records arrive in the order they were produced.
      const infy = firstRun
        .filter((m) => String(m.key) === 'INFY')
        .map((m) => Number(String(m.headers?.seq)));
      expect(infy).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45]);

      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const latest = await admin.fetchTopicOffsets(topic);
      // Each partition's committed offset is its high watermark; -1 (nothing committed) where nothing was written.
      const byPartition = (offsets: { partition: number; offset: string }[]) =>
        Object.fromEntries(offsets.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
      expect(byPartition(committed[0]?.partitions ?? [])).toEqual(
        byPartition(latest.map((p) => ({ partition: p.partition, offset: p.high }))),
      );
      expect(latest.reduce((sum, p) => sum + Number(p.high), 0)).toBe(50);

      await producer.send({
        topic,
        messages: Array.from({ length: 10 }, (_, i) => ({
          key: `later-${i}`,
          value: JSON.stringify({ seq: 50 + i }),
        })),
      });
      const secondRun = await consumeUntil(groupId, topic, 10);
      expect(secondRun.map((m) => JSON.parse(String(m.value)).seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 10 }, (_, i) => 50 + i),
      );

      const groups = await admin.describeGroups([groupId]);
      expect(groups.groups[0]?.state).toBe('Empty'); // both members left
      expect((await admin.listGroups()).groups.map((group) => group.groupId)).toContain(groupId);
      await admin.deleteGroups([groupId]);
    } finally {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    }
  }, 90_000);
});

/**
 * Joins `groupId`, reads with eachBatch from the committed offsets (or the beginning), resolving each record and
 * committing each batch explicitly (autoCommit off), until `count` records arrived; then leaves the group. Fails if more
 * arrive (a resumed member must not see committed records again).
 */
async function consumeUntil(groupId: string, topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const received: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`received ${received.length} of ${count} records within 45 s`)),
        45_000,
      );
      consumer
        .run({
          eachBatchAutoResolve: false,
          autoCommit: false,
          eachBatch: async ({
            batch,
            resolveOffset,
            heartbeat,
            commitOffsetsIfNecessary,
          }: EachBatchPayload) => {
            for (const message of batch.messages) {
              received.push(message);
              resolveOffset(message.offset);
            }
            // With autoCommit off, commit explicitly: the committed offset is the next one to read.
            const next = (BigInt(batch.lastOffset()) + 1n).toString();
            await commitOffsetsIfNecessary({
              topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
            });
            await heartbeat();
            if (received.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    // Give a wrongly redelivered record the chance to show before leaving.
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    await consumer.disconnect();
  }
  expect(received).toHaveLength(count);
  return received;
}
