/**
 * FirestoreAlertStore against the Firestore emulator of the local stack (`stock-anomalies stack up`). Each run
 * writes to a collection of its own, so runs neither see nor disturb each other or the stack's `alerts/`.
 */
import { Firestore, Timestamp } from '@google-cloud/firestore';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/core/alert.js';
import { alertId } from '../../shared/pipeline/documentIds.js';
import { feedAlertsOf, FirestoreAlertStore } from '../../shared/state/alertStore.js';
import { stackEndpoints } from '../../stack/endpoints.js';

const endpoints = stackEndpoints();
process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore.emulatorHost;
process.env.METADATA_SERVER_DETECTION = 'none';

const db = new Firestore({ projectId: endpoints.project });
const runId = `${Date.now().toString(36)}-${process.pid}`;
let collections = 0;
/** A store on a fresh collection, and that collection for reading behind the store's back. */
function freshStore() {
  const name = `alert-store-test-${runId}-${++collections}`;
  return { store: new FirestoreAlertStore(db, name), collection: db.collection(name) };
}

afterAll(async () => {
  await db.terminate();
});

function alertAt(symbol: string, minute: number, rules: Alert['rules'] = ['A1']): Alert {
  const timestamp = new Date(Date.UTC(2017, 0, 2, 3, 45 + minute)).toISOString().replace('.000Z', 'Z');
  return {
    symbol,
    timestamp,
    rules,
    open: 100,
    high: 102,
    low: 99,
    close: 101 + minute,
    volume: 10,
    ...(rules.includes('A1') && {
      a1: { prevClose: 100, prevTimestamp: '2017-01-02T03:44:00Z', changePct: 1, severity: 2 },
    }),
    ...(rules.includes('A2') && { a2: { avgVolume: 2, windowBars: 10, volumeRatio: null, severity: null } }),
    severity: rules.includes('A1') ? 2 : null,
    episodeStart: '2017-01-02T03:45:00Z',
    source: { object: `${symbol}.csv`, generation: '7', line: minute + 2 },
  };
}

const cause = { object: 'LATE.csv', generation: '9', at: '2024-03-05T10:00:00.000Z' };

/** A message of revisions, as detect publishes them for a batch with late bars. */
const revisions = (
  version: number,
  ...changes: Array<[Alert, 'new' | 'late' | 'revised' | 'withdrawn']>
) => ({
  v: 1 as const,
  alerts: changes.map(([alert]) => alert),
  version,
  changes: changes.map(([, change]) => change),
  cause,
});

describe('FirestoreAlertStore: revisions (contract §2)', () => {
  it('keeps the later version whatever order the messages come in, and tallies the alerts standing', async () => {
    const { store, collection } = freshStore();
    const original = alertAt('ACME', 1);
    const revised = { ...original, close: 103, severity: 3 };
    // The revision (version 2) arrives before the first version (1), as a redelivery after it may.
    await store.writeMessage(revisions(2, [revised, 'revised']));
    await store.writeMessage({ v: 1, alerts: [original], version: 1 });
    expect(await store.all()).toEqual([revised]);
    const data = (await collection.doc(alertId(original)).get()).data()!;
    expect(data.version).toBe(2);
    expect(data.revision).toMatchObject({ kind: 'revised', object: 'LATE.csv', generation: '9' });
    expect(await store.writtenBySymbol()).toEqual(new Map([['ACME', 1]]));
    // The feed lists what each commit changed: the revision, and nothing for the late first version.
    const feed = (await db.collection(`${collection.id}-feed`).get()).docs.map((doc) =>
      feedAlertsOf(doc.data()),
    );
    expect(feed.map((alerts) => alerts.map((alert) => [alert.change, alert.severity])).sort()).toEqual([
      [],
      [['revised', 3]],
    ]);
  });

  it('marks a withdrawn alert, lists and counts it no more, and stands it again when a later revision raises it', async () => {
    const { store, collection } = freshStore();
    const [a, b] = [alertAt('ACME', 1), alertAt('ACME', 2)];
    await store.write([a, b]);
    await store.writeMessage(revisions(2, [b, 'withdrawn']));
    // Delivered again: its feed entry is found, nothing changes.
    await store.writeMessage(revisions(2, [b, 'withdrawn']));
    expect(await store.all()).toEqual([a]);
    expect(await store.writtenBySymbol()).toEqual(new Map([['ACME', 1]]));
    const withdrawn = (await collection.doc(alertId(b)).get()).data()!;
    expect(withdrawn.withdrawn).toMatchObject({ kind: 'withdrawn', object: 'LATE.csv' });
    expect(withdrawn.close).toBe(b.close); // the figures it had

    await store.writeMessage(revisions(3, [b, 'late']));
    expect(await store.all()).toEqual([a, b]);
    expect(await store.writtenBySymbol()).toEqual(new Map([['ACME', 2]]));
    const again = (await collection.doc(alertId(b)).get()).data()!;
    expect(again.withdrawn).toBeUndefined();
    expect(again.revision).toMatchObject({ kind: 'late' });
  });

  it('leaves a tombstone for a withdrawal that comes before the alert, which the alert then cannot undo', async () => {
    const { store } = freshStore();
    const alert = alertAt('ACME', 4);
    await store.writeMessage(revisions(5, [alert, 'withdrawn']));
    await store.writeMessage({ v: 1, alerts: [alert], version: 4 });
    expect(await store.all()).toEqual([]);
    expect(await store.writtenBySymbol()).toEqual(new Map());
  });
});

