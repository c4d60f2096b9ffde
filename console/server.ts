/**
 * The analysts' console server (`node dist/console/server.js`): the API of docs/console-api.md and the web
 * app's files, over node:http with no framework. The list pages are answered from an in-memory read model
 * (readModel/) loaded by one scan at start and kept current from two small feeds; see README "The console".
 *
 * Settings: settings.ts (PORT or STACK_CONSOLE_PORT; CONSOLE_HOST; the collections and Kafka names of
 * shared/config/runtime.ts; the detection thresholds).
 */
import { realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import type { Firestore } from '@google-cloud/firestore';
import type { Storage } from '@google-cloud/storage';
import { Kafka, logLevel } from 'kafkajs';
import { getFirestore, getStorage } from '../shared/clients/google.js';
import { kafkaConfig } from '../shared/clients/kafka.js';
import { readVariable } from '../shared/config/runtime.js';
import { formatMinute } from '../shared/core/timestamp.js';
import { describeError, serviceError } from '../shared/errors.js';
import { FirestoreIngestionStore } from '../shared/state/ingestionStore.js';
import { FirestoreSymbolStateStore } from '../shared/state/symbolStateStore.js';
import type { ConsoleParts } from './api/handlers.js';
import { consoleRequestListener } from './app.js';
import { FirestoreDocuments } from './documents.js';
import { EventStream } from './events.js';
import { readHealth, sharedReading } from './health.js';
import { ModelFollower } from './readModel/follow.js';
import { ReadModel } from './readModel/readModel.js';
import { consoleSettingsFromEnv, type ConsoleSettings } from './settings.js';
import { FirestoreTriageStore } from './triage.js';

export interface ConsoleClients {
  firestore: Firestore;
  storage: Storage;
  kafka: Kafka;
}

export interface RunningConsole {
  server: Server;
  /** `http://host:port/`. */
  url: string;
  model: ReadModel;
  /** Resolves once the read model's initial load is done. */
  loaded: Promise<void>;
  close(): Promise<void>;
}

const KAFKA_PART_TIMEOUT_MS = 10_000;
/** How long one health reading serves every page that asks (they poll every few seconds). */
const HEALTH_MAX_AGE_MS = 3_000;

/** The console's Kafka client: it gives up quickly, so that the health page says Kafka is down instead of hanging. */
export function consoleKafka(env: NodeJS.ProcessEnv): Kafka {
  return new Kafka({
    ...kafkaConfig(env),
    // KAFKA_CLIENT_ID's, marked as the console's in the broker's logs and quotas.
    clientId: `${readVariable('KAFKA_CLIENT_ID', env)}-console`,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
  });
}

export function consoleParts(
  settings: ConsoleSettings,
  clients: ConsoleClients,
  model: ReadModel,
  events: EventStream,
): ConsoleParts {
  const { firestore, storage, kafka } = clients;
  const ingestions = new FirestoreIngestionStore(firestore, settings.collections.ingestions);
  const states = new FirestoreSymbolStateStore(firestore, settings.collections.state);
  return {
    settings,
    model,
    documents: new FirestoreDocuments(firestore, settings.collections),
    triage: new FirestoreTriageStore(firestore, settings.collections.episodes),
    ingestions,
    async openObject(bucket, name) {
      const file = storage.bucket(bucket).file(name);
      try {
        const [exists] = await file.exists();
        return exists ? file.createReadStream() : undefined;
      } catch (error) {
        throw serviceError('Cloud Storage', error);
      }
    },
    health: sharedReading(
      () =>
        readHealth({
          kafka,
          topics: settings.kafka,
          symbols: () => states.summaries(),
          ingestions: () => ingestions.list(),
          timeoutMs: KAFKA_PART_TIMEOUT_MS,
        }),
      HEALTH_MAX_AGE_MS,
    ),
    events,
    now: () => Date.now(),
  };
}

export async function startConsole(
  settings: ConsoleSettings,
  clients: ConsoleClients,
  log: (line: string) => void,
): Promise<RunningConsole> {
  const model = new ReadModel();
  const events = new EventStream(() => {
    const newest = model.newestMinute();
    return {
      alerts: model.alerts.count,
      episodes: model.episodes.count,
      newest: newest === null ? null : formatMinute(newest),
    };
  });
  model.onChange(() => events.changed());
  const follower = new ModelFollower(clients.firestore, model, settings.follow, log);
  const startedAt = Date.now();
  const loaded = follower.start().then(() => {
    const { alerts, episodes } = model;
    log(
      `read model loaded in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${alerts.count} alerts, ` +
        `${episodes.count} episodes`,
    );
  });
  const server = createServer(consoleRequestListener(consoleParts(settings, clients, model, events), log));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(settings.port, settings.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const host = settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host;
  return {
    server,
    url: `http://${host}:${port}/`,
    model,
    loaded,
    async close() {
      follower.stop();
      events.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} console: ${line}\n`);
  let settings: ConsoleSettings;
  try {
    settings = consoleSettingsFromEnv(process.env);
  } catch (error) {
    log(describeError(error));
    process.exit(2);
  }
  const running = await startConsole(
    settings,
    { firestore: getFirestore(), storage: getStorage(), kafka: consoleKafka(process.env) },
    log,
  );
  log(`listening on ${running.url}`);
  const stop = () => {
    running.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

function isMain(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMain()) await main();
