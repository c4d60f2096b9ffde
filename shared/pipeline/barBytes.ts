/**
 * The form of a `bars/{symbol@hour}` document's bars (docs/records.md): per bar, in ascending minutes, six float64
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

/** The UTC hour a minute lies in, as `YYYY-MM-DDTHH`: what a `bars/` document holds (docs/records.md). */
export function hourOf(minute: number): string {
  return new Date(Math.floor(minute / 60) * 3_600_000).toISOString().slice(0, 13);
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
  return mergeByMinute(stored, added);
}

/** Rows whose first element is their minute, merged as {@link mergeBars} says. */
function mergeByMinute<T extends readonly [number, ...unknown[]]>(
  stored: readonly T[],
  added: readonly T[],
): T[] {
  const last = stored.at(-1);
  // The usual case, a later batch of the same hour: its bars follow.
  if (last === undefined || (added[0] !== undefined && added[0][0] > last[0])) return [...stored, ...added];
  const byMinute = new Map(stored.map((bar) => [bar[0], bar]));
  for (const bar of added) byMinute.set(bar[0], bar);
  return [...byMinute.values()].sort((a, b) => a[0] - b[0]);
}

/**
 * A bar as detected, exactly: its values as the CSV wrote them (the rules compare decimals exactly, and a double
 * read back is not always the text it came from), its line, and which of its document's sources it came from. What
 * a late bar's revision detects the stored bars again from (contract §2).
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

/** The object generations a document's bars came from (`generation` absent for a local file). */
export interface BarSource {
  object: string;
  generation?: string;
}

export interface ExactBars {
  sources: BarSource[];
  /** In ascending minutes. */
  bars: ExactBar[];
}

/**
 * The fields a document's exact bars are stored in, beside `bars` (the float64 values, which give back most texts):
 * `sources`, JSON text of the object generations; `lines`, per bar in the order of `bars`, its line (uint32) and
 * its source (uint16), little-endian; and `texts`, JSON text of `{minute: [close, volume]}` for the few bars whose
 * close or volume a float64 does not give back exactly (more than 15 significant digits), else absent. All
 * Bytes: a list field would be indexed element by element. About 6 bytes a bar where JSON of every text took 50.
 */
export interface ExactBarFields {
  sources: Buffer;
  lines: Buffer;
  texts?: Buffer;
}

const LINE_BYTES = 6;

/** The decimal text a float64 prints as (its shortest round trip), when it is `text`'s value exactly. */
function givesBack(text: string, value: number): boolean {
  const printed = String(value);
  if (printed === text) return true;
  // Only the rules' values matter (close, volume); a few equal forms are common: `1168.0`, `+5`, `0.50`, `1e2`.
  return /^[+-]?\d+(\.\d*)?$/.test(text) && significantDigits(text) <= 15 && Number(printed) === value;
}

function significantDigits(text: string): number {
  const digits = text.replace(/[^\d]/g, '').replace(/^0+/, '');
  return text.includes('.') ? digits.replace(/0+$/, '').length : digits.length;
}

/** Whether the bar's close or volume must be stored as text (a float64 does not give it back). */
const needsText = (bar: ExactBar) => !givesBack(bar[4], Number(bar[4])) || !givesBack(bar[5], Number(bar[5]));

export function encodeExactBars(stored: ExactBars): ExactBarFields {
  const lines = Buffer.alloc(stored.bars.length * LINE_BYTES);
  const texts: Record<number, [string, string]> = {};
  let anyText = false;
  stored.bars.forEach((bar, i) => {
    lines.writeUInt32LE(bar[6], i * LINE_BYTES);
    lines.writeUInt16LE(bar[7], i * LINE_BYTES + 4);
    if (needsText(bar)) {
      texts[bar[0]] = [bar[4], bar[5]];
      anyText = true;
    }
  });
  return {
    sources: Buffer.from(JSON.stringify(stored.sources)),
    lines,
    ...(anyText ? { texts: Buffer.from(JSON.stringify(texts)) } : {}),
  };
}

const textOf = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString();

/**
 * The exact bars a `bars/` document holds (its `bars` and the fields above); none when it holds none, or bars
 * without their lines (written before they were kept).
 */
export function decodeExactBars(
  data: { bars?: unknown; sources?: unknown; lines?: unknown; texts?: unknown } | undefined,
): ExactBars {
  const bars = decodeBars(data);
  const lines: unknown = data?.lines;
  const sources: unknown = data?.sources;
  if (
    !(lines instanceof Uint8Array) ||
    !(sources instanceof Uint8Array) ||
    lines.length !== bars.length * LINE_BYTES
  ) {
    return { sources: [], bars: [] };
  }
  const view = new DataView(lines.buffer, lines.byteOffset, lines.byteLength);
  const texts =
    data?.texts instanceof Uint8Array
      ? (JSON.parse(textOf(data.texts)) as Record<string, [string, string]>)
      : {};
  return {
    sources: JSON.parse(textOf(sources)) as BarSource[],
    bars: bars.map(([minute, open, high, low, close, volume], i): ExactBar => {
      const exact = texts[minute];
      return [
        minute,
        String(open),
        String(high),
        String(low),
        exact?.[0] ?? String(close),
        exact?.[1] ?? String(volume),
        view.getUint32(i * LINE_BYTES, true),
        view.getUint16(i * LINE_BYTES + 4, true),
      ];
    }),
  };
}

