/**
 * The local storage-event router: pulls fake-gcs-server's upload notifications and posts each as a storage
 * CloudEvent to ingest, acknowledging only after a 2xx. A failure is retried after a growing pause, as
 * Eventarc retries a trigger, so an object dropped while ingest is down is ingested once it is back.
 */
import { PubSub, type Message } from '@google-cloud/pubsub';
import { healthPort, startHealthServer } from '../../shared/clients/healthServer.js';
import { readVariable } from '../../shared/config/variables.js';
import { createLogger } from '../../shared/logging/logger.js';
import { decodeHeaderValue } from '../../shared/pipeline/cloudEventHeader.js';
import { finalizedCloudEvent } from './storageEvent.js';

const env = process.env;
const subscriptionName = readVariable('ROUTER_SUBSCRIPTION', env);
const target = readVariable('INGEST_URL', env);
// Objects ingested at once (the registry says why 16).
const concurrency = Number(readVariable('ROUTER_CONCURRENCY', env));

// No project for trace ids: a pulled notification carries no trace, so no line has one.
const log = createLogger('router');

const failures = new Map<string, number>();

async function route(message: Message): Promise<void> {
  const event = finalizedCloudEvent({
    id: message.id,
    attributes: message.attributes,
    data: message.data,
    publishTime: message.publishTime,
  });
  if (event === undefined) {
    message.ack();
    return;
  }
  // Every line about the notification names the CloudEvent it became (ingest logs under the same id) and
  // the object.
  const object = decodeHeaderValue(event.headers['ce-subject'] ?? '').replace(/^objects\//, '');
  const delivery = log.with({ labels: { event: message.id, object } });
  try {
    const response = await fetch(target, { method: 'POST', headers: event.headers, body: event.body });
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
    failures.delete(message.id);
    message.ack();
  } catch (error) {
    const count = (failures.get(message.id) ?? 0) + 1;
    failures.set(message.id, count);
    // Capped at 10 s: Eventarc backs off for minutes, which locally would only leave an object waiting long
    // after ingest is back or a crashed run's lease (INGEST_LEASE_MS, 9 s here) has lapsed.
    const pause = Math.min(10_000, 500 * 2 ** (count - 1));
    // As its text: fetch reports an unreachable ingest as a TypeError, which the logger would call a bug.
    delivery.warn('ingest failed; will retry', { attempt: count, pauseMs: pause, error: String(error) });
    setTimeout(() => message.nack(), pause);
  }
}

const subscription = new PubSub({ projectId: env.GOOGLE_CLOUD_PROJECT }).subscription(subscriptionName, {
  flowControl: { maxMessages: concurrency, allowExcessMessages: false },
});
subscription.on('message', (message: Message) => void route(message));
startHealthServer(healthPort(env), () => subscription.isOpen);
subscription.on('error', (error) => log.error('subscription error', { error }));
log.info('storage-event router running', { subscription: subscriptionName, target });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    subscription.close().finally(() => process.exit(0));
  });
}
