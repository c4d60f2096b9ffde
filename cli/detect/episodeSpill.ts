/**
 * The done episodes of `detect --episodes` (doneEpisodes.ts), set aside in a temporary file until every object is
 * in and the market's minutes are complete: each symbol's records (episodeRecords.ts, about 50 bytes an episode bar)
 * gather in a buffer of their own, and every buffer is written out once they hold a few MiB between them, so
 * memory stays the same whatever the number of bars. Read back a symbol at a time, its episodes in minute order.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  maxRecordLength,
  writeRecord,
  type EpisodeCounts,
} from '../../shared/core/suspicion/episodeRecords.js';
import type { DoneEpisodeSink } from '../../shared/core/suspicion/doneEpisodes.js';
import type { EpisodeFigures } from '../../shared/core/suspicion/symbolScoring.js';
import { sortedKeys } from '../../shared/core/objectSeriesDetection.js';
import { readSpan } from '../output/fdBytes.js';

/**
 * Numbers buffered, across symbols, before they are written out (1 MiB): with the spare buffers, three times that
 * stays in memory. A piece of 1 MiB is also what a scoring request carries (scorePool.ts), and writing it costs no
 * more than writing 4 MiB at once, which kept up to 12 MiB in memory.
 */
const BUFFERED_NUMBERS = 1 << 17;
/** A symbol's buffer to begin with (2 KiB): it grows as its records come, and is made small again when written. */
const FIRST_BUFFER = 1 << 8;

interface SymbolRecords {
  buffer: Float64Array;
  used: number;
  /** Where its records are in the file: offset and length in bytes, whole records each. */
  spans: number[];
}

/**
 * Buffers given up (a symbol's outgrown one, or its grown one once written out), kept to be taken again rather
 * than left to the collector: they live long enough to reach the old generation, where their memory outside the
 * heap went back only at a full collection (over 32 files of 40 days, the peak was 11 MiB higher for them).
 */
class SpareBuffers {
  readonly #bySize = new Map<number, Float64Array[]>();
  #numbers = 0;

  /** @param limit the most numbers kept between them; past it a buffer given is left to the collector */
  constructor(private readonly limit: number) {}

  /** A buffer of `size` numbers (a power of two times the first buffer's), its content unspecified. */
  take(size: number): Float64Array {
    const spare = this.#bySize.get(size)?.pop();
    if (spare === undefined) return new Float64Array(size);
    this.#numbers -= size;
    return spare;
  }

  give(buffer: Float64Array): void {
    if (this.#numbers + buffer.length > this.limit) return;
    let spares = this.#bySize.get(buffer.length);
    if (spares === undefined) {
      spares = [];
      this.#bySize.set(buffer.length, spares);
    }
    spares.push(buffer);
    this.#numbers += buffer.length;
  }
}

/** Where each symbol's records are in a spill's file, once it is written out whole ({@link EpisodeSpill.writtenOut}). */
export interface SpillIndex {
  /** The file, or undefined when no episode was set aside. */
  file: string | undefined;
  /** Each symbol's records as pairs of offset and length in bytes, whole records each, in minute order. */
  symbols: Map<string, number[]>;
}

export class EpisodeSpill implements DoneEpisodeSink {
  readonly #symbols = new Map<string, SymbolRecords>();
  #buffered = 0;
  #dir: string | undefined;
  #fd: number | undefined;
  #size = 0;
  readonly #spare = new SpareBuffers(2 * BUFFERED_NUMBERS);

  done(symbol: string, counts: EpisodeCounts, figures: EpisodeFigures): void {
    let records = this.#symbols.get(symbol);
    if (records === undefined) {
      records = { buffer: new Float64Array(FIRST_BUFFER), used: 0, spans: [] };
      this.#symbols.set(symbol, records);
    }
    const length = maxRecordLength(figures.bars.length);
    if (records.used + length > records.buffer.length) {
      let size = records.buffer.length * 2;
      while (records.used + length > size) size *= 2;
      const grown = this.#spare.take(size);
      grown.set(records.buffer.subarray(0, records.used));
      this.#spare.give(records.buffer);
      records.buffer = grown;
    }
    const written = writeRecord(records.buffer, records.used, counts, figures);
    records.used += written;
    this.#buffered += written;
    if (this.#buffered >= BUFFERED_NUMBERS) this.#writeOut();
  }

  withdraw(symbol: string): void {
    const records = this.#symbols.get(symbol);
    if (records === undefined) return;
    this.#buffered -= records.used;
    // Its bytes already in the file stay there, unread.
    this.#symbols.delete(symbol);
  }

  /** The symbols with episodes, in code-unit order (the order episodes are written in). */
  symbols(): string[] {
    return sortedKeys(this.#symbols);
  }

  /** A symbol's records, in minute order, a piece of whole records at a time, each piece an array of its own. */
  *records(symbol: string): Generator<Float64Array> {
    const records = this.#symbols.get(symbol);
    if (records === undefined) return;
    const { spans } = records;
    for (let i = 0; i < spans.length; i += 2) yield this.#read(spans[i]!, spans[i + 1]!);
    if (records.used > 0) yield records.buffer.slice(0, records.used);
  }

  /**
   * Writes every record still buffered out to the file, to be read from there by other threads (which then read
   * it at the spans given, with a descriptor of their own); {@link records} still reads it here.
   */
  writtenOut(): SpillIndex {
    if (this.#buffered > 0) this.#writeOut();
    const symbols = new Map<string, number[]>();
    for (const [symbol, records] of this.#symbols) symbols.set(symbol, records.spans);
    return { file: this.#fd === undefined ? undefined : this.#file(), symbols };
  }

  /** Deletes the file, if one was needed. */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  /** The file the records are written to, in the temporary directory made for it. */
  #file(): string {
    return join(this.#dir!, 'episodes');
  }

  #writeOut(): void {
    if (this.#fd === undefined) {
      this.#dir = mkdtempSync(join(tmpdir(), 'stock-anomalies-episodes-'));
      this.#fd = openSync(this.#file(), 'w+');
    }
    for (const records of this.#symbols.values()) {
      if (records.used === 0) continue;
      const bytes = new Uint8Array(records.buffer.buffer, 0, records.used * 8);
      for (let done = 0; done < bytes.length;) {
        done += writeSync(this.#fd, bytes, done, bytes.length - done, this.#size + done);
      }
      records.spans.push(this.#size, bytes.length);
      this.#size += bytes.length;
      records.used = 0;
      if (records.buffer.length > FIRST_BUFFER) {
        this.#spare.give(records.buffer);
        records.buffer = this.#spare.take(FIRST_BUFFER);
      }
    }
    this.#buffered = 0;
  }

  #read(offset: number, length: number): Float64Array {
    const numbers = new Float64Array(length / 8);
    readSpan(this.#fd!, new Uint8Array(numbers.buffer), 0, offset, length);
    return numbers;
  }
}
