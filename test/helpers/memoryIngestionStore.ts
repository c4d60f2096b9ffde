/** An in-memory stand-in for FirestoreIngestionStore with the same claim and lease semantics, for unit tests. */
import type { QualityReport } from '../../shared/core/report.js';
import { classify, describeError } from '../../shared/errors.js';
import {
  decideClaim,
  DEFAULT_LEASE_MS,
  DETECTION_FIGURES,
  ingestionId,
  sumTallies,
  type BatchTally,
  type Claim,
  type Ingestion,
  type IngestionObject,
  type IngestionStatus,
  type IngestionStore,
  type IngestionSummary,
  type SymbolTally,
} from '../../shared/state/ingestionStore.js';

export class MemoryIngestionStore implements IngestionStore {
  readonly documents = new Map<string, Ingestion>();
  readonly tallies = new Map<string, Map<string, SymbolTally>>();
  /** An error the next call of a method throws, once, before doing anything: Firestore unavailable. */
  readonly failing = new Map<keyof IngestionStore, Error>();
  readonly #leaseMs: number;
  readonly #now: () => number;

  constructor(options: { leaseMs?: number; now?: () => number } = {}) {
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#now = options.now ?? Date.now;
  }

  #call(method: keyof IngestionStore): void {
    const failure = this.failing.get(method);
    this.failing.delete(method);
    if (failure !== undefined) throw failure;
  }

  #update(id: string, change: (document: Ingestion) => void): void {
    const document = this.documents.get(id);
    if (document === undefined) throw new Error(`no ingestion ${id}: update before claim`);
    change(document);
  }

  async claim(object: IngestionObject, now: number): Promise<Claim> {
    this.#call('claim');
    const id = ingestionId(object.name, object.generation);
    const current = this.documents.get(id);
    const decision = decideClaim(current, now, this.#leaseMs);
    if (!decision.claim) return { claimed: false, id, reason: decision.reason, busy: decision.busy };
    const attempts = (current?.attempts ?? 0) + 1;
    const next: Ingestion = {
      ...current,
      object: object.name,
      bucket: object.bucket,
      generation: object.generation,
      status: 'running',
      attempts,
      startedAt: new Date(now),
      leaseUntil: decision.leaseUntil,
    };
    delete next.error;
    delete next.errorKind;
    this.documents.set(id, next);
    return { claimed: true, id, attempts };
  }

  async renew(id: string, attempts: number, now: number): Promise<boolean> {
    this.#call('renew');
    const current = this.documents.get(id);
    if (current?.status !== 'running' || current.attempts !== attempts) return false;
    current.leaseUntil = new Date(now + this.#leaseMs);
    return true;
  }

  async finish(
    id: string,
    outcome: { report: QualityReport; batches: number; quarantine: string | null },
  ): Promise<void> {
    this.#call('finish');
    this.#update(id, (document) => {
      Object.assign(document, {
        status: 'done',
        ...structuredClone(outcome),
        finishedAt: new Date(this.#now()),
      });
      delete document.error;
      delete document.errorKind;
      delete document.missingColumns;
      delete document.leaseUntil;
    });
  }

  async reject(id: string, report: QualityReport, error: string, missingColumns?: string[]): Promise<void> {
    this.#call('reject');
    this.#update(id, (document) => {
      Object.assign(document, {
        status: 'rejected',
        report: structuredClone(report),
        error,
        finishedAt: new Date(this.#now()),
      });
      if (missingColumns !== undefined) document.missingColumns = [...missingColumns];
      else delete document.missingColumns;
      delete document.errorKind;
      delete document.leaseUntil;
    });
  }

  async gone(id: string, reason: string): Promise<void> {
    this.#call('gone');
    this.#update(id, (document) => {
      Object.assign(document, { status: 'gone', error: reason, finishedAt: new Date(this.#now()) });
      delete document.errorKind;
      delete document.leaseUntil;
    });
  }

  async fail(id: string, error: unknown): Promise<void> {
    this.#call('fail');
    this.#update(id, (document) => {
      Object.assign(document, { status: 'failed', error: describeError(error), errorKind: classify(error) });
      delete document.leaseUntil;
    });
  }

  async get(id: string): Promise<Ingestion | undefined> {
    this.#call('get');
    const document = this.documents.get(id);
    return document === undefined ? undefined : structuredClone(document);
  }

  async list(): Promise<IngestionSummary[]> {
    this.#call('list');
    return [...this.documents.keys()].sort().map((id) => ({
      id,
      ...structuredClone(this.documents.get(id)!),
      detection: sumTallies(this.tallies.get(id)?.values() ?? []),
    }));
  }

  async statuses(ids: readonly string[]): Promise<Map<string, IngestionStatus | undefined>> {
    this.#call('statuses');
    return new Map(ids.map((id) => [id, this.documents.get(id)?.status]));
  }

  /** What addTally adds inside the state store's commit. */
  addTally(symbol: string, tally: BatchTally): void {
    let symbols = this.tallies.get(tally.ingestionId);
    if (symbols === undefined) {
      symbols = new Map();
      this.tallies.set(tally.ingestionId, symbols);
    }
    const zero = Object.fromEntries(DETECTION_FIGURES.map((figure) => [figure, 0])) as Record<
      (typeof DETECTION_FIGURES)[number],
      number
    >;
    const sum = symbols.get(symbol) ?? { symbol, batches: 0, ...zero };
    symbols.set(symbol, {
      symbol,
      batches: sum.batches + 1,
      ...(Object.fromEntries(
        DETECTION_FIGURES.map((figure) => [figure, sum[figure] + tally[figure]]),
      ) as Record<(typeof DETECTION_FIGURES)[number], number>),
      incremented: new Date(this.#now()),
    });
  }
}
