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
import type { DocumentData, Firestore } from '@google-cloud/firestore';
import { CLOSE, HIGH, LOW, OPEN, VOLUME, type BarTable } from '../core/barTable.js';
import { barDayId } from '../pipeline/documentIds.js';
import { serviceError } from '../errors.js';
import type { CompanionWrite } from './symbolStateStore.js';

/** Minute since the Unix epoch, open, high, low, close, volume. */
export type StoredBar = [number, number, number, number, number, number];

export interface BarDay {
  symbol: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** In ascending minutes. */
  bars: StoredBar[];
}

/** A bar's six numbers, as float64 little-endian, one bar after the other in ascending minutes. */
const BAR_BYTES = 6 * 8;
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

export function encodeBars(bars: readonly StoredBar[]): Buffer {
  const bytes = Buffer.alloc(bars.length * BAR_BYTES);
  bars.forEach((bar, i) => bar.forEach((value, j) => bytes.writeDoubleLE(value, i * BAR_BYTES + j * 8)));
  return bytes;
}

/** The bars a `bars/` document holds, ascending; none when it holds none or is not one. */
export function decodeBars(data: DocumentData | undefined): StoredBar[] {
  const bytes: unknown = data?.bars;
  if (!(bytes instanceof Uint8Array) || bytes.length % BAR_BYTES !== 0) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bars: StoredBar[] = [];
  for (let at = 0; at < bytes.length; at += BAR_BYTES) {
    const value = (j: number) => view.getFloat64(at + j * 8, true);
    bars.push([value(0), value(1), value(2), value(3), value(4), value(5)]);
  }
  return bars;
}

/** The stored bars with the added ones, one per minute (an added bar replaces a stored one), ascending. */
export function mergeBars(stored: readonly StoredBar[], added: readonly StoredBar[]): StoredBar[] {
  const last = stored.at(-1);
  // The usual case, a later batch of the same day: its bars follow.
  if (last === undefined || (added[0] !== undefined && added[0][0] > last[0])) return [...stored, ...added];
  const byMinute = new Map(stored.map((bar) => [bar[0], bar]));
  for (const bar of added) byMinute.set(bar[0], bar);
  return [...byMinute.values()].sort((a, b) => a[0] - b[0]);
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
