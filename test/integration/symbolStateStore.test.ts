/**
 * FirestoreSymbolStateStore against the Firestore emulator: state committed under a precondition, the hold
 * and its queue (order, compression, release), and the figures `wait` reads. Each test uses a collection of
 * its own, so runs and the pipeline's own `symbol-state` never meet.
 */
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_STATE } from '../../shared/core/symbolState.js';
import { addTally } from '../../shared/state/ingestionStore.js';
import { FirestoreSymbolStateStore, StateConflictError } from '../../shared/state/symbolStateStore.js';
import { stackEndpoints } from '../../stack/endpoints.js';

const endpoints = stackEndpoints();
process.env.FIRESTORE_EMULATOR_HOST ??= endpoints.firestore.emulatorHost;
process.env.METADATA_SERVER_DETECTION = 'none';

const runId = `${Date.now().toString(36)}-${process.pid}`;
let db: Firestore;
let suite = 0;

function freshStore() {
  const n = suite++;
  const ingestions = `ingestions-state-test-${runId}-${n}`;
  return new FirestoreSymbolStateStore(db, `symbol-state-test-${runId}-${n}`, (batch, symbol, tally) =>
    addTally(batch, db, ingestions, symbol, tally),
  );
}

const state = (lastMinute: number, lastClose: string) => ({
  lastMinute,
  lastClose,
  window: [{ minute: lastMinute, volume: '10' }],
  episode: { start: lastMinute - 3, end: lastMinute, count: 2, a1: 1, a2: 2, peakSeverity: 1.5 },
});
const tally = {
  ingestionId: 'A.csv@1',
  processed: 1,
  late: 0,
  repeats: 0,
  tooLate: 0,
  alerts: 1,
  a1: 1,
  a2: 0,
  revised: 0,
  withdrawn: 0,
};
const record = (identity: string, value: string) => ({
  identity,
  eventId: `partition:0/offset:${identity}`,
  value: Buffer.from(value),
  object: 'A.csv',
  generation: '1',
});

beforeAll(() => {
  db = new Firestore({ projectId: endpoints.project });
});
afterAll(async () => {
  await db.terminate();
});

