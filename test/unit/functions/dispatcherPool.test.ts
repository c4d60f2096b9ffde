/** The dispatcher's delivery, against a real HTTP server standing in for detect. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deliver, type DeliveryHooks } from '../../../functions/dispatcherPool/deliver.js';
import {
  cloudEventHeaders,
  post,
  type DispatcherOptions,
  type RecordRef,
} from '../../../functions/dispatcherPool/dispatcher.js';

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
    expect(retries[0]).toMatch(/fetch failed \(ECONNREFUSED\)/);
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
    const { backoffMs } = await import('../../../functions/dispatcherPool/deliver.js');
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
