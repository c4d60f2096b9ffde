/**
 * What the rules found in an object, as numbers in one Float64Array (a record of FIELDS numbers per alert),
 * so that the main thread can hand the writing of the alert lines to the worker that read the object: the
 * rules depend on the order of the objects and stay on the main thread, but writing the text of what they
 * found does not, and it was as much work as the rules themselves. The worker writes each line from the same
 * Finding fields through the same AlertLineWriter as the main thread would, so the bytes are the same, into a
 * file of its own, and hands back where they are: the main thread reads them from there when it writes the
 * output, and holds none of their text meanwhile.
 */
import type { BarTable } from '../../shared/core/barTable.js';
import { Finding } from '../../shared/core/finding.js';
import type { AlertCollector } from '../../shared/core/objectSeriesDetection.js';
import type { EpisodeState } from '../../shared/core/symbolState.js';
import { AlertLineWriter } from '../output/alertLines.js';
import type { ByteTarget } from '../output/byteText.js';

// A record's fields; a figure that has no value (null) is NaN, which no figure the rules give is.
const ROW = 0;
/** 1: A1 fired, 2: A2 fired, 3: both. */
const RULES = 1;
const MINUTE = 2;
const PREV_MINUTE = 3;
const PREV_CLOSE = 4;
const CHANGE_PCT = 5;
const A1_SEVERITY = 6;
const AVG_VOLUME = 7;
const WINDOW_BARS = 8;
const VOLUME_RATIO = 9;
const A2_SEVERITY = 10;
const SEVERITY = 11;
const EPISODE_START = 12;
export const FIELDS = 13;

const orNaN = (value: number | null): number => (value === null ? Number.NaN : value);
const orNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

/** Collects findings as records, for one object at a time ({@link take} hands them over). */
export class FindingRecorder implements AlertCollector {
  #records = new Float64Array(FIELDS * 1024);
  #count = 0;
  /** Buffers {@link take} handed out and {@link giveBack} took back. */
  readonly #spares: Float64Array[] = [];

