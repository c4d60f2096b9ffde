/** notify, through functions-framework: a raw Pub/Sub push, as the emulator's push subscription sends it. */
import { Timestamp, type Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/core/alert.js';
import { setNotifyFirestore } from '../../../functions/notify/index.js';
import { serveFunction } from '../../helpers/functionServer.js';

/** Just enough of Firestore for a batch of set() calls: documents by path. */
class MemoryFirestore {
  readonly documents = new Map<string, Record<string, unknown>>();
  collection(name: string) {
    return { doc: (id: string) => ({ path: `${name}/${id}` }) };
  }
  batch() {
    const writes: Array<[string, Record<string, unknown>]> = [];
    return {
      set: (ref: { path: string }, data: Record<string, unknown>) => void writes.push([ref.path, data]),
      commit: async () => {
        for (const [path, data] of writes) this.documents.set(path, data);
      },
    };
  }
}

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
let db: MemoryFirestore;

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
  setNotifyFirestore(undefined);
  await server.close();
});
beforeEach(() => {
  db = new MemoryFirestore();
  setNotifyFirestore(db as unknown as Firestore);
});

describe('notify', () => {
  it('writes each alert under its (symbol, minute) id with a real timestamp', async () => {
    expect(await push(pushBody({ v: 1, alerts: [alert] }))).toBe(204);
    const document = db.documents.get('alerts/ACME@2017-01-02T03:46:00Z');
    expect(document?.timestamp).toEqual(Timestamp.fromMillis(Date.parse('2017-01-02T03:46:00Z')));
    expect(document).toMatchObject({ symbol: 'ACME', rules: ['A1'], close: 101, source: alert.source });
  });

  it('overwrites instead of duplicating when the message is delivered again', async () => {
    await push(pushBody({ v: 1, alerts: [alert] }, '1'));
    await push(pushBody({ v: 1, alerts: [alert] }, '2'));
    expect([...db.documents.keys()]).toEqual(['alerts/ACME@2017-01-02T03:46:00Z']);
  });

  it('answers 500 for a message that is not an alert message (Pub/Sub retries, then dead-letters)', async () => {
    expect(await push(pushBody({ hello: 'world' }))).toBe(500);
    expect(db.documents.size).toBe(0);
  });
});