const sourceKey = (source: BarSource) => `${source.object}\n${source.generation ?? ''}`;

/** The stored bars with the added ones, one per minute (an added bar replaces a stored one), ascending. */
export function mergeExactBars(stored: ExactBars, added: ExactBars): ExactBars {
  const index = new Map(stored.sources.map((source, i) => [sourceKey(source), i]));
  const { sources, bars } = joinSources(stored.sources, index, added);
  return { sources, bars: mergeByMinute(stored.bars, bars) };
}

/**
 * The stored sources with the added bars' appended where they are not among them (`index` gives each one's place),
 * and the added bars with their sources numbered in that list.
 */
function joinSources(
  stored: readonly BarSource[],
  index: ReadonlyMap<string, number>,
  added: ExactBars,
): { sources: BarSource[]; index: Map<string, number>; bars: ExactBar[] } {
  const sources = [...stored];
  const joined = new Map(index);
  const remap = added.sources.map((source) => {
    const key = sourceKey(source);
    let at = joined.get(key);
    if (at === undefined) {
      at = sources.push(source) - 1;
      joined.set(key, at);
    }
    return at;
  });
  const bars = added.bars.map((bar): ExactBar => [...bar.slice(0, 7), remap[bar[7]]!] as ExactBar);
  return { sources, index: joined, bars };
}

/** A document's bars and the fields they are stored in (`bars` and {@link ExactBarFields}). */
export type BarFields = { bars: Buffer } & ExactBarFields;

/**
 * A document's bars with their stored fields, kept encoded so that bars which follow its last one are appended
 * to the fields instead of encoding them all again: at a live pace a document takes one minute a commit, and
 * encoding a whole day each time (when a document held a day) cost about a tenth of detect's work per record. The
 * fields are always what {@link encodeBars} and {@link encodeExactBars} give for the merged bars.
 */
export class EncodedBars {
  private constructor(
    readonly bars: readonly StoredBar[],
    readonly exact: ExactBars,
    readonly fields: BarFields,
    /** `sources` as JSON text, and each source's index by {@link sourceKey}. */
    private readonly sourcesText: string,
    private readonly sourceIndex: ReadonlyMap<string, number>,
    /** The bars whose close or volume a float64 does not give back, by minute (the `texts` field's content). */
    private readonly texts: Readonly<Record<number, [string, string]>>,
  ) {}

  static of(bars: readonly StoredBar[], exact: ExactBars): EncodedBars {
    const texts: Record<number, [string, string]> = {};
    for (const bar of exact.bars) if (needsText(bar)) texts[bar[0]] = [bar[4], bar[5]];
    const sourcesText = JSON.stringify(exact.sources);
    return new EncodedBars(
      bars,
      exact,
      { bars: encodeBars(bars), ...encodeExactBars(exact) },
      sourcesText,
      new Map(exact.sources.map((source, i) => [sourceKey(source), i])),
      texts,
    );
  }

  /** These bars with the added ones (their exact values and sources in `exact`), merged as mergeBars says. */
  with(bars: readonly StoredBar[], exact: ExactBars): EncodedBars {
    const last = this.bars.at(-1);
    const follows = last === undefined || (bars[0] !== undefined && bars[0][0] > last[0]);
    if (!follows) return EncodedBars.of(mergeBars(this.bars, bars), mergeExactBars(this.exact, exact));

    const {
      sources,
      index: sourceIndex,
      bars: added,
    } = joinSources(this.exact.sources, this.sourceIndex, exact);
    const newSources = sources.slice(this.exact.sources.length);
    const sourcesText =
      newSources.length === 0
        ? this.sourcesText
        : `${this.sourcesText.slice(0, -1)}${this.exact.sources.length > 0 ? ',' : ''}${JSON.stringify(newSources).slice(1)}`;
    const lines = Buffer.alloc(added.length * LINE_BYTES);
    let texts = this.texts;
    added.forEach((bar, i) => {
      lines.writeUInt32LE(bar[6], i * LINE_BYTES);
      lines.writeUInt16LE(bar[7], i * LINE_BYTES + 4);
      if (needsText(bar)) texts = { ...texts, [bar[0]]: [bar[4], bar[5]] };
    });
    const anyText = Object.keys(texts).length > 0;
    return new EncodedBars(
      [...this.bars, ...bars],
      { sources, bars: [...this.exact.bars, ...added] },
      {
        bars: Buffer.concat([this.fields.bars, encodeBars(bars)]),
        sources: newSources.length === 0 ? this.fields.sources : Buffer.from(sourcesText),
        lines: Buffer.concat([this.fields.lines, lines]),
        ...(anyText
          ? { texts: texts === this.texts ? this.fields.texts! : Buffer.from(JSON.stringify(texts)) }
          : {}),
      },
      sourcesText,
      sourceIndex,
      texts,
    );
  }
}
