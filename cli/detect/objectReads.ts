/**
 * The objects `detect` was given, read in that order: on the main thread, or with read workers several
 * objects ahead while the main thread runs the rules over the ones before. Either way each outcome comes back
 * in the order of the files, so every symbol's state flows from one object to the next as given.
 */
import { basename } from 'node:path';
import type { IngestLimits } from '../../shared/core/ingestLimits.js';
import type { ReaderClock } from '../../shared/core/readerClock.js';
import { readObject } from '../../shared/objects/readObject.js';
import type { ZoneOffsets } from '../../shared/core/timestamp.js';
import { fileChunks } from '../fileChunks.js';
import type { BarTable } from '../../shared/core/barTable.js';
import type { LineSettings } from './readMessages.js';
import { ReadPool, readWorkersAvailable, type FormatOutcome, type ReadOutcome } from './readPool.js';

export interface ObjectReadsOptions {
  /** Threads that read (see {@link readThreads}): 1 reads on the main thread. */
  workers: number;
  timezone: string;
  zone: ZoneOffsets;
  limits: IngestLimits;
  /** The command's clock, the same for every object it reads (contract §1, `future`). */
  clock: ReaderClock;
  /** How workers write alert lines, when they are to (see findingRecords.ts). */
  lines?: LineSettings;
  /** Raw bytes read, as they are read (with workers: each object's, once it is read). */
  onBytes: (bytes: number) => void;
}

export interface ObjectRead {
  object: string;
  outcome: ReadOutcome;
  /**
   * With workers that write lines: has the worker that read the object write the alert lines of what the
   * rules found in it (the table goes back to the worker).
   */
  formatLines?: (table: BarTable, records: Float64Array, ticket?: number) => Promise<FormatOutcome>;
}

/**
 * How many threads read `files` given `requested`: never more than there are files, and 1 (the main thread)
 * for one file, or where there is no compiled worker to start.
 */
export function readThreads(requested: number, files: number): number {
  return files > 1 && readWorkersAvailable() ? Math.min(requested, files) : 1;
}

/**
 * Each file's outcome, in order. With workers, the reads run at most `workers` objects ahead of the one the
 * main thread is detecting, so that memory is bounded by the largest objects rather than by how many there
 * are. (One more than the workers, so that a worker finishing an object had the next one waiting, cost a
 * whole object's table, 17 MB for three years of a symbol, and no measurable time: a worker has the lines of
 * the objects detected to write meanwhile.)
 */
export async function* objectReads(
  files: readonly string[],
  options: ObjectReadsOptions,
): AsyncGenerator<ObjectRead> {
  const workers = readThreads(options.workers, files.length);
  if (workers <= 1) {
    for (const file of files) yield { object: basename(file), outcome: await readHere(file, options) };
    return;
  }
  const { timezone, limits, clock, lines } = options;
  const pool = new ReadPool(workers, {
    timezone,
    limits,
    clock,
    ...(lines === undefined ? {} : { lines }),
  });
  try {
    const ahead = workers;
    const reads: Array<Promise<ReadOutcome>> = [];
    const start = (i: number) => reads.push(pool.read(files[i]!, basename(files[i]!)));
    for (let i = 0; i < Math.min(ahead, files.length); i++) start(i);
    for (let i = 0; i < files.length; i++) {
      const outcome = await reads.shift()!;
      if (i + ahead < files.length) start(i + ahead);
      const object = basename(files[i]!);
      if (!outcome.ok) {
        yield { object, outcome };
        continue;
      }
      options.onBytes(outcome.bytes);
      const worker = outcome.worker;
      yield {
        object,
        outcome,
        ...(lines === undefined
          ? {}
          : {
              formatLines: (table: BarTable, records: Float64Array, ticket?: number) =>
                pool.format(worker, object, table, records, ticket),
            }),
      };
    }
  } finally {
    await pool.close();
  }
}

async function readHere(file: string, options: ObjectReadsOptions): Promise<ReadOutcome> {
  try {
    const bars = await readObject(fileChunks(file), {
      objectName: basename(file),
      zone: options.zone,
      limits: options.limits,
      clock: options.clock,
      onBytes: options.onBytes,
    });
    return { ok: true, bars, bytes: 0, worker: -1 };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}
