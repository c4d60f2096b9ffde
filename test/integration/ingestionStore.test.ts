/**
 * FirestoreIngestionStore against the Firestore emulator: the claim in its transaction, the lease, the three
 * ends of an ingestion, and `list` summing the tallies detect adds with addTally. Each run uses collections
 * of its own, so runs and the pipeline's own `ingestions` never meet.
 */
import { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyReport } from '../../shared/core/report.js';
import { FinalError, UnavailableError } from '../../shared/errors.js';
import {
  addTally,
  FirestoreIngestionStore,
  ingestionId,
  type IngestionObject,
} from '../../shared/state/ingestionStore.js';
import { stackEndpoints } from '../../stack/endpoints.js';

const endpoints = stackEndpoints();
process.env.FIRESTORE_EMULATOR_HOST ??= endpoints.firestore.emulatorHost;
process.env.METADATA_SERVER_DETECTION = 'none';

const runId = `${Date.now().toString(36)}-${process.pid}`;
let db: Firestore;
let suite = 0;

/** A store over a collection no other test touches. */
function freshStore(leaseMs = 60_000): { store: FirestoreIngestionStore; collection: string } {
  const collection = `ingestions-test-${runId}-${suite++}`;
  return { store: new FirestoreIngestionStore(db, collection, { leaseMs }), collection };
}

const T0 = Date.parse('2024-03-01T10:00:00Z');
const object = (name: string, generation = '1700000000000001'): IngestionObject => ({
  bucket: 'bucket',
  name,
  generation,
});

beforeAll(() => {
  db = new Firestore({ projectId: endpoints.project });
});
afterAll(async () => {
  await db.terminate();
});

