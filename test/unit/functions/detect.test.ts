/** detect, through functions-framework, with KafkaSource-shaped CloudEvents and an in-memory state store. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/core/alert.js';
import type { BarBatch } from '../../../shared/pipeline/barBatch.js';
import { setDetectDependencies } from '../../../functions/detect/index.js';
import { configFor } from '../../helpers/read.js';
import { serveFunction } from '../../helpers/functionServer.js';
import { MemoryStateStore } from '../../helpers/memoryStateStore.js';

const T0 = Date.parse('2017-01-02T03:45:00Z') / 60_000;

/** A batch of one symbol: closes and volumes for consecutive minutes from 03:45 UTC. */
function batch(seq: number, bars: Array<[number, string, string]>, generation = '1'): BarBatch {
  return {
    v: 1,
    symbol: 'ACME',
    object: 'ACME__EQ__NSE__NSE__MINUTE.csv',
    generation,
    seq,
    of: 2,
    bars: bars.map(([minute, close, volume], i) => [T0 + minute, close, close, close, close, volume, i + 2]),
  };
}

function kafkaSourceHeaders(offset: number): Record<string, string> {
  return {
    'ce-specversion': '1.0',
    'ce-id': `partition:3/offset:${offset}`,
    'ce-type': 'dev.knative.kafka.event',
    'ce-source': '/apis/v1/namespaces/default/kafkasources/stock-anomalies#minute-bars',
    'ce-subject': `partition:3#${offset}`,
    'ce-time': '2026-11-25T12:00:00.000Z',
    'ce-key': 'ACME',
    'content-type': 'application/json',
  };
}

let server: { url: string; close: () => Promise<void> };
let store: MemoryStateStore;
let published: Alert[][];

async function post(body: unknown, offset = 0, contentType?: string): Promise<number> {
  const headers = kafkaSourceHeaders(offset);
  if (contentType) headers['content-type'] = contentType;
  const response = await fetch(server.url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  server = await serveFunction('detect');
});
afterAll(async () => {
  setDetectDependencies(undefined);
  await server.close();
});
beforeEach(() => {
  store = new MemoryStateStore();
  published = [];
  setDetectDependencies({
    config: configFor(),
    store,
    publish: async (alerts) => void published.push(alerts),
  });
});

const minutes = (alerts: Alert[][]) =>
  alerts.flat().map((alert) => `${alert.timestamp.slice(11, 16)} ${alert.rules}`);

describe('detect', () => {
  it('runs the rules from where the symbol left off, across batches', async () => {
    expect(
      await post(
        batch(0, [
          [0, '100', '10'],
          [1, '100', '10'],
        ]),
      ),
    ).toBe(204);
    // 03:47 is +1% on the previous batch's last close and 30 > 1.02 × 10.
    expect(
      await post(
        batch(1, [
          [2, '101', '30'],
          [3, '101', '30'],
        ]),
        1,
      ),
    ).toBe(204);
    expect(minutes(published)).toEqual(['03:47 A1,A2', '03:48 A2']);
    expect(published[0]![0]!.source).toEqual({
      object: 'ACME__EQ__NSE__NSE__MINUTE.csv',
      generation: '1',
      line: 2,
    });
    expect(store.rows.get('ACME')).toMatchObject({
      alertCount: 2,
      lastBatch: 'ACME__EQ__NSE__NSE__MINUTE.csv@1#1',
    });
  });

  it('accepts the record value as raw bytes too', async () => {
    expect(
      await post(Buffer.from(JSON.stringify(batch(0, [[0, '100', '10']]))), 0, 'application/octet-stream'),
    ).toBe(204);
    expect(store.rows.get('ACME')?.state.lastClose).toBe('100');
  });

  it('skips a redelivered batch entirely, and counts re-sent minutes as late', async () => {
    const first = batch(0, [
      [0, '100', '10'],
      [1, '102', '10'],
    ]);
    await post(first);
    await post(first); // same record again: recognised, no second tally
    await post(
      batch(
        0,
        [
          [0, '100', '10'],
          [1, '102', '10'],
        ],
        '2',
      ),
    ); // same bars, new generation: late
    expect(minutes(published)).toEqual(['03:46 A1']);
    expect(store.tallies.map(({ processed, late, alerts }) => ({ processed, late, alerts }))).toEqual([
      { processed: 2, late: 0, alerts: 1 },
      { processed: 0, late: 2, alerts: 0 },
    ]);
  });

  it('loses no alert when it crashes between publishing and committing: the retry publishes again', async () => {
    store.failNextCommits = 1;
    const record = batch(0, [
      [0, '100', '10'],
      [1, '102', '10'],
    ]);
    expect(await post(record)).toBe(500);
    expect(await post(record)).toBe(204);
    expect(minutes(published)).toEqual(['03:46 A1', '03:46 A1']); // the same alert twice: notify overwrites
    expect(store.rows.get('ACME')?.alertCount).toBe(1);
  });

  it('re-reads and re-runs when another delivery committed the symbol first', async () => {
    const original = store.load.bind(store);
    let raced = false;
    store.load = async (symbol) => {
      const read = await original(symbol);
      if (!raced) {
        raced = true;
        // Another instance commits between this delivery's read and its commit.
        await store.commit(
          symbol,
          read,
          {
            state: { lastMinute: T0, lastClose: '100', window: [{ minute: T0, volume: '10' }] },
            alertCount: 0,
            lastBatch: 'x',
          },
          { ingestionId: 'x', processed: 1, late: 0, alerts: 0, a1: 0, a2: 0 },
        );
      }
      return read;
    };
    expect(
      await post(
        batch(1, [
          [0, '100', '10'],
          [1, '101', '10'],
        ]),
      ),
    ).toBe(204);
    // The second attempt starts from the other commit: 03:45 is late, 03:46 moves +1%.
    expect(store.tallies.at(-1)).toMatchObject({ processed: 1, late: 1, alerts: 1 });
  });

  it('answers 500 for a record that is not a bar batch, so the dispatcher retries then parks it', async () => {
    expect(await post('{"hello": 1}')).toBe(500);
    expect(await post('not json', 0, 'application/octet-stream')).toBe(500);
    expect(
      await post({
        ...batch(0, [
          [1, '100', '10'],
          [0, '100', '10'],
        ]),
      }),
    ).toBe(500); // minutes not ascending
    expect(published).toEqual([]);
  });
});
