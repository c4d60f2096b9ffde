/**
 * The console server in-process against the local stack's real Firestore emulator, fake-gcs-server and Kafka,
 * on collections of its own seeded as docs/records.md describes them: the lists, filters, orders, pages and
 * totals equal a plain computation over the seeded documents; an alert written afterwards (with writtenAt)
 * appears in the list and on the event stream without a restart (across the listener's periodic restart);
 * triage persists, appends history, and a close without a comment is refused leaving no history; the chart's
 * bars and window mean equal a hand computation.
 */
import { createServer } from 'node:net';
import { FieldValue, Firestore, Timestamp, type DocumentData } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertAndEpisodeRecords,
  barsRecords,
  episodeData,
  writeRecords,
  type Bar,
} from '../helpers/consoleFixture.js';
import { consoleSettingsFromEnv } from '../../console/settings.js';
import { startConsole, type RunningConsole } from '../../console/server/start.js';
import { consoleKafka } from '../../console/sources/kafkaClient.js';
import { FirestoreTriageStore } from '../../console/sources/triageStore.js';
import type { Alert, RuleId } from '../../shared/core/alert.js';
import { FirestoreAlertStore } from '../../shared/state/alertStore.js';
import { alertId } from '../../shared/pipeline/documentIds.js';
import { stackClientEnv, stackEndpoints } from '../../stack/endpoints.js';

const endpoints = stackEndpoints();
const clientEnv = stackClientEnv();
process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore.emulatorHost;
process.env.METADATA_SERVER_DETECTION = 'none';

const runId = `${Date.now().toString(36)}-${process.pid}`;
const COLLECTIONS = {
  ALERTS_COLLECTION: `console-alerts-${runId}`,
  EPISODES_COLLECTION: `console-episodes-${runId}`,
  BARS_COLLECTION: `console-bars-${runId}`,
  INGESTIONS_COLLECTION: `console-ingestions-${runId}`,
  STATE_COLLECTION: `console-state-${runId}`,
};
const THRESHOLDS = { a1: 0.005, a2: 0.02 };

const db = new Firestore({ projectId: endpoints.project });
const storage = new Storage({ projectId: endpoints.project, apiEndpoint: endpoints.storage.apiEndpoint });
let running: RunningConsole;
let base = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject).listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A small deterministic generator (no Math.random: a failure must be repeatable). */
function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** ~150 alerts of three symbols over two days, with ties of time and severity and null severities. */
function seededAlerts(): Alert[] {
  const random = lcg(42);
  const alerts: Alert[] = [];
  for (const symbol of ['ACME', 'BETA', 'CO/RE']) {
    for (const day of [2, 3]) {
      for (let minute = 0; minute < 375; minute += 1 + Math.floor(random() * 12)) {
        const rules: RuleId[] = random() < 0.3 ? ['A1'] : random() < 0.5 ? ['A2'] : ['A1', 'A2'];
        const at = Date.UTC(2017, 0, day, 3, 45 + minute);
        const timestamp = `${new Date(at).toISOString().slice(0, 19)}Z`;
        alerts.push({
          symbol,
          timestamp,
          rules,
          open: 100,
          high: 101,
          low: 99,
          close: 100.5,
          volume: 20,
          // Few distinct values, so that severities tie.
          ...(rules.includes('A1') && {
            a1: {
              prevClose: 100,
              prevTimestamp: `${new Date(at - 60_000).toISOString().slice(0, 19)}Z`,
              changePct: [0.6, -0.75, 1][Math.floor(random() * 3)]!,
              severity: null,
            },
          }),
          ...(rules.includes('A2') && {
            a2: {
              avgVolume: 10,
              windowBars: 10,
              volumeRatio: random() < 0.3 ? null : [1.53, 2.04][Math.floor(random() * 2)]!,
              severity: null,
            },
          }),
          // Placeholders: the seeded records get their severity and episode below.
          severity: null,
          episodeStart: timestamp,
          source: { object: `${symbol}.csv`, generation: '1', line: minute + 2 },
        });
      }
    }
  }
  return alerts;
}

const seeded = alertAndEpisodeRecords(seededAlerts(), THRESHOLDS, 5);
/** Triage seeded on some episodes (status per episode id); the rest have none (new). */
const triaged = new Map<string, string>();
seeded.episodes.forEach((episode, i) => {
  if (i % 5 === 1) triaged.set(episode.id, 'investigating');
  if (i % 7 === 2) triaged.set(episode.id, 'escalated');
});

