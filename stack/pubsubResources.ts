/** The stack's Pub/Sub topics and subscriptions, created idempotently on the emulator. */
import type { StackLog } from './component.js';
import type { StackEndpoints } from './endpoints.js';
import { disableMetadataServerProbe } from './googleEnv.js';

/** gRPC ALREADY_EXISTS: a concurrent `up` (or a previous one) created it first. */
const ALREADY_EXISTS = 6;

function isAlreadyExists(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === ALREADY_EXISTS;
}

/**
 * Topics storage-events (fake-gcs-server's upload notifications) and anomalies; subscriptions
 * storage-events-router (pull) and anomalies-notify (push to the notify function). An existing push subscription
 * whose endpoint no longer matches STACK_NOTIFY_PORT is repointed.
 */
export async function ensurePubSubResources(endpoints: StackEndpoints, log: StackLog): Promise<void> {
  // Imported here, not at the top: loading the gRPC client costs the CLI's other commands ~0.5 s.
  const { PubSub } = await import('@google-cloud/pubsub');
  disableMetadataServerProbe();
  const { pubsub: names } = endpoints;
  // apiEndpoint + emulatorMode: no dependence on PUBSUB_EMULATOR_HOST being set in this process.
  const client = new PubSub({
    projectId: endpoints.project,
    apiEndpoint: names.emulatorHost,
    emulatorMode: true,
  });
  try {
    for (const topic of [names.storageEventsTopic, names.anomaliesTopic]) {
      try {
        await client.createTopic(topic);
        log(`pubsub: created topic ${topic}`);
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    }
    const subscriptions: { topic: string; name: string; pushEndpoint?: string }[] = [
      { topic: names.storageEventsTopic, name: names.storageEventsRouterSubscription },
      {
        topic: names.anomaliesTopic,
        name: names.anomaliesNotifySubscription,
        pushEndpoint: names.notifyPushEndpoint,
      },
    ];
    for (const { topic, name, pushEndpoint } of subscriptions) {
      const subscription = client.subscription(name);
      const [exists] = await subscription.exists();
      if (!exists) {
        try {
          await client
            .topic(topic)
            .createSubscription(name, pushEndpoint ? { pushConfig: { pushEndpoint } } : {});
          log(
            `pubsub: created ${pushEndpoint ? `push subscription ${name} -> ${pushEndpoint}` : `subscription ${name}`}`,
          );
        } catch (error) {
          if (!isAlreadyExists(error)) throw error;
        }
      } else if (pushEndpoint) {
        const [metadata] = await subscription.getMetadata();
        if (metadata.pushConfig?.pushEndpoint !== pushEndpoint) {
          await subscription.modifyPushConfig({ pushEndpoint });
          log(`pubsub: repointed ${name} to ${pushEndpoint}`);
        }
      }
    }
  } finally {
    await client.close();
  }
}
