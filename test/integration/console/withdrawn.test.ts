/**
 * What a late bar's revision leaves on the emulator (docs/records.md): an episode withdrawn into another keeps
 * its triage and history, and the other's detail shows them (`merged`, found by the query on `withdrawn.into`);
 * a withdrawn episode still answers, and refuses triage (409) writing nothing; a withdrawn alert still
 * answers, with its figures and its marks. The documents are written here with the shapes detect and notify
 * give them.
 */
import { Timestamp, type DocumentData } from '@google-cloud/firestore';
import { beforeAll, describe, expect, it } from 'vitest';
import { episodeData } from '../../helpers/consoleFixture.js';
import { auditDb, COLLECTIONS, db, get, post, seededConsole } from './consoleUnderTest.js';
import { seeded, triaged } from './seeds.js';

seededConsole();

const episodes = () => db.collection(COLLECTIONS.EPISODES_COLLECTION);
/** The triage and history, in the audit database (docs/records.md). */
const triageOf = (id: string) => auditDb.collection(COLLECTIONS.EPISODES_COLLECTION).doc(id);
const historyOf = (id: string) => triageOf(id).collection('history');
const path = (id: string) => `/api/episodes/${encodeURIComponent(id)}`;

/** A seeded ACME episode nobody triaged: the one a late bar merged the others into. */
const into = seeded.episodes.find((episode) => episode.symbol === 'ACME' && !triaged.has(episode.id))!;
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
/** Two episodes merged into it (the later start written first), one into another episode, one into none. */
const EARLY = `ACME@${iso(into.start + 60_000)}`;
const LATE = `ACME@${iso(into.start + 120_000)}`;
const ELSEWHERE = `ACME@${iso(into.start + 180_000)}`;
const GONE = `ACME@${iso(into.start + 240_000)}`;
/** When detect revised. */
const REVISED_AT = Date.UTC(2024, 2, 1, 10, 0, 5, 250);

const withdrawn = (target: string | null) => ({
  at: Timestamp.fromMillis(REVISED_AT),
  into: target,
  object: 'late.csv',
  generation: '7',
});

function episodeOf(start: number, extra: DocumentData): DocumentData {
  return {
    ...episodeData(
      { id: '', symbol: 'ACME', start, end: start, count: 1, a1: 1, a2: 0, peakSeverity: 1.2 },
      Timestamp.fromMillis(REVISED_AT),
    ),
    ...extra,
  };
}

beforeAll(async () => {
  for (const id of [EARLY, LATE, ELSEWHERE, GONE]) {
    expect(
      seeded.episodes.some((episode) => episode.id === id),
      `${id} is seeded`,
    ).toBe(false);
  }
  const batch = db.batch();
  batch.set(episodes().doc(LATE), episodeOf(into.start + 120_000, { withdrawn: withdrawn(into.id) }));
  batch.set(episodes().doc(EARLY), episodeOf(into.start + 60_000, { withdrawn: withdrawn(into.id) }));
  batch.set(episodes().doc(ELSEWHERE), episodeOf(into.start + 180_000, { withdrawn: withdrawn('ACME@x') }));
  batch.set(episodes().doc(GONE), episodeOf(into.start + 240_000, { withdrawn: withdrawn(null) }));
  await batch.commit();
  const audit = auditDb.batch();
  audit.set(triageOf(LATE), {
    triage: {
      status: 'escalated',
      assignee: 'bo',
      updatedAt: Timestamp.fromMillis(Date.UTC(2024, 2, 1, 9, 30)),
      updatedBy: 'bo',
    },
  });
  audit.set(historyOf(LATE).doc(), {
    at: Timestamp.fromMillis(Date.UTC(2024, 2, 1, 9, 0)),
    by: 'ana',
    from: 'new',
    to: 'investigating',
  });
  audit.set(historyOf(LATE).doc(), {
    at: Timestamp.fromMillis(Date.UTC(2024, 2, 1, 9, 30)),
    by: 'bo',
    from: 'investigating',
    to: 'escalated',
    assignee: 'bo',
    comment: 'same account as last week',
  });
  await audit.commit();
});