/** The hand-computed chart: HAND's bars of 2017-01-02 around an A2 alert at 05:06. */
const HAND_MINUTE = Date.UTC(2017, 0, 2, 5, 6) / 60_000;
const HAND_VOLUMES: Array<[number, number]> = [
  [-12, 1000], // outside the window
  [-11, 900], // outside the window
  [-10, 10],
  [-9, 0],
  [-8, 7],
  // -7 missing
  [-6, 17],
  [-5, 26],
  [-4, 12],
  [-3, 7],
  [-2, 0],
  [-1, 1],
  [0, 16],
];
const handBars: Bar[] = HAND_VOLUMES.map(([offset, volume]) => ({
  symbol: 'HAND',
  minute: HAND_MINUTE + offset,
  values: [100, 102, 99, 100 + offset / 10, volume],
}));
const HAND_ALERT: Alert = {
  symbol: 'HAND',
  timestamp: '2017-01-02T05:06:00Z',
  rules: ['A2'],
  open: 100,
  high: 102,
  low: 99,
  close: 100,
  volume: 16,
  a2: { avgVolume: 8.888889, windowBars: 9, volumeRatio: 1.8, severity: 1.764706 },
  severity: 1.764706,
  episodeStart: '2017-01-02T05:06:00Z',
  source: { object: 'HAND.csv', line: 9 },
};
const hand = alertAndEpisodeRecords([HAND_ALERT], THRESHOLDS);

interface SeededAlert {
  id: string;
  data: DocumentData;
  minute: number;
}
const allAlerts: SeededAlert[] = [...seeded.alerts, ...hand.alerts];
const allEpisodes = [...seeded.episodes, ...hand.episodes];

beforeAll(async () => {
  // Half the alerts carry writtenAt (as notify writes them), half not (written before it did): the scan
  // must list both.
  await writeRecords(
    db,
    COLLECTIONS.ALERTS_COLLECTION,
    allAlerts.map((alert, i) => ({
      id: alert.id,
      data: i % 2 === 0 ? { ...alert.data, writtenAt: FieldValue.serverTimestamp() } : alert.data,
    })),
  );
  await writeRecords(
    db,
    COLLECTIONS.EPISODES_COLLECTION,
    allEpisodes.map((episode) => {
      const status = triaged.get(episode.id);
      return {
        id: episode.id,
        data: {
          ...episodeData(episode, FieldValue.serverTimestamp()),
          ...(status && {
            triage: { status, assignee: 'ana', updatedAt: Timestamp.now(), updatedBy: 'ana' },
          }),
        },
      };
    }),
  );
  await writeRecords(db, COLLECTIONS.BARS_COLLECTION, barsRecords(handBars));

  const port = await freePort();
  const settings = consoleSettingsFromEnv({
    ...process.env,
    ...clientEnv,
    ...COLLECTIONS,
    PORT: String(port),
    CONSOLE_USER: 'tester',
    // Read often, so that the alert written later arrives within the test's patience.
    CONSOLE_FOLLOW_POLL_MS: '300',
  });
  running = await startConsole(
    settings,
    { firestore: db, storage, kafka: consoleKafka({ ...process.env, ...clientEnv }) },
    () => undefined,
  );
  base = running.url.replace(/\/$/, '');
  await running.loaded;
}, 120_000);

