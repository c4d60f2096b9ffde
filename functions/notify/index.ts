/**
 * notify: alerts from the anomalies topic into Firestore `alerts/`, one document per (symbol, minute), through
 * the alert store, so that a redelivered message overwrites what it wrote before instead of adding to it.
 */
import * as functions from '@google-cloud/functions-framework';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { getFirestore } from '../../shared/clients/google.js';
import { alertExpiry, notifySettings } from '../../shared/config/notifySettings.js';
import { decodeAlertMessage } from '../../shared/pipeline/alertMessage.js';
import { FirestoreAlertStore, type AlertStore } from '../../shared/state/alertStore.js';

interface PubSubData {
  message?: { data?: string; messageId?: string };
}

// Read once: a malformed setting stops the instance from starting, where it is seen at deploy time.
const settings = notifySettings(process.env);

let store: AlertStore | undefined;

/** For tests: write to another store. */
export function setNotifyStore(next: AlertStore | undefined): void {
  store = next;
}

export async function handleNotify(event: CloudEvent<PubSubData>): Promise<void> {
  const data = event.data?.message?.data;
  if (data === undefined) throw new Error(`event ${event.id} carries no Pub/Sub message data`);
  const { alerts } = decodeAlertMessage(Buffer.from(data, 'base64'));
  store ??= new FirestoreAlertStore(getFirestore(), settings.alertsCollection);
  if (alerts.length > 0) await store.write(alerts, alertExpiry(settings, Date.now()));
}

functions.cloudEvent('notify', handleNotify);
