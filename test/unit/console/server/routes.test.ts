/**
 * Endpoints in-process, over a hand-made read model and documents held in memory. The episode detail: the
 * alerts' ids come from the alerts naming the episode (a query on `episode`, done here over the documents held),
 * in time order, and are read with one getAll;
 * the episodes a late bar merged into it come with their triage and history, and a withdrawn one still answers.
 * Triage of a withdrawn episode is refused (409). The meta: the exchange zone of the detection settings.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { DocumentData } from '@google-cloud/firestore';
import { beforeEach, describe, expect, it } from 'vitest';
import { consoleRoutes, type ConsoleParts } from '../../../../console/server/routes.js';
import { Timestamp } from '@google-cloud/firestore';
import type { Documents } from '../../../../console/sources/documents.js';
import { HttpError } from '../../../../console/server/http/httpError.js';
import { ReadModel } from '../../../../console/readModel/readModel.js';
import { EpisodeAlerts, type AlertFact } from '../../../../console/readModel/episodeAlerts.js';
import { rulesBits } from '../../../../console/readModel/ruleBits.js';
import { consoleSettingsFromEnv } from '../../../../console/server/settings.js';

const M0 = Date.UTC(2024, 0, 2, 4, 0) / 60_000;
const stamp = (minute: number) => ({ toMillis: () => minute * 60_000 });
const iso = (minute: number) => new Date(minute * 60_000).toISOString().replace('.000Z', 'Z');
const idOf = (minute: number) => `ACME@${iso(minute)}`;

const alertData = (minute: number, episode: string): DocumentData => ({
  symbol: 'ACME',
  timestamp: stamp(minute),
  rules: ['A1'],
  severity: 1,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 10,
  source: { object: 'in.csv', line: 2 },
  episode,
});

const episodeData = (start: number, end: number, extra: DocumentData = {}): DocumentData => ({
  symbol: 'ACME',
  start: stamp(start),
  end: stamp(end),
  count: 3,
  a1: 3,
  a2: 0,
  peakSeverity: 1,
  ...extra,
});

let model: ReadModel;
let held: EpisodeAlerts;
let stored: Map<string, DocumentData>;
let storedEpisodes: Map<string, DocumentData>;
let histories: Map<string, DocumentData[]>;
let getAlls: string[][];
/** What the triage store's apply answers (the Firestore store's outcomes: undefined, a refusal, a result). */
let applied: unknown;

function partsOf(env: NodeJS.ProcessEnv = {}): ConsoleParts {
  const documents: Documents = {
    async alerts(ids) {
      getAlls.push([...ids]);
      return new Map(ids.flatMap((key) => (stored.has(key) ? [[key, stored.get(key)!] as const] : [])));
    },
    episodes: async () => new Map(),
    alert: async (key) => stored.get(key),
    episode: async (key) => storedEpisodes.get(key),
    // As the query on `withdrawn.into` does.
    mergedInto: async (key) =>
      new Map(
        [...storedEpisodes].filter(([, data]) => (data.withdrawn as DocumentData | undefined)?.into === key),
      ),
    alertAndBars: async () => [undefined, []],
    bars: async () => [],
  };
  return {
    settings: consoleSettingsFromEnv({ CONSOLE_USER: 'ana', ...env }),
    model,
    alerts: { held, count: async () => 0 },
    documents,
    triage: { apply: async () => applied, history: async (key: string) => histories.get(key) ?? [] },
    now: () => Date.UTC(2030, 0, 1),
  } as unknown as ConsoleParts;
}

function call(
  pattern: string,
  params: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
  query: Record<string, string> = {},
): Promise<unknown> {
  const route = consoleRoutes(partsOf(env)).find((r) => r.method === 'GET' && r.pattern === pattern)!;
  return route.handler({
    request: { headers: {} } as IncomingMessage,
    response: {} as ServerResponse,
    params,
    query: new URLSearchParams(query),
    caller: 'ana',
  });
}

