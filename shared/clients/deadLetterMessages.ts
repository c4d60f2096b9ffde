/**
 * notify's dead letters: the alert messages Pub/Sub gave up delivering to notify (the trigger subscription's
 * dead-letter policy), waiting on the anomalies dead-letter subscription. Pub/Sub keeps them there for the
 * subscription's retention (7 days at most) and then drops them without a word, so the health page, `wait` and
 * `reports` count them, and `redrive` sends them back to the anomalies topic.
 *
 * Only a subscriber sees a subscription's messages: counting pulls them all and releases each at once (ack
 * deadline 0), so they stay for whoever pulls next. A redelivery count goes up each time; the dead-letter
 * subscription has no dead-letter policy of its own, so that changes nothing.
 */
import { v1, type PubSub } from '@google-cloud/pubsub';

/** What waits on the dead-letter subscription. */
export interface DeadLetterMessages {
  /** Messages found (at most MAX_COUNTED). */
  count: number;
  /** When the oldest was dead-lettered (its publish time on the dead-letter topic), ISO 8601 UTC; retention runs from it. */
  oldest: string | null;
}

/** Messages asked for per pull: Pub/Sub's limit for one pull. */
const PULL_BATCH = 1000;
/** Counting stops here: beyond it the exact number changes nothing about what to do. */
export const MAX_COUNTED = 10_000;
/** One pull's time limit: the subscription answers at once, with messages or without. */
const PULL_TIMEOUT_MS = 10_000;

/** The attributes Pub/Sub adds when it dead-letters a message: not the alert's own, not sent back. */
const DEAD_LETTER_ATTRIBUTE = /^CloudPubSubDeadLetter/;

type Received = {
  ackId: string;
  id: string;
  data: Uint8Array;
  attributes: Record<string, string>;
  at: number;
};

/** A subscriber of `subscription` (a name in the client's project) for synchronous pulls. */
async function subscriberOf(pubsub: PubSub, subscription: string) {
  // The options PubSub worked out (the emulator's address and credentials, or Google's); resolves projectId.
  // (Its type says the port may be a string; gax takes either, as the Pub/Sub library's own clients do.)
  const options = (await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0];
  const client = new v1.SubscriberClient(options);
  return { client, path: client.subscriptionPath(pubsub.projectId, subscription) };
}

async function pull(client: v1.SubscriberClient, path: string): Promise<Received[]> {
  const [response] = await client.pull(
    // returnImmediately: an empty subscription answers at once instead of holding the pull open.
    { subscription: path, maxMessages: PULL_BATCH, returnImmediately: true },
    { timeout: PULL_TIMEOUT_MS },
  );
  return (response.receivedMessages ?? []).map((received) => {
    const message = received.message ?? {};
    const seconds = Number(message.publishTime?.seconds ?? 0);
    const nanos = Number(message.publishTime?.nanos ?? 0);
    return {
      ackId: received.ackId ?? '',
      id: message.messageId ?? '',
      data:
        typeof message.data === 'string'
          ? Buffer.from(message.data, 'base64')
          : (message.data ?? new Uint8Array()),
      attributes: { ...(message.attributes ?? {}) },
      at: seconds * 1000 + Math.floor(nanos / 1e6),
    };
  });
}

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Counts the messages on `subscription` and finds the oldest; leaves them all there. */
export async function countDeadLetters(pubsub: PubSub, subscription: string): Promise<DeadLetterMessages> {
  const { client, path } = await subscriberOf(pubsub, subscription);
  const ackIds: string[] = [];
  // By message id: a message whose lease ran out while counting may come twice.
  const seen = new Set<string>();
  let oldest: number | null = null;
  try {
    while (seen.size < MAX_COUNTED) {
      const received = await pull(client, path);
      if (received.length === 0) break;
      for (const message of received) {
        ackIds.push(message.ackId);
        seen.add(message.id);
        if (oldest === null || message.at < oldest) oldest = message.at;
      }
    }
  } finally {
    // Released at once, for redrive or the next count; a failure here only delays them by their ack deadline.
    for (const part of chunks(ackIds, PULL_BATCH)) {
      await client
        .modifyAckDeadline({ subscription: path, ackIds: part, ackDeadlineSeconds: 0 })
        .catch(() => undefined);
    }
    await client.close();
  }
  return {
    count: Math.min(seen.size, MAX_COUNTED),
    oldest: oldest === null ? null : new Date(oldest).toISOString(),
  };
}

/**
 * Sends every message on `subscription` back to `topic`, a pull at a time: each message is published, and
 * only once Pub/Sub has it, acknowledged here. A crash in between leaves it on the dead-letter subscription
 * to be sent again: notify writes an alert once however often it arrives (its feed entries), so a duplicate
 * is harmless and nothing is lost. Returns how many were sent.
 */
export async function redriveDeadLetters(
  pubsub: PubSub,
  subscription: string,
  topic: string,
): Promise<number> {
  const { client, path } = await subscriberOf(pubsub, subscription);
  const target = pubsub.topic(topic);
  let sent = 0;
  try {
    for (;;) {
      const received = await pull(client, path);
      if (received.length === 0) return sent;
      await Promise.all(
        received.map((message) =>
          target.publishMessage({
            data: Buffer.from(message.data),
            attributes: Object.fromEntries(
              Object.entries(message.attributes).filter(([name]) => !DEAD_LETTER_ATTRIBUTE.test(name)),
            ),
          }),
        ),
      );
      for (const part of chunks(
        received.map((message) => message.ackId),
        PULL_BATCH,
      )) {
        await client.acknowledge({ subscription: path, ackIds: part });
      }
      sent += received.length;
    }
  } finally {
    await target.flush().catch(() => undefined);
    await client.close();
  }
}
