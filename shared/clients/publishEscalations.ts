/**
 * detect's side of escalation: publishes the escalation messages of a batch to the escalations topic, where
 * escalate takes them (functions/escalate/).
 *
 * Publishing is at least once, as the alerts' is: detect publishes before it commits the batch (whose commit
 * writes each escalated episode's `escalatedAt`), so a crash or a lost race in between publishes the escalation
 * again on the retry, and escalate, whose marker per episode absorbs the repeat, posts it once. Publishing after
 * the commit instead would lose it for good to a crash between the two: the redelivered batch is recognised as
 * committed and skipped.
 */
import type { PubSub, Topic } from '@google-cloud/pubsub';
import { serviceError } from '../errors.js';
import { encodeEscalationMessage, type EscalationMessage } from '../pipeline/escalationMessage.js';

/** One Topic per client and name: each keeps its own batching publisher, which a call should not rebuild. */
const topics = new WeakMap<PubSub, Map<string, Topic>>();

function topicOf(pubsub: PubSub, name: string): Topic {
  let byName = topics.get(pubsub);
  if (byName === undefined) topics.set(pubsub, (byName = new Map()));
  let topic = byName.get(name);
  if (topic === undefined) {
    // A batch's few escalations go out together without waiting the default 10 ms for more.
    topic = pubsub.topic(name, { batching: { maxMessages: 100, maxMilliseconds: 5 } });
    byName.set(name, topic);
  }
  return topic;
}

/**
 * Publishes each message to `topic`, with the episode and symbol as attributes, and resolves with their
 * message ids once Pub/Sub has taken every one. The messages are not checked here: a malformed one is
 * escalate's to refuse (logged, acknowledged), never a reason to hold back a batch's alerts.
 *
 * @throws UnavailableError (retriable) or RequestRefusedError (final) naming Pub/Sub
 * @example
 * await publishEscalations(getPubSub(), settings.escalation.topic, [buildEscalationMessage(episode, score)]);
 */
export async function publishEscalations(
  pubsub: PubSub,
  topic: string,
  messages: readonly EscalationMessage[],
): Promise<string[]> {
  if (messages.length === 0) return [];
  const target = topicOf(pubsub, topic);
  try {
    return await Promise.all(
      messages.map((message) =>
        target.publishMessage({
          data: encodeEscalationMessage(message),
          attributes: { episode: message.episode, symbol: message.symbol },
        }),
      ),
    );
  } catch (error) {
    throw serviceError('Pub/Sub', error);
  }
}
