/**
 * What detect does with one Kafka record, and what it answers (see shared/pipeline/deliveryContract.ts).
 *
 * A record whose symbol is not held is detected. One that can never be detected (it is not a bar batch, or
 * detecting it hits a bug) holds its symbol: it is queued in Firestore and answered as final, so the
 * dispatcher parks it on the dead-letter topic where a person sees it. While a symbol is held, each later
 * record of it is queued behind the first and answered as done: detecting it now would run it against a state
 * that lacks the held minutes (a wrong previous close, a wrong window), and an alert must never be wrong. A
 * resume record (sent by `stock-anomalies redrive` once the cause is fixed) retries the queue in order and
 * releases the symbol when it is empty. Errors that may pass (a service down, a conflict) are thrown for the
 * edge to answer "retry". A record Firestore refuses to store anything of (its symbol cannot be a document id) is
 * answered as final without a hold: parked, so that it cannot block its partition.
 */
import { BarBatchError, decodeBarBatch, type BarBatch } from '../../shared/pipeline/barBatch.js';
import { RESUME_CONTROL, type DetectOutcome } from '../../shared/pipeline/deliveryContract.js';
import {
  classify,
  describeError,
  EventError,
  FinalError,
  RequestRefusedError,
  StockAnomaliesError,
} from '../../shared/errors.js';
import {
  StateConflictError,
  type HeldRecord,
  type NewHeldRecord,
  type StoredSymbolState,
} from '../../shared/state/symbolStateStore.js';
import { batchKey, detectBarBatch, isDone, type DetectDependencies } from './detectBarBatch.js';

/** A Kafka record as the dispatcher delivers it. */
export interface KafkaRecord {
  /** The CloudEvent id: `partition:P/offset:O`. */
  eventId: string;
  /** The record key: the symbol. */
  key: string | undefined;
  /** The record's `control` header, for an instruction rather than a batch. */
  control: string | undefined;
  value: Buffer;
}

/** Re-reads and runs again after this many optimistic-concurrency conflicts, then lets the delivery retry. */
const MAX_CONFLICTS = 3;

type FinalOutcome = Extract<DetectOutcome, { outcome: 'final' }>;

/** Reads a record as a bar batch of its key's symbol, or says why it is not one. */
function readBatch(value: Buffer, symbol: string): { batch: BarBatch } | { error: FinalError } {
  try {
    const batch = decodeBarBatch(value);
    if (batch.symbol !== symbol) {
      return { error: new BarBatchError(`a batch of '${batch.symbol}' under the key '${symbol}'`) };
    }
    return { batch };
  } catch (error) {
    if (error instanceof FinalError) return { error };
    throw error;
  }
}

function heldRecord(record: KafkaRecord, read: ReturnType<typeof readBatch>): NewHeldRecord {
  if ('error' in read) return { identity: record.eventId, eventId: record.eventId, value: record.value };
  const { batch } = read;
  return {
    identity: batchKey(batch),
    eventId: record.eventId,
    value: record.value,
    object: batch.object,
    generation: batch.generation,
  };
}

function final(error: unknown, symbol: string | undefined, held: boolean): FinalOutcome {
  return {
    outcome: 'final',
    error: error instanceof Error ? error.name : 'Error',
    reason: describeError(error),
    ...(symbol === undefined ? {} : { symbol }),
    held,
  };
}

/** Runs `attempt` again from a fresh read when another delivery committed first. */
async function withConflictRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let conflicts = 0; ; conflicts++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StateConflictError) || conflicts + 1 >= MAX_CONFLICTS) throw error;
    }
  }
}

/**
 * Detects, queues or resumes one record.
 * @throws a retriable error when a service failed or conflicts persisted: answer "retry"
 */
export async function detectRecord(record: KafkaRecord, deps: DetectDependencies): Promise<DetectOutcome> {
  const symbol = record.key;
  if (symbol === undefined || symbol === '') {
    return final(new EventError(`record ${record.eventId} has no key (the symbol)`), undefined, false);
  }
  try {
    if (record.control === RESUME_CONTROL) return await resume(symbol, deps);
    if (record.control !== undefined) {
      return final(
        new EventError(`record ${record.eventId}: unknown control '${record.control}'`),
        symbol,
        false,
      );
    }
    return await detectOrQueue(record, symbol, deps);
  } catch (error) {
    if (classify(error) === 'retriable') throw error;
    if (error instanceof RequestRefusedError) {
      // Firestore refuses the request itself, whatever is stored: typically the symbol's own document cannot
      // exist (an id Firestore reserves, such as `__X__`, or one over 1,500 bytes), for a record from an older
      // ingest or produced by hand. No retry can change that, and holding the symbol is refused too (it writes
      // that document): waiting would block the partition for ever. Parked without a hold, it blocks nothing;
      // every later record of such a symbol is refused and parked the same way, so none is detected without it.
      return final(error, symbol, false);
    }
    // The symbol's stored state could not be read (a document somebody broke): neither detecting nor holding is
    // safe, so the record waits, and the partition with it, until a person mends the document.
    throw new StockAnomaliesError(
      `${symbol}: ${describeError(error)}; the record waits until this is fixed`,
      { retriable: true, cause: error },
    );
  }
}

