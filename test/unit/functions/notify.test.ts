/**
 * notify, through functions-framework: raw Pub/Sub pushes, as the local stack's push subscription sends them,
 * and Pub/Sub CloudEvents, as Eventarc delivers them in the cloud.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../../shared/core/alert.js';
import type { Logger } from '../../../shared/logging/logger.js';
import { serveFunction } from '../../helpers/functionServer.js';
import { capturingLogger, LABELS, type LogEntry } from '../../helpers/logCapture.js';
import { MemoryAlertStore } from '../../helpers/memoryAlertStore.js';

const TTL_DAYS = 30;
const DAY_MS = 86_400_000;

const alert: Alert = {
  symbol: 'ACME',
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
  source: { object: 'ACME.csv', generation: '7', line: 3 },
};

function pushBody(payload: unknown, messageId = '1') {
  return {
    subscription: 'projects/stock-anomalies-local/subscriptions/anomalies-notify',
    message: {
      data: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64'),
      attributes: { symbol: 'ACME' },
      messageId,
      publishTime: '2026-11-25T12:00:00.000Z',
    },
  };
}

let server: { url: string; close: () => Promise<void> };
let store: MemoryAlertStore;
let setNotifyStore: (store: MemoryAlertStore | undefined) => void;
let setNotifyLogger: (logger: Logger | undefined) => void;
/** Every entry notify logged. */
let entries: LogEntry[];

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

function push(body: unknown): Promise<number> {
  return post('/projects/stock-anomalies-local/topics/anomalies', body);
}

/** A Pub/Sub CloudEvent in binary mode, as an Eventarc trigger sends it (with any other `headers`). */
function cloudEvent(id: string, data: unknown, headers: Record<string, string> = {}): Promise<number> {
  return post('/', data, {
    ...headers,
    'ce-id': id,
    'ce-specversion': '1.0',
    'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
    'ce-source': '//pubsub.googleapis.com/projects/p/topics/anomalies',
  });
}

/** The entries notify logged (functions-framework's own plain-text lines are not among them). */
const logLines = () => entries;

/** A failure as the Firestore client reports an unreachable backend. */
function unavailable(): Error {
  return Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
}

