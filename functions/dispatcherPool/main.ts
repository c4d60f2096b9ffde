// A Cloud Run worker pool (a long-running Kafka consumer), not a Cloud Function.
/**
 * The dispatcher as a long-running process (`node dist/functions/dispatcherPool/main.js`): locally beside
 * the functions, on Google Cloud as a Cloud Run worker pool calling the private detect service with an
 * identity token. Settings come from the environment (see shared/config/runtime.ts).
 */
import { GoogleAuth } from 'google-auth-library';
import { createKafka } from '../../shared/clients/kafka.js';
import { readPositiveInt, readVariable } from '../../shared/config/runtime.js';
import { healthPort, startHealthServer } from '../../shared/clients/healthServer.js';
import { startDispatcher } from './dispatcher.js';

const env = process.env;
const targetUrl = readVariable('DETECT_URL', env);

let idTokenClient: ReturnType<GoogleAuth['getIdTokenClient']> | undefined;

async function identityTokenHeaders(): Promise<Record<string, string>> {
  idTokenClient ??= new GoogleAuth().getIdTokenClient(targetUrl);
  const client = await idTokenClient;
  const headers = await client.getRequestHeaders();
  return Object.fromEntries(headers instanceof Headers ? headers.entries() : Object.entries(headers));
}

const auth = readVariable('DISPATCH_AUTH', env);
if (auth !== 'none' && auth !== 'google-id-token') {
  console.error(`DISPATCH_AUTH must be none or google-id-token, got '${auth}'`);
  process.exit(2);
}

const dispatcher = await startDispatcher({
  kafka: createKafka(env),
  topic: readVariable('KAFKA_TOPIC', env),
  groupId: readVariable('KAFKA_GROUP_ID', env),
  deadLetterTopic: readVariable('KAFKA_DEAD_LETTER_TOPIC', env),
  targetUrl,
  maxAttempts: readPositiveInt('DISPATCH_MAX_ATTEMPTS', env),
  ...(env.DISPATCH_INITIAL_BACKOFF_MS ? { initialBackoffMs: Number(env.DISPATCH_INITIAL_BACKOFF_MS) } : {}),
  ...(auth === 'google-id-token' ? { authHeaders: identityTokenHeaders } : {}),
});
startHealthServer(healthPort(env), () => dispatcher.ready());
console.log(JSON.stringify({ message: 'dispatcher running', target: targetUrl }));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    dispatcher.stop().finally(() => process.exit(0));
  });
}
