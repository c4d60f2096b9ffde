/**
 * A few read workers (readWorker.ts), each reading the objects it is given one after the other. `read` never
 * rejects: its outcome says whether the object was read, so that reads started ahead of time can fail before
 * anyone waits for them without being unhandled rejections.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ObjectBars } from '../../shared/core/objectIntake.js';
import {
  receivedBars,
  receivedError,
  type ReadReply,
  type ReadRequest,
  type ReadSettings,
} from './readMessages.js';

export type ReadOutcome = { ok: true; bars: ObjectBars; bytes: number } | { ok: false; error: Error };

interface PoolWorker {
  worker: Worker;
  /** Reads asked of it and not yet answered, by request id. */
  waiting: Map<number, (outcome: ReadOutcome) => void>;
}

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

  constructor(size: number, settings: ReadSettings, workerUrl: URL = READ_WORKER_URL) {
    for (let i = 0; i < size; i++) {
      const poolWorker: PoolWorker = {
        worker: new Worker(workerUrl, { workerData: settings }),
        waiting: new Map(),
      };
      const { worker, waiting } = poolWorker;
      worker.on('message', (reply: ReadReply) => {
        const resolve = waiting.get(reply.id)!;
        waiting.delete(reply.id);
        resolve(
          reply.ok
            ? { ok: true, bars: receivedBars(reply.bars), bytes: reply.bytes }
            : { ok: false, error: receivedError(reply.error) },
        );
      });
      // A worker that dies (a bug outside a read, memory) fails what it was asked; its error keeps its class
      // (structured cloning keeps the built-in ones), so a bug is still reported as one.
      const failAll = (error: Error) => {
        for (const resolve of waiting.values()) resolve({ ok: false, error });
        waiting.clear();
      };
      worker.on('error', failAll);
      worker.on('exit', (code) => failAll(new Error(`a read worker stopped (exit code ${code})`)));
      this.#workers.push(poolWorker);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  /** Reads an object on the worker with the least to do. */
  read(file: string, object: string): Promise<ReadOutcome> {
    let chosen = this.#workers[0]!;
    for (const candidate of this.#workers)
      if (candidate.waiting.size < chosen.waiting.size) chosen = candidate;
    const id = this.#nextId++;
    return new Promise((resolve) => {
      chosen.waiting.set(id, resolve);
      chosen.worker.postMessage({ id, file, object } satisfies ReadRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
  }
}
