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
import type { EpisodeSpill } from './episodeSpill.js';
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
 * Numbers of records a request carries at least (1 MiB), a symbol's pieces put together: a piece is what the
 * spill wrote of the symbol at once, at most about 1 MiB, and about 7 KB where every file holds all of 150
 * symbols; a message each cost more than scoring it.
 */
const REQUEST_NUMBERS = 1 << 17;
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
  settings: ScoreSettings,
  size: number,
  write: (bytes: Uint8Array) => void,
): Promise<void> {
  const pool = new ScorePool(size, settings);
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
    for (const { symbol, records } of requests(spill)) {
      if (inFlight.length >= size * REQUESTS_A_WORKER) await writeOldest();
      inFlight.push(pool.score(symbol, records, written.pop()));
    }
    while (inFlight.length > 0) await writeOldest();
  } finally {
    await pool.close();
  }
}

/** The spill's records, a symbol's pieces put together up to about {@link REQUEST_NUMBERS}, in order. */
function* requests(spill: EpisodeSpill): Generator<{ symbol: string; records: Float64Array }> {
  for (const symbol of spill.symbols()) {
    let pieces: Float64Array[] = [];
    let numbers = 0;
    const joined = () => {
      if (pieces.length === 1) return pieces[0]!;
      const records = new Float64Array(numbers);
      let at = 0;
      for (const piece of pieces) {
        records.set(piece, at);
        at += piece.length;
      }
      return records;
    };
    for (const piece of spill.records(symbol)) {
      pieces.push(piece);
      numbers += piece.length;
      if (numbers >= REQUEST_NUMBERS) {
        yield { symbol, records: joined() };
        pieces = [];
        numbers = 0;
      }
    }
    if (numbers > 0) yield { symbol, records: joined() };
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
   * The lines of a piece of a symbol's records, from the worker with the least to do; the records move to it,
   * and so does `room`, lines already written whose buffer it may write these into.
   */
  async score(symbol: string, records: Float64Array, room?: Uint8Array): Promise<Uint8Array | Error> {
    let thread = this.#threads[0]!;
    for (const other of this.#threads) if (other.waiting.size < thread.waiting.size) thread = other;
    const id = this.#nextId++;
    const reply = await new Promise<ScoreReply | Error>((resolve) => {
      thread.waiting.set(id, resolve);
      const request: ScoreWorkerRequest = { type: 'score', id, symbol, records, room };
      const transfer = [records.buffer as ArrayBuffer];
      if (room !== undefined) transfer.push(room.buffer as ArrayBuffer);
      thread.worker.postMessage(request, transfer);
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
