/**
 * The dispatcher is not a function: it is deployed as a Cloud Run worker pool that consumes Kafka and invokes
 * detect (KafkaSource's part). It lives beside the functions because it shares their code and deploy.sh.
 *
 * This is its entry as a long-running process (`node dist/functions/dispatcher/main.js`): locally beside
 * the functions, on Google Cloud as a Cloud Run worker pool calling the private detect service with an
 * identity token. Its settings are read once, here (shared/config/dispatcherSettings.ts); a malformed one
 * stops it at once with a message naming the variable.
 */
import { GoogleAuth } from 'google-auth-library';
import { Kafka } from 'kafkajs';
import { healthPort, startHealthServer } from '../../shared/clients/healthServer.js';
import { kafkaClientConfig } from '../../shared/clients/kafka.js';
import { dispatcherSettings, type DispatcherSettings } from '../../shared/config/dispatcherSettings.js';
import { ConfigError } from '../../shared/config/variables.js';
import { kafkaLogCreator } from '../../shared/logging/kafkajs.js';
import { createLogger } from '../../shared/logging/logger.js';
import { startDispatcher } from './dispatcher.js';

// No project for trace ids: a Kafka record carries no trace (ingest sets none), so no line has one.
const log = createLogger('dispatcher');

let settings: DispatcherSettings;
try {
  settings = dispatcherSettings(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  log.critical(error.message);
  process.exit(2);
}

let idTokenClient: ReturnType<GoogleAuth['getIdTokenClient']> | undefined;

async function identityTokenHeaders(): Promise<Record<string, string>> {
  idTokenClient ??= new GoogleAuth().getIdTokenClient(settings.targetUrl);
  const client = await idTokenClient;
  const headers = await client.getRequestHeaders();
  return Object.fromEntries(headers instanceof Headers ? headers.entries() : Object.entries(headers));
}

const dispatcher = await startDispatcher({
  kafka: new Kafka({ ...kafkaClientConfig(settings.kafka), logCreator: kafkaLogCreator(log) }),
  log,
  topic: settings.topic,
  groupId: settings.groupId,
  deadLetterTopic: settings.deadLetterTopic,
  targetUrl: settings.targetUrl,
  initialBackoffMs: settings.initialBackoffMs,
  maxBackoffMs: settings.maxBackoffMs,
  attemptTimeoutMs: settings.attemptTimeoutMs,
  ...(settings.auth === 'google-id-token' ? { authHeaders: identityTokenHeaders } : {}),
  // A consumer kafkajs will not restart consumes nothing: end the process so that a new one takes over.
  onFatalCrash: () => process.exit(1),
});
startHealthServer(healthPort(process.env), () => dispatcher.ready());
log.info('dispatcher running', { target: settings.targetUrl });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    dispatcher.stop().finally(() => process.exit(0));
  });
}
