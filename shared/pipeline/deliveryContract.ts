/**
 * The contract between detect and the dispatcher: what each answer of detect means, and what the dispatcher
 * does with it. Both sides read it from here.
 *
 * | detect answers                         | it means                                      | the dispatcher            |
 * |----------------------------------------|-----------------------------------------------|---------------------------|
 * | 2xx                                    | the record is done: detected, recognised as   | commits, takes the next   |
 * |                                        | done before, or queued behind a held symbol   |                           |
 * | 400, 413, 415, 422                     | the record can never succeed as it is; the    | parks it on the dead-     |
 * |                                        | body says why                                 | letter topic at once, with|
 * |                                        |                                               | the reason; moves on      |
 * | anything else: 5xx, 401, 403, 404,     | not now: a service is down, the target is     | waits (capped exponential |
 * | 408, 409, 429; no answer; a timeout    | restarting, scaling from zero, redeploying    | backoff) and sends the    |
 * |                                        |                                               | same record again, holding|
 * |                                        |                                               | its partition, for as long|
 * |                                        |                                               | as it takes               |
 *
 * Cloud Run restarts, scales to zero and redeploys instances routinely, so an unreachable target is never a
 * reason to give a record up. Knative's KafkaSource treats 4xx answers other than 404, 408, 409 and 429 as
 * final in the same way.
 */

/** The statuses detect answers with. */
export const DETECT_STATUS = {
  /** Done: detected, already done, or queued behind its held symbol. */
  done: 200,
  /** Can never succeed as it is: park it. */
  final: 422,
  /** Not now: send it again later. */
  retry: 503,
} as const;

/** A header of a Kafka record that is an instruction to detect rather than a bar batch (see redrive). */
export const CONTROL_HEADER = 'control';
/** The record asks detect to retry the records held for its key's symbol, in order. */
export const RESUME_CONTROL = 'resume';

export type DispatchAction = 'commit' | 'park' | 'retry';

const FINAL_STATUSES = new Set([400, 413, 415, 422]);

/** What the dispatcher does with an answer of the target. */
export function dispatchAction(status: number): DispatchAction {
  if (status >= 200 && status < 300) return 'commit';
  return FINAL_STATUSES.has(status) ? 'park' : 'retry';
}

/** The body of detect's answer. */
export type DetectOutcome =
  | { outcome: 'detected'; batch: string; processed: number; late: number; alerts: number }
  | { outcome: 'redelivered'; batch: string }
  | { outcome: 'held'; symbol: string; behind: string; waiting: number }
  | { outcome: 'resumed'; symbol: string; batches: number }
  | { outcome: 'final'; error: string; reason: string; symbol?: string; held: boolean }
  | { outcome: 'retry'; error: string; reason: string };
