/**
 * The form of a `bars/{symbol@day}` document's bars (docs/records.md): per bar, in ascending minutes, six float64
 * little-endian numbers. Pure, so that detect's store writes them and the console's chart answer reads them
 * without either depending on the other.
 */

/** Minute since the Unix epoch, open, high, low, close, volume. */
export type StoredBar = [number, number, number, number, number, number];

/** A bar's six numbers, as float64 little-endian, one bar after the other in ascending minutes. */
const BAR_BYTES = 6 * 8;
const MINUTES_PER_DAY = 1440;

export function dayOf(minute: number): string {
  return new Date(Math.floor(minute / MINUTES_PER_DAY) * MINUTES_PER_DAY * 60_000).toISOString().slice(0, 10);
}

export function encodeBars(bars: readonly StoredBar[]): Buffer {
  const bytes = Buffer.alloc(bars.length * BAR_BYTES);
  bars.forEach((bar, i) => bar.forEach((value, j) => bytes.writeDoubleLE(value, i * BAR_BYTES + j * 8)));
  return bytes;
}

/** The bars a `bars/` document holds, ascending; none when it holds none or is not one. */
export function decodeBars(data: { bars?: unknown } | undefined): StoredBar[] {
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
