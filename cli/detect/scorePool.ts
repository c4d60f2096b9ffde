/**
 * `detect --episodes`' last step on several threads: once every object is in, the episodes set aside
 * (episodeSpill.ts) are scored and their lines written by scoring workers (scoreWorker.ts), a piece of a symbol's
 * records each, while the main thread reads the pieces out of the spill and writes the workers' lines in order
 * (symbols in code-unit order, each one's episodes in minute order): the same bytes as scoring them all on the
 * main thread, which at the seed's scale took longer than the rules (2 million episodes, 2.2 GB of lines).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { sortedKeys } from '../../shared/core/objectSeriesDetection.js';
import type { EpisodeSpill, SpillIndex } from './episodeSpill.js';
import { receivedError } from './readMessages.js';
import type { ScoreReply, ScoreSettings, ScoreWorkerRequest } from './scoreMessages.js';
import { waitingOn, type Waiting } from './workerReplies.js';

/** The compiled worker beside this module (dist/cli/detect/scoreWorker.js). */
export const SCORE_WORKER_URL = new URL('./scoreWorker.js', import.meta.url);

/** Whether there is a compiled worker to start (not when run from the TypeScript sources: see readPool.ts). */
export function scoreWorkersAvailable(): boolean {
  return existsSync(fileURLToPath(SCORE_WORKER_URL));
}

/**
 * Bytes of records a request covers at least (1 MiB), a symbol's spans put together: a span is what the spill
 * wrote of the symbol at once, at most about 1 MiB, and about 7 KB where every file holds all of 150 symbols; a
 * message each cost more than scoring it.
 */
const REQUEST_BYTES = 1 << 20;
/** Requests each worker has at once: one to work on, one waiting, so that it never waits for the main thread. */
const REQUESTS_A_WORKER = 2;
/**
 * The read workers' young generation (see readPool.ts). Scoring makes much short-lived garbage and its collections
 * take a sixth of a worker's time, but 32 MB saved no measurable time and added 55 MiB to the peak (40 × 100).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/**
 * Writes the lines of every episode in `spill`, scored against `market` on `size` workers, through `write`, in
 * the spill's order. `write` must be done with the bytes when it returns: their buffer goes back to a worker.
 * @throws Error when a worker fails (a bug, or memory): the lines written so far are a beginning only
 */
export async function writeScoredLines(
  spill: EpisodeSpill,
  settings: Omit<ScoreSettings, 'file'>,
  size: number,
  write: (bytes: Uint8Array) => void,
): Promise<void> {
  // The workers read the records from the file themselves, into room they keep: records sent as arrays were each
  // a megabyte of garbage outside the heap that a worker, making little garbage of its own, left for long.
  const index = spill.writtenOut();
  if (index.file === undefined) return;
  const pool = new ScorePool(size, { ...settings, file: index.file });
  try {
    const inFlight: Array<Promise<Uint8Array | Error>> = [];
    // The buffers of lines written, handed back to a worker to write its next lines into: left to the main
    // thread's collector, they went back only once tens of MiB of them had piled up.
    const written: Uint8Array[] = [];
    const writeOldest = async () => {
      const lines = await inFlight.shift()!;
      if (lines instanceof Error) throw lines;
      write(lines);
      written.push(lines);
    };
    for (const { symbol, spans } of requests(index)) {
      if (inFlight.length >= size * REQUESTS_A_WORKER) await writeOldest();
      inFlight.push(pool.score(symbol, spans, written.pop()));
    }
    while (inFlight.length > 0) await writeOldest();
  } finally {
    await pool.close();
  }
}

/**
 * The spill's records by symbol (in code-unit order, as the lines are written), a symbol's spans put together up
 * to about {@link REQUEST_BYTES}, in order.
 */
function* requests(index: SpillIndex): Generator<{ symbol: string; spans: number[] }> {
  for (const symbol of sortedKeys(index.symbols)) {
    const all = index.symbols.get(symbol)!;
    let spans: number[] = [];
    let bytes = 0;
    for (let i = 0; i < all.length; i += 2) {
      spans.push(all[i]!, all[i + 1]!);
      bytes += all[i + 1]!;
      if (bytes >= REQUEST_BYTES) {
        yield { symbol, spans };
        spans = [];
        bytes = 0;
      }
    }
    if (bytes > 0) yield { symbol, spans };
  }
}

interface ScoreThread {
  worker: Worker;
  exited: Promise<void>;
  /** Requests made of it and not yet answered, by id. */
  waiting: Waiting<ScoreReply>;
}

/** The scoring workers; nothing here rejects, an answer is the lines or the error (see readPool.ts). */
class ScorePool {
  readonly #threads: ScoreThread[] = [];
  #nextId = 0;

  constructor(size: number, settings: ScoreSettings) {
    // As for the read workers (readPool.ts): a worker ending could otherwise hang on Node 20.
    setFlagsFromString('--no-concurrent-recompilation');
    for (let i = 0; i < size; i++) {
      const worker = new Worker(SCORE_WORKER_URL, {
        workerData: settings,
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
      const thread: ScoreThread = {
        worker,
        exited: new Promise<void>((resolve) => worker.once('exit', () => resolve())),
        waiting: waitingOn<ScoreReply>(worker, 'a scoring worker'),
      };
      this.#threads.push(thread);
    }
  }

  /**
   * The lines of a piece of a symbol's records (at `spans` of the file), from the worker with the least to do;
   * `room` moves to it, lines already written whose buffer it may write these into.
   */
  async score(symbol: string, spans: number[], room?: Uint8Array): Promise<Uint8Array | Error> {
    let thread = this.#threads[0]!;
    for (const other of this.#threads) if (other.waiting.size < thread.waiting.size) thread = other;
    const id = this.#nextId++;
    const reply = await new Promise<ScoreReply | Error>((resolve) => {
      thread.waiting.set(id, resolve);
      const request: ScoreWorkerRequest = { type: 'score', id, symbol, spans, room };
      thread.worker.postMessage(request, room === undefined ? [] : [room.buffer as ArrayBuffer]);
    });
    if (reply instanceof Error) return reply;
    return reply.ok ? reply.bytes : receivedError(reply.error);
  }

  /** Stops the workers, once they have answered; each ends by itself once asked (see readPool.ts). */
  async close(): Promise<void> {
    await Promise.all(
      this.#threads.map(({ worker, exited }) => {
        worker.postMessage({ type: 'stop' } satisfies ScoreWorkerRequest);
        return exited;
      }),
    );
  }
}