beforeAll(async () => {
  // notify reads its settings when it loads, so they are set before it is imported.
  vi.stubEnv('ALERT_TTL_DAYS', String(TTL_DAYS));
  ({ setNotifyStore, setNotifyLogger } = await import('../../../functions/notify/index.js'));
  vi.unstubAllEnvs();
  server = await serveFunction('notify');
});
afterAll(async () => {
  setNotifyStore(undefined);
  setNotifyLogger(undefined);
  await server.close();
});
beforeEach(() => {
  store = new MemoryAlertStore();
  setNotifyStore(store);
  const captured = capturingLogger('notify', { project: 'p1' });
  entries = captured.entries;
  setNotifyLogger(captured.logger);
  // functions-framework logs the error of a 500 itself, as plain text.
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('notify', () => {
  it('writes each alert of the message, as it came', async () => {
    expect(await push(pushBody({ v: 1, alerts: [alert] }))).toBe(204);
    expect(await store.all()).toEqual([alert]);
    expect(logLines()).toEqual([]);
  });

  it('overwrites instead of duplicating when the message is delivered again', async () => {
    await push(pushBody({ v: 1, alerts: [alert] }, '1'));
    await push(pushBody({ v: 1, alerts: [alert] }, '2'));
    expect([...store.documents.keys()]).toEqual(['ACME@2017-01-02T03:46:00Z']);
  });

  it('gives each alert the expiry ALERT_TTL_DAYS set when notify started', async () => {
    vi.stubEnv('ALERT_TTL_DAYS', '1');
    try {
      const before = Date.now();
      expect(await push(pushBody({ v: 1, alerts: [alert] }))).toBe(204);
      const expireAt = store.documents.get('ACME@2017-01-02T03:46:00Z')?.expireAt?.getTime();
      expect(expireAt).toBeGreaterThanOrEqual(before + TTL_DAYS * DAY_MS);
      expect(expireAt).toBeLessThanOrEqual(Date.now() + TTL_DAYS * DAY_MS);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each([
    ['not JSON', '{"v": 1, "alerts": ['],
    ['of another version', { v: 2, alerts: [alert] }],
    ['with an alert lacking its rules', { v: 1, alerts: [{ symbol: 'ACME', timestamp: alert.timestamp }] }],
  ])('acknowledges a message that is %s, logging why, and writes nothing', async (_, payload) => {
    expect(await push(pushBody(payload, 'm-17'))).toBe(204);
    expect(store.documents.size).toBe(0);
    const lines = logLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      severity: 'ERROR',
      message: 'alert message dropped: it can never be written',
      reason: expect.stringMatching(/^AlertMessageError: /),
      [LABELS]: { component: 'notify', event: 'm-17', messageId: 'm-17' },
    });
    // A data problem, not a bug: no stack for Error Reporting.
    expect(lines[0]!.stack_trace).toBeUndefined();
  });

  it('acknowledges an event without Pub/Sub message data, logging why', async () => {
    expect(await cloudEvent('ev-3', { message: { messageId: 'm-3' } })).toBe(204);
    expect(logLines()).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        reason: 'EventError: event ev-3 carries no Pub/Sub message data',
        [LABELS]: { component: 'notify', event: 'ev-3', messageId: 'm-3' },
      }),
    ]);
  });

  it('takes the alerts of a Pub/Sub CloudEvent as Eventarc delivers it', async () => {
    const data = pushBody({ v: 1, alerts: [alert] }, 'm-4');
    expect(await cloudEvent('ev-4', data)).toBe(204);
    expect(await store.all()).toEqual([alert]);
  });

  it('answers 500 while Firestore is unavailable, so that Pub/Sub redelivers, and writes on redelivery', async () => {
    store.failures.push(unavailable());
    expect(await push(pushBody({ v: 1, alerts: [alert] }, 'm-5'))).toBe(500);
    expect(store.documents.size).toBe(0);
    expect(logLines()).toEqual([
      expect.objectContaining({
        severity: 'WARNING',
        reason: expect.stringContaining('UNAVAILABLE'),
        [LABELS]: { component: 'notify', event: 'm-5', messageId: 'm-5' },
      }),
    ]);
    expect(await push(pushBody({ v: 1, alerts: [alert] }, 'm-5'))).toBe(204);
    expect(await store.all()).toEqual([alert]);
  });

  it('reports a bug as a programming error, not a data problem, and answers 500 for redelivery', async () => {
    store.failures.push(new TypeError("Cannot read properties of undefined (reading 'symbol')"));
    expect(await push(pushBody({ v: 1, alerts: [alert] }, 'm-6'))).toBe(500);
    const lines = logLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      severity: 'ERROR',
      message: "programming error: TypeError: Cannot read properties of undefined (reading 'symbol')",
      error: { name: 'TypeError' },
      stack_trace: expect.stringMatching(/^TypeError: Cannot read properties/),
      [LABELS]: { component: 'notify', event: 'm-6', messageId: 'm-6' },
    });
  });

  it("puts a delivery's lines under the trace of its traceparent, in GOOGLE_CLOUD_PROJECT's traces", async () => {
    const traceparent = `00-${'5c'.repeat(16)}-${'0a0b'.repeat(4)}-00`;
    expect(await cloudEvent('ev-7', { message: { messageId: 'm-7' } }, { traceparent })).toBe(204);
    expect(logLines()).toEqual([
      expect.objectContaining({
        [LABELS]: { component: 'notify', event: 'ev-7', messageId: 'm-7' },
        'logging.googleapis.com/trace': `projects/p1/traces/${'5c'.repeat(16)}`,
        'logging.googleapis.com/spanId': '0a0b'.repeat(4),
        'logging.googleapis.com/trace_sampled': false,
      }),
    ]);
  });
});
