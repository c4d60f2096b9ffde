/** notify, through functions-framework: a raw Pub/Sub push, as the emulator's push subscription sends it. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/core/alert.js';
import { setNotifyStore } from '../../../functions/notify/index.js';
import { serveFunction } from '../../helpers/functionServer.js';
import { MemoryAlertStore } from '../../helpers/memoryAlertStore.js';

const alert: Alert = {
  symbol: 'ACME',
  timestamp: '2017-01-02T03:46:00Z',
  rules: ['A1'],
  open: 100,
  high: 102,
  low: 99,
  close: 101,
  volume: 10,
  a1: { prevClose: 100, prevTimestamp: '2017-01-02T03:45:00Z', changePct: 1 },
  source: { object: 'ACME.csv', generation: '7', line: 3 },
};

function pushBody(payload: unknown, messageId = '1') {
  return {
    subscription: 'projects/stock-anomalies-local/subscriptions/anomalies-notify',
    message: {
      data: Buffer.from(JSON.stringify(payload)).toString('base64'),
      attributes: { symbol: 'ACME' },
      messageId,
      publishTime: '2026-11-25T12:00:00.000Z',
    },
  };
}

let server: { url: string; close: () => Promise<void> };
let store: MemoryAlertStore;

async function push(body: unknown): Promise<number> {
  const response = await fetch(`${server.url}/projects/stock-anomalies-local/topics/anomalies`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  server = await serveFunction('notify');
});
afterAll(async () => {
  setNotifyStore(undefined);
  await server.close();
});
beforeEach(() => {
  store = new MemoryAlertStore();
  setNotifyStore(store);
});

describe('notify', () => {
  it('writes each alert of the message, as it came', async () => {
    expect(await push(pushBody({ v: 1, alerts: [alert] }))).toBe(204);
    expect(await store.all()).toEqual([alert]);
  });

  it('overwrites instead of duplicating when the message is delivered again', async () => {
    await push(pushBody({ v: 1, alerts: [alert] }, '1'));
    await push(pushBody({ v: 1, alerts: [alert] }, '2'));
    expect([...store.documents.keys()]).toEqual(['ACME@2017-01-02T03:46:00Z']);
  });

  it('answers 500 for a message that is not an alert message (Pub/Sub retries, then dead-letters)', async () => {
    expect(await push(pushBody({ hello: 'world' }))).toBe(500);
    expect(store.documents.size).toBe(0);
  });
});