const detail = (id: string) => call('/api/episodes/:id', { id });

/** POST /api/episodes/:id/triage with `body` as JSON. */
function triage(id: string, body: unknown): Promise<unknown> {
  const route = consoleRoutes(partsOf()).find((r) => r.method === 'POST')!;
  const request = Object.assign(Readable.from([Buffer.from(JSON.stringify(body))]), {
    headers: { 'content-type': 'application/json' },
  });
  return route.handler({
    request: request as unknown as IncomingMessage,
    response: {} as ServerResponse,
    params: { id },
    query: new URLSearchParams(),
    caller: 'ana',
  });
}

beforeEach(() => {
  model = new ReadModel();
  stored = new Map();
  storedEpisodes = new Map([['ACME@1', episodeData(M0, M0 + 4)]]);
  histories = new Map();
  applied = undefined;
  getAlls = [];
  // Stored out of time order; one alert of another episode.
  for (const minute of [M0 + 4, M0, M0 + 2]) stored.set(idOf(minute), alertData(minute, 'ACME@1'));
  stored.set(idOf(M0 + 30), alertData(M0 + 30, 'ACME@2'));
  const episode = (start: number, end: number, count: number) => ({
    symbol: 'ACME',
    start: start * 60_000,
    end: end * 60_000,
    count,
    a1: count,
    a2: 0,
    peakSeverity: 1,
    score: null,
    status: undefined,
  });
  model.putEpisode('ACME@1', episode(M0, M0 + 4, 3), 1);
  model.putEpisode('ACME@2', episode(M0 + 30, M0 + 30, 1), 1);
  model.progress.episodes.done = true;
  // As the query `episode in [...]` over the documents stored answers: withdrawn ones left out.
  held = new EpisodeAlerts(async (ids) => {
    const found = new Map<string, AlertFact[]>();
    for (const [id, data] of stored) {
      if (!ids.includes(data.episode as string) || data.withdrawn != null) continue;
      const fact: AlertFact = {
        id,
        symbol: data.symbol as string,
        minute: (data.timestamp as { toMillis(): number }).toMillis() / 60_000,
        rules: rulesBits(data.rules as string[]),
        severity: data.severity as number,
        episode: data.episode as string,
      };
      found.set(fact.episode, [...(found.get(fact.episode) ?? []), fact]);
    }
    return found;
  });
});

describe('GET /api/episodes/:id', () => {
  it("reads the episode's alerts with one getAll of the ids its query gave, and answers them in time order", async () => {
    const body = (await detail('ACME@1')) as { episode: { id: string }; alerts: { id: string }[] };
    expect(getAlls).toEqual([[idOf(M0), idOf(M0 + 2), idOf(M0 + 4)]]);
    expect(body.episode).toMatchObject({ id: 'ACME@1', count: 3, status: 'new' });
    expect(body.alerts.map((alert) => alert.id)).toEqual([idOf(M0), idOf(M0 + 2), idOf(M0 + 4)]);
    expect(body.alerts[0]).toMatchObject({ timestamp: iso(M0), episode: 'ACME@1', status: 'new' });
    expect(body).toHaveProperty('history', []);
    expect(body).toHaveProperty('merged', []);
  });

  it('leaves out a document gone, no longer naming the episode, or withdrawn', async () => {
    stored.delete(idOf(M0));
    stored.set(idOf(M0 + 2), alertData(M0 + 2, 'ACME@9'));
    const body = (await detail('ACME@1')) as { alerts: { id: string }[] };
    expect(body.alerts.map((alert) => alert.id)).toEqual([idOf(M0 + 4)]);
    stored.set(idOf(M0 + 4), {
      ...alertData(M0 + 4, 'ACME@1'),
      withdrawn: { kind: 'withdrawn', at: stamp(M0 + 60), object: 'late.csv', generation: '7' },
    });
    expect(((await detail('ACME@1')) as { alerts: unknown[] }).alerts).toEqual([]);
  });

  it('answers 404 for an unknown episode, and 503 while the model is loading', async () => {
    await expect(detail('nope')).rejects.toMatchObject({ status: 404, message: "no such episode 'nope'" });
    model.progress.episodes.done = false;
    getAlls = [];
    const loading = detail('ACME@1');
    await expect(loading).rejects.toBeInstanceOf(HttpError);
    await expect(loading).rejects.toMatchObject({ status: 503 });
    expect(getAlls).toEqual([]);
  });
});