  found(finding: Finding): void {
    if ((this.#count + 1) * FIELDS > this.#records.length) {
      const larger = new Float64Array(this.#records.length * 2);
      larger.set(this.#records);
      this.#records = larger;
    }
    const r = this.#records;
    const at = this.#count++ * FIELDS;
    r[at + ROW] = finding.row;
    r[at + RULES] = (finding.a1 ? 1 : 0) | (finding.a2 ? 2 : 0);
    r[at + MINUTE] = finding.minute;
    r[at + PREV_MINUTE] = finding.prevMinute;
    r[at + PREV_CLOSE] = finding.prevClose;
    r[at + CHANGE_PCT] = finding.changePct;
    r[at + A1_SEVERITY] = orNaN(finding.a1Severity);
    r[at + AVG_VOLUME] = finding.avgVolume;
    r[at + WINDOW_BARS] = finding.windowBars;
    r[at + VOLUME_RATIO] = orNaN(finding.volumeRatio);
    r[at + A2_SEVERITY] = orNaN(finding.a2Severity);
    r[at + SEVERITY] = orNaN(finding.severity);
    // Only the episode's start is written in an alert; the episode itself stays with the rules.
    r[at + EPISODE_START] = finding.episode.start;
  }

  /**
   * The records since the last take, in a buffer of their own (to transfer), and a fresh start. The buffer is one
   * {@link giveBack} gave, where one is large enough: an object's records are about 11 MB for three years of a
   * symbol, and one made for each object, freed on another thread when its lines were written, left the run's
   * peak memory to where the allocator happened to find room for the next.
   */
  take(): Float64Array {
    const length = this.#count * FIELDS;
    this.#count = 0;
    let best = -1;
    for (let i = 0; i < this.#spares.length; i++) {
      const size = this.#spares[i]!.length;
      if (size >= length && (best < 0 || size < this.#spares[best]!.length)) best = i;
    }
    // A new one with room to spare, so that it serves the objects a little larger than this one later.
    const buffer = best < 0 ? new Float64Array(Math.ceil(length * 1.25)) : this.#spares.splice(best, 1)[0]!;
    buffer.set(this.#records.subarray(0, length));
    return buffer.subarray(0, length);
  }

  /** Takes back records {@link take} gave, their lines written, to hand out again. */
  giveBack(records: Float64Array): void {
    this.#spares.push(new Float64Array(records.buffer));
    // As many as may be out at once; the smallest goes first.
    if (this.#spares.length > MAX_SPARES) {
      let smallest = 0;
      for (let i = 1; i < this.#spares.length; i++)
        if (this.#spares[i]!.length < this.#spares[smallest]!.length) smallest = i;
      this.#spares.splice(smallest, 1);
    }
  }
}

/** The most buffers of records kept to hand out again: a few more than the objects whose lines are awaited. */
const MAX_SPARES = 6;

/**
 * A symbol's alert lines of one object, in minute order, as where they were written: pairs of offset and
 * length in the worker's lines file, in order.
 */
export type SymbolLines = [symbol: string, spans: number[]];

/** The buffer lines are written into before they go to the file: the worker's one buffer for lines. */
const BUFFER_BYTES = 1 << 20;
/** That buffer, made once (one a call was a MiB of garbage outside the heap for each object). */
let lineBuffer: Buffer | undefined;

/**
 * Writes the lines of an object's records into a file through one buffer, by symbol in order of their first
 * alert. Held in memory until the end (or handed to the main thread), a year of a symbol's lines was tens of
 * megabytes an object, and the whole output's text in all.
 * @param append writes bytes at the end of the file (it must not keep them) and gives the offset they start at
 */
export function writeRecords(
  table: BarTable,
  records: Float64Array,
  object: string,
  writer: AlertLineWriter,
  append: (bytes: Uint8Array) => number,
): SymbolLines[] {
  const source = { object };
  const bySymbol = new Map<string, { finding: Finding; spans: number[] }>();
  lineBuffer ??= Buffer.allocUnsafeSlow(BUFFER_BYTES);
  const target: ByteTarget = { bytes: lineBuffer, length: 0 };
  /** The symbol whose lines are in the buffer. */
  let inBuffer: number[] | undefined;
  const flush = () => {
    if (target.length === 0) return;
    const offset = append(target.bytes.subarray(0, target.length));
    const spans = inBuffer!;
    // A symbol's lines are usually one run of the file (its records come together): one span.
    if (spans.length > 0 && spans[spans.length - 2]! + spans[spans.length - 1]! === offset) {
      spans[spans.length - 1] = spans[spans.length - 1]! + target.length;
    } else spans.push(offset, target.length);
    target.length = 0;
  };
  for (let at = 0; at < records.length; at += FIELDS) {
    const row = records[at + ROW]!;
    const symbol = table.symbols[table.symbolOf(row)]!;
    let lines = bySymbol.get(symbol);
    if (lines === undefined) {
      const finding = new Finding(symbol);
      finding.table = table;
      finding.source = source;
      finding.episode = {
        start: 0,
        end: 0,
        count: 0,
        a1: 0,
        a2: 0,
        peakSeverity: null,
      } satisfies EpisodeState;
      lines = { finding, spans: [] };
      bySymbol.set(symbol, lines);
    }
    const { finding, spans } = lines;
    const rules = records[at + RULES]!;
    finding.row = row;
    finding.a1 = (rules & 1) !== 0;
    finding.a2 = (rules & 2) !== 0;
    finding.minute = records[at + MINUTE]!;
    finding.prevMinute = records[at + PREV_MINUTE]!;
    finding.prevClose = records[at + PREV_CLOSE]!;
    finding.changePct = records[at + CHANGE_PCT]!;
    finding.a1Severity = orNull(records[at + A1_SEVERITY]!);
    finding.avgVolume = records[at + AVG_VOLUME]!;
    finding.windowBars = records[at + WINDOW_BARS]!;
    finding.volumeRatio = orNull(records[at + VOLUME_RATIO]!);
    finding.a2Severity = orNull(records[at + A2_SEVERITY]!);
    finding.severity = orNull(records[at + SEVERITY]!);
    finding.episode.start = records[at + EPISODE_START]!;
    const needed = writer.maxFindingBytes(finding);
    if (spans !== inBuffer || target.length + needed > target.bytes.length) {
      flush();
      inBuffer = spans;
      if (needed > target.bytes.length) target.bytes = lineBuffer = Buffer.allocUnsafeSlow(needed);
    }
    writer.writeFinding(finding, target);
  }
  flush();
  return [...bySymbol].map(([symbol, { spans }]) => [symbol, spans]);
}
