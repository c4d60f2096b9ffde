/**
 * Starting the console: the read model (readModel/), loaded by one scan of the episodes and kept current from two
 * small feeds and the episodes whose score settle wrote since (README "The console"), the alerts of the episodes a
 * page reaches, read when it needs them (readModel/episodeAlerts.ts), the event stream that tells pages of its changes, the sources the endpoints read,
 * and the HTTP server that answers with them. ../server.ts runs it as a process; the tests start it in-process.
 */
import { createServer, type Server } from 'node:http';
import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import type { Storage } from '@google-cloud/storage';
import type { Kafka } from 'kafkajs';
import { formatMinute } from '../../shared/core/timestamp.js';
import { WaitingSince } from '../../shared/kafka/waitingSince.js';
import type { Logger } from '../../shared/logging/logger.js';
import { FirestoreIngestionStore } from '../../shared/state/ingestionStore.js';
import { FirestoreSymbolStateStore } from '../../shared/state/symbolStateStore.js';
import { EpisodeAlerts } from '../readModel/episodeAlerts.js';
import { ModelFollower } from '../readModel/follow.js';
import { FirestoreAlertQueries } from '../sources/alertQueries.js';
import { ReadModel } from '../readModel/readModel.js';
import type { ConsoleSettings } from './settings.js';
import { FirestoreDocuments } from '../sources/documents.js';
import { readHealth } from '../sources/healthReadings.js';
import { sharedReading } from '../sources/sharedReading.js';
import { openObject } from '../sources/storageObjects.js';
import { FirestoreTriageStore } from '../sources/triageStore.js';
import { consoleRequestListener } from './app.js';
import { callerIdentity, type CertSource } from './identity.js';
import { EventStream } from './eventStream.js';
import type { ConsoleParts } from './routes.js';

interface ConsoleClients {
  firestore: Firestore;
  /** The audit database's client (settings.auditDatabase): triage and its history. */
  audit: Firestore;
  storage: Storage;
  kafka: Kafka;
  pubsub: PubSub;
  /** Google's ID token certificates (identity.ts); the tests give keys of their own. */
  idTokenCerts?: CertSource;
}

export interface RunningConsole {
  server: Server;
  /** `http://host:port/`. */
  url: string;
  model: ReadModel;
  /** The alerts held for the pages, and the queries that read them (the bench counts their reads). */
  alerts: { held: EpisodeAlerts; queries: FirestoreAlertQueries };
  /** Resolves once the read model's initial load is done. */
  loaded: Promise<void>;
  close(): Promise<void>;
}

const KAFKA_PART_TIMEOUT_MS = 10_000;
/** The running and the failed ingestions the health page shows, the newest of each. */
const HEALTH_INGESTIONS = 50;
/** The newest ingestions whose too-late bars and set-aside rows the health page adds up (`undetected`). */
const UNDETECTED_INGESTIONS = 200;
/** How long one health reading serves every page that asks (they poll every few seconds). */
const HEALTH_MAX_AGE_MS = 3_000;
/**
 * How often the health page's waiting times may read records again for partitions that moved on (a read joins a
 * throwaway consumer group: about a second locally, a few on a managed cluster). A stalled partition's time is
 * read once and kept.
 */
const WAITING_SINCE_INTERVAL_MS = 15_000;

function consoleParts(
  settings: ConsoleSettings,
  clients: ConsoleClients,
  model: ReadModel,
  alerts: { held: EpisodeAlerts; queries: FirestoreAlertQueries },
  events: EventStream,
): ConsoleParts {
  const { firestore, audit, storage, kafka, pubsub } = clients;
  const waitingSince = new WaitingSince(kafka, settings.kafka.topic, {
    minIntervalMs: WAITING_SINCE_INTERVAL_MS,
  });
  const ingestions = new FirestoreIngestionStore(firestore, settings.collections.ingestions);
  const states = new FirestoreSymbolStateStore(firestore, settings.collections.state);
  return {
    settings,
    model,
    alerts: { held: alerts.held, count: alerts.queries.count },
    documents: new FirestoreDocuments(firestore, settings.collections, audit),
    triage: new FirestoreTriageStore(firestore, audit, settings.collections.episodes),
    ingestions,
    openObject: (bucket, name) => openObject(storage, bucket, name),
    health: sharedReading(
      () =>
        readHealth({
          kafka,
          pubsub,
          topics: { ...settings.kafka, notifyDeadLetters: settings.notifyDeadLetters },
          waitingSince,
          symbols: () => states.summaries(),
          ingestions: async () => {
            const [running, failed, recent] = await Promise.all([
              ingestions.page({ status: 'running', limit: HEALTH_INGESTIONS }),
              ingestions.page({ status: 'failed', limit: HEALTH_INGESTIONS }),
              ingestions.page({ limit: UNDETECTED_INGESTIONS }),
            ]);
            return { running: running.items, failed: failed.items, recent: recent.items };
          },
          timeoutMs: KAFKA_PART_TIMEOUT_MS,
        }),
      HEALTH_MAX_AGE_MS,
    ),
    events,
    now: () => Date.now(),
    identity: callerIdentity(settings.identity, clients.idTokenCerts),
  };
}
export async function startConsole(
  settings: ConsoleSettings,
  clients: ConsoleClients,
  logger: Logger,
): Promise<RunningConsole> {
  const model = new ReadModel();
  const events = new EventStream(() => {
    const newest = model.newestMinute();
    return {
      alerts: model.alertCount,
      episodes: model.episodes.count,
      newest: newest === null ? null : formatMinute(newest),
    };
  });
  model.onChange(() => events.changed());
  // What the follower says is something it worked around (a feed unread, a document it could not list).
  const modelLogger = logger.with({ labels: { part: 'readModel' } });
  const queries = new FirestoreAlertQueries(clients.firestore, settings.collections.alerts);
  const alerts = { held: new EpisodeAlerts(queries.ofEpisodes), queries };
  const follower = new ModelFollower(
    clients.firestore,
    clients.audit,
    model,
    settings.follow,
    (line) => modelLogger.warn(line),
    alerts.held,
  );
  const startedAt = Date.now();
  const loaded = follower.start().then(() => {
    const { episodes } = model;
    const seconds = (Date.now() - startedAt) / 1000;
    modelLogger.info(
      `read model loaded in ${seconds.toFixed(1)} s: ${episodes.count} episodes holding ${model.alertCount} alerts`,
      { seconds, alerts: model.alertCount, episodes: episodes.count },
    );
  });
  const server = createServer(
    consoleRequestListener(consoleParts(settings, clients, model, alerts, events), logger),
  );
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
    alerts,
    loaded,
    async close() {
      await follower.stop();
      events.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