afterAll(async () => {
  await running?.close();
  await db.terminate();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's JSON, read loosely: each test checks the fields it names
type Body = any;

async function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Body }> {
  const response = await fetch(`${base}${path}`, { headers });
  const text = await response.text();
  return {
    status: response.status,
    body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

/** The expected list, computed plainly from the seeded documents. */
type Filter = {
  symbol?: string;
  rule?: 'A1' | 'A2';
  from?: string;
  to?: string;
  status?: string;
  minSeverity?: number;
};
const statusOfEpisode = (id: string) => triaged.get(id) ?? 'new';

function expectedAlerts(sort: 'newest' | 'severity', filter: Filter): string[] {
  const rows = allAlerts.filter(({ data, minute }) => {
    const at = minute * 60_000;
    return (
      (filter.symbol === undefined || data.symbol === filter.symbol) &&
      (filter.rule === undefined || (data.rules as string[]).includes(filter.rule)) &&
      (filter.from === undefined || at >= Date.parse(filter.from)) &&
      (filter.to === undefined || at <= Date.parse(filter.to)) &&
      (filter.status === undefined || statusOfEpisode(data.episode) === filter.status) &&
      (filter.minSeverity === undefined || (data.severity !== null && data.severity >= filter.minSeverity))
    );
  });
  const key = (row: SeededAlert) =>
    [row.data.severity as number | null, row.minute, row.data.symbol as string] as const;
  return rows
    .sort((a, b) => {
      const [sa, ma, ya] = key(a);
      const [sb, mb, yb] = key(b);
      if (sort === 'severity' && sa !== sb) {
        if (sa === null) return 1;
        if (sb === null) return -1;
        return sb - sa;
      }
      if (ma !== mb) return mb - ma;
      return ya < yb ? -1 : ya > yb ? 1 : 0;
    })
    .map((row) => row.id);
}

function expectedEpisodes(sort: 'newest' | 'severity', filter: Filter): string[] {
  return allEpisodes
    .filter(
      (episode) =>
        (filter.symbol === undefined || episode.symbol === filter.symbol) &&
        (filter.rule === undefined || (filter.rule === 'A1' ? episode.a1 : episode.a2) > 0) &&
        (filter.from === undefined || episode.end >= Date.parse(filter.from)) &&
        (filter.to === undefined || episode.end <= Date.parse(filter.to)) &&
        (filter.status === undefined || statusOfEpisode(episode.id) === filter.status) &&
        (filter.minSeverity === undefined ||
          (episode.peakSeverity !== null && episode.peakSeverity >= filter.minSeverity)),
    )
    .sort((a, b) => {
      if (sort === 'severity' && a.peakSeverity !== b.peakSeverity) {
        if (a.peakSeverity === null) return 1;
        if (b.peakSeverity === null) return -1;
        return b.peakSeverity - a.peakSeverity;
      }
      if (a.end !== b.end) return b.end - a.end;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    })
    .map((episode) => episode.id);
}

/** Every page of a list, following `next`. */
async function allPages(list: 'alerts' | 'episodes', params: URLSearchParams, limit: number) {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const query = new URLSearchParams(params);
    query.set('limit', String(limit));
    if (after) query.set('after', after);
    const { status, body } = await get(`/api/${list}?${query}`);
    expect(status, JSON.stringify(body)).toBe(200);
    ids.push(...body.items.map((item: { id: string }) => item.id));
    totals.push(body.total);
    after = body.next;
    if (after === undefined) break;
  }
  return { ids, totals };
}

const FILTERS: Array<[string, Filter]> = [
  ['none', {}],
  ['symbol', { symbol: 'CO/RE' }],
  ['rule', { rule: 'A1' }],
  ['date range', { from: '2017-01-02T06:00:00Z', to: '2017-01-03T05:00:00Z' }],
  ['status', { status: 'investigating' }],
  ['minSeverity', { minSeverity: 0.5 }],
  ['combined', { symbol: 'ACME', rule: 'A2', status: 'new', minSeverity: 0.1 }],
];

const paramsOf = (sort: string, filter: Filter) =>
  new URLSearchParams({
    sort,
    ...Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, String(v)])),
  });

