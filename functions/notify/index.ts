/**
 * notify: alerts from the anomalies topic into Firestore `alerts/`, one document per (symbol, minute), through
 * the alert store, so that a redelivered message overwrites what it wrote before instead of adding to it.
 */
import * as functions from '@google-cloud/functions-framework';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { getFirestore } from '../../shared/clients/google.js';
import { readVariable } from '../../shared/config/runtime.js';
import { decodeAlertMessage } from '../../shared/pipeline/alertMessage.js';
import { FirestoreAlertStore, type AlertStore } from '../../shared/state/alertStore.js';

interface PubSubData {
  message?: { data?: string; messageId?: string };
}

const DAY_MS = 86_400_000;

let store: AlertStore | undefined;

/** For tests: write to another store. */
export function setNotifyStore(next: AlertStore | undefined): void {
  store = next;
}

export async function handleNotify(event: CloudEvent<PubSubData>): Promise<void> {
  const data = event.data?.message?.data;
  if (data === undefined) throw new Error(`event ${event.id} carries no Pub/Sub message data`);
  const { alerts } = decodeAlertMessage(Buffer.from(data, 'base64'));
  // Set by deploy.sh --alert-ttl-days: documents get an `expireAt` a Firestore TTL policy deletes them at.
  const ttl = Number(process.env.ALERT_TTL_DAYS ?? 0);
  store ??= new FirestoreAlertStore(getFirestore(), readVariable('ALERTS_COLLECTION'));
  if (alerts.length > 0) await store.write(alerts, ttl > 0 ? new Date(Date.now() + ttl * DAY_MS) : undefined);
}

functions.cloudEvent('notify', handleNotify);
