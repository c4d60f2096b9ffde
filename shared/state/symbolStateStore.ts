/**
 * Each symbol's rolling state in Firestore (`symbol-state/{symbol}`), committed with a precondition on the
 * version that was read, so that two deliveries racing on one symbol cannot both win: the loser re-reads and
 * re-runs from the winner's state.
 */
import { FieldValue, type Firestore, type Timestamp } from '@google-cloud/firestore';
import { EMPTY_STATE, parseSymbolState, type SymbolState } from '../core/symbolState.js';
import { symbolStateId } from '../pipeline/documentIds.js';

export interface StoredSymbolState {
  state: SymbolState;
  /** Alerts detected for this symbol, all batches so far: `wait` compares it with the alerts written. */
  alertCount: number;
  /** The last batch committed (`object@generation#seq`): a redelivery of it is recognised and skipped. */
  lastBatch: string | null;
  /** The document's update time when read, or undefined when it did not exist. */
  version: Timestamp | undefined;
}

/** Figures of one batch, added to the per-object, per-symbol tally of the ingestion. */
export interface BatchTally {
  ingestionId: string;
  processed: number;
  late: number;
  alerts: number;
  a1: number;
  a2: number;
}

export class StateConflictError extends Error {
  override name = 'StateConflictError';
}

/** gRPC codes Firestore answers a failed precondition with. */
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;

export class SymbolStateStore {
  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
    private readonly ingestions: string,
  ) {}

  async load(symbol: string): Promise<StoredSymbolState> {
    const snapshot = await this.db.collection(this.collection).doc(symbolStateId(symbol)).get();
    if (!snapshot.exists) return { state: EMPTY_STATE, alertCount: 0, lastBatch: null, version: undefined };
    const data = snapshot.data()!;
    return {
      state: parseSymbolState(data),
      alertCount: Number(data.alertCount ?? 0),
      lastBatch: typeof data.lastBatch === 'string' ? data.lastBatch : null,
      version: snapshot.updateTime,
    };
  }

  /**
   * Writes the new state and the batch's tally atomically, if the state is still the version read.
   * @throws StateConflictError when another delivery committed first
   */
  async commit(
    symbol: string,
    read: StoredSymbolState,
    next: { state: SymbolState; alertCount: number; lastBatch: string },
    tally: BatchTally,
  ): Promise<void> {
    const stateRef = this.db.collection(this.collection).doc(symbolStateId(symbol));
    const document = {
      symbol,
      ...next.state,
      lastTimestamp: next.state.lastMinute === null ? null : new Date(next.state.lastMinute * 60_000),
      alertCount: next.alertCount,
      lastBatch: next.lastBatch,
      updatedAt: FieldValue.serverTimestamp(),
    };
    const tallyRef = this.db
      .collection(this.ingestions)
      .doc(tally.ingestionId)
      .collection('symbols')
      .doc(symbolStateId(symbol));
    const batch = this.db.batch();
    if (read.version === undefined) batch.create(stateRef, document);
    else batch.update(stateRef, document, { lastUpdateTime: read.version });
    batch.set(
      tallyRef,
      {
        symbol,
        batches: FieldValue.increment(1),
        processed: FieldValue.increment(tally.processed),
        late: FieldValue.increment(tally.late),
        alerts: FieldValue.increment(tally.alerts),
        a1: FieldValue.increment(tally.a1),
        a2: FieldValue.increment(tally.a2),
      },
      { merge: true },
    );
    try {
      await batch.commit();
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === ALREADY_EXISTS || code === FAILED_PRECONDITION) {
        throw new StateConflictError(`state of ${symbol} changed while this batch ran`, { cause: error });
      }
      throw error;
    }
  }
}
