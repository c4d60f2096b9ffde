/**
 * The console server in-process against the local stack's real Firestore emulator, fake-gcs-server and Kafka,
 * on collections of its own (one set per test file) seeded with seeds.ts; `get` and `post` ask it over HTTP.
 */
import { FieldValue, Firestore, Timestamp } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, expect } from 'vitest';
import { freePort } from '../../helpers/freePort.js';
import { barsRecords, episodeData, writeRecords } from '../../helpers/consoleFixture.js';
import type { CertSource } from '../../../console/server/identity.js';
import { consoleSettingsFromEnv } from '../../../console/server/settings.js';
import { startConsole, type RunningConsole } from '../../../console/server/start.js';
import { consoleKafka } from '../../../console/sources/kafkaClient.js';
import { createLogger } from '../../../shared/logging/logger.js';
import { stackClientEnv, stackEndpoints } from '../../../stack/endpoints.js';
import { allAlerts, allEpisodes, handBars, scoreFields, triaged } from './seeds.js';

export const endpoints = stackEndpoints();
const clientEnv = stackClientEnv();
process.env.FIRESTORE_EMULATOR_HOST = endpoints.firestore.emulatorHost;
process.env.METADATA_SERVER_DETECTION = 'none';

export const runId = `${Date.now().toString(36)}-${process.pid}`;
export const COLLECTIONS = {
  ALERTS_COLLECTION: `console-alerts-${runId}`,
  EPISODES_COLLECTION: `console-episodes-${runId}`,
  BARS_COLLECTION: `console-bars-${runId}`,
  INGESTIONS_COLLECTION: `console-ingestions-${runId}`,
  STATE_COLLECTION: `console-state-${runId}`,
};

export const db = new Firestore({ projectId: endpoints.project });
/** The audit database, where the console keeps triage and its history (docs/records.md). */
export const auditDb = new Firestore({ projectId: endpoints.project, databaseId: 'audit' });
export const storage = new Storage({
  projectId: endpoints.project,
  apiEndpoint: endpoints.storage.apiEndpoint,
});
export const pubsub = new PubSub({
  projectId: endpoints.project,
  apiEndpoint: endpoints.pubsub.emulatorHost,
  emulatorMode: true,
});
let running: RunningConsole;
let base = '';

/** The address of `path` on the console under test. */
export const url = (path: string) => `${base}${path}`;

/** How a test file starts its console beyond the defaults: settings over the local ones, Google's keys. */
export interface ConsoleOptions {
  env?: NodeJS.ProcessEnv;
  idTokenCerts?: CertSource;
}

/** Seeds the documents and starts the console before the file's tests; stops it after them. */
export function seededConsole(options: ConsoleOptions = {}): void {
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
      allEpisodes.map((episode) => ({
        id: episode.id,
        data: {
          ...episodeData(episode, FieldValue.serverTimestamp()),
          // As detect writes them beside the episode; absent on the episodes stored before scores.
          ...scoreFields.get(episode.id),
        },
      })),
    );
    // The triage seeded, where the console keeps it: the audit database.
    await writeRecords(
      auditDb,
      COLLECTIONS.EPISODES_COLLECTION,
      allEpisodes.flatMap((episode) => {
        const status = triaged.get(episode.id);
        return status
          ? [
              {
                id: episode.id,
                data: { triage: { status, assignee: 'ana', updatedAt: Timestamp.now(), updatedBy: 'ana' } },
              },
            ]
          : [];
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
      ...options.env,
    });
    running = await startConsole(
      settings,
      {
        firestore: db,
        audit: auditDb,
        storage,
        kafka: consoleKafka({ ...process.env, ...clientEnv }),
        pubsub,
        ...(options.idTokenCerts && { idTokenCerts: options.idTokenCerts }),
      },
      createLogger('console', { write: () => undefined }),
    );
    base = running.url.replace(/\/$/, '');
    await running.loaded;
  }, 120_000);

  afterAll(async () => {
    await running?.close();
    await db.terminate();
    await auditDb.terminate();
    await pubsub.close();
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's JSON, read loosely: each test checks the fields it names
export type Body = any;

export async function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Body }> {
  const response = await fetch(url(path), { headers });
  const text = await response.text();
  return {
    status: response.status,
    body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}

export async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

/** Every page of a list, following `next`. */
export async function allPages(list: 'alerts' | 'episodes', params: URLSearchParams, limit: number) {
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
