/** The dispatcher's delivery, against a real HTTP server standing in for detect. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsumerRunConfig, ConsumerSubscribeTopics, EachMessagePayload, Kafka } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deliver, type DeliveryHooks } from '../../../functions/dispatcher/deliver.js';
import {
  cloudEventHeaders,
  PartitionRevokedError,
  post,
  startDispatcher,
  type DispatcherOptions,
  type RecordRef,
} from '../../../functions/dispatcher/dispatcher.js';
import { capturingLogger, LABELS } from '../../helpers/logCapture.js';

const record: RecordRef = {
  topic: 'minute-bars',
  partition: 3,
  message: {
    key: Buffer.from('ACME'),
    value: Buffer.from('{"v":1}'),
    offset: '17',
    timestamp: String(Date.parse('2026-11-25T12:00:00Z')),
    headers: { 'content-type': Buffer.from('application/json'), 'Trace-Id': Buffer.from('abc') },
  },
};

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A target answering with the given statuses in turn; returns its URL and what it received. */
async function target(statuses: number[], body = 'nope') {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString() });
      response.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)]!).end(body);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`, received };
}

const options = (url: string): DispatcherOptions =>
  ({ targetUrl: url, initialBackoffMs: 1, maxBackoffMs: 4, attemptTimeoutMs: 2_000 }) as DispatcherOptions;

/** Delivers `record` to `url` as the dispatcher does, noting each retry. */
async function deliverTo(url: string, hooks: DeliveryHooks = {}) {
  const retries: string[] = [];
  const delivery = await deliver((signal) => post(record, options(url), signal), options(url), {
    retrying: (_attempt, reason) => retries.push(reason),
    ...hooks,
  });
  return { delivery, retries };
}

describe('cloudEventHeaders', () => {
  it('sets the KafkaSource binding: id, type, source, subject, time, key, and record headers as extensions', () => {
    expect(cloudEventHeaders(record, 'stock-anomalies')).toEqual({
      'ce-specversion': '1.0',
      'ce-id': 'partition:3/offset:17',
      'ce-type': 'dev.knative.kafka.event',
      'ce-source': '/apis/v1/namespaces/default/kafkasources/stock-anomalies#minute-bars',
      'ce-subject': 'partition:3#17',
      'ce-time': '2026-11-25T12:00:00.000Z',
      'ce-key': 'ACME',
      'ce-traceid': 'abc',
      'ce-contenttype': 'application/json',
      'content-type': 'application/octet-stream',
    });
  });
});

describe('deliver', () => {
  it('posts the record value and stops at the first 2xx', async () => {
    const { url, received } = await target([200]);
    expect((await deliverTo(url)).delivery).toEqual({ outcome: 'delivered', attempts: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toBe('{"v":1}');
    expect(received[0]!.headers['ce-id']).toBe('partition:3/offset:17');
  });

  it('waits out 5xx, 404, 408 and 429 answers with the same record until the target takes it', async () => {
    const { url, received } = await target([500, 503, 404, 408, 429, 502, 204]);
    const { delivery, retries } = await deliverTo(url);
    expect(delivery).toEqual({ outcome: 'delivered', attempts: 7 });
    expect(retries).toEqual([
      'HTTP 500: nope',
      'HTTP 503: nope',
      'HTTP 404: nope',
      'HTTP 408: nope',
      'HTTP 429: nope',
      'HTTP 502: nope',
    ]);
    expect(new Set(received.map((request) => request.body))).toEqual(new Set(['{"v":1}']));
  });

  it('parks at once, after one attempt, what the target says can never succeed, with its reason', async () => {
    for (const status of [400, 413, 415, 422]) {
      const { url, received } = await target([status], '{"outcome":"final","reason":"BarBatchError: bad"}');
      expect((await deliverTo(url)).delivery).toEqual({
        outcome: 'final',
        attempts: 1,
        status,
        reason: 'BarBatchError: bad',
      });
      expect(received).toHaveLength(1);
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    }
  });

  it('keeps trying a target that is not listening (a restart), and delivers once it is back', async () => {
    // Prepare: a port with nothing on it; the target starts there after a few refused attempts.
    const { url } = await target([200]);
    const port = Number(new URL(url).port);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const retries: string[] = [];
    const delivery = deliver((signal) => post(record, options(url), signal), options(url), {
      retrying: (_attempt, reason) => {
        retries.push(reason);
        if (retries.length === 5) {
          server = createServer((_request, response) => response.writeHead(200).end()).listen(
            port,
            '127.0.0.1',
          );
        }
      },
    });
    expect(await delivery).toMatchObject({ outcome: 'delivered' });
    expect(retries.length).toBeGreaterThanOrEqual(5);
    expect(retries[0]).toMatch(/ECONNREFUSED/);
  });

  it('counts an answer slower than the attempt timeout as a failure, and tries again', async () => {
    let calls = 0;
    server = createServer((_request, response) => {
      calls++;
      if (calls === 1) setTimeout(() => response.writeHead(200).end(), 5_000);
      else response.writeHead(200).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const fast = { ...options(url), attemptTimeoutMs: 100 };
    const retries: string[] = [];
    const delivery = await deliver((signal) => post(record, fast, signal), fast, {
      retrying: (_attempt, reason) => retries.push(reason),
    });
    expect(delivery).toEqual({ outcome: 'delivered', attempts: 2 });
    expect(retries[0]).toMatch(/TimeoutError/);
    server.closeAllConnections();
  });

  it('heartbeats while it waits, so that the consumer keeps its partitions', async () => {
    const { url } = await target([503, 503, 200]);
    let beats = 0;
    const slow = { ...options(url), initialBackoffMs: 2_500, maxBackoffMs: 2_500 };
    await deliver((signal) => post(record, slow, signal), slow, {
      heartbeat: async () => void beats++,
    });
    expect(beats).toBeGreaterThanOrEqual(2);
  });

  it('abandons an attempt when a heartbeat says the group is rebalancing, and throws that error', async () => {
    // A target that never answers within the test; the heartbeat fails on its first beat.
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const rebalancing = Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), {
      type: 'REBALANCE_IN_PROGRESS',
    });
    const started = Date.now();
    await expect(
      deliverTo(url, {
        heartbeat: async () => {
          throw rebalancing;
        },
      }),
    ).rejects.toBe(rebalancing);
    expect(Date.now() - started).toBeLessThan(4_000); // the first beat, not the 2 s attempt timeout and more
    server.closeAllConnections();
  });

  it('stops waiting when the dispatcher stops: the record is neither delivered nor parked', async () => {
    const { url } = await target([503]);
    const stopping = new AbortController();
    const delivery = deliverTo(url, { signal: stopping.signal });
    setTimeout(() => stopping.abort(new Error('the dispatcher is stopping')), 50);
    await expect(delivery).rejects.toThrow('the dispatcher is stopping');
  });
});

describe('backoffMs', () => {
  it('doubles from the initial wait up to the cap, with up to half of it random', async () => {
    const { backoffMs } = await import('../../../functions/dispatcher/deliver.js');
    const limits = { initialBackoffMs: 100, maxBackoffMs: 1_000 };
    for (const [attempt, ceiling] of [
      [1, 100],
      [2, 200],
      [4, 800],
      [5, 1_000],
      [40, 1_000],
    ] as const) {
      for (let i = 0; i < 20; i++) {
        const wait = backoffMs(attempt, limits);
        expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
        expect(wait).toBeLessThanOrEqual(ceiling);
      }
    }
  });
});

/**
 * A stand-in for kafkajs: it records how the dispatcher subscribes and runs its consumer, hands the test the
 * eachMessage handler (kafkajs resolves a record's offset only when that handler returns; a throw leaves it
 * unresolved: runner.js processEachMessage) and lets it emit the group events.
 */
function fakeKafka() {
  const listeners = new Map<string, Array<(event: { payload: unknown }) => void>>();
  const seen = {
    subscribe: undefined as ConsumerSubscribeTopics | { topic: string; fromBeginning?: boolean } | undefined,
    run: undefined as ConsumerRunConfig | undefined,
    parked: [] as Array<{ topic: string; value: unknown }>,
    /** What happened, in order: 'offsets' (the admin read the group's commits), 'run' (the consumer ran). */
    order: [] as string[],
  };
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    on: (name: string, listener: (event: { payload: unknown }) => void) => {
      listeners.set(name, [...(listeners.get(name) ?? []), listener]);
      return () => undefined;
    },
    connect: async () => undefined,
    subscribe: async (subscription: typeof seen.subscribe) => void (seen.subscribe = subscription),
    run: async (config: ConsumerRunConfig) => {
      seen.order.push('run');
      seen.run = config;
    },
    disconnect: async () => undefined,
  };
  const producer = {
    connect: async () => undefined,
    send: async ({ topic, messages }: { topic: string; messages: Array<{ value: unknown }> }) => {
      for (const message of messages) seen.parked.push({ topic, value: String(message.value) });
    },
    disconnect: async () => undefined,
  };
  const emit = (name: string, payload: unknown) => {
    for (const listener of listeners.get(name) ?? []) listener({ payload });
  };
  // The offsets its admin client answers (kafkajs's shapes): partition 3 of minute-bars, fully handled.
  const offsets = {
    topic: [{ partition: 3, low: '0', high: '18' }],
    group: [{ partition: 3, offset: '18' }],
  };
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchTopicOffsets: async () => offsets.topic.map((entry) => ({ ...entry, offset: entry.high })),
    fetchOffsets: async () => {
      seen.order.push('offsets');
      return [{ topic: 'minute-bars', partitions: offsets.group }];
    },
  };
  return {
    kafka: { consumer: () => consumer, producer: () => producer, admin: () => admin } as unknown as Kafka,
    offsets,
    seen,
    join: (memberAssignment: Record<string, number[]>) =>
      emit('consumer.group_join', { memberAssignment, groupId: 'g', memberId: 'm' }),
    crash: (error: Error, restart: boolean) => emit('consumer.crash', { error, groupId: 'g', restart }),
    /** One record through the dispatcher's eachMessage, as kafkajs's runner calls it. */
    eachMessage: (partition = record.partition) =>
      seen.run!.eachMessage!({
        topic: record.topic,
        partition,
        message: { ...record.message, attributes: 0, size: 0 },
        heartbeat: async () => undefined,
        pause: () => () => undefined,
      } as EachMessagePayload),
  };
}

async function fakeDispatcher(url: string, extra: Partial<DispatcherOptions> = {}, fake = fakeKafka()) {
  const { logger, entries } = capturingLogger('dispatcher');
  const dispatcher = await startDispatcher({
    settle: false,
    ...options(url),
    kafka: fake.kafka,
    topic: record.topic,
    groupId: 'g',
    deadLetterTopic: 'minute-bars-dead-letter',
    log: logger,
    ...extra,
  });
  return { fake, dispatcher, entries };
}

/** The labels of every line about `record`. */
const recordLabels = {
  component: 'dispatcher',
  topic: 'minute-bars',
  partition: '3',
  offset: '17',
  event: 'partition:3/offset:17',
};

describe('startDispatcher and kafkajs', () => {
  it('starts a new group at the earliest offset and consumes record by record, committing each at once', async () => {
    const { url } = await target([200]);
    const { fake } = await fakeDispatcher(url);
    // fromBeginning: a group with no committed offset starts at the earliest, not the latest, record.
    expect(fake.seen.subscribe).toEqual({ topic: 'minute-bars', fromBeginning: true });
    // eachMessage, not eachBatch: nothing of a batch is auto-resolved when the handler ends early.
    expect(fake.seen.run?.eachBatch).toBeUndefined();
    expect(fake.seen.run?.eachMessage).toBeTypeOf('function');
    expect(fake.seen.run?.autoCommitThreshold).toBe(1);
    expect(fake.seen.run?.eachBatchAutoResolve).toBeUndefined();
    // Every partition of the stack's and deploy.sh's topic at once.
    expect(fake.seen.run?.partitionsConsumedConcurrently).toBeGreaterThanOrEqual(48);
  });

  it('says at CRITICAL, before consuming and at each check after, how many records expired unhandled', async () => {
    const { url } = await target([200]);
    const fake = fakeKafka();
    // The group committed 12; retention has removed everything before 15: records 12, 13 and 14 are gone.
    fake.offsets.topic = [{ partition: 3, low: '15', high: '18' }];
    fake.offsets.group = [{ partition: 3, offset: '12' }];
    const { entries, dispatcher } = await fakeDispatcher(url, { expiryCheckMs: 20 }, fake);
    const critical = () => entries.filter((entry) => entry.severity === 'CRITICAL');
    const expected = (committed: number, logStart: number) => ({
      severity: 'CRITICAL',
      component: 'dispatcher',
      message:
        `${logStart - committed} records of minute-bars partition 3 expired before they were delivered ` +
        `(committed ${committed}, log start ${logStart}): retention removed them, they will never be detected; ` +
        'their objects are still in the bucket',
      topic: 'minute-bars',
      partition: 3,
      committed,
      logStart,
      expired: logStart - committed,
      [LABELS]: { component: 'dispatcher' },
    });
    // Checked before the consumer ran: its first commit past the log start would hide the skip.
    expect(fake.seen.order.slice(0, 2)).toEqual(['offsets', 'run']);
    expect(critical()).toEqual([expected(12, 15)]);

    // The same finding is not repeated at every check; more records expiring is a new one.
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(critical()).toHaveLength(1);
    fake.offsets.topic = [{ partition: 3, low: '17', high: '18' }];
    await vi.waitFor(() => expect(critical()).toEqual([expected(12, 15), expected(12, 17)]));

    // Nothing expired, nothing said.
    await dispatcher.stop();
    const quiet = await fakeDispatcher(url);
    expect(quiet.entries.filter((entry) => entry.severity === 'CRITICAL')).toEqual([]);
    await quiet.dispatcher.stop();
  });

  it('returns from eachMessage (kafkajs resolves the offset) only once the record is delivered or parked', async () => {
    const { url, received } = await target([503, 200]);
    const { fake, entries } = await fakeDispatcher(url);
    fake.join({ 'minute-bars': [3] });
    await expect(fake.eachMessage()).resolves.toBeUndefined();
    expect(received).toHaveLength(2);
    await new Promise<void>((resolve) => server!.close(() => resolve()));

    const final = await target([422], '{"reason":"bad"}');
    const parking = await fakeDispatcher(final.url);
    parking.fake.join({ 'minute-bars': [3] });
    await expect(parking.fake.eachMessage()).resolves.toBeUndefined();
    expect(parking.fake.seen.parked).toEqual([{ topic: 'minute-bars-dead-letter', value: '{"v":1}' }]);

    // Each line names the record, by where it is and by the id detect logs it under.
    expect(entries).toEqual([
      {
        severity: 'WARNING',
        message: 'detect did not take the record; holding the partition and trying again',
        component: 'dispatcher',
        attempt: 1,
        reason: 'HTTP 503: nope',
        nextInMs: expect.any(Number),
        [LABELS]: recordLabels,
      },
      {
        severity: 'INFO',
        message: 'record delivered after retries',
        component: 'dispatcher',
        attempts: 2,
        [LABELS]: recordLabels,
      },
    ]);
    expect(parking.entries).toEqual([
      {
        severity: 'ERROR',
        message: 'record parked on the dead-letter topic',
        component: 'dispatcher',
        status: 422,
        reason: 'bad',
        [LABELS]: recordLabels,
      },
    ]);
  });

  it('throws, so that the offset is not resolved, when it stops while the record waits', async () => {
    const { url } = await target([503]);
    const { fake, dispatcher } = await fakeDispatcher(url);
    fake.join({ 'minute-bars': [3] });
    const handled = fake.eachMessage();
    setTimeout(() => void dispatcher.stop(), 30);
    await expect(handled).rejects.toThrow('the dispatcher is stopping');
  });

  it('neither posts nor completes a record of a partition the group gave to another consumer', async () => {
    const { url, received } = await target([200]);
    const { fake } = await fakeDispatcher(url);
    fake.join({ 'minute-bars': [0, 1] });
    // A record left over from a batch fetched before the rebalance: not sent at all.
    await expect(fake.eachMessage(3)).rejects.toBeInstanceOf(PartitionRevokedError);
    expect(received).toHaveLength(0);
    await new Promise<void>((resolve) => server!.close(() => resolve()));

    // The group rebalances while the record is with the target: delivered, but its offset is left unresolved
    // for the partition's new owner (who delivers it again; detect recognises a batch it has done).
    let answer: (() => void) | undefined;
    server = createServer((_request, response) => {
      answer = () => response.writeHead(200).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const slowUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const slow = await fakeDispatcher(slowUrl);
    slow.fake.join({ 'minute-bars': [3] });
    const handled = slow.fake.eachMessage();
    await new Promise<void>((resolve) => {
      const look = setInterval(() => answer && (clearInterval(look), resolve()), 5);
    });
    slow.fake.join({ 'minute-bars': [0] });
    answer!();
    await expect(handled).rejects.toBeInstanceOf(PartitionRevokedError);
  });

  it('is not ready after a crash, and says so when kafkajs will not restart the consumer', async () => {
    const { url } = await target([200]);
    const fatal: Error[] = [];
    const { fake, dispatcher, entries } = await fakeDispatcher(url, {
      onFatalCrash: (error) => fatal.push(error),
    });
    expect(dispatcher.ready()).toBe(false);
    fake.join({ 'minute-bars': [3] });
    expect(dispatcher.ready()).toBe(true);
    fake.crash(new Error('connection lost'), true);
    expect(dispatcher.ready()).toBe(false);
    expect(fatal).toEqual([]);
    fake.join({ 'minute-bars': [3] }); // kafkajs restarted it and it joined again
    expect(dispatcher.ready()).toBe(true);
    const bug = new TypeError('x is undefined');
    fake.crash(bug, false);
    expect(dispatcher.ready()).toBe(false);
    expect(fatal).toEqual([bug]);
    expect(entries).toEqual([
      expect.objectContaining({
        severity: 'CRITICAL',
        message: 'the Kafka consumer crashed and will not restart',
        error: { name: 'TypeError', message: 'programming error: TypeError: x is undefined' },
        stack_trace: expect.stringMatching(/^TypeError: x is undefined/),
      }),
    ]);
  });
});
