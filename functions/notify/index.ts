/**
 * notify: alerts from the anomalies topic into Firestore `alerts/`, one document per (symbol, minute), through
 * the alert store: a redelivered message finds its commits made (their feed entries) and writes nothing again,
 * and alerts detected again from other data overwrite what was written instead of adding to it.
 *
 * Its answer is Pub/Sub's redelivery decision, taken in one place (handleNotify): a message that can never be
 * written is logged and acknowledged, since redelivering it would only fill the dead-letter topic; anything
 * else is thrown, and Pub/Sub redelivers until a retry or a fixed deploy writes it, or its dead-letter policy
 * gives up.
 */
import * as functions from '@google-cloud/functions-framework';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { getFirestore } from '../../shared/clients/google.js';
import { alertExpiry, notifySettings } from '../../shared/config/notifySettings.js';
import { EventError, classify, describeError } from '../../shared/errors.js';
import { deliveryTraceFromEnv } from '../../shared/deliveryTrace.js';
import { faultInjectorFromEnv } from '../../shared/faultInjection.js';
import { createLogger, type Logger } from '../../shared/logging/logger.js';
import { traceFromTraceparent } from '../../shared/logging/trace.js';
import { decodeAlertMessage } from '../../shared/pipeline/alertMessage.js';
import { FirestoreAlertStore, type AlertStore } from '../../shared/state/alertStore.js';

interface PubSubData {
  message?: { data?: string; messageId?: string; publishTime?: string };
}

// Read once: a malformed setting stops the instance from starting, where it is seen at deploy time.
const settings = notifySettings(process.env);
const faults = faultInjectorFromEnv(process.env);
const trace = deliveryTraceFromEnv(process.env);
// The project is not one of notify's settings (deploy.sh sets it beside them, for the client libraries): the
// logger needs it only to name the project a trace id belongs to, so it is read here, as it is.
const processLogger = createLogger('notify', { project: process.env.GOOGLE_CLOUD_PROJECT || undefined });
let logger: Logger = processLogger;

let store: AlertStore | undefined;

/** For tests: write to another store. */
export function setNotifyStore(next: AlertStore | undefined): void {
  store = next;
}

/** For tests: log to another logger (one that captures its lines). */
export function setNotifyLogger(next: Logger | undefined): void {
  logger = next ?? processLogger;
}

/**
 * The delivery's logger: every line names the event and its Pub/Sub message. functions-framework copies the
 * request's `traceparent` header onto the event (Eventarc and Pub/Sub push send one).
 */
function deliveryLogger(event: CloudEvent<PubSubData>): Logger {
  const messageId = event.data?.message?.messageId;
  const { traceparent } = event;
  return logger.with({
    labels: { event: event.id, ...(typeof messageId === 'string' && { messageId }) },
    trace: traceFromTraceparent(typeof traceparent === 'string' ? traceparent : undefined),
  });
}

async function writeMessage(event: CloudEvent<PubSubData>): Promise<void> {
  const data = event.data?.message?.data;
  if (data === undefined) throw new EventError(`event ${event.id} carries no Pub/Sub message data`);
  const message = decodeAlertMessage(Buffer.from(data, 'base64'));
  const { alerts } = message;
  // When detect published it and which batch it holds: bench:latency's stages.
  trace({
    messageId: event.data?.message?.messageId,
    publishTime: event.data?.message?.publishTime,
    alerts: alerts.length,
    ...(alerts[0] ? { symbol: alerts[0].symbol, object: alerts[0].source.object } : {}),
  });
  if (alerts.length === 0) return;
  faults.at('notify.before-write');
  store ??= new FirestoreAlertStore(getFirestore(), settings.alertsCollection);
  await store.writeMessage(message, alertExpiry(settings, Date.now()));
  faults.at('notify.after-write');
}

export async function handleNotify(event: CloudEvent<PubSubData>): Promise<void> {
  const log = deliveryLogger(event);
  try {
    await writeMessage(event);
  } catch (error) {
    const kind = classify(error);
    const reason = describeError(error);
    if (kind === 'final') {
      log.error('alert message dropped: it can never be written', { reason });
      return;
    }
    if (kind === 'programming') {
      // The error itself, so that its stack goes where Error Reporting finds a bug.
      log.error(reason, { error });
    } else {
      log.warn('alerts not written yet: Pub/Sub redelivers', { reason });
    }
    throw error;
  }
}

functions.cloudEvent('notify', handleNotify);
