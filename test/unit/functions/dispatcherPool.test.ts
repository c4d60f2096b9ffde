/** The dispatcher's delivery, against a real HTTP server standing in for detect. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cloudEventHeaders,
  deliver,
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
async function target(statuses: number[]) {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString() });
      response.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)]!).end('nope');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`, received };
}

const options = (url: string): DispatcherOptions =>
  ({ targetUrl: url, maxAttempts: 3, initialBackoffMs: 1 }) as DispatcherOptions;

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
      'content-type': 'application/json',
    });
  });
});

describe('deliver', () => {
  it('posts the record value and stops at the first 2xx', async () => {
    const { url, received } = await target([204]);
    expect(await deliver(record, options(url))).toEqual({ delivered: true, attempts: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toBe('{"v":1}');
    expect(received[0]!.headers['ce-id']).toBe('partition:3/offset:17');
  });

  it('retries a failure, and succeeds when the target recovers', async () => {
    const { url, received } = await target([500, 503, 200]);
    expect(await deliver(record, options(url))).toEqual({ delivered: true, attempts: 3 });
    expect(received).toHaveLength(3);
  });

  it('gives up after the attempts with the last reason, for the dead-letter topic', async () => {
    const { url } = await target([500]);
    expect(await deliver(record, options(url))).toEqual({
      delivered: false,
      attempts: 3,
      reason: 'HTTP 500: nope',
    });
  });

  it('names a connection failure as the reason', async () => {
    const result = await deliver(record, options('http://127.0.0.1:1/'));
    expect(result).toMatchObject({
      delivered: false,
      attempts: 3,
      reason: expect.stringMatching(/fetch failed/),
    });
  });
});
