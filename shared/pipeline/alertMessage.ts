/** The Pub/Sub message from detect to notify: the alerts of one batch, in messages of whole notify commits. */
import type { Alert } from '../core/alert.js';
import { FinalError } from '../errors.js';
import { ALERTS_PER_COMMIT } from './alertCommits.js';

export const ALERT_MESSAGE_VERSION = 1;

/**
 * The most alerts in one message: four of notify's commits (ALERTS_PER_COMMIT, 498 alerts each), which it makes side
 * by side, so that the few messages Pub/Sub pushes at once keep several commits in flight; a batch of the
 * default 1,875 minutes fits one. About 900 KB of JSON, within Pub/Sub's 10 MB.
 */
export const ALERTS_PER_MESSAGE = 4 * ALERTS_PER_COMMIT;

export interface AlertMessage {
  v: typeof ALERT_MESSAGE_VERSION;
  alerts: Alert[];
}

export function chunkAlerts(alerts: Alert[]): AlertMessage[] {
  const messages: AlertMessage[] = [];
  for (let at = 0; at < alerts.length; at += ALERTS_PER_MESSAGE) {
    messages.push({ v: ALERT_MESSAGE_VERSION, alerts: alerts.slice(at, at + ALERTS_PER_MESSAGE) });
  }
  return messages;
}

/** A message that is not an alert message: no redelivery makes it one. */
export class AlertMessageError extends FinalError {
  override name = 'AlertMessageError';
}

/** @throws AlertMessageError naming what is wrong */
export function decodeAlertMessage(data: Buffer | string): AlertMessage {
  let message: AlertMessage;
  try {
    message = JSON.parse(data.toString());
  } catch (error) {
    throw new AlertMessageError(`not JSON: ${(error as Error).message}`);
  }
  if (message?.v !== ALERT_MESSAGE_VERSION || !Array.isArray(message.alerts)) {
    throw new AlertMessageError(`not an alert message of version ${ALERT_MESSAGE_VERSION}`);
  }
  for (const alert of message.alerts) {
    if (
      typeof alert?.symbol !== 'string' ||
      typeof alert.timestamp !== 'string' ||
      !Array.isArray(alert.rules)
    ) {
      throw new AlertMessageError('an alert lacks symbol, timestamp or rules');
    }
  }
  return message;
}
