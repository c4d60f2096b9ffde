/**
 * A few read workers (readWorker.ts), each serving what it is asked one request after the other. Nothing here
 * rejects: an outcome says whether the request succeeded, so that reads started ahead of time can fail before
 * anyone waits for them without being unhandled rejections.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { BarTable } from '../../shared/core/barTable.js';
import type { ObjectBars } from '../../shared/core/objectIntake.js';
import type { SymbolLines } from './findingRecords.js';
import { waitingOn, type Waiting } from './workerReplies.js';
import {
  receivedBars,
  receivedError,
  type FormatRequest,
  type ReadRequest,
  type ReadSettings,
  type WorkerReply,
  type WorkerRequest,
} from './readMessages.js';

export type ReadOutcome =
  { ok: true; bars: ObjectBars; bytes: number; worker: number } | { ok: false; error: Error };
/** Where the lines were written: the worker's file, and each symbol's spans of it; and the records, given back. */
export type FormatOutcome =
  { ok: true; file: string; lines: SymbolLines[]; records: Float64Array } | { ok: false; error: Error };

interface PoolWorker {
  worker: Worker;
  /** Requests made of it and not yet answered, by id. */
  waiting: Waiting<WorkerReply>;
}

const WORKER_YOUNG_GENERATION_MB = 8;

/** The compiled worker beside this module (dist/cli/detect/readWorker.js). */
export const READ_WORKER_URL = new URL('./readWorker.js', import.meta.url);

/**
 * Whether there is a compiled worker to start. Run from the TypeScript sources (the unit tests call the CLI
 * in-process) there is none, and reading stays on the main thread; test/unit/cli/detectWorkers.test.ts runs
 * a fresh build to compare the two.
 */
export function readWorkersAvailable(): boolean {
  return existsSync(fileURLToPath(READ_WORKER_URL));
}

export class ReadPool {
  readonly #workers: PoolWorker[] = [];
  #nextId = 0;
  /** Every answer still to come. */
  readonly #outstanding = new Set<Promise<unknown>>();

  constructor(size: number, settings: ReadSettings, workerUrl: URL = READ_WORKER_URL) {
    // Node 20 could hang for ever when a worker ended (one run in five on messy input, three workers): V8
    // optimizing a function on a background thread waited for a garbage collection that the ending worker,
    // itself waiting for that background job, never ran. Workers started from here compile on their own
    // thread instead (its cost is inside bench:detect's figures).
    setFlagsFromString('--no-concurrent-recompilation');
    for (let i = 0; i < size; i++) {
      // A young generation of 8 MB rather than V8's default (up to 48): a worker's garbage is short-lived text
      // and parse results, and the default's room was 40 MB of the run's peak per worker, at no measurable gain.
      const worker = new Worker(workerUrl, {
        workerData: settings,
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
      const poolWorker: PoolWorker = { worker, waiting: waitingOn<WorkerReply>(worker, 'a read worker') };
      this.#workers.push(poolWorker);
    }
  }

  /** Reads an object on the worker with the least to do. */
  async read(file: string, object: string): Promise<ReadOutcome> {
    let worker = 0;
    for (let i = 1; i < this.#workers.length; i++)
      if (this.#workers[i]!.waiting.size < this.#workers[worker]!.waiting.size) worker = i;
    const reply = await this.#ask(worker, { type: 'read', id: this.#nextId++, file, object }, []);
    if (reply instanceof Error) return { ok: false, error: reply };
    if (!reply.ok) return { ok: false, error: receivedError(reply.error) };
    if (!('bars' in reply))
      return { ok: false, error: new TypeError('a read worker answered a read with lines') };
    return { ok: true, bars: receivedBars(reply.bars), bytes: reply.bytes, worker };
  }

  /**
   * Has the worker that read an object write the alert lines of its findings into its file (see
   * findingRecords.ts), or straight to the output if `ticket` is given and it is that ticket's turn (then it
   * hands back no lines). The table goes back to it, and must not be used here afterwards; the records come back.
   */
  async format(
    worker: number,
    object: string,
    table: BarTable,
    records: Float64Array,
    ticket?: number,
  ): Promise<FormatOutcome> {
    const transferred = table.toTransfer();
    const transfer = [...BarTable.transferList(transferred), records.buffer as ArrayBuffer];
    const request: FormatRequest = {
      type: 'format',
      id: this.#nextId++,
      object,
      table: transferred,
      records,
    };
    if (ticket !== undefined) request.ticket = ticket;
    const reply = await this.#ask(worker, request, transfer);
    if (reply instanceof Error) return { ok: false, error: reply };
    if (!reply.ok) return { ok: false, error: receivedError(reply.error) };
    if (!('lines' in reply))
      return { ok: false, error: new TypeError('a read worker answered lines with bars') };
    return { ok: true, file: reply.file, lines: reply.lines, records: reply.records };
  }

  #ask(
    worker: number,
    request: ReadRequest | FormatRequest,
    transfer: ArrayBuffer[],
  ): Promise<WorkerReply | Error> {
    const { worker: thread, waiting } = this.#workers[worker]!;
    const answered = new Promise<WorkerReply | Error>((resolve) => {
      waiting.set(request.id, resolve);
      thread.postMessage(request, transfer);
    });
    this.#outstanding.add(answered);
    void answered.then(() => this.#outstanding.delete(answered));
    return answered;
  }

  /**
   * Stops the workers, once they have answered everything asked of them. Each is asked to stop and ends by
   * itself: `terminate()` while V8 was still compiling on the worker's behalf crashed the process (Node 20).
   */
  async close(): Promise<void> {
    await Promise.all(this.#outstanding);
    await Promise.all(
      this.#workers.map(({ worker }) => {
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage({ type: 'stop' } satisfies WorkerRequest);
        return exited;
      }),
    );
  }
}
