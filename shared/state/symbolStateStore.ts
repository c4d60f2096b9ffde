/**
 * Each symbol's rolling state in Firestore (`symbol-state/{symbol}`), and the records held behind it: this
 * module owns the documents' shape, ids, reads and writes.
 *
 * A state is committed with a precondition on the version that was read, so that two deliveries racing on
 * one symbol cannot both win: the loser re-reads and re-runs from the winner's state.
 *
 * A symbol is *held* while a record of it could not be detected (a malformed batch, a bug): that record and
 * every later one of the symbol wait in order in `symbol-state/{symbol}/held/{seq}`, instead of being
 * detected against a state that lacks the held record's minutes. A resume (see redrive) retries them in order
 * and releases the symbol when none is left.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { FieldValue, Timestamp, type DocumentData, type Firestore } from '@google-cloud/firestore';
import { EMPTY_STATE, parseSymbolState, type SymbolState } from '../core/symbolState.js';
import { serviceError, StockAnomaliesError } from '../errors.js';
import { symbolStateId } from '../pipeline/documentIds.js';
import type { BatchTally } from './ingestionStore.js';

export type { BatchTally };

/** Why a symbol is held, and what waits behind it. */
export interface SymbolHold {
  /** Why the record at the head could not be detected. */
  reason: string;
  /** The record the hold began with (or, after a failed resume, the one that failed): its identity. */
  head: string;
  /** When the hold began, ISO 8601. */
  since: string;
  /** Records waiting, the head included. */
  waiting: number;
  /** The sequence number the next record queued takes. */
  nextSeq: number;
  /** The identity of the last record queued, so that its redelivery is not queued twice. */
  lastQueued: string;
}

export interface StoredSymbolState {
  state: SymbolState;
  /** Alerts standing for this symbol (detected, less withdrawn): `wait` compares it with the alerts written. */
  alertCount: number;
  /**
   * How many batches were committed: each batch's alerts carry the count its commit makes, so that notify keeps
   * the later of two versions of an alert whatever order their messages arrive in.
   */
  commits: number;
  /** The last batch committed (`object@generation#seq`): a redelivery of it is recognised and skipped. */
  lastBatch: string | null;
  /**
   * The furthest batch committed of each of the symbol's most recent object generations, oldest first: a
   * batch at or before it is a redelivery (an ingestion retried, a record delivered again after a restart).
   */
  recent: RecentBatch[];
  /** Set while the symbol is held. */
  hold: SymbolHold | null;
  /** The document's update time when read, or undefined when it did not exist. */
  version: Timestamp | undefined;
}

/** A record waiting behind a held symbol, as it came from Kafka. */
export interface HeldRecord {
  seq: number;
  /** The batch key (`object@generation#seq`) when the value reads as a batch, else the CloudEvent id. */
  identity: string;
  /** The CloudEvent id it was delivered with (`partition:P/offset:O`). */
  eventId: string;
  value: Buffer;
  /** The object generation it came from, when the value reads as a batch. */
  object?: string;
  generation?: string;
}

export type NewHeldRecord = Omit<HeldRecord, 'seq'>;

/** A held record without its value: enough to count and name what waits. */
export type HeldRecordSummary = Omit<HeldRecord, 'value'>;

/** The furthest batch (`seq`) committed of one object generation (`object@generation`). */
export interface RecentBatch {
  object: string;
  seq: number;
}

export interface StateCommit {
  state: SymbolState;
  alertCount: number;
  commits: number;
  lastBatch: string;
  recent: RecentBatch[];
}

/**
 * A write into a document another module owns (an episode, a day of bars) that lands with a state commit, so
 * that a delivery which lost the race to commit writes none of it.
 */
export type CompanionWrite = (batch: FirebaseFirestore.WriteBatch) => void;

/** Firestore's most writes in one commit, less room for the state, the tally and a dequeued record. */
export const COMPANIONS_PER_COMMIT = 490;

/** Another delivery changed the symbol's state between this one's read and its write. Retriable. */
export class StateConflictError extends StockAnomaliesError {
  override name = 'StateConflictError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { retriable: true, ...options });
  }
}