/** When detect revised: 2024-01-03 10:00:05.250 UTC. */
const REVISED_AT = { toMillis: () => Date.UTC(2024, 0, 3, 10, 0, 5, 250) };
const withdrawnInto = (into: string | null) => ({
  withdrawn: { at: REVISED_AT, into, object: 'late.csv', generation: '7' },
});

describe('GET /api/episodes/:id: episodes a late bar regrouped', () => {
  beforeEach(() => {
    // Two merged into ACME@1 (the later one stored first), one triaged with its history; one merged elsewhere,
    // one into no episode.
    storedEpisodes.set(
      'ACME@3',
      episodeData(M0 + 3, M0 + 4, {
        ...withdrawnInto('ACME@1'),
        triage: { status: 'escalated', assignee: 'bo', updatedAt: REVISED_AT, updatedBy: 'bo' },
      }),
    );
    storedEpisodes.set('ACME@2', episodeData(M0 + 2, M0 + 2, withdrawnInto('ACME@1')));
    storedEpisodes.set('ACME@8', episodeData(M0 + 8, M0 + 9, withdrawnInto('ACME@7')));
    storedEpisodes.set('ACME@9', episodeData(M0 + 9, M0 + 9, withdrawnInto(null)));
    histories.set('ACME@3', [
      { at: stamp(M0 + 100), by: 'bo', from: 'investigating', to: 'escalated', comment: 'same trader' },
      { at: stamp(M0 + 90), by: 'ana', from: 'new', to: 'investigating' },
    ]);
  });

  it('answers the episodes merged into it, by start, each with its status, assignee and history', async () => {
    const body = (await detail('ACME@1')) as {
      episode: Record<string, unknown>;
      merged: Array<{ episode: Record<string, unknown>; history: unknown[] }>;
    };
    expect(body.episode).not.toHaveProperty('withdrawn');
    expect(body.merged.map((merged) => merged.episode.id)).toEqual(['ACME@2', 'ACME@3']);
    expect(body.merged[0]).toEqual({
      episode: expect.objectContaining({ id: 'ACME@2', status: 'new' }),
      history: [],
    });
    expect(body.merged[1]!.episode).toMatchObject({
      id: 'ACME@3',
      status: 'escalated',
      assignee: 'bo',
      withdrawn: { at: '2024-01-03T10:00:05.250Z', into: 'ACME@1', object: 'late.csv', generation: '7' },
    });
    expect(body.merged[1]!.history).toEqual([
      { at: iso(M0 + 100), by: 'bo', from: 'investigating', to: 'escalated', comment: 'same trader' },
      { at: iso(M0 + 90), by: 'ana', from: 'new', to: 'investigating' },
    ]);
  });

  it('still answers a withdrawn episode, with its withdrawal and its history, and none merged into it', async () => {
    const body = (await detail('ACME@3')) as Record<string, unknown>;
    expect(body).toMatchObject({
      episode: {
        id: 'ACME@3',
        status: 'escalated',
        withdrawn: { at: '2024-01-03T10:00:05.250Z', into: 'ACME@1' },
      },
      alerts: [],
      merged: [],
    });
    expect((body.history as unknown[]).length).toBe(2);
    expect(await detail('ACME@9')).toMatchObject({ episode: { withdrawn: { into: null } } });
  });
});

