/**
 * The requests a worker thread has not answered yet, each answered by the reply with its id: what the read pool
 * and the scoring pool both keep per worker. A worker that dies (a bug outside a request, memory) fails what it
 * was asked; its error keeps its class (structured cloning keeps the built-in ones), so a bug is still reported
 * as one. Nothing here rejects: an answer is the reply or the error.
 */
import type { Worker } from 'node:worker_threads';

export type Waiting<Reply> = Map<number, (reply: Reply | Error) => void>;

/** @param what the worker, as an error that it stopped names it ("a read worker") */
export function waitingOn<Reply extends { id: number }>(worker: Worker, what: string): Waiting<Reply> {
  const waiting: Waiting<Reply> = new Map();
  worker.on('message', (reply: Reply) => {
    const resolve = waiting.get(reply.id)!;
    waiting.delete(reply.id);
    resolve(reply);
  });
  const failAll = (error: Error) => {
    for (const resolve of waiting.values()) resolve(error);
    waiting.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`${what} stopped (exit code ${code})`)));
  return waiting;
}