/** What a state store does; the Firestore one below and an in-memory one for tests. */
export interface SymbolStateStore {
  load(symbol: string): Promise<StoredSymbolState>;
  /**
   * Writes the new state and the batch's tally atomically, if the state is still the version read; with
   * `dequeued`, also takes that held record off the queue (releasing the symbol when it was the last). The
   * companion writes land with it, or, past one commit's room, in commits before it that each require the
   * state to be still the version read.
   * @returns the state's new version (what a later load reads as `version`, until another commit)
   * @throws StateConflictError when another delivery committed first
   */
  commit(
    symbol: string,
    read: StoredSymbolState,
    next: StateCommit,
    tally: BatchTally | undefined,
    dequeued?: number,
    companions?: readonly CompanionWrite[],
  ): Promise<Timestamp>;
  /**
   * Holds the symbol with `record` at the head of its queue, or, when it is held already, queues `record`
   * behind the others. @throws StateConflictError
   */
  hold(symbol: string, read: StoredSymbolState, record: NewHeldRecord, reason: string): Promise<void>;
  /** A resume could not detect the held record at the head: it stays held, for this reason. */
  keepHeld(symbol: string, read: StoredSymbolState, head: string, reason: string): Promise<void>;
  /**
   * Drops the held record at `seq` without detecting it (an operator's decision, see redrive), releasing
   * the symbol when it was the last; `null` releases the symbol whatever its hold counts.
   * @throws StateConflictError
   */
  discard(symbol: string, read: StoredSymbolState, seq: number | null): Promise<void>;
  /** Whether a record of this identity waits in the symbol's queue. */
  isQueued(symbol: string, identity: string): Promise<boolean>;
  /** The first `limit` records waiting for the symbol, in order. */
  heldRecords(symbol: string, limit: number): Promise<HeldRecord[]>;
  /** Every held symbol, with its hold and a summary of each record waiting. */
  heldSymbols(): Promise<Array<{ symbol: string; hold: SymbolHold; records: HeldRecordSummary[] }>>;
  /**
   * Each symbol's last processed minute, whether it is held, and its alerts detected (the console's health, and
   * what `wait` expects to find written).
   */
  summaries(): Promise<SymbolSummary[]>;
}

export interface SymbolSummary {
  symbol: string;
  /** Minutes since the epoch of the last bar processed, or null when none was. */
  lastMinute: number | null;
  held: boolean;
  alertCount: number;
}

/** What a symbol never committed reads as. */
export function neverStored(): StoredSymbolState {
  return {
    state: EMPTY_STATE,
    alertCount: 0,
    commits: 0,
    lastBatch: null,
    recent: [],
    hold: null,
    version: undefined,
  };
}

/** gRPC codes Firestore answers a failed precondition with. */
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;

const HELD = 'held';

/** A queue position as a document id that sorts as the number does. */
const seqId = (seq: number) => String(seq).padStart(12, '0');

function holdOf(data: DocumentData): SymbolHold | null {
  const hold = data.hold as (Omit<SymbolHold, 'since'> & { since: Timestamp }) | null | undefined;
  if (hold === null || hold === undefined) return null;
  return { ...hold, since: hold.since.toDate().toISOString() };
}

function holdData(hold: SymbolHold | null): DocumentData | null {
  return hold === null ? null : { ...hold, since: Timestamp.fromDate(new Date(hold.since)) };
}

/** The hold after `record` is queued. */
export function holdWith(
  read: SymbolHold | null,
  record: NewHeldRecord,
  reason: string,
  now: Date,
): { hold: SymbolHold; seq: number } {
  if (read === null) {
    return {
      hold: {
        reason,
        head: record.identity,
        since: now.toISOString(),
        waiting: 1,
        nextSeq: 1,
        lastQueued: record.identity,
      },
      seq: 0,
    };
  }
  return {
    hold: { ...read, waiting: read.waiting + 1, nextSeq: read.nextSeq + 1, lastQueued: record.identity },
    seq: read.nextSeq,
  };
}

/** The hold after one record is taken off the queue: none once the queue is empty. */
export function holdWithout(read: SymbolHold | null): SymbolHold | null {
  if (read === null || read.waiting <= 1) return null;
  return { ...read, waiting: read.waiting - 1 };
}

