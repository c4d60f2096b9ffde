/**
 * Endpoints in-process, over a hand-made read model and documents held in memory. The episode detail: the
 * alerts' ids come from the model, in time order, and are read with one getAll; no query is run. The meta:
 * the exchange zone of the detection settings.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DocumentData } from '@google-cloud/firestore';
import { beforeEach, describe, expect, it } from 'vitest';
import { consoleRoutes, type ConsoleParts } from '../../../../console/server/routes.js';
import type { Documents } from '../../../../console/sources/documents.js';
import { HttpError } from '../../../../console/server/http/httpError.js';
import { ReadModel } from '../../../../console/readModel/readModel.js';
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

let model: ReadModel;
let stored: Map<string, DocumentData>;
let getAlls: string[][];

function call(
  pattern: string,
  params: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
  query: Record<string, string> = {},
): Promise<unknown> {
  const documents: Documents = {
    async alerts(ids) {
      getAlls.push([...ids]);
      return new Map(ids.flatMap((key) => (stored.has(key) ? [[key, stored.get(key)!] as const] : [])));
    },
    episodes: async () => new Map(),
    alert: async (key) => stored.get(key),
    episode: async (key) =>
      key === 'ACME@1'
        ? { symbol: 'ACME', start: stamp(M0), end: stamp(M0 + 4), count: 3, a1: 3, a2: 0, peakSeverity: 1 }
        : undefined,
    alertAndBars: async () => [undefined, undefined],
  };
  const parts = {
    settings: consoleSettingsFromEnv({ CONSOLE_USER: 'ana', ...env }),
    model,
    documents,
    triage: { apply: async () => undefined, history: async () => [] },
    now: () => Date.UTC(2030, 0, 1),
  } as unknown as ConsoleParts;
  const route = consoleRoutes(parts).find((r) => r.method === 'GET' && r.pattern === pattern)!;
  return route.handler({
    request: { headers: {} } as IncomingMessage,
    response: {} as ServerResponse,
    params,
    query: new URLSearchParams(query),
  });
}

const detail = (id: string) => call('/api/episodes/:id', { id });

beforeEach(() => {
  model = new ReadModel();
  stored = new Map();
  getAlls = [];
  // Arrive out of time order; one alert of another episode.
  for (const minute of [M0 + 4, M0, M0 + 2]) {
    model.putAlert({ symbol: 'ACME', minute, rules: ['A1'], severity: 1, episode: 'ACME@1' }, 1);
    stored.set(idOf(minute), alertData(minute, 'ACME@1'));
  }
  model.putAlert({ symbol: 'ACME', minute: M0 + 30, rules: ['A1'], severity: 1, episode: 'ACME@2' }, 1);
  stored.set(idOf(M0 + 30), alertData(M0 + 30, 'ACME@2'));
  model.progress.alerts.done = true;
  model.progress.episodes.done = true;
});

describe('GET /api/episodes/:id', () => {
  it("reads the episode's alerts with one getAll of the model's ids, and answers them in time order", async () => {
    const body = (await detail('ACME@1')) as { episode: { id: string }; alerts: { id: string }[] };
    expect(getAlls).toEqual([[idOf(M0), idOf(M0 + 2), idOf(M0 + 4)]]);
    expect(body.episode).toMatchObject({ id: 'ACME@1', count: 3, status: 'new' });
    expect(body.alerts.map((alert) => alert.id)).toEqual([idOf(M0), idOf(M0 + 2), idOf(M0 + 4)]);
    expect(body.alerts[0]).toMatchObject({ timestamp: iso(M0), episode: 'ACME@1', status: 'new' });
    expect(body).toHaveProperty('history', []);
  });

  it('leaves out a document gone, or no longer naming the episode, before the model is told', async () => {
    stored.delete(idOf(M0));
    stored.set(idOf(M0 + 2), alertData(M0 + 2, 'ACME@9'));
    const body = (await detail('ACME@1')) as { alerts: { id: string }[] };
    expect(body.alerts.map((alert) => alert.id)).toEqual([idOf(M0 + 4)]);
  });

  it('answers 404 for an unknown episode, and 503 while the model is loading', async () => {
    await expect(detail('nope')).rejects.toMatchObject({ status: 404, message: "no such episode 'nope'" });
    model.progress.alerts.done = false;
    getAlls = [];
    const loading = detail('ACME@1');
    await expect(loading).rejects.toBeInstanceOf(HttpError);
    await expect(loading).rejects.toMatchObject({ status: 503 });
    expect(getAlls).toEqual([]);
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
  it('forgets an alert deleted unseen (a TTL policy): the page leaves it out, the next total counts it no more', async () => {
    stored.delete(idOf(M0 + 2));
    const first = (await call('/api/alerts', {}, {}, { limit: '50' })) as {
      items: { id: string }[];
      total: number;
    };
    expect(first.items.map((item) => item.id)).toEqual([idOf(M0 + 30), idOf(M0 + 4), idOf(M0)]);
    expect(first.total).toBe(4);
    const second = (await call('/api/alerts', {}, {}, { limit: '50' })) as { total: number };
    expect(second.total).toBe(3);
  });
});