async function detectOrQueue(
  record: KafkaRecord,
  symbol: string,
  deps: DetectDependencies,
): Promise<DetectOutcome> {
  const read = readBatch(record.value, symbol);
  const queued = heldRecord(record, read);
  return withConflictRetries(async () => {
    const stored = await deps.store.load(symbol);
    deps.faults?.at('detect.after-load');
    if (stored.hold !== null) {
      const { hold } = stored;
      // The record the hold began with, delivered again: final again, so that it is parked.
      if (queued.identity === hold.head) {
        return { outcome: 'final', error: 'Held', reason: hold.reason, symbol, held: true };
      }
      if ('batch' in read && isDone(stored.recent, read.batch)) {
        return { outcome: 'redelivered', batch: queued.identity };
      }
      // Delivered again after a restart (offsets are committed a fetch at a time): queued once only.
      const already =
        queued.identity === hold.lastQueued || (await deps.store.isQueued(symbol, queued.identity));
      if (!already) await deps.store.hold(symbol, stored, queued, hold.reason);
      return { outcome: 'held', symbol, behind: hold.head, waiting: hold.waiting + (already ? 0 : 1) };
    }
    if ('error' in read) return holdOn(symbol, stored, queued, read.error, deps);
    try {
      const outcome = await detectBarBatch(read.batch, stored, deps);
      return outcome.kind === 'redelivered'
        ? { outcome: 'redelivered', batch: outcome.batch }
        : { outcome: 'detected', batch: outcome.batch, ...pick(outcome.counts) };
    } catch (error) {
      if (classify(error) === 'retriable') throw error;
      return holdOn(symbol, stored, queued, error, deps);
    }
  });
}

async function holdOn(
  symbol: string,
  stored: StoredSymbolState,
  record: NewHeldRecord,
  error: unknown,
  deps: DetectDependencies,
): Promise<FinalOutcome> {
  await deps.store.hold(symbol, stored, record, describeError(error));
  return final(error, symbol, true);
}

/**
 * Records one resume request retries before it answers "send me again": a long queue is worked through in
 * several requests, each well inside the dispatcher's attempt timeout and the consumer's rebalance timeout.
 */
export const RESUME_BATCHES_PER_REQUEST = 50;

/** Retries the symbol's held records in order; releases the symbol when none is left. */
async function resume(symbol: string, deps: DetectDependencies): Promise<DetectOutcome> {
  let batches = 0;
  for (let conflicts = 0; ;) {
    const stored = await deps.store.load(symbol);
    if (stored.hold === null) return { outcome: 'resumed', symbol, batches };
    if (batches >= RESUME_BATCHES_PER_REQUEST) {
      throw new StockAnomaliesError(
        `${symbol}: resumed ${batches} held records, ${stored.hold.waiting} still waiting; continuing`,
        { retriable: true },
      );
    }
    const [next] = await deps.store.heldRecords(symbol, 1);
    if (next === undefined) {
      // Held with nothing waiting (cannot happen through this module): nothing is left to keep in order.
      await deps.store.discard(symbol, stored, null);
      continue;
    }
    const read = readBatch(next.value, symbol);
    try {
      if ('error' in read) throw read.error;
      await detectBarBatch(read.batch, stored, deps, next.seq);
      batches++;
    } catch (error) {
      if (error instanceof StateConflictError && ++conflicts < MAX_CONFLICTS) continue;
      if (classify(error) === 'retriable') throw error;
      await keepHeld(symbol, stored, next, error, deps);
      return final(error, symbol, true);
    }
  }
}

async function keepHeld(
  symbol: string,
  stored: StoredSymbolState,
  head: HeldRecord,
  error: unknown,
  deps: DetectDependencies,
): Promise<void> {
  await deps.store.keepHeld(symbol, stored, head.identity, describeError(error));
}

function pick(counts: { processed: number; late: number; alerts: number }) {
  return { processed: counts.processed, late: counts.late, alerts: counts.alerts };
}