export class FirestoreSymbolStateStore implements SymbolStateStore {
  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
    /** Adds a batch's tally to the commit (the ingestion store owns that document); readers need none. */
    private readonly addTally?: (
      batch: FirebaseFirestore.WriteBatch,
      symbol: string,
      tally: BatchTally,
    ) => void,
  ) {}

  #ref(symbol: string) {
    return this.db.collection(this.collection).doc(symbolStateId(symbol));
  }

  async load(symbol: string): Promise<StoredSymbolState> {
    const snapshot = await this.#ref(symbol)
      .get()
      .catch((error: unknown) => {
        throw serviceError('Firestore', error);
      });
    if (!snapshot.exists) {
      return neverStored();
    }
    const data = snapshot.data()!;
    return {
      state: parseSymbolState(data),
      alertCount: Number(data.alertCount ?? 0),
      commits: Number(data.commits ?? 0),
      lastBatch: typeof data.lastBatch === 'string' ? data.lastBatch : null,
      recent: Array.isArray(data.recent) ? (data.recent as RecentBatch[]) : [],
      hold: holdOf(data),
      version: snapshot.updateTime,
    };
  }

  async commit(
    symbol: string,
    read: StoredSymbolState,
    next: StateCommit,
    tally: BatchTally | undefined,
    dequeued?: number,
    companions: readonly CompanionWrite[] = [],
  ): Promise<Timestamp> {
    let version = read.version;
    let at = 0;
    for (; companions.length - at > COMPANIONS_PER_COMMIT; at += COMPANIONS_PER_COMMIT) {
      version = await this.#commitAhead(symbol, version, companions.slice(at, at + COMPANIONS_PER_COMMIT));
    }
    const batch = this.db.batch();
    for (const write of companions.slice(at)) write(batch);
    // The state's write follows the companions': its result, and so its new version, comes at their count.
    const stateWrite = companions.length - at;
    read = { ...read, version };
    const hold = dequeued === undefined ? read.hold : holdWithout(read.hold);
    this.#writeState(batch, symbol, read, {
      ...next.state,
      lastTimestamp: next.state.lastMinute === null ? null : new Date(next.state.lastMinute * 60_000),
      alertCount: next.alertCount,
      commits: next.commits,
      lastBatch: next.lastBatch,
      recent: next.recent,
      hold: holdData(hold),
      held: hold !== null,
    });
    if (tally !== undefined) {
      if (this.addTally === undefined)
        throw new TypeError('a state store made for reading cannot commit tallies');
      this.addTally(batch, symbol, tally);
    }
    if (dequeued !== undefined) batch.delete(this.#ref(symbol).collection(HELD).doc(seqId(dequeued)));
    const results = await this.#commit(batch, symbol);
    return results[stateWrite]!.writeTime;
  }

  async hold(symbol: string, read: StoredSymbolState, record: NewHeldRecord, reason: string): Promise<void> {
    const { hold, seq } = holdWith(read.hold, record, reason, new Date());
    const batch = this.db.batch();
    const stateFields =
      read.version === undefined
        ? { ...EMPTY_STATE, lastTimestamp: null, alertCount: 0, commits: 0, lastBatch: null, recent: [] }
        : {};
    this.#writeState(batch, symbol, read, { ...stateFields, hold: holdData(hold), held: true });
    batch.set(this.#ref(symbol).collection(HELD).doc(seqId(seq)), {
      seq,
      identity: record.identity,
      eventId: record.eventId,
      // Compressed: a batch of a few thousand minutes is text that gzips well, and a document holds 1 MiB.
      value: gzipSync(record.value),
      object: record.object ?? null,
      generation: record.generation ?? null,
    });
    await this.#commit(batch, symbol);
  }

  async keepHeld(symbol: string, read: StoredSymbolState, head: string, reason: string): Promise<void> {
    if (read.hold === null) return;
    const batch = this.db.batch();
    this.#writeState(batch, symbol, read, { hold: holdData({ ...read.hold, head, reason }), held: true });
    await this.#commit(batch, symbol);
  }

  async discard(symbol: string, read: StoredSymbolState, seq: number | null): Promise<void> {
    const hold = seq === null ? null : holdWithout(read.hold);
    const batch = this.db.batch();
    this.#writeState(batch, symbol, read, { hold: holdData(hold), held: hold !== null });
    if (seq !== null) batch.delete(this.#ref(symbol).collection(HELD).doc(seqId(seq)));
    await this.#commit(batch, symbol);
  }

  async isQueued(symbol: string, identity: string): Promise<boolean> {
    const found = await this.#ref(symbol)
      .collection(HELD)
      .where('identity', '==', identity)
      .limit(1)
      .get()
      .catch((error: unknown) => {
        throw serviceError('Firestore', error);
      });
    return !found.empty;
  }

  async heldRecords(symbol: string, limit: number): Promise<HeldRecord[]> {
    const snapshot = await this.#ref(symbol)
      .collection(HELD)
      .orderBy('seq')
      .limit(limit)
      .get()
      .catch((error: unknown) => {
        throw serviceError('Firestore', error);
      });
    return snapshot.docs.map((doc) => {
      const data = doc.data();
      return {
        ...summaryOf(data),
        value: gunzipSync(data.value as Buffer),
      };
    });
  }

  async heldSymbols(): Promise<Array<{ symbol: string; hold: SymbolHold; records: HeldRecordSummary[] }>> {
    try {
      const held = await this.db.collection(this.collection).where('held', '==', true).get();
      return await Promise.all(
        held.docs.map(async (doc) => {
          const records = await doc.ref
            .collection(HELD)
            .orderBy('seq')
            .select('seq', 'identity', 'eventId', 'object', 'generation')
            .get();
          return {
            symbol: String(doc.get('symbol')),
            hold: holdOf(doc.data())!,
            records: records.docs.map((record) => summaryOf(record.data())),
          };
        }),
      );
    } catch (error) {
      throw serviceError('Firestore', error);
    }
  }

  /**
   * Commits companion writes ahead of the state, with the state document touched under the same precondition
   * as the state commit (created empty when there was none), so that the order of deliveries holds for them too.
   * @returns the state's new version
   */
  async #commitAhead(
    symbol: string,
    version: StoredSymbolState['version'],
    companions: readonly CompanionWrite[],
  ): Promise<NonNullable<StoredSymbolState['version']>> {
    const batch = this.db.batch();
    for (const write of companions) write(batch);
    const ref = this.#ref(symbol);
    if (version === undefined) {
      const empty = {
        ...EMPTY_STATE,
        lastTimestamp: null,
        alertCount: 0,
        commits: 0,
        lastBatch: null,
        recent: [],
      };
      batch.create(ref, {
        symbol,
        ...empty,
        hold: null,
        held: false,
        updatedAt: FieldValue.serverTimestamp(),
      });
    } else {
      batch.update(ref, { updatedAt: FieldValue.serverTimestamp() }, { lastUpdateTime: version });
    }
    const results = await this.#commit(batch, symbol);
    return results.at(-1)!.writeTime;
  }

  async summaries(): Promise<SymbolSummary[]> {
    try {
      const states = await this.db
        .collection(this.collection)
        .select('symbol', 'lastMinute', 'held', 'alertCount')
        .get();
      return states.docs.map((doc) => ({
        symbol: String(doc.get('symbol') ?? doc.id),
        lastMinute: Number.isInteger(doc.get('lastMinute')) ? (doc.get('lastMinute') as number) : null,
        held: doc.get('held') === true,
        alertCount: Number(doc.get('alertCount') ?? 0),
      }));
    } catch (error) {
      throw serviceError('Firestore', error);
    }
  }

  /** Writes the state document: created when it did not exist, else updated only if unchanged since read. */
  #writeState(
    batch: FirebaseFirestore.WriteBatch,
    symbol: string,
    read: StoredSymbolState,
    fields: DocumentData,
  ): void {
    const document = { symbol, ...fields, updatedAt: FieldValue.serverTimestamp() };
    if (read.version === undefined) batch.create(this.#ref(symbol), document);
    else batch.update(this.#ref(symbol), document, { lastUpdateTime: read.version });
  }

  async #commit(
    batch: FirebaseFirestore.WriteBatch,
    symbol: string,
  ): Promise<FirebaseFirestore.WriteResult[]> {
    try {
      return await batch.commit();
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === ALREADY_EXISTS || code === FAILED_PRECONDITION) {
        throw new StateConflictError(`state of ${symbol} changed while this batch ran`, { cause: error });
      }
      throw serviceError('Firestore', error);
    }
  }
}

function summaryOf(data: DocumentData): HeldRecordSummary {
  return {
    seq: Number(data.seq),
    identity: String(data.identity),
    eventId: String(data.eventId),
    ...(typeof data.object === 'string' ? { object: data.object } : {}),
    ...(typeof data.generation === 'string' ? { generation: data.generation } : {}),
  };
}
