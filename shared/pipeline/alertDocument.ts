/**
 * An alert as a Firestore document, shaped for the console (a real timestamp to sort and filter on) and read
 * back into the alert `detect` prints, field for field.
 */
import { Timestamp, type DocumentData } from '@google-cloud/firestore';
import type { Alert } from '../core/alert.js';

export function toAlertDocument(alert: Alert, expireAt?: Date): DocumentData {
  return {
    ...alert,
    timestamp: Timestamp.fromMillis(Date.parse(alert.timestamp)),
    ...(expireAt ? { expireAt: Timestamp.fromDate(expireAt) } : {}),
  };
}

export function fromAlertDocument(data: DocumentData): Alert {
  const {
    timestamp,
    expireAt: _expireAt,
    a1,
    a2,
    source,
    symbol,
    rules,
    open,
    high,
    low,
    close,
    volume,
  } = data;
  return {
    symbol,
    timestamp: `${(timestamp as Timestamp).toDate().toISOString().slice(0, 19)}Z`,
    rules,
    open,
    high,
    low,
    close,
    volume,
    ...(a1 ? { a1 } : {}),
    ...(a2 ? { a2 } : {}),
    source,
  };
}