describe('FirestoreSymbolStateStore', () => {
  it('reads an unknown symbol as the empty state, and creates it on the first commit', async () => {
    const store = freshStore();
    const read = await store.load('ACME');
    expect(read).toEqual({
      state: EMPTY_STATE,
      alertCount: 0,
      commits: 0,
      lastBatch: null,
      recent: [],
      hold: null,
      version: undefined,
    });
    await store.commit(
      'ACME',
      read,
      { state: state(100, '10.5'), alertCount: 1, commits: 1, lastBatch: 'A.csv@1#0', recent: [] },
      tally,
    );
    expect(await store.load('ACME')).toMatchObject({
      state: state(100, '10.5'),
      alertCount: 1,
      commits: 1,
      lastBatch: 'A.csv@1#0',
      hold: null,
    });
    expect(await store.summaries()).toEqual([
      { symbol: 'ACME', lastMinute: 100, held: false, alertCount: 1 },
    ]);
  });

  it('refuses a commit from a stale read with StateConflictError, also for the first write', async () => {
    const store = freshStore();
    const stale = await store.load('ACME');
    await store.commit(
      'ACME',
      stale,
      { state: state(1, '1'), alertCount: 0, commits: 1, lastBatch: 'x#0', recent: [] },
      tally,
    );
    const next = { state: state(2, '2'), alertCount: 0, commits: 1, lastBatch: 'x#1', recent: [] };
    await expect(store.commit('ACME', stale, next, tally)).rejects.toBeInstanceOf(StateConflictError);
    const fresh = await store.load('ACME');
    await store.commit('ACME', fresh, next, tally);
    await expect(store.commit('ACME', fresh, next, tally)).rejects.toBeInstanceOf(StateConflictError);
  });

  it('lands companion writes with the commit, past the room of one commit too, and none from a stale read', async () => {
    const store = freshStore();
    const others = db.collection(`companions-test-${runId}-${suite}`);
    const writes = (tag: string, n: number) =>
      Array.from({ length: n }, (_, i) => (batch: FirebaseFirestore.WriteBatch) => {
        batch.set(others.doc(`${tag}-${i}`), { tag, i });
      });
    const stale = await store.load('ACME');
    // More than COMPANIONS_PER_COMMIT: two commits ahead of the state's, then the state's.
    await store.commit(
      'ACME',
      stale,
      { state: state(1, '1'), alertCount: 0, commits: 1, lastBatch: 'x#0', recent: [] },
      tally,
      undefined,
      writes('first', 1200),
    );
    expect((await others.where('tag', '==', 'first').count().get()).data().count).toBe(1200);
    expect((await store.load('ACME')).state).toEqual(state(1, '1'));
    // The stale read (the symbol was never stored then) loses, with none of its companions written.
    const next = { state: state(2, '2'), alertCount: 0, commits: 1, lastBatch: 'x#1', recent: [] };
    await expect(
      store.commit('ACME', stale, next, tally, undefined, writes('late', 700)),
    ).rejects.toBeInstanceOf(StateConflictError);
    const fresh = await store.load('ACME');
    await store.commit('ACME', fresh, next, tally, undefined, writes('second', 600));
    await expect(
      store.commit('ACME', fresh, next, tally, undefined, writes('stale', 600)),
    ).rejects.toBeInstanceOf(StateConflictError);
    expect((await others.where('tag', 'in', ['late', 'stale']).count().get()).data().count).toBe(0);
    expect((await others.where('tag', '==', 'second').count().get()).data().count).toBe(600);
    expect((await store.load('ACME')).state).toEqual(state(2, '2'));
  });

  it('holds a symbol, queues in order, keeps each value byte for byte, and releases with the last', async () => {
    const store = freshStore();
    await store.hold('ACME', await store.load('ACME'), record('h', 'not a batch'), 'BarBatchError: not JSON');
    await store.hold('ACME', await store.load('ACME'), record('b1', '{"v":1}'), 'BarBatchError: not JSON');
    await store.hold(
      'ACME',
      await store.load('ACME'),
      record('b2', 'x'.repeat(300_000)),
      'BarBatchError: not JSON',
    );
    const held = await store.load('ACME');
    expect(held.hold).toMatchObject({
      head: 'h',
      waiting: 3,
      nextSeq: 3,
      lastQueued: 'b2',
      reason: 'BarBatchError: not JSON',
    });
    expect(held.state).toEqual(EMPTY_STATE);
    const queue = await store.heldRecords('ACME', 10);
    expect(queue.map((r) => [r.seq, r.identity, r.value.length])).toEqual([
      [0, 'h', 11],
      [1, 'b1', 7],
      [2, 'b2', 300_000],
    ]);
    expect((await store.heldSymbols()).map((entry) => [entry.symbol, entry.records.length])).toEqual([
      ['ACME', 3],
    ]);

    // A resume fails on the head: still held, for the new reason.
    await store.keepHeld('ACME', held, 'h', 'still broken');
    expect((await store.load('ACME')).hold).toMatchObject({ head: 'h', reason: 'still broken', waiting: 3 });

    // Each record detected in turn leaves the queue in the same commit as its state.
    for (const [i, seq] of [0, 1, 2].entries()) {
      const read = await store.load('ACME');
      await store.commit(
        'ACME',
        read,
        { state: state(10 + i, '1'), alertCount: i, commits: i + 1, lastBatch: `A.csv@1#${i}`, recent: [] },
        tally,
        seq,
      );
    }
    const released = await store.load('ACME');
    expect(released.hold).toBeNull();
    expect(released.state).toEqual(state(12, '1'));
    expect(await store.heldRecords('ACME', 10)).toEqual([]);
    expect(await store.heldSymbols()).toEqual([]);
  });
});
