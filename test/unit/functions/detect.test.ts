/**
 * detect, through functions-framework, with KafkaSource-shaped CloudEvents and an in-memory state store: what
 * it answers the dispatcher (200 done, 422 never, 503 not now) and what it detects, holds and resumes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/core/alert.js';
import type { BarBatch } from '../../../shared/pipeline/barBatch.js';
import { setDetectDependencies, setDetectLogger } from '../../../functions/detect/index.js';
import { RESUME_BATCHES_PER_REQUEST } from '../../../functions/detect/detectRecord.js';
import { StateFormatError } from '../../../shared/core/symbolState.js';
import { cloudEventHeaders } from '../../../functions/dispatcher/dispatcher.js';
import { configFor } from '../../helpers/read.js';
import { emptyCounts } from '../../../shared/core/rules.js';
import { serveFunction } from '../../helpers/functionServer.js';
import { capturingLogger, LABELS, type LogEntry } from '../../helpers/logCapture.js';
import { MemoryStateStore } from '../../helpers/memoryStateStore.js';
import { MemoryBarHistory } from '../../helpers/memoryBarHistory.js';
import type { DetectDependencies } from '../../../functions/detect/detectBarBatch.js';

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

function kafkaSourceHeaders(offset: number, key = 'ACME'): Record<string, string> {
  return {
    'ce-specversion': '1.0',
    'ce-id': `partition:3/offset:${offset}`,
    'ce-type': 'dev.knative.kafka.event',
    'ce-source': '/apis/v1/namespaces/default/kafkasources/stock-anomalies#minute-bars',
    'ce-subject': `partition:3#${offset}`,
    'ce-time': '2026-11-25T12:00:00.000Z',
    'ce-key': key,
    'content-type': 'application/json',
  };
}

let server: { url: string; close: () => Promise<void> };
let store: MemoryStateStore;
let published: Alert[][];
/** Every entry detect logged. */
let entries: LogEntry[];

