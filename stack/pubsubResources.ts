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
 * How many deliveries of a message notify fails before the emulator dead-letters it. The emulator pushes again
 * about once a second, with no backoff, so deploy.sh's 10 attempts (minutes of Eventarc's backoff) would be
 * 10 seconds here, shorter than the outages the fault tests put notify through: 100 is Pub/Sub's maximum.
 */
export const NOTIFY_MAX_DELIVERY_ATTEMPTS = 100;

/** Pub/Sub's longest retention of a subscription's messages (7 days), as deploy.sh gives notify's dead letters. */
const DEAD_LETTER_RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * Topics storage-events (fake-gcs-server's upload notifications), anomalies, anomalies-dead-letter and
 * suspicious-episodes; subscriptions storage-events-router (pull), anomalies-notify (push to the notify function,
 * dead-lettering to anomalies-dead-letter as deploy.sh's trigger subscription does), anomalies-dead-letter-sub
 * (pull) and suspicious-episodes-escalate (push to the escalate function). An
 * existing push subscription whose endpoint or dead-letter policy no longer matches is corrected.
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
    for (const topic of [
      names.storageEventsTopic,
      names.anomaliesTopic,
      names.anomaliesDeadLetterTopic,
      names.escalationsTopic,
    ]) {
      try {
        await client.createTopic(topic);
        log(`pubsub: created topic ${topic}`);
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    }
    const deadLetterPolicy = {
      deadLetterTopic: `projects/${endpoints.project}/topics/${names.anomaliesDeadLetterTopic}`,
      maxDeliveryAttempts: NOTIFY_MAX_DELIVERY_ATTEMPTS,
    };
    const subscriptions: {
      topic: string;
      name: string;
      pushEndpoint?: string;
      options?: {
        deadLetterPolicy?: typeof deadLetterPolicy;
        messageRetentionDuration?: { seconds: number };
      };
    }[] = [
      { topic: names.storageEventsTopic, name: names.storageEventsRouterSubscription },
      {
        topic: names.anomaliesTopic,
        name: names.anomaliesNotifySubscription,
        pushEndpoint: names.notifyPushEndpoint,
        options: { deadLetterPolicy },
      },
      {
        topic: names.anomaliesDeadLetterTopic,
        name: names.anomaliesDeadLetterSubscription,
        options: { messageRetentionDuration: { seconds: DEAD_LETTER_RETENTION_SECONDS } },
      },
      {
        topic: names.escalationsTopic,
        name: names.escalationsEscalateSubscription,
        pushEndpoint: names.escalatePushEndpoint,
      },
    ];
    for (const { topic, name, pushEndpoint, options } of subscriptions) {
      const subscription = client.subscription(name);
      const [exists] = await subscription.exists();
      if (!exists) {
        try {
          await client.topic(topic).createSubscription(name, {
            ...options,
            ...(pushEndpoint ? { pushConfig: { pushEndpoint } } : {}),
          });
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
        const policy = options?.deadLetterPolicy;
        if (
          policy !== undefined &&
          (metadata.deadLetterPolicy?.deadLetterTopic !== policy.deadLetterTopic ||
            metadata.deadLetterPolicy?.maxDeliveryAttempts !== policy.maxDeliveryAttempts)
        ) {
          await subscription.setMetadata({ deadLetterPolicy: policy });
          log(`pubsub: ${name} dead-letters to ${policy.deadLetterTopic}`);
        }
      }
    }
  } finally {
    await client.close();
  }
}
