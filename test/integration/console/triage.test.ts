/**
 * Triage persists, appends history, and a close without a comment is refused leaving no history; a triage made
 * on a stale view is refused; another console's triage arrives through the triage feed; bad requests are refused.
 */
import { describe, expect, it } from 'vitest';
import { FirestoreTriageStore } from '../../../console/sources/triageStore.js';
import { auditDb, COLLECTIONS, db, get, post, seededConsole } from './consoleUnderTest.js';
import { seeded, triaged } from './seeds.js';

seededConsole();

describe('the console server on the real emulator: triage', () => {
  it('records triage in the episode and its history, and refuses a close without a comment, leaving no history', async () => {
    const episode = seeded.episodes.find((candidate) => !triaged.has(candidate.id))!;
    const path = `/api/episodes/${encodeURIComponent(episode.id)}/triage`;
    const before = (await db.collection(COLLECTIONS.EPISODES_COLLECTION).doc(episode.id).get()).data()!;

    const refused = await post(path, { status: 'dismissed', comment: '  ' });
    expect(refused).toEqual({
      status: 400,
      body: { error: 'comment is required to close an episode as dismissed' },
    });
    expect(
      (await auditDb.collection(`${COLLECTIONS.EPISODES_COLLECTION}/${episode.id}/history`).get()).size,
    ).toBe(0);

    const opened = await post(path, { status: 'escalated', assignee: 'bo', notes: 'big print' });
    expect(opened.status).toBe(200);
    expect(opened.body.episode).toMatchObject({
      id: episode.id,
      status: 'escalated',
      assignee: 'bo',
      notes: 'big print',
      updatedBy: 'tester',
    });
    expect(opened.body.history).toMatchObject([
      { by: 'tester', from: 'new', to: 'escalated', assignee: 'bo', notes: 'big print' },
    ]);

    const closed = await post(path, { status: 'confirmed', comment: 'matched a known scheme' });
    expect(closed.status).toBe(200);
    expect(closed.body.history.map((entry: { to: string }) => entry.to)).toEqual(['confirmed', 'escalated']);
    expect(closed.body.history[0]).toMatchObject({
      from: 'escalated',
      comment: 'matched a known scheme',
      assignee: 'bo',
    });

    // Stored in the audit database, a document holding the triage only; detect's episode not written at all.
    expect((await db.collection(COLLECTIONS.EPISODES_COLLECTION).doc(episode.id).get()).data()).toEqual(
      before,
    );
    const stored = (await auditDb.collection(COLLECTIONS.EPISODES_COLLECTION).doc(episode.id).get()).data()!;
    expect(Object.keys(stored)).toEqual(['triage']);
    expect(stored.triage).toMatchObject({
      status: 'confirmed',
      assignee: 'bo',
      notes: 'big print',
      updatedBy: 'tester',
    });
    expect(
      (await auditDb.collection(`${COLLECTIONS.EPISODES_COLLECTION}/${episode.id}/history`).get()).size,
    ).toBe(2);

    // The lists follow at once.
    const { body } = await get(`/api/episodes?status=confirmed&symbol=${encodeURIComponent(episode.symbol)}`);
    expect(body.items.map((item: { id: string }) => item.id)).toContain(episode.id);
    const detail = await get(`/api/episodes/${encodeURIComponent(episode.id)}`);
    expect(detail.body.history).toHaveLength(2);
    expect(detail.body.alerts.every((alert: { status: string }) => alert.status === 'confirmed')).toBe(true);
  });

  it('refuses a triage made on what another analyst has changed since, writing nothing', async () => {
    const [episode] = seeded.episodes.filter((candidate) => !triaged.has(candidate.id)).slice(-2);
    const path = `/api/episodes/${encodeURIComponent(episode!.id)}/triage`;
    // Both loaded it untriaged; the first one's change lands.
    const first = await post(path, { status: 'investigating', assignee: 'ana', seen: null });
    expect(first.status).toBe(200);
    const second = await post(path, { status: 'escalated', assignee: 'bo', seen: null });
    expect(second.status).toBe(409);
    expect(second.body.error).toContain('was triaged by tester at');
    const stored = (await auditDb.collection(COLLECTIONS.EPISODES_COLLECTION).doc(episode!.id).get()).data()!;
    expect(stored.triage).toMatchObject({ status: 'investigating', assignee: 'ana' });
    // With what the first change left, the second goes through.
    const again = await post(path, { status: 'escalated', seen: first.body.episode.updatedAt });
    expect(again.status).toBe(200);
    expect(again.body.history.map((entry: { to: string }) => entry.to)).toEqual([
      'escalated',
      'investigating',
    ]);
  });

  it('lists an episode another console triaged, from the triage feed, without a restart', async () => {
    const episode = seeded.episodes.filter((candidate) => !triaged.has(candidate.id)).at(-3)!;
    const listed = async () =>
      (await get(`/api/episodes?status=escalated&symbol=${encodeURIComponent(episode.symbol)}&limit=200`))
        .body.items as { id: string }[];
    expect((await listed()).map((item) => item.id)).not.toContain(episode.id);
    // Another instance's change: through the store, not this server, whose model therefore learns it by reading.
    const other = new FirestoreTriageStore(db, auditDb, COLLECTIONS.EPISODES_COLLECTION);
    const result = await other.apply(
      episode.id,
      { status: 'escalated', seen: null },
      'elsewhere',
      Date.now(),
    );
    expect(result).toHaveProperty('episode');
    const deadline = Date.now() + 10_000;
    while (!(await listed()).some((item) => item.id === episode.id)) {
      if (Date.now() > deadline) throw new Error('the triage of another console never reached this one');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  it("ignores a triage field written into detect's episode (the pipeline's database): only the audit database counts", async () => {
    const episode = seeded.episodes.filter((candidate) => !triaged.has(candidate.id)).at(-4)!;
    await db
      .collection(COLLECTIONS.EPISODES_COLLECTION)
      .doc(episode.id)
      .update({ triage: { status: 'dismissed', updatedBy: 'a pipeline identity' } });
    const detail = await get(`/api/episodes/${encodeURIComponent(episode.id)}`);
    expect(detail.body.episode.status).toBe('new');
    expect(detail.body.episode.updatedBy).toBeUndefined();
    const { body } = await get(`/api/episodes?status=dismissed&symbol=${encodeURIComponent(episode.symbol)}`);
    expect(body.items.map((item: { id: string }) => item.id)).not.toContain(episode.id);
  });

  it('refuses bad triage requests: unknown status, not JSON, too big, unknown episode, another origin', async () => {
    const episode = seeded.episodes.filter((candidate) => !triaged.has(candidate.id)).at(-1)!;
    const path = `/api/episodes/${encodeURIComponent(episode.id)}/triage`;
    expect((await post(path, { status: 'closed' })).status).toBe(400);
    expect((await post(path, '{not json')).body).toEqual({ error: 'the body is not valid JSON' });
    expect(
      (await post(path, 'status=new', { 'content-type': 'application/x-www-form-urlencoded' })).status,
    ).toBe(415);
    expect((await post(path, { status: 'new', notes: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await post('/api/episodes/nope/triage', { status: 'new' })).status).toBe(404);
    expect((await post(path, { status: 'new' }, { origin: 'http://evil.example' })).status).toBe(403);
    expect(
      (await auditDb.collection(`${COLLECTIONS.EPISODES_COLLECTION}/${episode.id}/history`).get()).size,
    ).toBe(0);
  });
});
