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

/**
 * A bar as detected, exactly: its values as the CSV wrote them (the rules compare decimals exactly, and a double
 * read back is not always the text it came from), its line, and which of the day's sources it came from. What a
 * late bar's revision detects the day's bars again from (contract §2).
 */
export type ExactBar = [
  minute: number,
  open: string,
  high: string,
  low: string,
  close: string,
  volume: string,
  line: number,
  source: number,
];

/** The object generations a day's bars came from (`generation` absent for a local file). */
export interface BarSource {
  object: string;
  generation?: string;
}

export interface ExactDay {
  sources: BarSource[];
  /** In ascending minutes. */
  bars: ExactBar[];
}

/** As JSON text in Bytes: a list field would be indexed element by element (see the `bars` field). */
export function encodeExactDay(day: ExactDay): Buffer {
  return Buffer.from(JSON.stringify(day));
}

/** The exact bars a `bars/` document holds; none when it holds none (written before they were kept). */
export function decodeExactDay(data: { exact?: unknown } | undefined): ExactDay {
  const bytes: unknown = data?.exact;
  if (!(bytes instanceof Uint8Array)) return { sources: [], bars: [] };
  const day = JSON.parse(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(),
  ) as ExactDay;
  return { sources: day.sources, bars: day.bars };
}

const sourceKey = (source: BarSource) => `${source.object}\n${source.generation ?? ''}`;

/** The stored day with the added bars, one per minute (an added bar replaces a stored one), ascending. */
export function mergeExactDay(stored: ExactDay, added: ExactDay): ExactDay {
  const sources = [...stored.sources];
  const index = new Map(sources.map((source, i) => [sourceKey(source), i]));
  const remap = added.sources.map((source) => {
    const key = sourceKey(source);
    let at = index.get(key);
    if (at === undefined) {
      at = sources.push(source) - 1;
      index.set(key, at);
    }
    return at;
  });
  const bars = added.bars.map((bar): ExactBar => [...bar.slice(0, 7), remap[bar[7]]!] as ExactBar);
  const last = stored.bars.at(-1);
  if (last === undefined || (bars[0] !== undefined && bars[0][0] > last[0])) {
    return { sources, bars: [...stored.bars, ...bars] };
  }
  const byMinute = new Map(stored.bars.map((bar) => [bar[0], bar]));
  for (const bar of bars) byMinute.set(bar[0], bar);
  return { sources, bars: [...byMinute.values()].sort((a, b) => a[0] - b[0]) };
}