/** Posts a record as the dispatcher does; answers the status, the body is kept in `lastAnswer`. */
async function post(
  body: unknown,
  offset = 0,
  contentType?: string,
  extra: Record<string, string | undefined> = {},
): Promise<number> {
  const headers: Record<string, string> = { ...kafkaSourceHeaders(offset) };
  if (contentType) headers['content-type'] = contentType;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  const response = await fetch(server.url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  lastAnswer = (await response.json()) as Record<string, unknown>;
  return response.status;
}

/** The resume record redrive sends for a held symbol. */
const resume = (offset: number) =>
  post(Buffer.alloc(0), offset, 'application/octet-stream', { 'ce-control': 'resume' });

let lastAnswer: Record<string, unknown> = {};

beforeAll(async () => {
  server = await serveFunction('detect');
});
afterAll(async () => {
  setDetectDependencies(undefined);
  setDetectLogger(undefined);
  await server.close();
});
/** The bars each batch stores, for a late bar's revision to read back (as detect's `bars/` documents). */
let history = new MemoryBarHistory();

function withHistory(): Pick<DetectDependencies, 'history' | 'companions'> {
  return {
    history,
    companions: async (_episodes, days) => history.writes(days),
  };
}

beforeEach(() => {
  history = new MemoryBarHistory();
  store = new MemoryStateStore();
  published = [];
  const captured = capturingLogger('detect', { project: 'p1' });
  entries = captured.entries;
  setDetectLogger(captured.logger);
  setDetectDependencies({
    config: configFor(),
    store,
    ...withHistory(),
    publish: async (alerts) => void published.push(alerts.map(({ alert }) => alert)),
  });
});

const minutes = (alerts: Alert[][]) =>
  alerts.flat().map((alert) => `${alert.timestamp.slice(11, 16)} ${alert.rules}`);

describe('detect', () => {
  it('detects a late bar in its place, publishing the alert it raises and withdrawing the one it undoes', async () => {
    const revisions: Array<{ change: string; minute: string; version: number }> = [];
    setDetectDependencies({
      config: configFor(),
      store,
      ...withHistory(),
      now: () => new Date('2024-03-05T10:00:00Z'),
      publish: async (alerts, version) => {
        for (const { alert, change } of alerts) {
          revisions.push({ change, minute: alert.timestamp.slice(11, 16), version });
        }
      },
    });
    // 100 at 03:45, 101 at 03:47: +1% fires A1 at 03:47 (flat volume: A2 never fires).
    expect(
      await post(
        batch(0, [
          [0, '100', '10'],
          [2, '101', '10'],
        ]),
        0,
      ),
    ).toBe(200);
    // 03:46 at 100.6 comes in another object: +0.6% from 03:45 fires; 03:47 is +0.397% from it and no longer does.
    expect(await post({ ...batch(0, [[1, '100.6', '10']], '2'), object: 'BACKFILL.csv', of: 1 }, 1)).toBe(
      200,
    );
    expect(lastAnswer).toMatchObject({ outcome: 'detected', processed: 1, late: 1, alerts: 1 });
    expect(revisions).toEqual([
      { change: 'new', minute: '03:47', version: 1 },
      { change: 'late', minute: '03:46', version: 2 },
      { change: 'withdrawn', minute: '03:47', version: 2 },
    ]);
    expect(store.tallies.at(-1)).toMatchObject({
      processed: 1,
      late: 1,
      alerts: 1,
      revised: 0,
      withdrawn: 1,
    });
    // One alert stands: raised 2, withdrawn 1.
    expect(await store.load('ACME')).toMatchObject({
      alertCount: 1,
      commits: 2,
      state: { lastMinute: T0 + 2 },
    });
  });

  it('runs the rules from where the symbol left off, across batches', async () => {
    expect(
      await post(
        batch(0, [
          [0, '100', '10'],
          [1, '100', '10'],
        ]),
      ),
    ).toBe(200);
    // 03:47 is +1% on the previous batch's last close and 30 > 1.02 × 10.
    expect(
      await post(
        batch(1, [
          [2, '101', '30'],
          [3, '101', '30'],
        ]),
        1,
      ),
    ).toBe(200);
    expect(minutes(published)).toEqual(['03:47 A1,A2', '03:48 A2']);
    expect(published[0]![0]!.source).toEqual({
      object: 'ACME__EQ__NSE__NSE__MINUTE.csv',
      generation: '1',
      line: 2,
    });
    expect(await store.load('ACME')).toMatchObject({
      alertCount: 2,
      lastBatch: 'ACME__EQ__NSE__NSE__MINUTE.csv@1#1',
      recent: [{ object: 'ACME__EQ__NSE__NSE__MINUTE.csv@1/2', seq: 1 }],
    });
  });

  it('hands its commit the episodes each batch touched, as they stand, and the bars it processed', async () => {
    const handed: Array<{ episodes: unknown[]; minutes: string[] }> = [];
    setDetectDependencies({
      config: configFor(),
      store,
      ...withHistory(),
      publish: async (alerts) => void published.push(alerts.map(({ alert }) => alert)),
      companions: async (episodes, days) => {
        handed.push({
          episodes: [...episodes],
          minutes: days.flatMap((day) => day.bars.map(([minute]) => String(minute))),
        });
        return history.writes(days);
      },
    });
    await post(
      batch(0, [
        [0, '100', '10'],
        [1, '100', '10'],
      ]),
    );
    await post(
      batch(1, [
        [2, '101', '30'],
        [3, '101', '30'],
      ]),
      1,
    );
    // 03:48 is a repeat the second time; 03:55 is −0.990099% (severity 1.980198), 7 minutes after 03:48: a new episode.
    await post(
      batch(2, [
        [3, '101', '30'],
        [10, '100', '10'],
      ]),
      2,
    );
    expect(handed).toEqual([
      { episodes: [], minutes: [String(T0), String(T0 + 1)] },
      {
        // 03:47: max(1% / 0.5%, 30 / (10 × 1.02)) = 2.941176; 03:48: 30 / (mean 50/3 × 1.02) = 1.764706.
        episodes: [
          {
            kind: 'updated',
            episode: {
              symbol: 'ACME',
              start: '2017-01-02T03:47:00Z',
              end: '2017-01-02T03:48:00Z',
              count: 2,
              a1: 1,
              a2: 2,
              peakSeverity: 2.941176,
            },
          },
        ],
        minutes: [String(T0 + 2), String(T0 + 3)],
      },
      {
        episodes: [
          {
            kind: 'updated',
            episode: {
              symbol: 'ACME',
              start: '2017-01-02T03:55:00Z',
              end: '2017-01-02T03:55:00Z',
              count: 1,
              a1: 1,
              a2: 0,
              peakSeverity: 1.980198,
            },
          },
        ],
        minutes: [String(T0 + 10)],
      },
    ]);
    expect(published.flat().map((alert) => [alert.severity, alert.episodeStart])).toEqual([
      [2.941176, '2017-01-02T03:47:00Z'],
      [1.764706, '2017-01-02T03:47:00Z'],
      [1.980198, '2017-01-02T03:55:00Z'],
    ]);
  });

  it('accepts the record value as raw bytes too', async () => {
    expect(
      await post(Buffer.from(JSON.stringify(batch(0, [[0, '100', '10']]))), 0, 'application/octet-stream'),
    ).toBe(200);
    expect((await store.load('ACME')).state.lastClose).toBe('100');
  });

  it('skips a redelivered batch entirely, and counts re-sent minutes as repeats (contract §2)', async () => {
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
    ); // same bars, new generation: repeats
    expect(minutes(published)).toEqual(['03:46 A1']);
    expect(
      store.tallies.map(({ processed, late, repeats, alerts }) => ({ processed, late, repeats, alerts })),
    ).toEqual([
      { processed: 2, late: 0, repeats: 0, alerts: 1 },
      { processed: 0, late: 0, repeats: 2, alerts: 0 },
    ]);
  });

  it('recognises every batch of an object delivered again after later ones, not only the last', async () => {
    const batches = [0, 1, 2].map((seq) => batch(seq, [[seq, seq === 1 ? '102' : '100', '10']]));
    for (const [offset, record] of batches.entries()) expect(await post(record, offset)).toBe(200);
    // A restart before the commit delivers the partition again from the first of them.
    for (const [offset, record] of batches.entries()) {
      expect(await post(record, offset)).toBe(200);
      expect(lastAnswer).toMatchObject({ outcome: 'redelivered' });
    }
    expect(store.tallies.map(({ processed, late }) => ({ processed, late }))).toEqual([
      { processed: 1, late: 0 },
      { processed: 1, late: 0 },
      { processed: 1, late: 0 },
    ]);
  });

  it('detects an object split anew (another batch size) after a failed attempt, its repeated minutes repeats', async () => {
    // Attempt 1 split the object in two batches and got the first through.
    expect(await post(batch(0, [[0, '100', '10']]), 0)).toBe(200);
    // Attempt 2, after BATCH_MINUTES changed, splits it in one: its seq 0 covers other minutes too.
    const whole = {
      ...batch(0, [
        [0, '100', '10'],
        [1, '102', '10'],
      ]),
      of: 1,
    };
    expect(await post(whole, 1)).toBe(200);
    expect(lastAnswer).toMatchObject({ outcome: 'detected', processed: 1, late: 0, alerts: 1 });
    expect(store.tallies.at(-1)).toMatchObject({ processed: 1, repeats: 1, alerts: 1 });
    expect(minutes(published)).toEqual(['03:46 A1']);
  });

  it('loses no alert when it crashes between publishing and committing: the retry publishes again', async () => {
    store.failNextCommits = 1;
    const record = batch(0, [
      [0, '100', '10'],
      [1, '102', '10'],
    ]);
    expect(await post(record)).toBe(503);
    expect(lastAnswer).toMatchObject({ outcome: 'retry' });
    expect(await post(record)).toBe(200);
    expect(minutes(published)).toEqual(['03:46 A1', '03:46 A1']); // the same alert twice: notify overwrites
    expect((await store.load('ACME')).alertCount).toBe(1);
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
            state: {
              lastMinute: T0,
              lastClose: '100',
              window: [{ minute: T0, volume: '10' }],
              episode: null,
            },
            alertCount: 0,
            commits: 1,
            lastBatch: 'x',
            recent: [],
          },
          { ingestionId: 'x', ...emptyCounts(), processed: 1, revised: 0, withdrawn: 0 },
          undefined,
          history.writes([
            {
              symbol,
              day: '2017-01-02',
              hour: '2017-01-02T03',
              bars: [[T0, 100, 100, 100, 100, 10]],
              exact: {
                sources: [{ object: 'x', generation: '1' }],
                bars: [[T0, '100', '100', '100', '100', '10', 2, 0]],
              },
            },
          ]).writes,
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
    ).toBe(200);
    // The second attempt starts from the other commit: 03:45 is a repeat of its bar, 03:46 moves +1%.
    expect(store.tallies.at(-1)).toMatchObject({ processed: 1, late: 0, repeats: 1, alerts: 1 });
  });

  it('answers 503 while Firestore is unavailable, and detects the record once it is back', async () => {
    store.failNextLoads = 2;
    const record = batch(0, [
      [0, '100', '10'],
      [1, '102', '10'],
    ]);
    expect(await post(record)).toBe(503);
    expect(lastAnswer).toMatchObject({ outcome: 'retry', reason: expect.stringContaining('UNAVAILABLE') });
    expect(await post(record)).toBe(503);
    expect(await post(record)).toBe(200);
    expect(minutes(published)).toEqual(['03:46 A1']);
    // One WARNING a retry, naming the record and its symbol; nothing for the record detected.
    expect(entries).toEqual([
      ...[1, 2].map(() =>
        expect.objectContaining({
          severity: 'WARNING',
          message: 'record to be retried',
          outcome: 'retry',
          error: { name: 'Error', message: 'Error: 14 UNAVAILABLE: simulated outage' },
          [LABELS]: { component: 'detect', event: 'partition:3/offset:0', symbol: 'ACME' },
        }),
      ),
    ]);
  });

  it('answers 422 at once for a record that is not a bar batch, and holds its symbol', async () => {
    expect(await post('{"hello": 1}')).toBe(422);
    expect(lastAnswer).toMatchObject({
      outcome: 'final',
      error: 'BarBatchError',
      symbol: 'ACME',
      held: true,
    });
    expect(await post('not json', 1, 'application/octet-stream')).toBe(200);
    expect(lastAnswer).toMatchObject({ outcome: 'held', behind: 'partition:3/offset:0', waiting: 2 });
    expect(published).toEqual([]);
    expect(entries).toEqual([
      {
        severity: 'ERROR',
        message: 'record can never be detected',
        component: 'detect',
        outcome: 'final',
        error: { name: 'BarBatchError', message: expect.stringMatching(/^BarBatchError: /) },
        symbol: 'ACME',
        held: true,
        [LABELS]: { component: 'detect', event: 'partition:3/offset:0', symbol: 'ACME' },
      },
      {
        severity: 'INFO',
        message: 'held',
        component: 'detect',
        outcome: 'held',
        symbol: 'ACME',
        behind: 'partition:3/offset:0',
        waiting: 2,
        [LABELS]: { component: 'detect', event: 'partition:3/offset:1', symbol: 'ACME' },
      },
    ]);
  });

  it('holds the symbol of a malformed JSON record the dispatcher sends, even one the record calls JSON', async () => {
    // The dispatcher's own headers for a record ingest would mark application/json.
    const headers = cloudEventHeaders({
      topic: 'minute-bars',
      partition: 3,
      message: {
        key: Buffer.from('ACME'),
        value: Buffer.from('{"v":1,"sym'),
        offset: '9',
        timestamp: '0',
        headers: { 'content-type': Buffer.from('application/json') },
      },
    });
    const response = await fetch(server.url, { method: 'POST', headers, body: '{"v":1,"sym' });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ outcome: 'final', error: 'BarBatchError', held: true });
    expect((await store.heldSymbols()).map((entry) => entry.symbol)).toEqual(['ACME']);
  });

  it('detects a batch of a unicode symbol the dispatcher sends, its key percent-encoded in the header', async () => {
    const value = JSON.stringify({ ...batch(0, [[0, '100', '10']]), symbol: '株✓ A' });
    const headers = cloudEventHeaders({
      topic: 'minute-bars',
      partition: 3,
      message: {
        key: Buffer.from('株✓ A'),
        value: Buffer.from(value),
        offset: '11',
        timestamp: '0',
        headers: {},
      },
    });
    expect(headers['ce-key']).toBe('%E6%A0%AA%E2%9C%93%20A');
    const response = await fetch(server.url, { method: 'POST', headers, body: value });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: 'detected', processed: 1 });
  });

  it('answers a batch with a bar that is not an array as a malformed batch, not a bug', async () => {
    expect(await post({ ...batch(0, [[0, '100', '10']]), bars: [null] })).toBe(422);
    expect(lastAnswer).toMatchObject({
      error: 'BarBatchError',
      reason: expect.stringMatching(/^BarBatchError: bars must be/),
    });
  });

  it('answers 422 for batches whose minutes are not ascending, or whose symbol is not the key', async () => {
    const descending = batch(0, [
      [1, '100', '10'],
      [0, '100', '10'],
    ]);
    expect(await post(descending)).toBe(422);
    expect(lastAnswer.reason).toMatch(/ascending minutes/);
    store = new MemoryStateStore();
    setDetectDependencies({
      config: configFor(),
      store,
      ...withHistory(),
      publish: async (alerts) => void published.push(alerts.map(({ alert }) => alert)),
    });
    expect(await post({ ...batch(0, [[0, '100', '10']]), symbol: 'OTHER' })).toBe(422);
    expect(lastAnswer.reason).toMatch(/a batch of 'OTHER' under the key 'ACME'/);
  });

  it('answers 422 without holding for a record with no key: no symbol to hold', async () => {
    expect(await post(batch(0, [[0, '100', '10']]), 0, undefined, { 'ce-key': undefined })).toBe(422);
    expect(lastAnswer).toMatchObject({ outcome: 'final', error: 'EventError', held: false });
    expect(store.rows.size).toBe(0);
    expect(entries.map((entry) => entry[LABELS])).toEqual([
      { component: 'detect', event: 'partition:3/offset:0' },
    ]);
  });

  it('answers 422 for a request that is not a CloudEvent', async () => {
    const response = await fetch(server.url, { method: 'POST', body: 'x' });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: 'EventError' });
    expect(entries).toEqual([
      expect.objectContaining({ severity: 'ERROR', [LABELS]: { component: 'detect' } }),
    ]);
  });

  it("puts a delivery's lines under the trace of its request, in GOOGLE_CLOUD_PROJECT's traces", async () => {
    const traceparent = `00-${'6d'.repeat(16)}-${'0c0d'.repeat(4)}-01`;
    expect(await post('{"hello": 1}', 0, undefined, { traceparent })).toBe(422);
    expect(entries).toEqual([
      expect.objectContaining({
        message: 'record can never be detected',
        'logging.googleapis.com/trace': `projects/p1/traces/${'6d'.repeat(16)}`,
        'logging.googleapis.com/spanId': '0c0d'.repeat(4),
        'logging.googleapis.com/trace_sampled': true,
      }),
    ]);
  });

  it('reports a bug as a programming error, holds the symbol, and never calls it a data problem', async () => {
    setDetectDependencies({
      config: configFor(),
      store,
      ...withHistory(),
      publish: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'topic')");
      },
    });
    expect(
      await post(
        batch(0, [
          [0, '100', '10'],
          [1, '102', '10'],
        ]),
      ),
    ).toBe(422);
    expect(lastAnswer).toMatchObject({
      outcome: 'final',
      error: 'TypeError',
      reason: "programming error: TypeError: Cannot read properties of undefined (reading 'topic')",
      held: true,
    });
  });

  it('holds later batches of a held symbol in order, and a resume detects them as if never held', async () => {
    // Prepare: 03:45 detected; then a batch detect cannot take (a bug, fixed below); then two more.
    expect(await post(batch(0, [[0, '100', '10']]), 0)).toBe(200);
    let broken = true;
    setDetectDependencies({
      config: configFor(),
      store,
      ...withHistory(),
      publish: async (alerts) => {
        if (broken) throw new TypeError('publish is broken');
        published.push(alerts.map(({ alert }) => alert));
      },
    });
    const second = batch(1, [[1, '101', '30']]); // +1% and 30 > 1.02 × 10: A1 and A2
    const third = batch(2, [[2, '101', '10']]); // no move; 10 < 1.02 × mean(10, 30)
    const fourth = batch(3, [[3, '99', '50']]); // −1.98% and 50 > 1.02 × mean(10, 30, 10)
    expect(await post(second, 1)).toBe(422);
    expect(await post(third, 2)).toBe(200);
    expect(lastAnswer).toMatchObject({ outcome: 'held', waiting: 2 });
    expect(await post(fourth, 3)).toBe(200);
    expect(await post(fourth, 3)).toBe(200); // redelivered: not queued twice
    expect(lastAnswer).toMatchObject({ outcome: 'held', waiting: 3 });
    expect(await post(second, 1)).toBe(422); // the head again: final again, so that it is parked
    expect(published).toEqual([]);
    expect((await store.heldSymbols())[0]).toMatchObject({
      symbol: 'ACME',
      hold: { head: 'ACME__EQ__NSE__NSE__MINUTE.csv@1#1', waiting: 3 },
    });
    expect((await store.heldSymbols())[0]!.records.map((record) => record.seq)).toEqual([0, 1, 2]);

    // Act: the cause is fixed; redrive's resume.
    broken = false;
    expect(await resume(4)).toBe(200);

    // Assess: the same alerts as without the hold, in order, and the symbol released.
    expect(lastAnswer).toMatchObject({ outcome: 'resumed', batches: 3 });
    expect(minutes(published)).toEqual(['03:46 A1,A2', '03:48 A1,A2']);
    expect(await store.heldSymbols()).toEqual([]);
    expect(await post(batch(4, [[4, '99', '10']]), 5)).toBe(200);
    expect(lastAnswer).toMatchObject({ outcome: 'detected', processed: 1 });
  });

  it('queues a record delivered again after a restart once, whichever place it has in the queue', async () => {
    expect(await post('{"not":"a batch"}', 0)).toBe(422);
    const second = batch(1, [[1, '100', '10']]);
    const third = batch(2, [[2, '100', '10']]);
    expect(await post(second, 1)).toBe(200);
    expect(await post(third, 2)).toBe(200);
    // The dispatcher restarted before committing: both come again, in order.
    expect(await post(second, 1)).toBe(200);
    expect(await post(third, 2)).toBe(200);
    expect(lastAnswer).toMatchObject({ outcome: 'held', waiting: 3 });
    expect((await store.heldSymbols())[0]!.records.map((record) => record.identity)).toEqual([
      'partition:3/offset:0',
      'ACME__EQ__NSE__NSE__MINUTE.csv@1#1',
      'ACME__EQ__NSE__NSE__MINUTE.csv@1#2',
    ]);
  });

  it('answers 503, never parks, while the stored state of the symbol cannot be read', async () => {
    const original = store.load.bind(store);
    store.load = async () => {
      throw new StateFormatError('not a symbol state: window');
    };
    expect(await post(batch(0, [[0, '100', '10']]))).toBe(503);
    expect(lastAnswer).toMatchObject({
      outcome: 'retry',
      reason: expect.stringContaining('ACME: StateFormatError: not a symbol state: window; the record waits'),
    });
    store.load = original;
    expect(await post(batch(0, [[0, '100', '10']]))).toBe(200);
  });

  it.each([
    ['__X__, a form Firestore reserves', '__X__'],
    ['1,501 bytes, longer than a document id may be', 'L'.repeat(1501)],
  ])(
    'parks, without holding, every record of a symbol Firestore refuses as a document id (%s), and goes on',
    async (_, symbol) => {
      // Records an older ingest produced, or somebody by hand: the symbol's state document cannot exist.
      const refused = (seq: number, offset: number) =>
        post({ ...batch(seq, [[seq, '100', '10']]), symbol }, offset, undefined, { 'ce-key': symbol });
      expect(await refused(0, 0)).toBe(422);
      expect(lastAnswer).toMatchObject({
        outcome: 'final',
        error: 'RequestRefusedError',
        reason: expect.stringContaining('Firestore refused the request: 3 INVALID_ARGUMENT'),
        held: false,
      });
      // Not "not now": the next record of the symbol is answered the same, at once, and nothing was stored.
      expect(await refused(1, 1)).toBe(422);
      expect(lastAnswer).toMatchObject({ outcome: 'final', held: false });
      expect(store.rows.size).toBe(0);
      // The partition goes on: the next record, of another symbol, is detected.
      expect(
        await post(
          batch(0, [
            [0, '100', '10'],
            [1, '102', '10'],
          ]),
          2,
        ),
      ).toBe(200);
      expect(minutes(published)).toEqual(['03:46 A1']);
      expect(entries.filter((entry) => entry.severity === 'ERROR')).toHaveLength(2);
      expect(entries.filter((entry) => entry.severity === 'WARNING')).toEqual([]);
    },
  );

  it('parks a resume for a symbol Firestore refuses, rather than answering "not now" for ever', async () => {
    expect(
      await post(Buffer.alloc(0), 0, 'application/octet-stream', {
        'ce-control': 'resume',
        'ce-key': '__X__',
      }),
    ).toBe(422);
    expect(lastAnswer).toMatchObject({ outcome: 'final', error: 'RequestRefusedError', held: false });
  });

  it('works through a long queue over several resume requests, in order', async () => {
    expect(await post('{"not":"a batch"}', 0)).toBe(422);
    const total = RESUME_BATCHES_PER_REQUEST + 5;
    for (let i = 1; i <= total; i++) {
      // Closes alternate 100, 101: every bar moves 1% on the one before, so each raises A1.
      expect(await post(batch(i, [[i, i % 2 === 0 ? '100' : '101', '10']]), i)).toBe(200);
    }
    // The poison at the head is dropped by an operator (redrive --discard-head) before the resume.
    const held = await store.load('ACME');
    await store.discard('ACME', held, 0);
    expect(await resume(total + 1)).toBe(503);
    expect(lastAnswer.reason).toMatch(/resumed 50 held records, 5 still waiting; continuing/);
    expect(await resume(total + 1)).toBe(200);
    expect(lastAnswer).toMatchObject({ outcome: 'resumed', batches: 5 });
    // The first bar has no previous close; every later one moves 1%.
    expect(published.flat().map((alert) => alert.timestamp)).toEqual(
      Array.from({ length: total - 1 }, (_, i) =>
        new Date((T0 + i + 2) * 60_000).toISOString().replace('.000', ''),
      ),
    );
    expect(await store.heldSymbols()).toEqual([]);
  });

  it('keeps a symbol held when its head still cannot be detected on resume, and answers 422', async () => {
    expect(await post('{"not":"a batch"}', 0)).toBe(422);
    expect(await post(batch(0, [[0, '100', '10']]), 1)).toBe(200);
    expect(await resume(2)).toBe(422);
    expect(lastAnswer).toMatchObject({ outcome: 'final', error: 'BarBatchError', held: true });
    expect((await store.heldSymbols())[0]?.hold.waiting).toBe(2);
    expect(published).toEqual([]);
  });

  it('answers a resume for a symbol that is not held as done, detecting nothing', async () => {
    expect(await resume(0)).toBe(200);
    expect(lastAnswer).toMatchObject({ outcome: 'resumed', batches: 0 });
  });
});