describe('the console server on the real emulator: what a late bar regrouped or withdrew', () => {
  it('shows on an episode the triage and history of the episodes merged into it, by start', async () => {
    const { status, body } = await get(path(into.id));
    expect(status).toBe(200);
    expect(body.episode).toMatchObject({ id: into.id, status: 'new' });
    expect(body.episode).not.toHaveProperty('withdrawn');
    expect(body.alerts).toHaveLength(into.count);
    expect(body.merged.map((merged: { episode: { id: string } }) => merged.episode.id)).toEqual([
      EARLY,
      LATE,
    ]);
    expect(body.merged[0]).toEqual({
      episode: expect.objectContaining({ id: EARLY, status: 'new' }),
      history: [],
    });
    expect(body.merged[1].episode).toMatchObject({
      id: LATE,
      status: 'escalated',
      assignee: 'bo',
      withdrawn: { at: '2024-03-01T10:00:05.250Z', into: into.id, object: 'late.csv', generation: '7' },
    });
    expect(body.merged[1].history).toEqual([
      {
        at: '2024-03-01T09:30:00Z',
        by: 'bo',
        from: 'investigating',
        to: 'escalated',
        assignee: 'bo',
        comment: 'same account as last week',
      },
      { at: '2024-03-01T09:00:00Z', by: 'ana', from: 'new', to: 'investigating' },
    ]);
  });

  it('answers a withdrawn episode with its withdrawal, its triage and its history', async () => {
    const { status, body } = await get(path(LATE));
    expect(status).toBe(200);
    expect(body.episode).toMatchObject({
      id: LATE,
      status: 'escalated',
      withdrawn: { at: '2024-03-01T10:00:05.250Z', into: into.id },
    });
    expect(body.history.map((entry: { to: string }) => entry.to)).toEqual(['escalated', 'investigating']);
    expect(body.merged).toEqual([]);
    expect((await get(path(GONE))).body.episode.withdrawn).toMatchObject({ into: null });
  });

  it('refuses triage of a withdrawn episode (409), naming where it went, and writes nothing', async () => {
    const before = (await triageOf(LATE).get()).data()!;
    const refused = await post(`${path(LATE)}/triage`, { status: 'dismissed', comment: 'nothing there' });
    expect(refused).toEqual({
      status: 409,
      body: {
        error:
          `episode '${LATE}' was withdrawn at 2024-03-01T10:00:05.250Z: a late bar regrouped its alerts, ` +
          `merging it into episode '${into.id}': triage that one; nothing was written`,
      },
    });
    const gone = await post(`${path(GONE)}/triage`, { status: 'investigating' });
    expect(gone.status).toBe(409);
    expect(gone.body.error).toContain('it is no longer an episode');
    expect((await triageOf(LATE).get()).data()).toEqual(before);
    expect((await historyOf(LATE).get()).size).toBe(2);
    expect((await historyOf(GONE).get()).size).toBe(0);
  });

  it('answers a withdrawn alert with its figures as they were and its marks', async () => {
    const seededAlert = seeded.alerts.find((alert) => alert.data.episode === into.id)!;
    const alertRef = db.collection(COLLECTIONS.ALERTS_COLLECTION).doc(seededAlert.id);
    await alertRef.set(
      {
        revision: {
          kind: 'revised',
          at: Timestamp.fromMillis(Date.UTC(2024, 2, 1, 9, 0)),
          object: 'a.csv',
          generation: '5',
        },
        withdrawn: {
          kind: 'withdrawn',
          at: Timestamp.fromMillis(REVISED_AT),
          object: 'late.csv',
          generation: '7',
        },
      },
      { merge: true },
    );
    const { status, body } = await get(`/api/alerts/${encodeURIComponent(seededAlert.id)}`);
    expect(status).toBe(200);
    expect(body.alert).toMatchObject({
      id: seededAlert.id,
      close: seededAlert.data.close,
      revision: { kind: 'revised', at: '2024-03-01T09:00:00Z', object: 'a.csv', generation: '5' },
      withdrawn: { kind: 'withdrawn', at: '2024-03-01T10:00:05.250Z', object: 'late.csv', generation: '7' },
    });
    expect(body.episode).toMatchObject({ id: into.id });
  });
});
