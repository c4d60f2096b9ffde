/** An in-memory SymbolStateStore with the Firestore one's semantics (preconditions, holds), for unit tests. */
import { Timestamp } from '@google-cloud/firestore';
import { serviceError } from '../../shared/errors.js';
import { symbolStateId } from '../../shared/pipeline/documentIds.js';
import {
  holdWith,
  holdWithout,
  neverStored,
  StateConflictError,
  type BatchTally,
  type CompanionWrite,
  type HeldRecord,
  type HeldRecordSummary,
  type NewHeldRecord,
  type StateCommit,
  type StoredSymbolState,
  type SymbolHold,
  type SymbolStateStore,
  type SymbolSummary,
} from '../../shared/state/symbolStateStore.js';

interface Row {
  stored: Omit<StoredSymbolState, 'version'>;
  version: number;
  queue: HeldRecord[];
}

/**
 * What Firestore answers a request for a document id it does not allow: a name of the form `__name__`, which it
 * reserves, or one longer than 1,500 bytes (gRPC INVALID_ARGUMENT, through the store's serviceError).
 */
function refusedId(symbol: string): Error | undefined {
  const id = symbolStateId(symbol);
  if (!/^__.*__$/s.test(id) && Buffer.byteLength(id) <= 1500) return undefined;
  const refusal = Object.assign(
    new Error(`3 INVALID_ARGUMENT: Document name "${id.slice(0, 40)}" is invalid`),
    {
      code: 3,
    },
  );
  return serviceError('Firestore', refusal);
}

export class MemoryStateStore implements SymbolStateStore {
  readonly rows = new Map<string, Row>();
  readonly tallies: Array<{ symbol: string } & BatchTally> = [];
  /** Makes the next commits fail as a crash would, before anything is written. */
  failNextCommits = 0;
  /** Makes the next loads fail as an unavailable Firestore does. */
  failNextLoads = 0;

  async load(symbol: string): Promise<StoredSymbolState> {
    this.#address(symbol);
    if (this.failNextLoads > 0) {
      this.failNextLoads--;
      throw Object.assign(new Error('14 UNAVAILABLE: simulated outage'), { code: 14 });
    }
    const row = this.rows.get(symbol);
    if (!row) {
      return neverStored();
    }
    return { ...structuredClone(row.stored), version: Timestamp.fromMillis(row.version) };
  }

  async commit(
    symbol: string,
    read: StoredSymbolState,
    next: StateCommit,
    tally: BatchTally | undefined,
    dequeued?: number,
    companions: readonly CompanionWrite[] = [],
  ): Promise<Timestamp> {
    this.#address(symbol);
    if (this.failNextCommits > 0) {
      this.failNextCommits--;
      throw new Error('simulated crash before the commit');
    }
    const row = this.#check(symbol, read);
    const hold = dequeued === undefined ? read.hold : holdWithout(read.hold);
    this.#write(symbol, row, { ...structuredClone(next), hold });
    if (dequeued !== undefined) this.#remove(symbol, dequeued);
    if (tally !== undefined) this.tallies.push({ symbol, ...tally });
    // Companion writes land with the commit; in memory they write elsewhere (see MemoryBarHistory.writes).
    for (const write of companions) write(undefined as unknown as FirebaseFirestore.WriteBatch);
    return Timestamp.fromMillis(this.rows.get(symbol)!.version);
  }

  async hold(symbol: string, read: StoredSymbolState, record: NewHeldRecord, reason: string): Promise<void> {
    this.#address(symbol);
    const row = this.#check(symbol, read);
    const { hold, seq } = holdWith(read.hold, record, reason, new Date());
    this.#write(symbol, row, {
      state: read.state,
      alertCount: read.alertCount,
      commits: read.commits,
      lastBatch: read.lastBatch,
      recent: read.recent,
      hold,
    });
    this.#queue(symbol).push({ ...record, seq });
  }

  async keepHeld(symbol: string, read: StoredSymbolState, head: string, reason: string): Promise<void> {
    this.#address(symbol);
    const row = this.#check(symbol, read);
    if (read.hold === null) return;
    this.#write(symbol, row, { ...row!.stored, hold: { ...read.hold, head, reason } });
  }

  async discard(symbol: string, read: StoredSymbolState, seq: number | null): Promise<void> {
    this.#address(symbol);
    const row = this.#check(symbol, read);
    this.#write(symbol, row, { ...row!.stored, hold: seq === null ? null : holdWithout(read.hold) });
    if (seq === null) this.#queue(symbol).splice(0);
    else this.#remove(symbol, seq);
  }

  async isQueued(symbol: string, identity: string): Promise<boolean> {
    this.#address(symbol);
    return this.#queue(symbol).some((record) => record.identity === identity);
  }

  async heldRecords(symbol: string, limit: number): Promise<HeldRecord[]> {
    this.#address(symbol);
    return this.#queue(symbol)
      .slice(0, limit)
      .map((record) => ({ ...record, value: Buffer.from(record.value) }));
  }

  async heldSymbols(): Promise<Array<{ symbol: string; hold: SymbolHold; records: HeldRecordSummary[] }>> {
    return [...this.rows]
      .filter(([, row]) => row.stored.hold !== null)
      .map(([symbol, row]) => ({
        symbol,
        hold: structuredClone(row.stored.hold!),
        records: row.queue.map(({ value: _value, ...summary }) => summary),
      }));
  }

  async summaries(): Promise<SymbolSummary[]> {
    return [...this.rows].map(([symbol, row]) => ({
      symbol,
      lastMinute: row.stored.state.lastMinute,
      held: row.stored.hold !== null,
      alertCount: row.stored.alertCount,
    }));
  }

  /** Every request names the symbol's document: refused as Firestore refuses an id it does not allow. */
  #address(symbol: string): void {
    const refused = refusedId(symbol);
    if (refused !== undefined) throw refused;
  }

  #check(symbol: string, read: StoredSymbolState): Row | undefined {
    const row = this.rows.get(symbol);
    if (row?.version !== read.version?.toMillis()) throw new StateConflictError(`state of ${symbol} changed`);
    return row;
  }

  #write(symbol: string, row: Row | undefined, stored: Omit<StoredSymbolState, 'version'>): void {
    this.rows.set(symbol, { stored, version: (row?.version ?? 0) + 1, queue: row?.queue ?? [] });
  }

  /** Takes the record at `seq` off the queue, as Firestore deletes its document; a wrong seq removes nothing. */
  #remove(symbol: string, seq: number): void {
    const queue = this.#queue(symbol);
    const at = queue.findIndex((record) => record.seq === seq);
    if (at >= 0) queue.splice(at, 1);
  }

  #queue(symbol: string): HeldRecord[] {
    return this.rows.get(symbol)?.queue ?? [];
  }
}
