/**
 * The dispatcher against the real broker and a real HTTP target: in order per partition, a final answer
 * parked at once and the partition going on, a target that refuses for a while waited out, and a stop that
 * leaves the record waiting uncommitted for the next consumer. Topics and groups are the test's own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDispatcher, type RunningDispatcher } from '../../functions/dispatcher/dispatcher.js';
import { createLogger } from '../../shared/logging/logger.js';
import { stackEndpoints } from '../../stack/endpoints.js';

const endpoints = stackEndpoints();
const runId = `${Date.now().toString(36)}-${process.pid}`;
const kafka = new Kafka({
  clientId: `dispatcher-test-${runId}`,
  brokers: [endpoints.kafka.brokers],
  logLevel: logLevel.NOTHING,
});
let admin: Admin;
let server: Server;
let url: string;
/** What the target saw, in order: each record value once per attempt. */
const received: string[] = [];
/** How the target answers a value: a status per attempt (the last repeats). */
const answers = new Map<string, number[]>();

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const value = Buffer.concat(chunks).toString();
      const attempt = received.filter((seen) => seen === value).length;
      received.push(value);
      const plan = answers.get(value) ?? [200];
      const status = plan[Math.min(attempt, plan.length - 1)]!;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          outcome: status === 200 ? 'detected' : 'final',
          reason: `${value} answered ${status}`,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await admin.disconnect();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function topics(
  name: string,
  numPartitions = 1,
): Promise<{ topic: string; deadLetterTopic: string; groupId: string }> {
  const topic = `dispatch-${name}-${runId}`;
  const deadLetterTopic = `${topic}-dlq`;
  await admin.createTopics({
    topics: [
      { topic, numPartitions },
      { topic: deadLetterTopic, numPartitions: 1 },
    ],
    waitForLeaders: true,
  });
  return { topic, deadLetterTopic, groupId: `${topic}-group` };
}

const dispatcherFor = (names: { topic: string; deadLetterTopic: string; groupId: string }) =>
  startDispatcher({
    settle: false,
    kafka,
    ...names,
    targetUrl: url,
    initialBackoffMs: 10,
    maxBackoffMs: 50,
    attemptTimeoutMs: 2_000,
    // Silent: the assertions are on Kafka's offsets and topics, not on the log.
    log: createLogger('dispatcher', { write: () => undefined }),
  });

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function committed(topic: string, groupId: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Number(offsets?.partitions[0]?.offset ?? -1);
}

/** The group's committed offset per partition (-1: none yet). */
async function committedByPartition(topic: string, groupId: string): Promise<Map<number, number>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((offsets?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]));
}

async function deadLetters(
  topic: string,
): Promise<Array<{ value: string; headers: Record<string, string> }>> {
  const [end] = await admin.fetchTopicOffsets(topic);
  const count = Number(end!.high);
  const out: Array<{ value: string; headers: Record<string, string> }> = [];
  if (count === 0) return out;
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        out.push({
          value: message.value!.toString(),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
        if (out.length === count) resolve();
      },
    });
  });
  await consumer.disconnect();
  return out;
}

describe('the dispatcher', () => {
  it('delivers in order, parks a final answer at once with its reason, and waits out refusals', async () => {
    const names = await topics('order');
    answers.set('poison', [422]);
    answers.set('late', [503, 503, 500, 200]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: names.topic,
      messages: ['first', 'poison', 'late', 'last'].map((value) => ({ key: 'ACME', value })),
    });
    await producer.disconnect();
    let dispatcher: RunningDispatcher | undefined;
    try {
      dispatcher = await dispatcherFor(names);
      await until(async () => (await committed(names.topic, names.groupId)) === 4, 'all four committed');
    } finally {
      await dispatcher?.stop();
    }
    // Strictly in order; the poison once; the late one until it was taken; nothing after it went first.
    expect(received.filter((value) => ['first', 'poison', 'late', 'last'].includes(value))).toEqual([
      'first',
      'poison',
      'late',
      'late',
      'late',
      'late',
      'last',
    ]);
    const parked = await deadLetters(names.deadLetterTopic);
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({
      value: 'poison',
      headers: {
        'dlq-attempts': '1',
        'dlq-status': '422',
        'dlq-reason': 'poison answered 422',
        'dlq-offset': '1',
      },
    });
  });

  it('stops while a record waits without committing it, and the next consumer delivers it', async () => {
    const names = await topics('stop');
    answers.set('stuck', [503]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: names.topic,
      messages: [
        { key: 'ACME', value: 'before' },
        { key: 'ACME', value: 'stuck' },
      ],
    });
    await producer.disconnect();
    const first = await dispatcherFor(names);
    await until(() => received.filter((value) => value === 'stuck').length >= 3, 'stuck refused three times');
    const stopping = Date.now();
    await first.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(await committed(names.topic, names.groupId)).toBe(1);

    answers.set('stuck', [200]);
    const second = await dispatcherFor(names);
    try {
      await until(async () => (await committed(names.topic, names.groupId)) === 2, 'stuck committed');
    } finally {
      await second.stop();
    }
    expect(await deadLetters(names.deadLetterTopic)).toEqual([]);
  });

  it('commits each delivered record at once, while a later record of the same batch still waits', async () => {
    const names = await topics('prefix');
    answers.set('held-up', [503]);
    const producer = kafka.producer();
    await producer.connect();
    // One send: the three arrive in one fetched batch.
    await producer.send({
      topic: names.topic,
      messages: ['one', 'two', 'held-up'].map((value) => ({ key: 'ACME', value })),
    });
    await producer.disconnect();
    const dispatcher = await dispatcherFor(names);
    try {
      await until(
        () => received.filter((value) => value === 'held-up').length >= 3,
        'held-up refused 3 times',
      );
      // kafkajs alone would commit only when the whole batch is done; autoCommitThreshold 1 commits each one.
      expect(await committed(names.topic, names.groupId)).toBe(2);
      answers.set('held-up', [200]);
      await until(async () => (await committed(names.topic, names.groupId)) === 3, 'held-up committed');
    } finally {
      await dispatcher.stop();
    }
  });

  it('skips nothing when a second consumer joins the group while records are being delivered', async () => {
    const names = await topics('rebalance', 2);
    const values = Array.from({ length: 40 }, (_, i) => `rb-${i}`);
    // Every fourth record is refused twice first, so that deliveries are in flight when the group rebalances.
    for (const [i, value] of values.entries()) if (i % 4 === 0) answers.set(value, [503, 503, 200]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: names.topic,
      messages: values.map((value, i) => ({ key: `S${i % 5}`, value })),
    });
    await producer.disconnect();
    const ends = new Map(
      (await admin.fetchTopicOffsets(names.topic)).map(({ partition, high }) => [partition, Number(high)]),
    );
    const first = await dispatcherFor(names);
    let second: RunningDispatcher | undefined;
    try {
      await until(() => received.some((value) => values.includes(value)), 'the first record delivered');
      second = await dispatcherFor(names);
      await until(
        async () => {
          const offsets = await committedByPartition(names.topic, names.groupId);
          return [...ends].every(([partition, end]) => offsets.get(partition) === end);
        },
        'every partition committed to its end',
        60_000,
      );
    } finally {
      await Promise.all([first.stop(), second?.stop()]);
    }
    // Each record reached the target (some more than once, across the rebalance: detect recognises those).
    for (const value of values) expect(received).toContain(value);
    expect(await deadLetters(names.deadLetterTopic)).toEqual([]);
  });
});