describe('FirestoreIngestionStore', () => {
  it('claims a generation once; a second delivery under the lease is turned away', async () => {
    const { store } = freshStore();
    const acme = object('incoming/ACME.csv');
    const id = ingestionId('incoming/ACME.csv', '1700000000000001');
    expect(id).toBe('incoming%2FACME.csv@1700000000000001');

    expect(await store.claim(acme, T0)).toEqual({ claimed: true, id, attempts: 1 });
    expect(await store.claim(acme, T0 + 59_999)).toEqual({
      claimed: false,
      id,
      reason: 'running elsewhere until 2024-03-01T10:01:00.000Z',
      busy: true,
    });
    expect(await store.get(id)).toEqual({
      object: 'incoming/ACME.csv',
      bucket: 'bucket',
      generation: '1700000000000001',
      status: 'running',
      attempts: 1,
      startedAt: new Date(T0),
      leaseUntil: new Date(T0 + 60_000),
    });
  });

  it('lets a delivery take over once the lease has run out, counting the attempt', async () => {
    const { store } = freshStore();
    const acme = object('ACME.csv');
    await store.claim(acme, T0);
    const claim = await store.claim(acme, T0 + 60_000);
    expect(claim).toMatchObject({ claimed: true, attempts: 2 });
    expect((await store.get(claim.id))?.leaseUntil).toEqual(new Date(T0 + 120_000));
  });

  it('claims two concurrent deliveries of one generation exactly once', async () => {
    const { store } = freshStore();
    const claims = await Promise.all([store.claim(object('X.csv'), T0), store.claim(object('X.csv'), T0)]);
    expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
  });

  it('finishes: done with its report, batches and quarantine, never claimed again', async () => {
    const { store } = freshStore();
    const { id } = await store.claim(object('ACME.csv'), T0);
    const report = { ...emptyReport('ACME.csv'), dataRows: 3, accepted: 2, symbols: ['ACME'] };
    await store.finish(id, { report, batches: 1, quarantine: 'gs://bucket/quarantine/ACME.csv@1.csv' });
    const done = await store.get(id);
    expect(done).toMatchObject({
      status: 'done',
      report,
      batches: 1,
      quarantine: 'gs://bucket/quarantine/ACME.csv@1.csv',
      attempts: 1,
    });
    expect(done?.leaseUntil).toBeUndefined();
    expect(done?.finishedAt).toBeInstanceOf(Date);
    expect(await store.claim(object('ACME.csv'), T0 + 3_600_000)).toMatchObject({
      claimed: false,
      reason: 'already done',
    });
  });

  it('rejects: the error, the missing columns, an empty rejected report; never claimed again', async () => {
    const { store } = freshStore();
    const { id } = await store.claim(object('BROKEN.csv'), T0);
    const report = {
      ...emptyReport('BROKEN.csv'),
      status: 'rejected' as const,
      error: 'missing required columns: high',
    };
    await store.reject(id, report, 'missing required columns: high', ['high']);
    expect(await store.get(id)).toMatchObject({
      status: 'rejected',
      error: 'missing required columns: high',
      missingColumns: ['high'],
      report,
    });
    expect(await store.claim(object('BROKEN.csv'), T0 + 3_600_000)).toMatchObject({
      claimed: false,
      reason: 'already rejected',
    });
  });

  it('fails: the description and kind of the error, the lease released so that a redelivery retries', async () => {
    const { store } = freshStore();
    const { id } = await store.claim(object('ACME.csv'), T0);
    await store.fail(id, new UnavailableError('Kafka', 'broker not available'));
    const failed = await store.get(id);
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'UnavailableError: Kafka: broker not available',
      errorKind: 'retriable',
    });
    expect(failed?.leaseUntil).toBeUndefined();

    // Still within the first lease: the failure released it.
    const retry = await store.claim(object('ACME.csv'), T0 + 1000);
    expect(retry).toMatchObject({ claimed: true, attempts: 2 });
    const running = await store.get(id);
    expect(running).toMatchObject({ status: 'running', attempts: 2 });
    expect(running?.error).toBeUndefined();
    expect(running?.errorKind).toBeUndefined();

    await store.fail(id, new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(await store.get(id)).toMatchObject({
      error: "programming error: TypeError: Cannot read properties of undefined (reading 'x')",
      errorKind: 'programming',
    });
    await store.fail(id, new FinalError('Kafka refused the request: message too large'));
    expect(await store.get(id)).toMatchObject({
      error: 'FinalError: Kafka refused the request: message too large',
      errorKind: 'final',
    });
  });

  it('lists every ingestion with its symbols’ tallies summed, and tells statuses by id', async () => {
    const { store, collection } = freshStore();
    const acme = await store.claim(object('ACME.csv'), T0);
    const beta = await store.claim(object('BETA.csv'), T0);
    await store.finish(acme.id, { report: emptyReport('ACME.csv'), batches: 3, quarantine: null });

    const batch = db.batch();
    addTally(batch, db, collection, 'ACME', {
      ingestionId: acme.id,
      processed: 10,
      late: 1,
      repeats: 4,
      tooLate: 1,
      alerts: 2,
      a1: 2,
      a2: 0,
      revised: 3,
      withdrawn: 1,
    });
    addTally(batch, db, collection, 'ACME', {
      ingestionId: acme.id,
      processed: 5,
      late: 0,
      repeats: 1,
      tooLate: 0,
      alerts: 1,
      a1: 0,
      a2: 1,
      revised: 0,
      withdrawn: 2,
    });
    addTally(batch, db, collection, 'M&M/NSE', {
      ingestionId: acme.id,
      processed: 7,
      late: 2,
      repeats: 0,
      tooLate: 0,
      alerts: 3,
      a1: 1,
      a2: 3,
      revised: 0,
      withdrawn: 0,
    });
    await batch.commit();

    const tally = (
      await db.collection(collection).doc(acme.id).collection('symbols').doc('ACME').get()
    ).data();
    expect(tally).toMatchObject({
      symbol: 'ACME',
      batches: 2,
      processed: 15,
      late: 1,
      repeats: 5,
      tooLate: 1,
      alerts: 3,
      a1: 2,
      a2: 1,
      revised: 3,
      withdrawn: 3,
    });

    const listed = await store.list();
    expect(listed.map((ingestion) => [ingestion.id, ingestion.status, ingestion.detection])).toEqual([
      [
        'ACME.csv@1700000000000001',
        'done',
        {
          batches: 3,
          processed: 22,
          late: 3,
          repeats: 5,
          tooLate: 1,
          alerts: 6,
          a1: 3,
          a2: 4,
          revised: 3,
          withdrawn: 3,
        },
      ],
      [
        'BETA.csv@1700000000000001',
        'running',
        {
          batches: 0,
          processed: 0,
          late: 0,
          repeats: 0,
          tooLate: 0,
          alerts: 0,
          a1: 0,
          a2: 0,
          revised: 0,
          withdrawn: 0,
        },
      ],
    ]);
    expect(listed[0]).toMatchObject({ object: 'ACME.csv', generation: '1700000000000001', quarantine: null });

    expect(await store.statuses([beta.id, 'NOPE.csv@1', acme.id])).toEqual(
      new Map([
        [beta.id, 'running'],
        ['NOPE.csv@1', undefined],
        [acme.id, 'done'],
      ]),
    );
    expect(await store.statuses([])).toEqual(new Map());
  });
});
