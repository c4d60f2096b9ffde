/**
 * The local storage-event router: pulls fake-gcs-server's upload notifications and posts each as a storage
 * CloudEvent to ingest, acknowledging only after a 2xx. A failure is retried after a growing pause, as
 * Eventarc retries a trigger, so an object dropped while ingest is down is ingested once it is back.
 */
import { PubSub, type Message } from '@google-cloud/pubsub';
import { healthPort, startHealthServer } from '../../shared/clients/healthServer.js';
import { readVariable } from '../../shared/config/variables.js';
import { finalizedCloudEvent } from './storageEvent.js';

const env = process.env;
const subscriptionName = readVariable('ROUTER_SUBSCRIPTION', env);
const target = readVariable('INGEST_URL', env);
// Objects ingested at once (the registry says why 16).
const concurrency = Number(readVariable('ROUTER_CONCURRENCY', env));

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
    console.error(
      JSON.stringify({
        message: 'ingest failed; will retry',
        id: message.id,
        subject: event.headers['ce-subject'],
        attempt: count,
        pauseMs: pause,
        error: String(error),
      }),
    );
    setTimeout(() => message.nack(), pause);
  }
}

const subscription = new PubSub({ projectId: env.GOOGLE_CLOUD_PROJECT }).subscription(subscriptionName, {
  flowControl: { maxMessages: concurrency, allowExcessMessages: false },
});
subscription.on('message', (message: Message) => void route(message));
startHealthServer(healthPort(env), () => subscription.isOpen);
subscription.on('error', (error) =>
  console.error(JSON.stringify({ message: 'subscription error', error: String(error) })),
);
console.log(
  JSON.stringify({ message: 'storage-event router running', subscription: subscriptionName, target }),
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    subscription.close().finally(() => process.exit(0));
  });
}
