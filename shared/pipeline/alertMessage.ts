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

/**
 * What became of an alert (contract §2): `new` for a bar detected in order; `late` for one that fires because a
 * late bar came (its own, or one whose figures it changed); `revised` for one whose figures or episode changed;
 * `withdrawn` for one that no longer fires.
 */
export const ALERT_CHANGES = ['new', 'late', 'revised', 'withdrawn'] as const;
export type AlertChange = (typeof ALERT_CHANGES)[number];

/** What caused a revision: the batch whose late bars it detected, and when. */
export interface RevisionCause {
  object: string;
  generation: string;
  /** When detect revised, ISO 8601. */
  at: string;
}

export interface AlertMessage {
  v: typeof ALERT_MESSAGE_VERSION;
  alerts: Alert[];
  /**
   * The symbol's commit count after the batch these alerts come from: of two versions of an alert, notify keeps
   * the one of the later commit, whatever order their messages arrive in. Absent: older than any.
   */
  version?: number;
  /** What became of each alert, in order; absent when all are `new`. */
  changes?: AlertChange[];
  /** Present with `changes`. */
  cause?: RevisionCause;
}

export interface AlertRevision {
  alert: Alert;
  change: AlertChange;
}

export function chunkAlerts(
  alerts: readonly AlertRevision[],
  version: number,
  cause?: RevisionCause,
): AlertMessage[] {
  const messages: AlertMessage[] = [];
  const revising = alerts.some(({ change }) => change !== 'new');
  for (let at = 0; at < alerts.length; at += ALERTS_PER_MESSAGE) {
    const chunk = alerts.slice(at, at + ALERTS_PER_MESSAGE);
    messages.push({
      v: ALERT_MESSAGE_VERSION,
      alerts: chunk.map(({ alert }) => alert),
      version,
      ...(revising && cause !== undefined ? { changes: chunk.map(({ change }) => change), cause } : {}),
    });
  }
  return messages;
}

/** Each alert of a message with what became of it. */
export function revisionsOf(message: AlertMessage): AlertRevision[] {
  return message.alerts.map((alert, i) => ({ alert, change: message.changes?.[i] ?? 'new' }));
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
  if (message.version !== undefined && !Number.isInteger(message.version)) {
    throw new AlertMessageError('its version is not a whole number');
  }
  if (message.changes !== undefined) {
    if (
      !Array.isArray(message.changes) ||
      message.changes.length !== message.alerts.length ||
      !message.changes.every((change) => (ALERT_CHANGES as readonly string[]).includes(change))
    ) {
      throw new AlertMessageError('its changes do not name one change of each alert');
    }
    if (typeof message.cause?.object !== 'string' || typeof message.cause.at !== 'string') {
      throw new AlertMessageError('its changes come without their cause');
    }
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
