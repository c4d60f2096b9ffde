/** An in-memory stand-in for SymbolStateStore with the same precondition semantics, for unit tests. */
import { Timestamp } from '@google-cloud/firestore';
import { EMPTY_STATE, type SymbolState } from '../../shared/core/symbolState.js';
import {
  StateConflictError,
  type BatchTally,
  type StoredSymbolState,
} from '../../shared/state/symbolStateStore.js';

interface Row {
  state: SymbolState;
  alertCount: number;
  lastBatch: string;
  version: number;
}

export class MemoryStateStore {
  readonly rows = new Map<string, Row>();
  readonly tallies: Array<{ symbol: string } & BatchTally> = [];
  /** Makes the next commits fail as a crash would, before anything is written. */
  failNextCommits = 0;

  async load(symbol: string): Promise<StoredSymbolState> {
    const row = this.rows.get(symbol);
    if (!row) return { state: EMPTY_STATE, alertCount: 0, lastBatch: null, version: undefined };
    return {
      state: structuredClone(row.state),
      alertCount: row.alertCount,
      lastBatch: row.lastBatch,
      version: Timestamp.fromMillis(row.version),
    };
  }

  async commit(
    symbol: string,
    read: StoredSymbolState,
    next: { state: SymbolState; alertCount: number; lastBatch: string },
    tally: BatchTally,
  ): Promise<void> {
    if (this.failNextCommits > 0) {
      this.failNextCommits--;
      throw new Error('simulated crash before the commit');
    }
    const current = this.rows.get(symbol);
    if ((current?.version ?? undefined) !== read.version?.toMillis()) {
      throw new StateConflictError(`state of ${symbol} changed`);
    }
    this.rows.set(symbol, { ...structuredClone(next), version: (current?.version ?? 0) + 1 });
    this.tallies.push({ symbol, ...tally });
  }
}
