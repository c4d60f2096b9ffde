/**
 * notify: alerts from the anomalies topic into Firestore `alerts/`, one document per (symbol, minute), written
 * with set() so that a redelivered message overwrites what it wrote before instead of adding to it.
 */
import * as functions from '@google-cloud/functions-framework';
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { Firestore } from '@google-cloud/firestore';
import { getFirestore } from '../../shared/clients/google.js';
import { readVariable } from '../../shared/config/runtime.js';
import { toAlertDocument } from '../../shared/pipeline/alertDocument.js';
import { decodeAlertMessage } from '../../shared/pipeline/alertMessage.js';
import { alertId } from '../../shared/pipeline/documentIds.js';

interface PubSubData {
  message?: { data?: string; messageId?: string };
}

const DAY_MS = 86_400_000;

export async function writeAlerts(
  db: Firestore,
  collection: string,
  data: Buffer,
  ttlDays: number | undefined,
  now = Date.now(),
): Promise<number> {
  const { alerts } = decodeAlertMessage(data);
  if (alerts.length === 0) return 0;
  const expireAt = ttlDays === undefined ? undefined : new Date(now + ttlDays * DAY_MS);
  const batch = db.batch();
  for (const alert of alerts)
    batch.set(db.collection(collection).doc(alertId(alert)), toAlertDocument(alert, expireAt));
  await batch.commit();
  return alerts.length;
}

let firestore: Firestore | undefined;

/** For tests: write to another Firestore. */
export function setNotifyFirestore(db: Firestore | undefined): void {
  firestore = db;
}

export async function handleNotify(event: CloudEvent<PubSubData>): Promise<void> {
  const data = event.data?.message?.data;
  if (data === undefined) throw new Error(`event ${event.id} carries no Pub/Sub message data`);
  // Set by deploy.sh --alert-ttl-days: documents get an `expireAt` a Firestore TTL policy deletes them at.
  const ttl = Number(process.env.ALERT_TTL_DAYS ?? 0);
  await writeAlerts(
    firestore ?? getFirestore(),
    readVariable('ALERTS_COLLECTION'),
    Buffer.from(data, 'base64'),
    ttl > 0 ? ttl : undefined,
  );
}

functions.cloudEvent('notify', handleNotify);
