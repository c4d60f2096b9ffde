/**
 * escalate: an episode whose settled suspicion score reached ESCALATION_SCORE, from the escalations topic
 * (detect publishes it, shared/clients/publishEscalations.ts), posted once to a chat's incoming webhook
 * (CHAT_WEBHOOK_URL, Slack's or Google Chat's body) with a link to the episode in the console.
 *
 * Its answer is Pub/Sub's redelivery decision, taken in one place (handleEscalate): a message that can never
 * be posted (not an escalation message, or refused by the webhook with a 4xx) is logged and acknowledged; a
 * webhook that did not answer or answered with a status that may pass, Firestore failing, or another delivery
 * posting the same episode is thrown, and Pub/Sub redelivers. The marker per episode (escalationStore.ts) makes a
 * redelivery after a success post nothing (escalateEpisode.ts says where a second post remains possible).
 */
import * as functions from '@google-cloud/functions-framework';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { getFirestore } from '../../shared/clients/google.js';
import { escalateSettings } from '../../shared/config/escalationSettings.js';
import { EventError, classify, describeError } from '../../shared/errors.js';
import { deliveryTraceFromEnv } from '../../shared/deliveryTrace.js';
import { createLogger, type Logger } from '../../shared/logging/logger.js';
import { traceFromTraceparent } from '../../shared/logging/trace.js';
import { decodeEscalationMessage } from '../../shared/pipeline/escalationMessage.js';
import { FirestoreEscalationStore, type EscalationStore } from '../../shared/state/escalationStore.js';
import { escalateEpisode } from './escalateEpisode.js';
import { postWebhook } from './postWebhook.js';

interface PubSubData {
  message?: { data?: string; messageId?: string; publishTime?: string };
}

// Read once: a malformed setting stops the instance from starting, where it is seen at deploy time.
const settings = escalateSettings(process.env);
const trace = deliveryTraceFromEnv(process.env);
// The project is not one of escalate's settings: the logger needs it only to name a trace id's project.
const processLogger = createLogger('escalate', { project: process.env.GOOGLE_CLOUD_PROJECT || undefined });
let logger: Logger = processLogger;
let store: EscalationStore | undefined;

/** For tests: keep the markers in another store. */
export function setEscalateStore(next: EscalationStore | undefined): void {
  store = next;
}

/** For tests: log to another logger (one that captures its lines). */
export function setEscalateLogger(next: Logger | undefined): void {
  logger = next ?? processLogger;
}

function deliveryLogger(event: CloudEvent<PubSubData>): Logger {
  const messageId = event.data?.message?.messageId;
  const { traceparent } = event;
  return logger.with({
    labels: { event: event.id, ...(typeof messageId === 'string' && { messageId }) },
    trace: traceFromTraceparent(typeof traceparent === 'string' ? traceparent : undefined),
  });
}

export async function handleEscalate(event: CloudEvent<PubSubData>): Promise<void> {
  let log = deliveryLogger(event);
  try {
    const data = event.data?.message?.data;
    if (data === undefined) throw new EventError(`event ${event.id} carries no Pub/Sub message data`);
    const message = decodeEscalationMessage(Buffer.from(data, 'base64'));
    log = log.with({ labels: { episode: message.episode, symbol: message.symbol } });
    trace({ messageId: event.data?.message?.messageId, episode: message.episode });
    store ??= new FirestoreEscalationStore(getFirestore(), settings.escalationsCollection);
    const result = await escalateEpisode(message, settings, { store, post: postWebhook, now: Date.now });
    const fields = { score: message.score, alerts: message.alerts };
    switch (result.kind) {
      case 'unconfigured':
        log.warn('episode escalated, not posted: CHAT_WEBHOOK_URL is not set', fields);
        return;
      case 'settled':
        log.info(`escalation already ${result.status}: nothing posted again`, fields);
        return;
      case 'sent':
        if (result.takeover) {
          log.warn(
            'escalation posted after taking over a lapsed claim: it may have been posted twice',
            fields,
          );
        } else {
          log.info('escalation posted', {
            ...fields,
            httpStatus: result.httpStatus,
            attempt: result.attempt,
          });
        }
        return;
      case 'refused':
        log.error('escalation refused by the chat webhook: not posted, not retried', {
          ...fields,
          httpStatus: result.httpStatus,
          reason: result.reason,
        });
        return;
    }
  } catch (error) {
    const kind = classify(error);
    const reason = describeError(error);
    if (kind === 'final') {
      log.error('escalation message dropped: it can never be posted', { reason });
      return;
    }
    if (kind === 'programming') log.error(reason, { error });
    else log.warn('escalation not posted yet: Pub/Sub redelivers', { reason });
    throw error;
  }
}

functions.cloudEvent('escalate', handleEscalate);
