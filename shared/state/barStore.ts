/**
 * Each symbol's processed bars by UTC day (`bars/{symbol@YYYY-MM-DD}`, docs/records.md), for the console's
 * chart: one document read draws a session, and no source object is read again. detect writes them with the
 * batch's state commit; a bar is merged in under its minute, so writing it twice changes nothing.
 */
import type { Firestore } from '@google-cloud/firestore';
import { CLOSE, HIGH, LOW, OPEN, VOLUME, type BarTable } from '../core/barTable.js';
import { barDayId } from '../pipeline/documentIds.js';
import type { CompanionWrite } from './symbolStateStore.js';

/** open, high, low, close, volume. */
export type StoredBar = [number, number, number, number, number];

export interface BarDay {
  symbol: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** By minute since the Unix epoch, as text (a map key). */
  minutes: Record<string, StoredBar>;
}

const MINUTES_PER_DAY = 1440;

export function dayOf(minute: number): string {
  return new Date(Math.floor(minute / MINUTES_PER_DAY) * MINUTES_PER_DAY * 60_000).toISOString().slice(0, 10);
}

/** The rows' bars grouped by UTC day (rows in ascending minutes, as a batch holds them). */
export function barDays(symbol: string, table: BarTable, rows: ArrayLike<number>): BarDay[] {
  const days: BarDay[] = [];
  let current: BarDay | undefined;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const minute = table.minute(row);
    const day = dayOf(minute);
    if (current?.day !== day) {
      current = { symbol, day, minutes: {} };
      days.push(current);
    }
    current.minutes[String(minute)] = [
      table.value(row, OPEN),
      table.value(row, HIGH),
      table.value(row, LOW),
      table.value(row, CLOSE),
      table.value(row, VOLUME),
    ];
  }
  return days;
}

export function barDayWrites(db: Firestore, collection: string, days: readonly BarDay[]): CompanionWrite[] {
  return days.map((day) => (batch) => {
    batch.set(db.collection(collection).doc(barDayId(day.symbol, day.day)), day, { merge: true });
  });
}
