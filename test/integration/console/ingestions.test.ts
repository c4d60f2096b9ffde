/** The ingestions, newest first, in pages; the set-aside rows streamed from the bucket; the health's parts. */
import { Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { endpoints, runId, COLLECTIONS, db, storage, url, get, seededConsole } from './consoleUnderTest.js';

seededConsole();

describe('the console server on the real emulator: ingestions and health', () => {
  it('lists ingestions newest first and streams the set-aside rows from the bucket', async () => {
    const object = `quarantine/console-test-${runId}.csv`;
    await storage
      .bucket(endpoints.bucket)
      .file(object)
      .save('object,line,reason,detail,raw\nA.csv,3,number,close,"x"\n', { resumable: false });
    const ingestions = db.collection(COLLECTIONS.INGESTIONS_COLLECTION);
    await ingestions.doc('A.csv@1').set({
      object: 'A.csv',
      bucket: endpoints.bucket,
      generation: '1',
      status: 'done',
      attempts: 1,
      startedAt: Timestamp.fromMillis(Date.UTC(2024, 0, 1)),
      finishedAt: Timestamp.fromMillis(Date.UTC(2024, 0, 1, 0, 1)),
      quarantine: `gs://${endpoints.bucket}/${object}`,
    });
    await ingestions.doc('B.csv@2').set({
      object: 'B.csv',
      bucket: endpoints.bucket,
      generation: '2',
      status: 'failed',
      error: 'Kafka: down',
      attempts: 2,
      startedAt: Timestamp.fromMillis(Date.UTC(2024, 0, 2)),
    });
    await ingestions
      .doc('A.csv@1')
      .collection('symbols')
      .doc('A')
      .set({ symbol: 'A', batches: 1, processed: 10, late: 1, alerts: 3, a1: 2, a2: 1 });

    const { body } = await get('/api/ingestions');
    expect(body.items.map((item: { id: string }) => item.id)).toEqual(['B.csv@2', 'A.csv@1']);
    expect(body.items[1]).toMatchObject({
      status: 'done',
      processed: 10,
      late: 1,
      alerts: 3,
      setAside: object,
      startedAt: '2024-01-01T00:00:00.000Z',
    });
    expect((await get('/api/ingestions?status=failed')).body.items).toHaveLength(1);
    expect((await get('/api/ingestions?status=bad')).status).toBe(400);

    const download = await fetch(url(`/api/ingestions/${encodeURIComponent('A.csv@1')}/set-aside`));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('text/csv');
    expect(download.headers.get('content-disposition')).toContain('attachment');
    expect(await download.text()).toBe('object,line,reason,detail,raw\nA.csv,3,number,close,"x"\n');
    expect((await get(`/api/ingestions/${encodeURIComponent('B.csv@2')}/set-aside`)).status).toBe(404);

    const health = (await get('/api/health')).body;
    expect(health.ingestions.failed.map((row: { id: string }) => row.id)).toEqual(['B.csv@2']);
    expect(health.kafka.topic).toBe('minute-bars');
    expect(health.kafka.partitions.length).toBe(endpoints.kafka.partitions);
    expect(Array.isArray(health.deadLetters)).toBe(true);
  });

  it('pages the ingestions with a cursor, newest first, of one status or any, and refuses a cursor not its own', async () => {
    const ingestions = db.collection(COLLECTIONS.INGESTIONS_COLLECTION);
    // Five more, two of them failed, one of them at the same start as another (ties go by id, descending).
    const starts: Array<[string, number, string]> = [
      ['P1.csv@1', Date.UTC(2024, 1, 1), 'done'],
      ['P2.csv@1', Date.UTC(2024, 1, 2), 'failed'],
      ['P3.csv@1', Date.UTC(2024, 1, 3), 'done'],
      ['P4.csv@1', Date.UTC(2024, 1, 3), 'failed'],
      ['P5.csv@1', Date.UTC(2024, 1, 5), 'done'],
    ];
    for (const [id, at, status] of starts) {
      await ingestions.doc(id).set({
        object: id.split('@')[0],
        bucket: endpoints.bucket,
        generation: '1',
        status,
        attempts: 1,
        startedAt: Timestamp.fromMillis(at),
      });
    }
    const pages = async (query: string) => {
      const ids: string[][] = [];
      let after: string | undefined;
      do {
        const { status, body } = await get(
          `/api/ingestions?limit=2${query}${after ? `&after=${encodeURIComponent(after)}` : ''}`,
        );
        expect(status).toBe(200);
        ids.push(body.items.map((item: { id: string }) => item.id));
        after = body.next;
      } while (after !== undefined);
      return ids;
    };
    expect(await pages('')).toEqual([
      ['P5.csv@1', 'P4.csv@1'],
      ['P3.csv@1', 'P2.csv@1'],
      ['P1.csv@1', 'B.csv@2'],
      ['A.csv@1'],
    ]);
    expect(await pages('&status=failed')).toEqual([['P4.csv@1', 'P2.csv@1'], ['B.csv@2']]);
    expect((await get('/api/ingestions?after=nope')).status).toBe(400);
    expect((await get('/api/ingestions?limit=201')).status).toBe(400);
    // One reading of the health serves every page for 3 s: the first test's is past that.
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const health = (await get('/api/health')).body;
    expect(health.ingestions.failed.map((row: { id: string }) => row.id)).toEqual([
      'P4.csv@1',
      'P2.csv@1',
      'B.csv@2',
    ]);
  });
});