describe('GET /api/alerts/:id: an alert a late bar touched', () => {
  it('answers a withdrawn alert with its figures and its marks', async () => {
    stored.set(idOf(M0), {
      ...alertData(M0, 'ACME@1'),
      revision: { kind: 'late', at: stamp(M0 + 60), object: 'first.csv', generation: '3' },
      withdrawn: { kind: 'withdrawn', at: REVISED_AT, object: 'late.csv', generation: '7' },
    });
    const body = (await call('/api/alerts/:id', { id: idOf(M0) })) as { alert: Record<string, unknown> };
    expect(body.alert).toMatchObject({
      id: idOf(M0),
      close: 1,
      revision: { kind: 'late', at: iso(M0 + 60), object: 'first.csv', generation: '3' },
      withdrawn: { kind: 'withdrawn', at: '2024-01-03T10:00:05.250Z', object: 'late.csv', generation: '7' },
    });
  });
});

describe('POST /api/episodes/:id/triage', () => {
  it('refuses (409) an episode a late bar withdrew, naming the episode it merged into, or saying it is none', async () => {
    applied = { withdrawn: { at: '2024-01-03T10:00:05.250Z', into: 'ACME@1' } };
    await expect(triage('ACME@3', { status: 'investigating' })).rejects.toMatchObject({
      status: 409,
      message:
        "episode 'ACME@3' was withdrawn at 2024-01-03T10:00:05.250Z: a late bar regrouped its alerts, " +
        "merging it into episode 'ACME@1': triage that one; nothing was written",
    });
    applied = { withdrawn: { at: '2024-01-03T10:00:05.250Z', into: null } };
    await expect(triage('ACME@9', { status: 'investigating' })).rejects.toMatchObject({
      status: 409,
      message:
        "episode 'ACME@9' was withdrawn at 2024-01-03T10:00:05.250Z: a late bar regrouped its alerts, " +
        'and it is no longer an episode; nothing was written',
    });
  });
});

describe('GET /api/meta', () => {
  it('names the exchange zone of the detection settings', async () => {
    expect(await call('/api/meta', {}, { EXCHANGE_TIMEZONE: 'America/New_York' })).toEqual({
      symbols: ['ACME'],
      statuses: ['new', 'investigating', 'escalated', 'dismissed', 'confirmed'],
      user: 'ana',
      version: expect.any(String),
      timeZone: 'America/New_York',
    });
    expect(await call('/api/meta', {})).toHaveProperty('timeZone', 'Asia/Kolkata');
  });
});

describe('GET /api/alerts', () => {
  it("leaves out an alert deleted unseen (a TTL policy): the total is its episodes' counts", async () => {
    stored.delete(idOf(M0 + 2));
    const first = (await call('/api/alerts', {}, {}, { limit: '50' })) as {
      items: { id: string }[];
      total: number;
    };
    expect(first.items.map((item) => item.id)).toEqual([idOf(M0 + 30), idOf(M0 + 4), idOf(M0)]);
    expect(first.total).toBe(4);
  });

  it('leaves out an alert a late bar withdrew before the feed said so, and marks one it raised late', async () => {
    const at = Timestamp.fromMillis(Date.UTC(2030, 0, 1));
    const mark = { at, object: 'LATE.csv', generation: '9' };
    stored.set(idOf(M0 + 2), { ...stored.get(idOf(M0 + 2))!, withdrawn: { kind: 'withdrawn', ...mark } });
    stored.set(idOf(M0 + 4), { ...stored.get(idOf(M0 + 4))!, revision: { kind: 'late', ...mark } });
    const page = (await call('/api/alerts', {}, {}, { limit: '50' })) as {
      items: { id: string; revision?: { kind: string; object: string } }[];
      total: number;
    };
    expect(page.items.map((item) => item.id)).toEqual([idOf(M0 + 30), idOf(M0 + 4), idOf(M0)]);
    expect(page.items[1]!.revision).toMatchObject({ kind: 'late', object: 'LATE.csv' });
    // The total is the episodes' counts: detect lowers the episode's count in the revision that withdraws.
    expect(page.total).toBe(4);
  });
});
