/**
 * Each symbol's processed bars by UTC day (`bars/{symbol@YYYY-MM-DD}`, docs/records.md), for the console's
 * chart: one document read draws a session, and no source object is read again. detect writes them with the
 * batch's state commit.
 *
 * The bars are one Bytes field, not a map of minutes: Firestore indexes every field of a map (six index entries
 * a bar), and on the emulator writing 2,000 day documents as maps took 24 s against 2 s as bytes. A write
 * therefore reads the day's stored bars first and writes them back with the new ones, merged by minute, so that
 * writing a bar twice changes nothing. The read is safe without a transaction: the state commit it goes with
 * requires the state version the batch read, so a delivery that raced another writes none of it.
 */
import type { Firestore } from '@google-cloud/firestore';
import { CLOSE, HIGH, LOW, OPEN, VOLUME, type BarTable } from '../core/barTable.js';
import { dayOf, decodeBars, encodeBars, mergeBars, type StoredBar } from '../pipeline/barDayBytes.js';
import { barDayId } from '../pipeline/documentIds.js';
import { serviceError } from '../errors.js';
import type { CompanionWrite } from './symbolStateStore.js';

export interface BarDay {
  symbol: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** In ascending minutes. */
  bars: StoredBar[];
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
      current = { symbol, day, bars: [] };
      days.push(current);
    }
    current.bars.push([
      minute,
      table.value(row, OPEN),
      table.value(row, HIGH),
      table.value(row, LOW),
      table.value(row, CLOSE),
      table.value(row, VOLUME),
    ]);
  }
  return days;
}

/** The writes of the days' bars, each merged into what its document holds (read here, in one request). */
export async function barDayWrites(
  db: Firestore,
  collection: string,
  days: readonly BarDay[],
): Promise<CompanionWrite[]> {
  if (days.length === 0) return [];
  const refs = days.map((day) => db.collection(collection).doc(barDayId(day.symbol, day.day)));
  const snapshots = await db.getAll(...refs).catch((error: unknown) => {
    throw serviceError('Firestore', error);
  });
  return days.map((day, i) => (batch) => {
    const bars = mergeBars(decodeBars(snapshots[i]!.data()), day.bars);
    batch.set(refs[i]!, { symbol: day.symbol, day: day.day, count: bars.length, bars: encodeBars(bars) });
  });
}