describe('FirestoreAlertStore', () => {
  it('writes each alert under its (symbol, minute) id with a real timestamp, and reads it back as it was', async () => {
    const { store, collection } = freshStore();
    const alert = alertAt('ACME', 1, ['A1', 'A2']);
    await store.write([alert]);
    const snapshot = await collection.doc('ACME@2017-01-02T03:46:00Z').get();
    expect(snapshot.get('timestamp')).toEqual(Timestamp.fromMillis(Date.parse('2017-01-02T03:46:00Z')));
    expect(snapshot.get('expireAt')).toBeUndefined();
    expect(await store.all()).toEqual([alert]);
  });

  it('overwrites an alert with a later version, keeping a field another part added meanwhile', async () => {
    const { store, collection } = freshStore();
    const first = alertAt('ACME', 1, ['A1', 'A2']);
    await store.write([first], new Date('2030-01-01T00:00:00Z'));
    const added = { by: 'ana', note: 'check the print' };
    await collection.doc(alertId(first)).update({ added });

    // A later version (another commit of the symbol): A2 no longer fires, no TTL, no generation.
    const again: Alert = {
      ...alertAt('ACME', 1, ['A1']),
      close: 250,
      source: { object: 'ACME.csv', line: 9 },
    };
    await store.writeMessage({ v: 1, alerts: [again], version: 2 });
    // The first version delivered again afterwards changes nothing.
    await store.write([first], new Date('2030-01-01T00:00:00Z'));

    const documents = await collection.get();
    expect(documents.size).toBe(1);
    const data = documents.docs[0]!.data();
    expect(data.added).toEqual(added);
    expect(data.a2).toBeUndefined();
    expect(data.expireAt).toBeUndefined();
    expect(data.source).toEqual({ object: 'ACME.csv', line: 9 });
    expect(await store.all()).toEqual([again]);
  });

  it('counts the alerts written per symbol, a message written again once only', async () => {
    const { store, collection } = freshStore();
    const acme = Array.from({ length: 700 }, (_, minute) => alertAt('ACME', minute));
    await store.write(acme);
    await store.write([alertAt('BOLT', 1), alertAt('BOLT', 2)]);
    // Redelivered: the same messages again, and one of them at the same time as itself.
    await Promise.all([store.write(acme), store.write(acme)]);
    await store.write([alertAt('BOLT', 1), alertAt('BOLT', 2)]);
    expect(await store.writtenBySymbol()).toEqual(
      new Map([
        ['ACME', 700],
        ['BOLT', 2],
      ]),
    );
    // Two commits of ACME (498 + 202) and one of BOLT, each with one feed entry listing what it wrote.
    const feed = (await db.collection(`${collection.id}-feed`).get()).docs.map((doc) => doc.data());
    expect(feed.map((entry) => entry.count).sort((a, b) => a - b)).toEqual([2, 202, 498]);
    const listed = feed.flatMap((entry) => feedAlertsOf(entry));
    expect(listed).toHaveLength(702);
    expect(listed.find((alert) => alert.id === alertId(acme[699]!))).toEqual({
      id: 'ACME@2017-01-02T15:24:00Z',
      symbol: 'ACME',
      minute: Date.parse('2017-01-02T15:24:00Z') / 60_000,
      rules: ['A1'],
      severity: 2,
      episode: 'ACME@2017-01-02T03:45:00Z',
      change: 'new',
    });
  });

  it('writes more alerts than one commit takes', async () => {
    const { store, collection } = freshStore();
    const alerts = Array.from({ length: 1203 }, (_, minute) => alertAt('BULK', minute));
    await store.write(alerts);
    expect((await collection.count().get()).data().count).toBe(1203);
  });

  it('reads all() with a rule filter in order of symbol then minute', async () => {
    const { store } = freshStore();
    const expected = [
      alertAt('ACME', 1, ['A1']),
      alertAt('ACME', 2, ['A2']),
      alertAt('ACME', 30, ['A1', 'A2']),
      alertAt('BOLT', 0, ['A1']),
      alertAt('BOLT', 5, ['A2']),
    ];
    // Written out of order, so that the order read is the store's, not the writes'.
    await store.write([expected[4]!, expected[2]!, expected[0]!, expected[3]!, expected[1]!]);
    expect(await store.all({ rule: 'A2' })).toEqual([expected[1], expected[2], expected[4]]);
  });

  it('reads all() by symbol, then minute, whatever the document ids sort as', async () => {
    const { store } = freshStore();
    // Ids are symbol@minute: 'AB-C@…' sorts before 'AB@…' by id, after it by symbol.
    const expected = [
      alertAt('AB', 0),
      alertAt('AB', 7),
      alertAt('AB-C', 1),
      alertAt('AB-C', 3),
      alertAt('AB_C', 0),
      alertAt('ZED', 2),
    ];
    await store.write([...expected].reverse());
    expect(await store.all()).toEqual(expected);
  });

  it('sets expireAt when given one, and all() leaves it out', async () => {
    const { store, collection } = freshStore();
    const alert = alertAt('ACME', 1);
    const expireAt = new Date('2030-01-01T00:00:00Z');
    await store.write([alert], expireAt);
    const snapshot = await collection.doc(alertId(alert)).get();
    expect(snapshot.get('expireAt')).toEqual(Timestamp.fromDate(expireAt));
    expect(await store.all()).toEqual([alert]);
  });
});