describe('the console server on the real emulator', () => {
  it('seeded enough to page through, with ties and nulls', () => {
    expect(allAlerts.length).toBeGreaterThan(100);
    expect(allAlerts.some((alert) => alert.data.severity === null)).toBe(true);
    expect(new Set(allAlerts.map((alert) => alert.data.severity)).size).toBeLessThan(allAlerts.length / 5);
  });

  describe.each(['newest', 'severity'] as const)('sorted by %s', (sort) => {
    it.each(FILTERS)(
      'lists alerts (filter: %s): pages, order and total as computed from the documents',
      async (_name, filter) => {
        const expected = expectedAlerts(sort, filter);
        const { ids, totals } = await allPages('alerts', paramsOf(sort, filter), 17);
        expect(ids).toEqual(expected);
        expect(new Set(totals)).toEqual(new Set([expected.length]));
      },
    );

    it.each(FILTERS)('lists episodes (filter: %s): pages, order and total', async (_name, filter) => {
      const expected = expectedEpisodes(sort, filter);
      const { ids, totals } = await allPages('episodes', paramsOf(sort, filter), 7);
      expect(ids).toEqual(expected);
      expect(new Set(totals)).toEqual(new Set([expected.length]));
    });
  });

  it('gives a full alert row, its status its episode’s', async () => {
    const investigating = [...triaged].find(([, status]) => status === 'investigating')![0];
    const alert = allAlerts.find((row) => row.data.episode === investigating)!;
    const { status, body } = await get(
      `/api/alerts?symbol=${encodeURIComponent(alert.data.symbol)}&status=investigating&limit=200`,
    );
    expect(status).toBe(200);
    const row = body.items.find((item: { id: string }) => item.id === alert.id);
    expect(row).toMatchObject({
      id: alert.id,
      symbol: alert.data.symbol,
      timestamp: new Date(alert.minute * 60_000).toISOString().replace('.000Z', 'Z'),
      rules: alert.data.rules,
      severity: alert.data.severity,
      episode: investigating,
      status: 'investigating',
      source: alert.data.source,
    });
    const detail = await get(`/api/alerts/${encodeURIComponent(alert.id)}`);
    expect(detail.body.alert).toEqual(row);
    expect(detail.body.episode).toMatchObject({
      id: investigating,
      status: 'investigating',
      assignee: 'ana',
    });
  });

  it("gives an episode's alerts in time order and its history", async () => {
    const episode = [...seeded.episodes].sort((a, b) => b.count - a.count)[0]!;
    const { status, body } = await get(`/api/episodes/${encodeURIComponent(episode.id)}`);
    expect(status).toBe(200);
    expect(body.episode).toMatchObject({
      id: episode.id,
      symbol: episode.symbol,
      count: episode.count,
      peakSeverity: episode.peakSeverity,
    });
    expect(body.alerts.map((alert: { id: string }) => alert.id)).toEqual(
      allAlerts
        .filter((alert) => alert.data.episode === episode.id)
        .sort((a, b) => a.minute - b.minute)
        .map((alert) => alert.id),
    );
    expect(body.history).toEqual([]);
  });

  it('shows an alert written afterwards in the list and on the event stream, without a restart', async () => {
    const events = await fetch(`${base}/api/events`);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const reader = events.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const nextEvent = async (): Promise<{ alerts: number; episodes: number; newest: string | null }> => {
      for (;;) {
        const end = text.indexOf('\n\n');
        if (end >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.includes('event: change') && data) return JSON.parse(data.slice(6));
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the event stream ended');
        text += decoder.decode(value, { stream: true });
      }
    };
    const first = await nextEvent();
    expect(first.alerts).toBe(allAlerts.length);
    // Past a few reads of the feed that found nothing new.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const fresh: Alert = {
      ...HAND_ALERT,
      symbol: 'NEWCO',
      timestamp: '2017-01-05T04:00:00Z',
      episodeStart: '2017-01-05T04:00:00Z',
    };
    // Written as notify writes it: the alert and the feed entry the console follows.
    await new FirestoreAlertStore(db, COLLECTIONS.ALERTS_COLLECTION).write([fresh]);
    let event = await nextEvent();
    while (event.alerts < allAlerts.length + 1) event = await nextEvent();
    expect(event).toMatchObject({ alerts: allAlerts.length + 1, newest: '2017-01-05T04:00:00Z' });
    await reader.cancel();

    const { body } = await get('/api/alerts?limit=1');
    expect(body.items[0].id).toBe(alertId(fresh));
    expect(body.total).toBe(allAlerts.length + 1);
    const meta = (await get('/api/meta')).body;
    expect(meta.symbols).toContain('NEWCO');
    expect(meta).toMatchObject({ user: 'tester', timeZone: 'Asia/Kolkata' });
  }, 60_000);

  it('records triage in the episode and its history, and refuses a close without a comment, leaving no history', async () => {
    const episode = seeded.episodes.find((candidate) => !triaged.has(candidate.id))!;
    const path = `/api/episodes/${encodeURIComponent(episode.id)}/triage`;
    const before = (await db.collection(COLLECTIONS.EPISODES_COLLECTION).doc(episode.id).get()).data()!;

    const refused = await post(path, { status: 'dismissed', comment: '  ' });
    expect(refused).toEqual({
      status: 400,
      body: { error: 'comment is required to close an episode as dismissed' },
    });
    expect((await db.collection(`${COLLECTIONS.EPISODES_COLLECTION}/${episode.id}/history`).get()).size).toBe(
      0,
    );

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

    // Stored: triage fields only; detect's fields exactly as they were.
    const after = (await db.collection(COLLECTIONS.EPISODES_COLLECTION).doc(episode.id).get()).data()!;
    const { triage, ...pipelineFields } = after;
    expect(pipelineFields).toEqual(before);
    expect(triage).toMatchObject({
      status: 'confirmed',
      assignee: 'bo',
      notes: 'big print',
      updatedBy: 'tester',
    });
    expect((await db.collection(`${COLLECTIONS.EPISODES_COLLECTION}/${episode.id}/history`).get()).size).toBe(
      2,
    );

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
    const stored = (await db.collection(COLLECTIONS.EPISODES_COLLECTION).doc(episode!.id).get()).data()!;
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
    const other = new FirestoreTriageStore(db, COLLECTIONS.EPISODES_COLLECTION);
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
    expect((await db.collection(`${COLLECTIONS.EPISODES_COLLECTION}/${episode.id}/history`).get()).size).toBe(
      0,
    );
  });

  it("draws an alert's chart: the day's bars, the previous close, the window mean by hand", async () => {
    const id = alertId(HAND_ALERT);
    const { status, body } = await get(`/api/alerts/${encodeURIComponent(id)}/chart`);
    expect(status).toBe(200);
    const t = HAND_MINUTE * 60;
    expect(body.bars.map((bar: { time: number }) => bar.time)).toEqual(
      HAND_VOLUMES.map(([offset]) => t + offset * 60),
    );
    expect(body.bars.at(-1)).toEqual({ time: t, open: 100, high: 102, low: 99, close: 100, volume: 16 });
    // The window [05:56 − 10, 05:05]: 10 + 0 + 7 + 17 + 26 + 12 + 7 + 0 + 1 = 80 over 9 bars.
    expect(body.window.from).toBe(t - 600);
    expect(body.window.to).toBe(t - 60);
    expect(body.window.mean).toBeCloseTo(80 / 9, 12);
    expect(body.window.limit).toBeCloseTo((80 / 9) * 1.02, 12);
    // No A1: the previous bar's close (05:05, 100 − 0.1).
    expect(body.prevClose).toBeCloseTo(99.9, 12);
    expect(body.prevTime).toBe(t - 60);
    expect(body.thresholds).toEqual({ a1: 0.005, a2: 0.02, windowMinutes: 10 });
    expect(body.timeZone).toBe('Asia/Kolkata');
    expect(body.sessionAlerts).toEqual([
      { id, timestamp: HAND_ALERT.timestamp, rules: ['A2'], severity: hand.alerts[0]!.data.severity },
    ]);
    expect(body.alert.id).toBe(id);
  });

  it('answers 404, 400 and 405 as the contract says', async () => {
    expect((await get('/api/alerts/NOPE@2017-01-02T03:45:00Z')).status).toBe(404);
    expect((await get('/api/alerts/NOPE@2017-01-02T03:45:00Z/chart')).status).toBe(404);
    expect((await get('/api/episodes/nope')).status).toBe(404);
    expect((await get('/api/alerts?limit=500')).body).toEqual({
      error: 'limit: must be a whole number from 1 to 200',
    });
    expect((await get('/api/alerts?minSeverity=x')).status).toBe(400);
    expect((await get('/api/nothing')).status).toBe(404);
    const put = await fetch(`${base}/api/alerts`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(put.headers.get('x-content-type-options')).toBe('nosniff');
    expect(put.headers.get('access-control-allow-origin')).toBeNull();
  });

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

    const download = await fetch(`${base}/api/ingestions/${encodeURIComponent('A.csv@1')}/set-aside`);
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

  it('serves the placeholder or the app at /, and the chart library', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    const library = await fetch(`${base}/vendor/lightweight-charts.js`);
    expect(library.status).toBe(200);
    expect(await library.text()).toContain('Lightweight Charts');
    expect((await fetch(`${base}/../package.json`)).status).toBe(404);
  });

  it('refuses a Host that is not its own (a rebound name)', async () => {
    // fetch may not set Host; node:http may.
    const http = await import('node:http');
    const url = new URL(`${base}/api/meta`);
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(
          { host: url.hostname, port: url.port, path: url.pathname, headers: { host: 'evil.example' } },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        )
        .on('error', reject);
    });
    expect(status).toBe(403);
  });
});
