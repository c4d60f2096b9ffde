/**
 * The objects `detect` was given, read in that order: on the main thread, or with read workers several
 * objects ahead while the main thread runs the rules over the ones before. Either way each outcome comes back
 * in the order of the files, so every symbol's state flows from one object to the next as given.
 */
import { basename } from 'node:path';
import type { IngestLimits } from '../../shared/core/ingestLimits.js';
import { readObject } from '../../shared/core/readObject.js';
import type { ZoneOffsets } from '../../shared/core/timestamp.js';
import { fileChunks } from '../fileChunks.js';
import { ReadPool, readWorkersAvailable, type ReadOutcome } from './readPool.js';

export interface ObjectReadsOptions {
  /** Threads that read: 1 reads on the main thread. */
  workers: number;
  timezone: string;
  zone: ZoneOffsets;
  limits: IngestLimits;
  /** Raw bytes read, as they are read (with workers: each object's, once it is read). */
  onBytes: (bytes: number) => void;
}

export interface ObjectRead {
  object: string;
  outcome: ReadOutcome;
}

/**
 * Each file's outcome, in order. With workers, the reads run at most `workers + 1` objects ahead of the one the
 * main thread is detecting: one more than the workers, so that a worker finishing an object has the next one
 * waiting, and memory bounded by the largest objects rather than by how many there are.
 */
export async function* objectReads(
  files: readonly string[],
  options: ObjectReadsOptions,
): AsyncGenerator<ObjectRead> {
  const workers = Math.min(options.workers, files.length);
  if (workers <= 1 || !readWorkersAvailable()) {
    for (const file of files) yield { object: basename(file), outcome: await readHere(file, options) };
    return;
  }
  const pool = new ReadPool(workers, { timezone: options.timezone, limits: options.limits });
  try {
    const ahead = workers + 1;
    const reads: Array<Promise<ReadOutcome>> = [];
    const start = (i: number) => reads.push(pool.read(files[i]!, basename(files[i]!)));
    for (let i = 0; i < Math.min(ahead, files.length); i++) start(i);
    for (let i = 0; i < files.length; i++) {
      const outcome = await reads.shift()!;
      if (i + ahead < files.length) start(i + ahead);
      if (outcome.ok) options.onBytes(outcome.bytes);
      yield { object: basename(files[i]!), outcome };
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
      onBytes: options.onBytes,
    });
    return { ok: true, bars, bytes: 0 };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}
